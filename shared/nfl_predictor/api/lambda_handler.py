"""The predict Lambda: Mangum around the FastAPI app, with Powertools logging, metrics and tracing.

Built at module scope (once per execution environment). Heavy modules load on first use, except
under provisioned concurrency, where the init phase is not on any request's path and loading them
up front takes that work off the first requests.

The X-Ray Tracer is created only when tracing is on (in Lambda, unless POWERTOOLS_TRACE_DISABLED):
importing the X-Ray SDK costs ~260 ms of cold start, more than everything else here together.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from mangum import Mangum

from nfl_predictor.api.app import create_app
from nfl_predictor.ops.request_metrics import RequestMetrics

logger = Logger(service="nfl-predictor")
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "NFLPredictor"), service="predict")


def tracing_enabled() -> bool:
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "").strip().lower() in ("1", "true", "yes")
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME")) and not disabled


def _trace() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    if not tracing_enabled():
        return lambda function: function
    from aws_lambda_powertools import Tracer

    return Tracer(service="nfl-predictor").capture_lambda_handler(capture_response=False)


app = create_app()
asgi = Mangum(app, lifespan="off")

if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "provisioned-concurrency":
    import nfl_predictor.service.predictions  # noqa: F401  (numpy, engine, redis-py, pg8000)


request_metrics = RequestMetrics(metrics)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@_trace()
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.perf_counter()
    response: dict[str, Any] = asgi(event, context)
    request_metrics.record(response, time.perf_counter() - started)
    return response
