"""cache-warm: the EventBridge schedule (the next week) or an on-demand ``{"season", "week", "force"}``
-> PredictionService.warm_week -> the report, with its counts as metrics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from nfl_predictor.runtime import Runtime
from nfl_predictor.telemetry.powertools import make_logger, make_metrics

logger = make_logger("cache-warm")
COUNTS = ("games", "computed", "skipped_fresh", "repaired", "cached", "research_notes", "graded_games")


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


def make_handler(runtime: Runtime) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    metrics = make_metrics(runtime.settings, "cache-warm")

    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        season, week, force = parse_event(event)
        report = runtime.predictions.warm_week(season, week, force=force)
        for name in COUNTS:
            metrics.add_metric(name=f"Warm_{name}", unit=MetricUnit.Count, value=float(report.get(name) or 0))
        metrics.add_metric(name="WarmDuration", unit=MetricUnit.Seconds, value=float(report["seconds"]))
        logger.info("cache warm finished", extra={"report": report})
        return report

    return handler


handler = make_handler(Runtime())
