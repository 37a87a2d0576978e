"""data: EventBridge Scheduler (in season) -> pull the nflverse release files; S3 ObjectCreated ->
load the uploaded file. Either way -> service.data_refresh.refresh (atomic ingest, retrain when
results changed, grade, warm) -> the report, with its counts as metrics."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from nfl_predictor.runtime import Runtime
from nfl_predictor.service.data_refresh import Source, default_sources, refresh
from nfl_predictor.telemetry.powertools import make_logger, make_metrics

logger = make_logger("data")


def parse_event(event: Any) -> tuple[list[tuple[str, str]], int | None]:
    """(S3 objects to load, season for the default URLs). An S3 notification names its objects; a
    scheduler or manual event may carry {"season": N}."""
    if not isinstance(event, dict):
        raise ValueError("event must be a JSON object")
    records = event.get("Records")
    if records:
        objects = [(r["s3"]["bucket"]["name"], r["s3"]["object"]["key"]) for r in records
                   if r.get("eventSource") == "aws:s3" and r.get("eventName", "").startswith("ObjectCreated")]  # fmt: skip
        if not objects:
            raise ValueError("no S3 ObjectCreated record in the event")
        return objects, None
    body = event.get("detail", event)
    season = body.get("season") if isinstance(body, dict) else None
    if season is not None and (not isinstance(season, int) or isinstance(season, bool)):
        raise ValueError("season must be an integer")
    return [], season


def make_handler(runtime: Runtime) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    metrics = make_metrics(runtime.settings, "data")

    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        objects, season = parse_event(event)
        settings = runtime.settings
        with tempfile.TemporaryDirectory(prefix="nflp-upload-") as tmp:
            if objects:
                import boto3  # the Lambda runtime provides it; the schedule path never needs it

                from nfl_predictor.data.s3_object import fetch_object

                s3 = boto3.client("s3", region_name=settings.aws_region)
                sources = [Source(str(fetch_object(s3, bucket, key, Path(tmp), max_bytes=settings.data_max_download_bytes)))
                           for bucket, key in objects]  # fmt: skip
            else:
                sources = default_sources(settings, season)
            report = refresh(runtime.db, runtime.embedder, sources, settings, warmer=runtime.predictions,
                             params=runtime.params, say=logger.info)  # fmt: skip
        metrics.add_metric(name="DataFilesLoaded", unit=MetricUnit.Count, value=float(len(report["files"])))
        metrics.add_metric(name="DataRowsChanged", unit=MetricUnit.Count,
                           value=float(sum(f["inserted"] + f["updated"] for f in report["files"])))  # fmt: skip
        metrics.add_metric(
            name="DataRetrained", unit=MetricUnit.Count, value=float(bool(report["retrained"]))
        )
        logger.info("data refresh finished", extra={"report": report})
        return report

    return handler


handler = make_handler(Runtime())
