"""The expert leaderboard from graded predictions (betting history)."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from nfl_predictor.api.deps import runtime_of
from nfl_predictor.api.errors import run_blocking
from nfl_predictor.api.responses import served_response
from nfl_predictor.api.schemas import AUTHED, Leaderboard, errors
from nfl_predictor.service.cache_keys import LEADERBOARD_NS

router = APIRouter(tags=["experts"])


@router.get(
    "/v1/experts/leaderboard",
    summary="Accuracy, Brier, MAE and units per expert and category",
    responses={200: {"model": Leaderboard}, **errors(304, *AUTHED)},
)
async def expert_leaderboard(request: Request,
                             season: Annotated[int | None, Query(ge=1999, le=2100)] = None) -> Response:  # fmt: skip
    started = time.perf_counter()
    runtime = runtime_of(request)
    served = await run_blocking(runtime.lookups.leaderboard, season)
    return served_response(request, served, max_age=runtime.cache.ttl_for(LEADERBOARD_NS), started=started)
