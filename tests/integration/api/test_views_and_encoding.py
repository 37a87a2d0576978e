"""Through the Lambda handler: views that differ only in ``fields`` are different responses, and a
client that does not accept gzip (``Accept-Encoding: identity``, or no header) never gets gzip, from
whichever tier the answer comes."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from nfl_predictor.engine.experts import EXPERT_NAMES

from tests.integration.api.conftest import ApiStack, http_api_event, rest_api_event

pytestmark = pytest.mark.usefixtures("fresh_caches")


GZIP_MAGIC = b"\x1f\x8b"


def call(api_stack: ApiStack, query: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
         make: Any = http_api_event) -> dict[str, Any]:  # fmt: skip
    event = make("GET", f"/v1/games/{api_stack.upcoming_game}/predictions", query,
                 {"x-api-key": api_stack.keys["pro"], **(headers or {})})  # fmt: skip
    return api_stack.invoke(event)


def header(response: dict[str, Any], name: str) -> str | None:
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    for k, v in (response.get("multiValueHeaders") or {}).items():
        headers.setdefault(k.lower(), v[0])
    return headers.get(name)


def raw_body(response: dict[str, Any]) -> bytes:
    body = response["body"]
    return base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()


def plain_json(response: dict[str, Any]) -> Any:
    """The body as an uncompressed JSON document; fails on gzip bytes whatever the headers say."""
    assert response["statusCode"] == 200, response["body"]
    assert header(response, "content-encoding") in (None, "identity")
    data = raw_body(response)
    assert not data.startswith(GZIP_MAGIC)
    return orjson.loads(data)


def test_views_differing_only_in_fields_are_different_bodies_and_etags(api_stack: ApiStack) -> None:
    first = call(api_stack, {"include": "ml,totals", "fields": "game_id,ml"})
    second = call(api_stack, {"include": "ml,totals", "fields": "game_id,totals"})
    one, two = plain_json(first), plain_json(second)
    assert set(one) == {"prediction_count", "game_id", "ml"}
    assert set(two) == {"prediction_count", "game_id", "totals"}
    assert header(first, "etag") != header(second, "etag")
    # Asked again, each view is its own cached entry: same body, same ETag.
    again = call(api_stack, {"fields": "ml,game_id", "include": "totals,ml"})
    assert header(again, "x-cache") == "l1" and header(again, "etag") == header(first, "etag")
    assert plain_json(again) == one
    # Fields alone against no fields (the full payload) and against other fields only.
    only_id, only_week = call(api_stack, {"fields": "game_id"}), call(api_stack, {"fields": "week"})
    full = call(api_stack)
    count = plain_json(full)["prediction_count"]
    assert plain_json(only_id) == {"prediction_count": count, "game_id": api_stack.upcoming_game}
    assert plain_json(only_week) == {"prediction_count": count, "week": api_stack.upcoming_week[1]}
    assert header(only_id, "etag") != header(only_week, "etag")
    assert header(full, "etag") not in {header(only_id, "etag"), header(only_week, "etag")}


def test_views_differing_only_in_fields_after_the_l1_tier_is_cleared(api_stack: ApiStack) -> None:
    first = call(api_stack, {"fields": "game_id,home_team"})
    api_stack.runtime.cache.clear_local()
    second = call(api_stack, {"fields": "game_id,away_team"})
    assert set(plain_json(first)) == {"prediction_count", "game_id", "home_team"}
    assert set(plain_json(second)) == {"prediction_count", "game_id", "away_team"}
    assert header(first, "etag") != header(second, "etag")


@pytest.mark.parametrize("make", [http_api_event, rest_api_event], ids=["http-api-v2", "rest-api-v1"])
@pytest.mark.parametrize("accept", [{"accept-encoding": "identity"}, {}], ids=["identity", "no-header"])
def test_a_client_not_accepting_gzip_gets_an_uncompressed_body_from_every_tier(
    api_stack: ApiStack, make: Any, accept: dict[str, str]
) -> None:
    zipped = call(api_stack, headers={"accept-encoding": "gzip"}, make=make)  # miss: stored, maybe as gzip
    assert header(zipped, "content-encoding") == "gzip" and zipped["isBase64Encoded"]
    expected_etag = header(zipped, "etag")
    seen = []
    for step in ("l1", "redis", "db"):
        if step == "redis":
            api_stack.runtime.cache.clear_local()
        if step == "db":
            api_stack.runtime.cache.clear_local()
            api_stack.runtime.cache.invalidate_namespace("predictions")
        response = call(api_stack, headers=accept, make=make)
        assert header(response, "x-cache") == step
        payload = plain_json(response)
        assert payload["game_id"] == api_stack.upcoming_game and len(payload["experts"]) == len(EXPERT_NAMES)
        # the document shape (service/documents.py): each expert once, [value, confidence] per category
        per_expert = [len(e["predictions"]) for e in payload["experts"]]
        assert sum(per_expert) == payload["prediction_breakdown"]["experts"] and min(per_expert) > 0
        assert header(response, "etag") == expected_etag
        seen.append(payload)
    assert seen[0] == seen[1] == seen[2]
