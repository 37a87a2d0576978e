"""index-maintenance: EventBridge Scheduler (nightly) -> ensure/repair/reindex indexes, ANALYZE, report.

The summary is logged as JSON and its counts published as metrics. Any step that failed (after its
lock-timeout retries) fails the invocation, so Lambda's async retries and the on-failure queue see
it; a re-run is harmless.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from nfl_predictor.config import Settings
from nfl_predictor.db.iam_auth import database_for_job
from nfl_predictor.db.indexes import MaintenanceOptions, run_maintenance, summary_metrics
from nfl_predictor.telemetry.powertools import make_logger, make_metrics

settings = Settings.from_env()
logger = make_logger("index-maintenance")
metrics = make_metrics(settings, "index-maintenance")

# Stop starting new steps this long before the Lambda timeout, so the summary is always reported.
SAFETY_MARGIN_S = 60


class MaintenanceIncomplete(RuntimeError):
    pass


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    budget_s = context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_S
    overrides = (event or {}).get("options")
    options = MaintenanceOptions.from_settings(settings).with_overrides(overrides).within(budget_s)
    db = database_for_job(settings)
    try:
        summary = run_maintenance(db, options)
    finally:
        db.close()
    for name, value in summary_metrics(summary).items():
        unit = MetricUnit.Milliseconds if name.endswith("Ms") else MetricUnit.Count
        metrics.add_metric(name=name, unit=unit, value=value)
    logger.info("index maintenance finished", extra={"summary": summary})
    if summary["errors"]:
        raise MaintenanceIncomplete(f"{len(summary['errors'])} step(s) failed: {summary['errors'][0]}")
    return summary
