"""The ``x-api-key`` check: 401 missing/unknown, 403 expired subscription or wrong scope, 429 over limit."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from nfl_predictor.api.deps import get_services
from nfl_predictor.api.errors import ApiError, unavailable

# auto_error=False: our own 401 body (the one error shape), not FastAPI's default.
api_key_header = APIKeyHeader(name="x-api-key", auto_error=False, description="Your API key")


async def require_key(request: Request, key: str | None = Depends(api_key_header)) -> Any:
    """The caller's Principal (typed Any: FastAPI resolves annotations at start-up, and Principal's
    module pulls in the database driver, which the cold start does without)."""
    if not key:
        raise ApiError(401, "unauthorized", "missing x-api-key header", field="x-api-key")
    services = get_services()
    auth = services.auth
    known, principal = auth.remembered(key)
    try:
        if not known:
            principal = await run_in_threadpool(auth.principal, key)
    except Exception as exc:
        from nfl_predictor.db.connection import is_connection_error

        if is_connection_error(exc):
            raise unavailable("cannot verify the API key right now") from exc
        raise
    if principal is None:
        raise ApiError(401, "unauthorized", "unknown or revoked API key", field="x-api-key")
    if not principal.subscription_active():
        raise ApiError(403, "subscription_inactive", "the subscription for this key is not active")
    decision = services.rate_limiter.check(principal.key_id, principal.tier)
    if not decision.allowed:
        raise ApiError(429, "rate_limited", f"rate limit for the {principal.tier} tier exceeded",
                       headers={"Retry-After": str(decision.retry_after_s)})  # fmt: skip
    request.state.principal = principal
    return principal


async def require_admin(principal: Any = Depends(require_key)) -> Any:
    if not principal.is_admin:
        raise ApiError(403, "forbidden", "this route needs the admin scope")
    return principal
