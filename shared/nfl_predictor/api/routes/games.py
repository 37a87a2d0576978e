"""The schedule, and similar past matchups for a game (pgvector)."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from nfl_predictor.api.deps import runtime_of
from nfl_predictor.api.documented import AUTHED, operation
from nfl_predictor.api.errors import run_blocking
from nfl_predictor.api.params import GameId, Season
from nfl_predictor.api.responses import served_response
from nfl_predictor.service.cache_keys import SCHEDULE_NS, SIMILAR_NS

router = APIRouter(tags=["games"])


@router.get(
    "/v1/games",
    summary="Schedule with results where played",
    openapi_extra=operation("Schedule", 304, 404, *AUTHED),
)
async def schedule(request: Request, season: Season,
                week: Annotated[int | None, Query(ge=1, le=22, description="one week of the season "
                                                  "(default: the whole season)", examples=[13])] = None
                ) -> Response:  # fmt: skip
    started = time.perf_counter()
    runtime = runtime_of(request)
    served = await run_blocking(runtime.lookups.schedule, season, week)
    return served_response(request, served, max_age=runtime.cache.ttl_for(SCHEDULE_NS), started=started)


@router.get(
    "/v1/games/{game_id}/similar",
    summary="Nearest past matchups with their outcomes",
    openapi_extra=operation("SimilarGames", 304, 404, *AUTHED),
)
async def similar_games(request: Request, game_id: GameId,
                        k: Annotated[int, Query(ge=1, le=50, description="how many past matchups")] = 10
                        ) -> Response:  # fmt: skip
    started = time.perf_counter()
    runtime = runtime_of(request)
    served = await run_blocking(runtime.lookups.similar, game_id, k)
    return served_response(request, served, max_age=runtime.cache.ttl_for(SIMILAR_NS), started=started)
