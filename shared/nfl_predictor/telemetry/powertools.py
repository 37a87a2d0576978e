"""The one place Powertools' Logger, Metrics and Tracer are made, with one naming scheme.

Every function logs as service ``nfl-predictor`` with a ``function`` key, and publishes metrics to
the settings' namespace (POWERTOOLS_METRICS_NAMESPACE) with the function's name as the ``service``
dimension. Metrics leave one way: Embedded Metric Format through Powertools' ``Metrics``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from nfl_predictor.config import Settings

SERVICE = "nfl-predictor"
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def make_logger(function: str, *, own_state: bool = False) -> Logger:
    """``own_state``: logs as ``nfl-predictor-<function>``, so no other handler's ``clear_state`` or
    Lambda context resets its keys (the benchmark calls the predict handler in process)."""
    logger = Logger(service=f"{SERVICE}-{function}" if own_state else SERVICE)
    logger.append_keys(function=function)
    return logger


def make_metrics(settings: Settings, function: str) -> Metrics:
    return Metrics(namespace=settings.metrics_namespace, service=function)


def trace_handler(settings: Settings) -> Decorator:
    """X-Ray's capture_lambda_handler when tracing is on, else nothing: importing the X-Ray SDK
    costs ~260 ms of cold start, more than everything else in the predict function together."""
    if not settings.tracing_enabled:
        return lambda function: function
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE).capture_lambda_handler(capture_response=False)
