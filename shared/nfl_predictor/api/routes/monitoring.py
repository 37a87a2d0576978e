"""Monitoring history: GET /v1/performance/history, the /dashboard page that plots it, and the
middleware that takes a snapshot on the request path at most once per interval.

The page is static and holds no data, so it lives outside /v1 and needs no key; it asks for one
(typed in, or ``#key=...`` in the URL: a fragment never reaches the server or its logs) and sends it
as x-api-key to the history route, which is checked like every /v1 route. Nothing about auth
changes for deployed environments.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from nfl_predictor.api.deps import runtime_of
from nfl_predictor.api.documented import AUTHED, operation
from nfl_predictor.api.errors import not_found, run_blocking
from nfl_predictor.api.responses import json_response

if TYPE_CHECKING:
    from nfl_predictor.runtime import Runtime

router = APIRouter(tags=["operations"])
STATIC = Path(__file__).resolve().parents[1] / "static"
ASSETS = {"dashboard.js": "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8"}
# Scripts and styles from this origin only; the page talks to this API only.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def _history(runtime: Runtime, limit: int, since: dt.datetime | None, full: bool) -> dict[str, Any]:
    from nfl_predictor.telemetry.monitoring import SnapshotStore

    settings = runtime.monitor.settings
    rows = SnapshotStore(runtime.db).history(limit, since, full)
    return {"snapshots": rows, "count": len(rows), "snapshot_interval_s": settings.snapshot_interval_s,
            "thresholds": {"latency_slo_ms": settings.latency_slo_ms, "cache_hit_rate": settings.cache_hit_target,
                           "redis_memory_ratio": settings.redis_memory_ratio,
                           "redis_clients": settings.redis_clients,
                           "db_connections_ratio": settings.db_connections_ratio}}  # fmt: skip


@router.get(
    "/v1/performance/history",
    summary="Performance snapshots over time (bounded history), with the alerts each one raised",
    openapi_extra=operation("PerformanceHistory", *AUTHED),
)
async def performance_history(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=2000, description="latest snapshots to return")] = 288,
    since: Annotated[
        dt.datetime | None, Query(description="only snapshots after this time (ISO 8601)")
    ] = None,
    detail: Annotated[
        Literal["summary", "full"], Query(description="full adds everything collected")
    ] = "summary",
) -> Response:
    body = await run_blocking(_history, runtime_of(request), limit, since, detail == "full")
    return json_response(body, headers={"Cache-Control": "no-store"})


@lru_cache(maxsize=4)
def _static(name: str) -> bytes:
    return (STATIC / name).read_bytes()


@router.get("/dashboard", include_in_schema=False)
async def dashboard() -> Response:
    return Response(_static("dashboard.html"), media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


@router.get("/dashboard/{asset}", include_in_schema=False)
async def dashboard_asset(asset: str) -> Response:
    if asset not in ASSETS:
        raise not_found(f"no dashboard asset {asset}", field="asset")
    return Response(_static(asset), media_type=ASSETS[asset], headers=PAGE_HEADERS)


# -- snapshots on the request path ------------------------------------------------------------
