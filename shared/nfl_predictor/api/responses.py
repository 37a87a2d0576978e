"""Responses straight from cached bytes: ETag/304, Cache-Control, gzip negotiation, cache headers.

Nothing here parses or re-serialises a body: a hit is sent as the bytes the cache holds (gzip
bodies as they are to clients that accept gzip, decompressed once for those that do not).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from nfl_predictor.cache import CacheEntry
    from nfl_predictor.service.served import Served

GZIP_MIN_BYTES = 1024


def accepts_gzip(header: str | None) -> bool:
    """RFC 9110 Accept-Encoding: gzip (or *) listed without q=0."""
    if not header:
        return False
    for part in header.split(","):
        token, _, params = part.strip().partition(";")
        if token.strip().lower() not in ("gzip", "*"):
            continue
        q = params.strip().lower()
        if q.startswith("q="):
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
        return True
    return False


def etag_matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


def server_timing(started: float, source: str) -> str:
    return f'cache;desc="{source}", app;dur={(time.perf_counter() - started) * 1000:.3f}'


def entry_response(request: Request, entry: CacheEntry, *, source: str, count: int | None, max_age: int,
                   started: float) -> Response:  # fmt: skip
    etag = f'"{entry.etag}"'
    headers = {
        "ETag": etag,
        # private: these routes need an API key, so a shared cache (a CDN in front of API Gateway)
        # must not answer another caller, keyed or not, from this response.
        "Cache-Control": f"private, max-age={max_age}",
        "Vary": "Accept-Encoding",
        "X-Cache": source,
        "Server-Timing": server_timing(started, source),
    }
    if count is not None:
        headers["X-Prediction-Count"] = str(count)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match and etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    if accepts_gzip(request.headers.get("accept-encoding")) and (
        entry.encoding == "gzip" or (len(entry.body) > GZIP_MIN_BYTES and entry.encoding == "identity")
    ):
        headers["Content-Encoding"] = "gzip"
        return Response(entry.gzip_body(), media_type="application/json", headers=headers)
    return Response(entry.identity_body(), media_type="application/json", headers=headers)


def served_response(request: Request, served: Served, *, max_age: float, started: float,
                    with_count: bool = False) -> Response:  # fmt: skip
    return entry_response(request, served.entry, source=served.source,
                          count=served.prediction_count if with_count else None, max_age=int(max_age),
                          started=started)  # fmt: skip


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY), status_code=status,
                    media_type="application/json", headers=headers)  # fmt: skip
