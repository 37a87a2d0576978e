"""The cache-warm Lambda: on the EventBridge schedule (next week) or on demand ({"season", "week"})."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(service="nfl-predictor")
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "NFLPredictor"), service="cache-warm"
)


def parse_event(event: Any) -> tuple[int | None, int | None, bool]:
    """Scheduler events carry the target's Input; anything else must name both season and week or neither."""
    body = event.get("detail", event) if isinstance(event, dict) else {}
    if not isinstance(body, dict):
        raise ValueError("event must be a JSON object")
    season, week = body.get("season"), body.get("week")
    for name, value in (("season", season), ("week", week)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ValueError(f"{name} must be an integer")
    if (season is None) != (week is None):
        raise ValueError("give season and week together, or neither")
    return season, week, bool(body.get("force", False))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from nfl_predictor.api.deps import get_services
    from nfl_predictor.ops.warm import warm_predictions

    season, week, force = parse_event(event)
    report = warm_predictions(get_services(), season, week, force=force)
    for name in ("games", "computed", "skipped_fresh", "cached", "research_notes", "graded_games"):
        metrics.add_metric(name=f"Warm_{name}", unit=MetricUnit.Count, value=float(report.get(name) or 0))
    metrics.add_metric(name="WarmDuration", unit=MetricUnit.Seconds, value=float(report["seconds"]))
    logger.info("cache warm finished", extra={"report": report})
    return report
