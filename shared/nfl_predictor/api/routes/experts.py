"""The expert leaderboard from graded predictions (betting history)."""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from nfl_predictor.api.deps import runtime_of
from nfl_predictor.api.documented import AUTHED, operation
from nfl_predictor.api.errors import invalid, run_blocking
from nfl_predictor.api.responses import served_response
from nfl_predictor.service.cache_keys import LEADERBOARD_NS
from nfl_predictor.service.leaderboard import LeaderboardQuery

router = APIRouter(tags=["experts"])
Metric = Literal["accuracy", "units", "bets", "n", "brier", "mae"]
Order = Literal["asc", "desc"]


@router.get(
    "/v1/experts/leaderboard",
    summary="Experts ranked by accuracy, Brier, MAE or units, per season and category",
    openapi_extra=operation("Leaderboard", 304, *AUTHED),
)
async def expert_leaderboard(
    request: Request,
    season: Annotated[int | None, Query(ge=1999, le=2100, description="one season (default: every season, "
                                        "one row per expert and season)", examples=[2025])] = None,
    category: Annotated[str | None, Query(description="rank on one category only (e.g. spread_pick); "
                                          "default: every category together", examples=["spread_pick"])] = None,
    sort: Annotated[Metric, Query(description="the metric to rank by")] = "accuracy",
    order: Annotated[Order | None, Query(description="asc or desc; default best first for the metric "
                                         "(lower is better for brier and mae)")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="experts per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000, description="experts to skip (next_offset of the "
                                 "previous page)")] = 0,
) -> Response:  # fmt: skip
    started = time.perf_counter()
    if category is not None:
        from nfl_predictor.engine.categories import CATEGORY_NAMES  # numpy: loaded on first use

        if category not in CATEGORY_NAMES:
            raise invalid("category", f"category: unknown {category!r}; allowed: {', '.join(CATEGORY_NAMES)}")
    runtime = runtime_of(request)
    query = LeaderboardQuery(sort=sort, order=order, category=category, limit=limit, offset=offset)
    served = await run_blocking(runtime.lookups.leaderboard, season, query)
    return served_response(request, served, max_age=runtime.cache.ttl_for(LEADERBOARD_NS), started=started)
