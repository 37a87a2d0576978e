"""GET /v1/performance: what the service measures about itself, and the targets it is held to."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from nfl_predictor.api.deps import runtime_of
from nfl_predictor.api.documented import AUTHED, operation
from nfl_predictor.api.responses import json_response
from nfl_predictor.runtime import Runtime
from nfl_predictor.telemetry.performance import TARGETS

router = APIRouter(tags=["operations"])


def performance_snapshot(services: Runtime) -> dict[str, object]:
    cache_stats = services.cache.stats
    work = services.predictions.stats
    return {
        "routes": services.performance.summary(),
        "cache": cache_stats.snapshot() if hasattr(cache_stats, "snapshot") else vars(cache_stats),
        "breaker": services.cache.breaker.state,
        "predictions_served": work.predictions_served,
        "games_computed": work.computed_games,
        "parallel_workers": {
            "busy": work.workers_busy,
            "peak": work.workers_peak,
            "max": services.settings.week_max_workers,
        },
        "database": services.db.stats.snapshot(),
        "targets": TARGETS,
    }


@router.get(
    "/v1/performance",
    summary="Response-time percentiles, cache hit rates, breaker state, targets",
    openapi_extra=operation(None, *AUTHED),
)
async def performance(request: Request) -> Response:
    return json_response(performance_snapshot(runtime_of(request)), headers={"Cache-Control": "no-store"})
