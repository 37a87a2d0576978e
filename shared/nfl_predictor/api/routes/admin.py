"""Admin-scope routes: cache invalidation and warming."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from nfl_predictor.api.deps import runtime_of
from nfl_predictor.api.documented import AUTHED, operation
from nfl_predictor.api.errors import invalid, not_found
from nfl_predictor.api.responses import json_response
from nfl_predictor.service.cache_keys import ALL as NAMESPACES

router = APIRouter(prefix="/v1/admin", tags=["admin"])


class InvalidateRequest(BaseModel):
    namespace: str = Field(description=f"one of {', '.join(NAMESPACES)}")
    params: dict[str, Any] | None = Field(
        default=None, description="exact parameters; omit for the whole namespace"
    )


class WarmRequest(BaseModel):
    season: int | None = Field(default=None, ge=1999, le=2100)
    week: int | None = Field(default=None, ge=1, le=22)
    force: bool = False


@router.post(
    "/cache/invalidate",
    summary="Invalidate a namespace (O(1)) or exact parameters",
    openapi_extra=operation(None, 400, *AUTHED),
)
async def invalidate(request: Request, body: InvalidateRequest) -> Response:
    if body.namespace not in NAMESPACES:
        raise invalid("namespace", f"namespace: unknown; allowed: {', '.join(NAMESPACES)}")
    for name, value in (body.params or {}).items():  # exact values only: null or a nested object was a 500
        if not isinstance(value, str | int | float):
            raise invalid(f"params.{name}", f"params.{name}: expected a string or a number")
    cache = runtime_of(request).cache
    if body.params:
        result = await run_in_threadpool(cache.invalidate_matching, body.namespace, body.params)
    else:
        result = await run_in_threadpool(cache.invalidate_namespace, body.namespace)
    return json_response({"namespace": body.namespace, "params": body.params, "result": result._asdict()})


@router.post(
    "/cache/warm",
    summary="Compute, store and cache predictions for a week (default: the next one)",
    openapi_extra=operation(None, 400, 404, *AUTHED),
)
async def warm(request: Request, body: WarmRequest) -> Response:
    if (body.season is None) != (body.week is None):
        raise invalid("week" if body.week is None else "season", "give season and week together, or neither")
    service = runtime_of(request).predictions
    try:
        report = await run_in_threadpool(service.warm_week, body.season, body.week, force=body.force)
    except LookupError as exc:
        raise not_found(str(exc), field="week") from exc
    return json_response(report)
