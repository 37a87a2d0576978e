"""One JSON error shape for every failure: ``{"error": {"code", "message", "field"?}}``.

Client mistakes are 4xx naming the offending parameter; an unexpected exception is a 500 with no
internals in the body (the log has them); an unreachable database with nothing cached is a 503
with Retry-After.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

if TYPE_CHECKING:
    from nfl_predictor.db.breaker import DatabaseBreaker

logger = logging.getLogger("nfl_predictor.api")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DbDeadline:
    """How long this request may wait on the database, and the breaker that a hung database trips."""

    at: float  # time.monotonic() by which the request's database work must be done
    seconds: float
    breaker: DatabaseBreaker
    stuck_for: Callable[[], float]  # age of the oldest in-flight database call


# Set by the key-check middleware for each request; read by run_blocking (routes need no change).
REQUEST_DEADLINE: contextvars.ContextVar[DbDeadline | None] = contextvars.ContextVar("nflp_db_deadline",
                                                                                       default=None)  # fmt: skip


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}


def not_found(message: str, field: str | None = None) -> ApiError:
    return ApiError(404, "not_found", message, field=field)


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_parameter", message, field=field)


def unavailable(message: str, retry_after_s: int = 5) -> ApiError:
    return ApiError(503, "unavailable", message, headers={"Retry-After": str(retry_after_s)})


def breaker_open(breaker: DatabaseBreaker) -> ApiError:
    retry_s = max(1, math.ceil(breaker.retry_after_ms() / 1000))
    return unavailable("the database is not answering and this is not cached", retry_s)


def _drop_result(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()  # retrieved, so asyncio does not log "exception was never retrieved"


async def run_blocking(work: Callable[..., T], *args: Any) -> T:
    """Database and engine work off the event loop, with service failures mapped to API errors.

    Within a request's deadline (``REQUEST_DEADLINE``): while the database breaker is open the
    answer is a 503 at once; when the deadline passes with a database call stuck, the breaker opens
    and the answer is a 503 (the worker thread finishes, or times out, on its own). Work that is
    past the deadline but not waiting on the database (the engine computing) is waited for.
    """
    from nfl_predictor.service.errors import GameNotFound

    guard = REQUEST_DEADLINE.get()
    if guard is not None and guard.breaker.state == "open":
        raise breaker_open(guard.breaker)
    try:
        if guard is None:
            return await run_in_threadpool(work, *args)
        future = asyncio.ensure_future(run_in_threadpool(work, *args))
        try:
            return await asyncio.wait_for(asyncio.shield(future), max(0.01, guard.at - time.monotonic()))
        except TimeoutError:
            if guard.stuck_for() >= guard.seconds / 2:
                guard.breaker.trip("deadline")
                future.add_done_callback(_drop_result)
                raise breaker_open(guard.breaker) from None
            return await future
    except GameNotFound as exc:
        raise not_found(exc.message, field=exc.field) from exc
    except Exception as exc:
        from nfl_predictor.db.breaker import DatabaseUnavailable
        from nfl_predictor.db.connection import is_connection_error

        if isinstance(exc, DatabaseUnavailable) and guard is not None:
            raise breaker_open(guard.breaker) from exc
        if is_connection_error(exc):
            raise unavailable("the database is unreachable and this is not cached") from exc
        raise


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> Response:  # fmt: skip
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return Response(orjson.dumps({"error": error}), status_code=status, media_type="application/json",
                    headers=headers)  # fmt: skip


def _validation_field(error: dict[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body", "header")]
    return ".".join(location) or "request"


async def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.field, exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    field = _validation_field(first)
    message = f"{field}: {first.get('msg', 'invalid value')}"
    return error_response(422, "invalid_parameter", message, field)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 401: "unauthorized",
             403: "forbidden"}  # fmt: skip
    field = "body" if exc.status_code == 400 else None  # FastAPI's 400 is a body it could not parse
    return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail), field,
                          headers=dict(exc.headers or {}))  # fmt: skip


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "internal error; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
