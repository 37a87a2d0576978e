"""The benchmark Lambda: the suite's in-process categories against the deployed database and cache,
compared with the baseline in S3, figures published to CloudWatch, an SNS alert on a regression.
Run locally (``nfl-predictor invoke BenchmarkFunction``) it keeps the baseline in a local folder and
publishes no metrics.

Event (the scheduler's ``detail``, or the event itself when invoked by hand), every key optional:
``{"categories": ["all"] | "api,cache", "scale": "quick" | "full" | "smoke", "tolerance": 0.2,
"alpha": 0.01, "update_baseline": false}``. The first run, or ``update_baseline``, stores the run as
the baseline instead of comparing. Every run is also kept under ``runs/`` beside the baseline.
The run ends with a monitoring snapshot (cache and database health; alerts to the same topic).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
from aws_lambda_powertools import Logger

from nfl_predictor.benchmarking.compare import (
    DEFAULT_ALPHA,
    DEFAULT_TOLERANCE,
    Comparison,
    compare_runs,
    regressions,
)
from nfl_predictor.benchmarking.context import ApiBindings, BenchContext
from nfl_predictor.benchmarking.result import Measurement
from nfl_predictor.config import Settings
from nfl_predictor.runtime import Runtime

# A logger of its own: the predict handler it calls in process resets the shared one's Lambda context.
logger = Logger(service="nfl-predictor-benchmark")
UNITS = {"us": "Microseconds", "ms": "Milliseconds", "req/s": "Count/Second"}


@dataclass(frozen=True)
class BenchmarkOptions:
    categories: tuple[str, ...] = ("all",)
    scale: str = "quick"  # enough samples for the rank test at a fraction of the Lambda time of "full"
    tolerance: float = DEFAULT_TOLERANCE
    alpha: float = DEFAULT_ALPHA
    update_baseline: bool = False


def parse_event(event: Any) -> BenchmarkOptions:
    body = event.get("detail", event) if isinstance(event, dict) else {}
    if not isinstance(body, dict):
        raise ValueError("event must be a JSON object")
    categories = body.get("categories", ["all"])
    if isinstance(categories, str):
        categories = categories.split(",")
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise ValueError("categories must be a list of names or a comma-separated string")
    options = BenchmarkOptions(tuple(categories) or ("all",), str(body.get("scale", "quick")),
                               float(body.get("tolerance", DEFAULT_TOLERANCE)), float(body.get("alpha", DEFAULT_ALPHA)),
                               bool(body.get("update_baseline", False)))  # fmt: skip
    if not 0 < options.tolerance < 10 or not 0 < options.alpha < 1:
        raise ValueError("tolerance must be in (0, 10) and alpha in (0, 1)")
    return options


def baseline_store() -> Any:
    """S3 (BENCHMARK_BASELINE_BUCKET, one prefix per environment); a local folder when no bucket is set
    (``nfl-predictor invoke``)."""
    from nfl_predictor.benchmarking.baseline import FileStore, S3Store

    environment = os.environ.get("NFLP_ENVIRONMENT") or "local"
    bucket = (os.environ.get("BENCHMARK_BASELINE_BUCKET") or "").strip()
    if bucket:
        return S3Store(bucket, f"benchmarks/{environment}")
    root = Path(os.environ.get("NFLP_DATA_DIR") or tempfile.gettempdir()) / "benchmarks" / environment
    return FileStore(root / "baseline.json")


def publish_metrics(
    cloudwatch: Any, measurements: Sequence[Measurement], comparisons: Sequence[Comparison]
) -> int:
    """Each measurement's figure and ratio, and the regression count, as CloudWatch metrics."""
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "NFLPredictor"
    data: list[dict[str, Any]] = [
        {"MetricName": "BenchmarkRegressions", "Dimensions": [{"Name": "service", "Value": "benchmark"}],
         "Unit": "Count", "Value": float(len(regressions(list(comparisons))))},
    ]  # fmt: skip
    for m in measurements:
        dims = [{"Name": "service", "Value": "benchmark"}, {"Name": "Benchmark", "Value": m.name}]
        data.append({"MetricName": "BenchmarkFigure", "Dimensions": dims, "Unit": UNITS.get(m.unit, "None"),
                     "Value": float(m.value)})  # fmt: skip
        if m.ratio is not None:
            data.append(
                {"MetricName": "BenchmarkRatio", "Dimensions": dims, "Unit": "None", "Value": float(m.ratio)}
            )
    for start in range(0, len(data), 20):  # PutMetricData's long-standing per-call limit
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[start : start + 20])
    return len(data)


def alert_regressions(
    sns: Any, topic_arn: str | None, worse: Sequence[Comparison], run_location: str
) -> bool:
    if not worse:
        return False
    environment = os.environ.get("NFLP_ENVIRONMENT") or "local"
    message = {"environment": environment, "run": run_location, "regressions": [c.as_dict() for c in worse],
               "lines": [c.line() for c in worse]}  # fmt: skip
    if not topic_arn:
        logger.warning("benchmark regression", extra=message)
        return False
    sns.publish(TopicArn=topic_arn, Subject=f"nfl-predictor {environment}: {len(worse)} benchmark regression(s)"[:100],
                Message=orjson.dumps(message).decode(),
                MessageAttributes={"severity": {"DataType": "String", "StringValue": "critical"}})  # fmt: skip
    return True


def run_benchmark(options: BenchmarkOptions, api: ApiBindings, *, store: Any = None, cloudwatch: Any = None,
                  sns: Any = None) -> dict[str, Any]:  # fmt: skip
    import boto3

    from nfl_predictor.benchmarking.stack import LiveStack
    from nfl_predictor.benchmarking.suite import resolve_categories, run_categories, run_record

    categories = resolve_categories(options.categories, in_lambda=True)
    with LiveStack(api.runtime) as stack:
        ctx = BenchContext(scale=options.scale, stack=stack, api=api, in_lambda=True)
        measurements = run_categories(ctx, categories)
        record = run_record(ctx, categories, measurements)
    store = store or baseline_store()
    baseline = store.load_baseline()
    comparisons: list[Comparison] = []
    if baseline is None or options.update_baseline:
        baseline_location = store.save_baseline(record)
    else:
        baseline_location = "unchanged"
        comparisons = compare_runs(baseline, record, options.tolerance, options.alpha)
    run_location = store.save_run(record)
    published = 0
    if cloudwatch is not None or os.environ.get(
        "AWS_LAMBDA_FUNCTION_NAME"
    ):  # not from `nfl-predictor invoke`
        published = publish_metrics(cloudwatch or boto3.client("cloudwatch"), measurements, comparisons)
    worse = regressions(comparisons)
    topic = (os.environ.get("ALERT_TOPIC_ARN") or "").strip() or None
    alerted = alert_regressions(
        sns or (boto3.client("sns") if topic and worse else None), topic, worse, run_location
    )
    return {
        "categories": categories,
        "scale": options.scale,
        "baseline": baseline_location if baseline_location != "unchanged" else "compared",
        "run": run_location,
        "measurements": [
            {"name": m.name, "unit": m.unit, "value": m.value, "ratio": m.ratio, "ok": m.ok, "line": m.line()}
            for m in measurements
        ],
        "comparisons": [c.as_dict() for c in comparisons],
        "regressions": len(worse),
        "alerted": alerted,
        "metrics_published": published,
    }


def take_snapshot(api: ApiBindings) -> dict[str, Any] | None:
    """The run's monitoring snapshot: Redis and database health only, since this process's route and
    cache figures are its own benchmark calls (slow and missing on purpose), not traffic."""
    from nfl_predictor.telemetry.monitoring import Monitor, MonitorSettings

    runtime = api.runtime
    snapshot = Monitor(MonitorSettings.from_settings(runtime.settings)).take_quietly(
        dict, runtime, traffic=False
    )
    if snapshot is None:
        return None
    return {"id": snapshot["id"], "alerts": snapshot["alerts"], "alerts_sent": len(snapshot["alerts_sent"])}


def make_handler(api: ApiBindings) -> Callable[[Any, Any], dict[str, Any]]:
    @logger.inject_lambda_context(clear_state=True)
    def handler(event: Any, context: Any) -> dict[str, Any]:
        summary = run_benchmark(parse_event(event), api)
        summary["snapshot"] = take_snapshot(api)
        logger.info(
            "benchmark finished", extra={"summary": {k: v for k, v in summary.items() if k != "measurements"}}
        )
        return summary

    return handler


# The predict handler is measured without its X-Ray tracer: tracing thousands of in-process calls
# would measure the tracer (and flood the trace), not the code.
runtime = Runtime(replace(Settings.from_env(), trace_disabled=True))
handler = make_handler(ApiBindings.over(runtime))
