"""The one place Powertools' Logger, Metrics and Tracer are made, with one naming scheme, and the
process's one logging setup (``configure_logging``).

Every function logs as service ``nfl-predictor`` with a ``function`` key, and publishes metrics to
the settings' namespace (POWERTOOLS_METRICS_NAMESPACE) with the function's name as the ``service``
dimension. Metrics leave one way: Embedded Metric Format through Powertools' ``Metrics``.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from nfl_predictor.config import Settings

SERVICE = "nfl-predictor"
# Library loggers that take the process's setup: the package's own (every module logs under
# nfl_predictor.*) and the clients it drives. Named up front so they exist when the setup copies to them.
LIBRARY_LOGGERS = ("nfl_predictor", "nfl_predictor_dev", "redis", "pg8000", "botocore", "mangum", "uvicorn")
# Servers and adapters that log a line per request at INFO (and botocore, a line per credential
# lookup: noise in every CLI command that calls AWS): at WARNING unless LOG_LEVEL=DEBUG, so
# the hot path does not format and write a record per request.
CHATTY_LOGGERS = ("mangum", "uvicorn", "botocore")
LOCAL_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_configured: list[tuple[str, str]] = []  # the (mode, level) last applied


def _level_for(name: str, level: str) -> str:
    if name in CHATTY_LOGGERS and level != "DEBUG":
        return "WARNING"
    return level


def configure_logging(settings: Settings) -> None:
    """One logging setup per process, at LOG_LEVEL (idempotent; the last level asked for wins).

    In Lambda every library logger writes Powertools' JSON (``copy_config_to_registered_loggers``
    from the service logger), so a breaker's "redis unavailable" is searchable like the handler's
    own lines. Locally, readable lines on stderr (the CLI keeps stdout for keys and JSON).
    """
    level = settings.log_level
    mode = "lambda" if settings.in_lambda else "local"
    if _configured and _configured[-1] == (mode, level):
        return
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name)  # registered, so the copy below reaches it (children propagate to it)
    if settings.in_lambda:
        from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

        source = Logger(service=SERVICE, level=level)
        copy_config_to_registered_loggers(source_logger=source, log_level=level, include=set(LIBRARY_LOGGERS))
        for name in CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(_level_for(name, level))
    else:
        root = logging.getLogger()
        if not any(getattr(h, "_nflp", False) for h in root.handlers):
            handler = _StderrHandler()
            handler.setFormatter(logging.Formatter(LOCAL_FORMAT))
            handler._nflp = True  # type: ignore[attr-defined]
            root.addHandler(handler)
        for name in LIBRARY_LOGGERS:
            logger = logging.getLogger(name)
            logger.setLevel(_level_for(name, level))
            # Undo a Lambda-mode setup earlier in this process (tests build both kinds of Runtime):
            # records go up to the root handler again.
            logger.handlers = [h for h in logger.handlers if "powertools" not in type(h.formatter).__module__]
            logger.propagate = True
        root.setLevel(logging.WARNING)  # other libraries stay quiet unless something is wrong
    _configured[:] = [(mode, level)]


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of the record, not the stream it was at set-up:
    test runners and tools swap (and close) it, and a handler left on a closed stream turns every
    later record into a "Logging error" traceback."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def make_logger(function: str, *, own_state: bool = False) -> Logger:
    """``own_state``: logs as ``nfl-predictor-<function>``, so no other handler's ``clear_state`` or
    Lambda context resets its keys (the benchmark calls the predict handler in process)."""
    logger = Logger(service=f"{SERVICE}-{function}" if own_state else SERVICE)
    logger.append_keys(function=function)
    return logger


def inject_request_context(logger: Logger) -> Decorator:
    """What Powertools' ``inject_lambda_context(correlation_id_path=API_GATEWAY_*, clear_state=True)``
    gives the request path (cold_start, function_name/memory_size/arn/request_id, correlation_id = the
    API Gateway request id, keys a request appended dropped before the next) at a fraction of its
    cost: the decorator rebuilds the formatter and runs a JMESPath query on every call, ~30 us, a
    fifth of a cached game through the handler. Same Logger, same public key API."""

    def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
        base: set[str] = set()

        @functools.wraps(handler)
        def wrapped(event: dict[str, Any], context: Any) -> Any:
            cold = not base
            if cold:
                logger.append_keys(function_name=context.function_name, function_memory_size=context.memory_limit_in_mb,
                                   function_arn=context.invoked_function_arn)  # fmt: skip
            else:
                extra = [key for key in logger.get_current_keys() if key not in base]
                if extra:
                    logger.remove_keys(extra)
            request_context = event.get("requestContext") if isinstance(event, dict) else None
            logger.append_keys(cold_start=cold, function_request_id=context.aws_request_id,
                               correlation_id=(request_context or {}).get("requestId"))  # fmt: skip
            if cold:
                base.update(logger.get_current_keys())
            return handler(event, context)

        return wrapped

    return decorate


def make_metrics(settings: Settings, function: str) -> Metrics:
    return Metrics(namespace=settings.metrics_namespace, service=function)


def trace_handler(settings: Settings) -> Decorator:
    """X-Ray subsegments (Powertools' capture_lambda_handler, traced AWS SDK calls) when tracing is on.

    Importing the X-Ray SDK imports botocore (its sampling connector does, at module level): ~300 ms
    of an on-demand cold start, more than the rest of predict's init together, and the cached hot
    path never calls AWS. So on demand the SDK loads when botocore does anyway (a secret, SNS, Bedrock:
    ``LazyTracing``); until then the trace is Lambda's own (Tracing: Active records the function's
    segment with its Initialization and Invocation subsegments without any SDK). Where init is on no
    request's path (provisioned concurrency, SnapStart) or ``NFLP_XRAY_AT_INIT`` asks for it, the
    SDK loads at init and every invocation is captured.
    """
    if not settings.tracing_enabled:
        return lambda function: function
    tracing = LazyTracing()
    if settings.init_off_the_request_path or settings.xray_at_init:
        tracing.load()
    return tracing.capture


class LazyTracing:
    """Powertools' Tracer (botocore patched), made by ``load()`` or at the first invocation that
    finds botocore imported: from then on every invocation is captured. An import hook would be
    sooner, but fires while botocore is half-imported (the SDK imports botocore itself); a dict
    lookup per invocation costs nothing, and the calls of the invocation that first imported
    botocore are the only ones left untraced."""

    def __init__(self) -> None:
        self.tracer: Any = None

    def load(self) -> None:
        if self.tracer is None:
            from aws_lambda_powertools import Tracer

            # auto_patch would import every library X-Ray supports; botocore is the one called here
            # (pg8000's patch wraps pg8000.connect, which the native connections never use).
            tracer = Tracer(service=SERVICE, auto_patch=False)
            tracer.patch(["botocore"])
            self.tracer = tracer

    def capture(self, function: Callable[..., Any]) -> Callable[..., Any]:
        traced: list[Callable[..., Any]] = []

        @functools.wraps(function)
        def handler(event: Any, context: Any) -> Any:
            if self.tracer is None:
                if "botocore.client" not in sys.modules:
                    return function(event, context)
                self.load()
            if not traced:
                traced.append(self.tracer.capture_lambda_handler(function, capture_response=False))
            return traced[0](event, context)

        return handler
