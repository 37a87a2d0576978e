"""The ``x-api-key`` check for every ``/v1`` route, and the request-line limits (run by ``pipeline``).

401 missing/unknown key, 403 inactive subscription or missing admin scope, 429 over the tier's
rate limit (with Retry-After), or too many lookups of unknown keys from one address or overall
(before any database query). Every keyed response carries the IETF ``RateLimit-Limit``,
``RateLimit-Remaining`` and ``RateLimit-Reset`` fields. It runs in the app's one middleware
(``pipeline.RequestPipeline``), before routing, rather than as a FastAPI dependency: the dependency
machinery cost more per request than the whole cached-game hit path. The OpenAPI document still
declares the scheme (see ``document_security``).
"""

from __future__ import annotations

from typing import Any

from nfl_predictor.api.errors import ApiError, error_response, run_blocking
from nfl_predictor.api.params import non_ascii_number
from nfl_predictor.runtime import Runtime

HEADER = "x-api-key"
SCHEME = {"ApiKeyAuth": {"type": "apiKey", "in": "header", "name": HEADER, "description": "Your API key"}}


def protected(path: str) -> bool:
    return path.startswith("/v1/")


def client_address(scope: dict[str, Any]) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def authorise(runtime: Runtime, headers: list[tuple[bytes, bytes]], path: str,
                    client: str) -> tuple[Any, dict[str, str]]:  # fmt: skip
    """The caller's Principal and its RateLimit headers, or an ApiError saying why not. ``client`` is
    the caller's address (``client_address``): the pre-auth gate's bucket for unknown keys."""
    key = next((value.decode("latin-1") for name, value in headers if name == b"x-api-key"), "")
    if not key:
        raise ApiError(401, "unauthorized", "missing x-api-key header", field=HEADER)
    auth = runtime.auth
    known, principal = auth.remembered(key)  # no I/O: stays on the event loop
    if not known:
        # A key this process does not know costs a database query: bounded per address and overall.
        stale = auth.stale(key)
        if stale is not None and runtime.db_breaker.state != "closed":
            return await _admit(runtime, stale, path)  # the database is failing: no probe on the key path
        gate = runtime.preauth_limiter.check(client) if stale is None else None
        if gate is not None and not gate.allowed:
            raise ApiError(429, "rate_limited", "too many requests with keys this service does not know",
                           headers={"Retry-After": str(gate.retry_after_s)})  # fmt: skip
        try:
            principal = await run_blocking(auth.principal, key)
        except ApiError as exc:
            if exc.status != 503:
                raise
            if stale is None:
                raise ApiError(
                    503, "unavailable", "cannot verify the API key right now", headers=exc.headers
                ) from exc
            principal = stale  # the database is down: a key checked recently keeps working, for a while
    return await _admit(runtime, principal, path)


async def _admit(runtime: Runtime, principal: Any, path: str) -> tuple[Any, dict[str, str]]:
    if principal is None:
        raise ApiError(401, "unauthorized", "unknown or revoked API key", field=HEADER)
    if not principal.subscription_active():
        raise ApiError(403, "subscription_inactive", "the subscription for this key is not active")
    if path.startswith("/v1/admin/") and not principal.is_admin:
        raise ApiError(403, "forbidden", "this route needs the admin scope")
    decision = runtime.rate_limiter.check(principal.key_id, principal.tier)
    limits = decision.headers()
    if not decision.allowed:
        raise ApiError(429, "rate_limited", f"rate limit for the {principal.tier} tier exceeded",
                       headers={"Retry-After": str(decision.retry_after_s), **limits})  # fmt: skip
    return principal, limits


MAX_PATH_BYTES = 1024
MAX_QUERY_BYTES = 4096  # well under API Gateway's own URL limits, so the answer is the same behind it


def refuse_shape(scope: dict[str, Any]) -> Any:
    """An over-long request line or a numeric parameter that is not ASCII digits: the JSON error
    shape, before any work (uvicorn's own limit answers 400 text/plain, and much later)."""
    query: bytes = scope.get("query_string", b"")
    if len(query) > MAX_QUERY_BYTES or len(scope.get("raw_path") or scope["path"].encode()) > MAX_PATH_BYTES:
        return error_response(414, "uri_too_long", f"the path is limited to {MAX_PATH_BYTES} bytes and the query "
                              f"string to {MAX_QUERY_BYTES}")  # fmt: skip
    if query:
        name = non_ascii_number(query.decode("latin-1"))
        if name is not None:
            return error_response(422, "invalid_parameter", f"{name}: expected ASCII digits", name)
    return None


def document_security(openapi: dict[str, Any]) -> dict[str, Any]:
    """Declare the API-key scheme on every /v1 operation of the generated document."""
    openapi.setdefault("components", {}).setdefault("securitySchemes", {}).update(SCHEME)
    for path, operations in openapi.get("paths", {}).items():
        if protected(path):
            for operation in operations.values():
                operation["security"] = [{"ApiKeyAuth": []}]
    return openapi
