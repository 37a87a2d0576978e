"""Predictions for one game or a whole week: served from cached bytes, computed only on a miss."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from nfl_predictor.api import params
from nfl_predictor.api.deps import runtime_of
from nfl_predictor.api.documented import AUTHED, operation
from nfl_predictor.api.errors import invalid, run_blocking
from nfl_predictor.api.responses import served_response
from nfl_predictor.service.cache_keys import GAME_NS
from nfl_predictor.service.categories import categories_json
from nfl_predictor.service.views import ViewError, ViewSpec

router = APIRouter(tags=["predictions"])

GAME_PARAMS = (params.GAME_ID, params.INCLUDE, params.EXPERTS, params.FIELDS)
WEEK_PARAMS = (params.SEASON, params.WEEK, params.INCLUDE, params.EXPERTS, params.FIELDS)


def _view(args: dict[str, Any]) -> ViewSpec:
    try:
        return ViewSpec.parse(args["include"], args["experts"], args["fields"])
    except ViewError as exc:
        raise invalid(exc.field, str(exc)) from exc


@router.get("/v1/games/{game_id}/predictions", summary="All predictions for one game",
            openapi_extra=operation("GamePredictions", 304, 404, *AUTHED, parameters=params.documented(GAME_PARAMS)))  # fmt: skip
async def game_predictions(request: Request) -> Response:
    started = time.perf_counter()
    args = params.read(request, GAME_PARAMS)
    view = _view(args)
    service = runtime_of(request).predictions
    # The hit path stays on the event loop (memory, or one short Redis GET); the rest goes to a thread.
    served = service.cached_game(args["game_id"], view)
    if served is None:
        served = await run_blocking(service.game, args["game_id"], view)
    return served_response(request, served, max_age=service.cache.ttl_for(GAME_NS), started=started,
                           with_count=True)  # fmt: skip


@router.get("/v1/predictions", summary="Predictions for every game of a week, in one response",
            openapi_extra=operation("WeekPredictions", 304, 404, *AUTHED, parameters=params.documented(WEEK_PARAMS)))  # fmt: skip
async def week_predictions(request: Request) -> Response:
    started = time.perf_counter()
    args = params.read(request, WEEK_PARAMS)
    view = _view(args)
    service = runtime_of(request).predictions
    served = service.cached_week(args["season"], args["week"], view)
    if served is None:
        served = await run_blocking(service.week, args["season"], args["week"], view)
    return served_response(request, served, max_age=service.cache.ttl_for(GAME_NS), started=started,
                           with_count=True)  # fmt: skip


@router.get("/v1/categories", summary="Every prediction category: its value type, unit, and how it is graded",
            openapi_extra=operation("Categories", *AUTHED))  # fmt: skip
async def prediction_categories(request: Request) -> Response:
    # Built once per process from the engine's category table (the first call imports numpy: off the
    # loop). No database: not run_blocking, which answers 503 while the database breaker is open.
    body = await run_in_threadpool(categories_json)
    return Response(body, media_type="application/json", headers={"Cache-Control": "private, max-age=3600"})
