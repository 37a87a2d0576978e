"""The benchmark Lambda's one operation: the in-process categories against the live stack, compared
with the stored baseline, figures published as EMF metrics, an SNS alert on a regression, and a
monitoring snapshot of the cache and database to close the run.

The first run, or ``update_baseline``, stores the run as the baseline instead of comparing. Every run
is also kept under ``runs/`` beside the baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from aws_lambda_powertools.metrics import MetricUnit

from nfl_predictor.benchmarking.baseline import BaselineStore
from nfl_predictor.benchmarking.compare import (
    DEFAULT_ALPHA,
    DEFAULT_TOLERANCE,
    Comparison,
    compare_runs,
    regressions,
)
from nfl_predictor.benchmarking.context import ApiBindings, BenchContext
from nfl_predictor.benchmarking.live_stack import LiveStack
from nfl_predictor.benchmarking.machine import machine_info
from nfl_predictor.benchmarking.result import Measurement
from nfl_predictor.benchmarking.suite import NEEDS_STACK, resolve_categories, run_categories, run_record

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

    from nfl_predictor.runtime import Runtime

UNITS = {"us": MetricUnit.Microseconds, "ms": MetricUnit.Milliseconds, "req/s": MetricUnit.CountPerSecond}


@dataclass(frozen=True)
class BenchmarkOptions:
    categories: tuple[str, ...] = ("all",)
    scale: str = "quick"  # enough samples for the rank test at a fraction of the Lambda time of "full"
    tolerance: float = DEFAULT_TOLERANCE
    alpha: float = DEFAULT_ALPHA
    update_baseline: bool = False


@dataclass
class Outlets:
    """Where a run's results go besides the store: EMF metrics (None: none, as from ``nfl-predictor
    invoke``), SNS alerts (a client is made when one is needed) and the log."""

    store: BaselineStore
    logger: Logger
    metrics: Metrics | None = None
    sns: Any = None


def publish_metrics(metrics: Metrics, measurements: Sequence[Measurement],
                    comparisons: Sequence[Comparison]) -> int:  # fmt: skip
    """Each measurement's figure and ratio (dimension ``Benchmark``: its name), and the regression
    count, as EMF documents; returns how many values were published."""
    published = 0
    for m in measurements:
        metrics.add_dimension(name="Benchmark", value=m.name)
        metrics.add_metric(
            name="BenchmarkFigure", unit=UNITS.get(m.unit, MetricUnit.NoUnit), value=float(m.value)
        )
        published += 1
        if m.ratio is not None:
            metrics.add_metric(name="BenchmarkRatio", unit=MetricUnit.NoUnit, value=float(m.ratio))
            published += 1
        metrics.flush_metrics()  # one document per measurement: its own Benchmark dimension
    metrics.add_metric(name="BenchmarkRegressions", unit=MetricUnit.Count,
                       value=float(len(regressions(list(comparisons)))))  # fmt: skip
    metrics.flush_metrics()
    return published + 1


def alert_regressions(
    runtime: Runtime, outlets: Outlets, worse: Sequence[Comparison], run_location: str
) -> bool:
    if not worse:
        return False
    environment, topic_arn = runtime.settings.environment, runtime.settings.alert_topic_arn
    message = {"environment": environment, "run": run_location, "regressions": [c.as_dict() for c in worse],
               "lines": [c.line() for c in worse]}  # fmt: skip
    if not topic_arn:
        outlets.logger.warning("benchmark regression", extra=message)
        return False
    if outlets.sns is None:
        import boto3  # in Lambda's runtime, not in the layer

        outlets.sns = boto3.client("sns")
    outlets.sns.publish(TopicArn=topic_arn,
                        Subject=f"nfl-predictor {environment}: {len(worse)} benchmark regression(s)"[:100],
                        Message=orjson.dumps(message).decode(),
                        MessageAttributes={"severity": {"DataType": "String", "StringValue": "critical"}})  # fmt: skip
    return True


def take_snapshot(runtime: Runtime) -> dict[str, Any] | None:
    """The run's monitoring snapshot: Redis and database health only, since this process's route and
    cache figures are its own benchmark calls (slow and missing on purpose), not traffic."""
    from nfl_predictor.telemetry.monitoring import Monitor, MonitorSettings

    snapshot = Monitor(MonitorSettings.from_settings(runtime.settings)).take_quietly(
        dict, runtime, traffic=False
    )
    if snapshot is None:
        return None
    return {"id": snapshot["id"], "alerts": snapshot["alerts"], "alerts_sent": len(snapshot["alerts_sent"])}


NOTHING_TO_MEASURE = (
    "nothing to measure: the database holds no games or no trained model (load data and train first)"
)


def unready_categories(categories: list[str], runtime: Runtime) -> dict[str, str]:
    """The categories that need a loaded database, with why they cannot run, when it is not loaded."""
    from nfl_predictor.db.queries import games as game_queries
    from nfl_predictor.db.queries import model_params as params_queries

    needing = [c for c in categories if c in NEEDS_STACK]
    if not needing or (game_queries.any_games(runtime.db) and params_queries.active_version(runtime.db)):
        return {}
    return dict.fromkeys(needing, NOTHING_TO_MEASURE)


def measure(
    categories: list[str], options: BenchmarkOptions, api: ApiBindings
) -> tuple[list[Measurement], dict[str, Any]]:
    """The chosen in-process categories against the live stack: (measurements, run record)."""
    with LiveStack(api.runtime) as stack:
        ctx = BenchContext(scale=options.scale, stack=stack, api=api, in_lambda=True)
        measurements = run_categories(ctx, categories)
        record = run_record(ctx, categories, measurements, machine=machine_info(api.runtime.settings))
    return measurements, record


def run_benchmark(options: BenchmarkOptions, api: ApiBindings, outlets: Outlets) -> dict[str, Any]:
    """Measure, store, compare, publish, alert, snapshot; the run's summary. Categories that need a
    loaded database are skipped (and said so) on an empty one; with nothing left, nothing is stored."""
    categories = resolve_categories(options.categories, in_lambda=True)
    skipped = unready_categories(categories, api.runtime)
    categories = [c for c in categories if c not in skipped]
    if not categories:
        return {"status": "nothing to measure", "skipped": skipped, "categories": [], "measurements": [],
                "regressions": 0, "alerted": False, "metrics_published": 0}  # fmt: skip
    measurements, record = measure(categories, options, api)
    baseline = outlets.store.load_baseline()
    comparisons: list[Comparison] = []
    if baseline is None or options.update_baseline:
        baseline_location = outlets.store.save_baseline(record)
    else:
        baseline_location = "compared"
        comparisons = compare_runs(baseline, record, options.tolerance, options.alpha)
    run_location = outlets.store.save_run(record)
    published = 0 if outlets.metrics is None else publish_metrics(outlets.metrics, measurements, comparisons)
    worse = regressions(comparisons)
    return {
        "status": "measured",
        "categories": categories,
        "skipped": skipped,
        "scale": options.scale,
        "baseline": baseline_location,
        "run": run_location,
        "measurements": [
            {"name": m.name, "unit": m.unit, "value": m.value, "ratio": m.ratio, "ok": m.ok, "line": m.line()}
            for m in measurements
        ],
        "comparisons": [c.as_dict() for c in comparisons],
        "regressions": len(worse),
        "alerted": alert_regressions(api.runtime, outlets, worse, run_location),
        "metrics_published": published,
        "snapshot": take_snapshot(api.runtime),
    }
