"""GET /health: ok / degraded with database and cache checks; never secrets, never auth."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from nfl_predictor.api.deps import runtime_of
from nfl_predictor.api.documented import operation
from nfl_predictor.api.responses import json_response
from nfl_predictor.runtime import Runtime

router = APIRouter(tags=["health"])


def _check_database(runtime: Runtime) -> dict[str, Any]:
    from nfl_predictor.db.queries.health import ping  # pg8000: not on the cold start's path

    started = time.perf_counter()
    try:
        ping(runtime.db)
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def _check_cache(runtime: Runtime) -> dict[str, Any]:
    cache = runtime.cache
    if not cache.redis_configured:
        return {"ok": True, "mode": "in-process"}
    tier = cache.redis_tier
    assert tier is not None
    from nfl_predictor.cache.redis_tier import UNAVAILABLE

    started = time.perf_counter()
    reachable = tier.run(tier.client.ping) is not UNAVAILABLE
    found = {"ok": reachable, "mode": "redis", "breaker": cache.breaker.state,
             "latency_ms": round((time.perf_counter() - started) * 1000, 2)}  # fmt: skip
    if not reachable:  # the error's class only (AuthenticationError, ConnectionError): no hosts, no secrets
        found["error"] = cache.breaker.last_error or "unavailable"
    return found


async def _bounded_database_check(runtime: Runtime) -> dict[str, Any]:
    """The database check within the API's database deadline: a hung server is "not ok" in seconds,
    not after the socket timeout (the worker thread ends on its own)."""
    if runtime.db_breaker.state == "open":
        return {"ok": False, "error": "breaker open"}
    check = asyncio.ensure_future(run_in_threadpool(_check_database, runtime))
    try:
        return await asyncio.wait_for(asyncio.shield(check), runtime.settings.api_db_deadline_s)
    except TimeoutError:
        return {"ok": False, "error": "timeout"}


@router.get(
    "/health",
    summary="Liveness with database and cache checks",
    openapi_extra=operation("Health", also={503: ("Health", "Database unreachable")}),
)
async def health(request: Request) -> Response:
    runtime = runtime_of(request)
    database = await _bounded_database_check(runtime)
    cache = await run_in_threadpool(_check_cache, runtime)
    # Redis down is degraded (L1 and the database still answer); database down is unavailable.
    status = "ok" if database["ok"] and cache["ok"] else "degraded"
    code = 200 if database["ok"] else 503
    headers = {"Cache-Control": "no-store"} | ({} if code == 200 else {"Retry-After": "5"})
    return json_response({"status": status, "checks": {"database": database, "cache": cache}}, code, headers)
