"""The app as a Lambda handler: Mangum around it, Powertools logging with the API Gateway request id
as correlation id, request metrics, and X-Ray when tracing is on. The predict function is this over
its Runtime; the benchmark suite measures the same thing over its own."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from mangum import Mangum

from nfl_predictor.api.app import create_app
from nfl_predictor.runtime import Runtime
from nfl_predictor.telemetry.powertools import (
    inject_request_context,
    make_logger,
    make_metrics,
    trace_handler,
)
from nfl_predictor.telemetry.request_metrics import RequestMetrics

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
logger = make_logger("predict")


def make_lambda_handler(runtime: Runtime) -> Handler:
    request_metrics = RequestMetrics(make_metrics(runtime.settings, "predict"))
    asgi = Mangum(create_app(runtime), lifespan="off")

    @inject_request_context(logger)
    @trace_handler(runtime.settings)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        started = time.perf_counter()
        response: dict[str, Any] = asgi(event, context)
        request_metrics.record(response, time.perf_counter() - started)
        return response

    return handler
