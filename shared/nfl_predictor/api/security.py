"""The ``x-api-key`` check for every ``/v1`` route, as a pure ASGI middleware.

401 missing/unknown key, 403 inactive subscription or missing admin scope, 429 over the tier's
rate limit (with Retry-After). It runs before routing rather than as a FastAPI dependency: the
dependency machinery cost more per request than the whole cached-game hit path. The OpenAPI
document still declares the scheme (see ``document_security``).
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool

from nfl_predictor.api.errors import ApiError, error_response, unavailable
from nfl_predictor.runtime import Runtime

HEADER = "x-api-key"
SCHEME = {"ApiKeyAuth": {"type": "apiKey", "in": "header", "name": HEADER, "description": "Your API key"}}


def protected(path: str) -> bool:
    return path.startswith("/v1/")


async def authorise(runtime: Runtime, headers: list[tuple[bytes, bytes]], path: str) -> Any:
    """The caller's Principal, or an ApiError saying why not."""
    key = next((value.decode("latin-1") for name, value in headers if name == b"x-api-key"), "")
    if not key:
        raise ApiError(401, "unauthorized", "missing x-api-key header", field=HEADER)
    auth = runtime.auth
    known, principal = auth.remembered(key)  # no I/O: stays on the event loop
    if not known:
        try:
            principal = await run_in_threadpool(auth.principal, key)
        except Exception as exc:
            from nfl_predictor.db.connection import is_connection_error

            if is_connection_error(exc):
                raise unavailable("cannot verify the API key right now") from exc
            raise
    if principal is None:
        raise ApiError(401, "unauthorized", "unknown or revoked API key", field=HEADER)
    if not principal.subscription_active():
        raise ApiError(403, "subscription_inactive", "the subscription for this key is not active")
    if path.startswith("/v1/admin/") and not principal.is_admin:
        raise ApiError(403, "forbidden", "this route needs the admin scope")
    decision = runtime.rate_limiter.check(principal.key_id, principal.tier)
    if not decision.allowed:
        raise ApiError(429, "rate_limited", f"rate limit for the {principal.tier} tier exceeded",
                       headers={"Retry-After": str(decision.retry_after_s)})  # fmt: skip
    return principal


class ApiKeyMiddleware:
    def __init__(self, app: Any, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not protected(scope["path"]):
            await self.app(scope, receive, send)
            return
        try:
            principal = await authorise(self.runtime, scope["headers"], scope["path"])
        except ApiError as exc:
            response = error_response(exc.status, exc.code, exc.message, exc.field, exc.headers)
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


def document_security(openapi: dict[str, Any]) -> dict[str, Any]:
    """Declare the API-key scheme on every /v1 operation of the generated document."""
    openapi.setdefault("components", {}).setdefault("securitySchemes", {}).update(SCHEME)
    for path, operations in openapi.get("paths", {}).items():
        if protected(path):
            for operation in operations.values():
                operation["security"] = [{"ApiKeyAuth": []}]
    return openapi
