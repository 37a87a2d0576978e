"""benchmark: the nightly schedule (or a hand-made event) -> the suite's in-process categories
against the live stack, compared with the baseline (nfl_predictor.benchmarking.nightly) -> the summary.

Event (the scheduler's ``detail``, or the event itself when invoked by hand), every key optional:
``{"categories": ["all"] | "api,cache", "scale": "quick" | "full" | "smoke", "tolerance": 0.2,
"alpha": 0.01, "update_baseline": false}``. In Lambda the baseline lives in S3 and the figures leave
as EMF metrics; run locally (``nfl-predictor invoke BenchmarkFunction``) it keeps the baseline in a
local folder and publishes no metrics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from nfl_predictor.benchmarking.baseline import baseline_store
from nfl_predictor.benchmarking.compare import DEFAULT_ALPHA, DEFAULT_TOLERANCE
from nfl_predictor.benchmarking.context import ApiBindings
from nfl_predictor.benchmarking.nightly import BenchmarkOptions, Outlets, run_benchmark
from nfl_predictor.config import Settings
from nfl_predictor.runtime import Runtime
from nfl_predictor.telemetry.powertools import make_logger, make_metrics

# A logger of its own: the predict handler it calls in process resets the shared one's Lambda context.
logger = make_logger("benchmark", own_state=True)


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


def make_handler(runtime: Runtime) -> Callable[[Any, Any], dict[str, Any]]:
    api = ApiBindings.over(runtime)
    settings = runtime.settings
    outlets = Outlets(baseline_store(settings), logger,
                      make_metrics(settings, "benchmark") if settings.in_lambda else None)  # fmt: skip

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: Any, context: Any) -> dict[str, Any]:
        summary = run_benchmark(parse_event(event), api, outlets)
        logger.info(
            "benchmark finished", extra={"summary": {k: v for k, v in summary.items() if k != "measurements"}}
        )
        return summary

    return handler


# The predict handler is measured without its X-Ray tracer: tracing thousands of in-process calls
# would measure the tracer (and flood the trace), not the code.
handler = make_handler(Runtime(replace(Settings.from_env(), trace_disabled=True)))
