"""Semantic search over expert research, knowledge base, news and prediction reasoning."""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from nfl_predictor.api.deps import runtime_of
from nfl_predictor.api.documented import AUTHED, operation
from nfl_predictor.api.errors import invalid, run_blocking
from nfl_predictor.api.responses import served_response
from nfl_predictor.service.cache_keys import SEARCH_NS

router = APIRouter(tags=["search"])
SourceName = Literal["all", "knowledge_base", "expert_research", "news", "predictions"]


@router.get(
    "/v1/search",
    summary="Semantic search across research, knowledge base, news and predictions",
    openapi_extra=operation("SearchResults", 304, *AUTHED),
)
async def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500, description="free text")],
    source: Annotated[SourceName, Query(description="where to search (default: everywhere)")] = "all",
    k: Annotated[int, Query(ge=1, le=100, description="most results to return")] = 10,
    threshold: Annotated[float, Query(ge=-1.0, le=1.0, description="minimum cosine similarity")] = 0.1,
) -> Response:
    started = time.perf_counter()
    if not q.strip():
        raise invalid("q", "q: must contain some text")
    runtime = runtime_of(request)
    served = await run_blocking(runtime.lookups.search, q, source, k, threshold)
    return served_response(request, served, max_age=runtime.cache.ttl_for(SEARCH_NS), started=started)
