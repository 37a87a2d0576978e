"""Every route through the real Lambda handler (Mangum) with API Gateway HTTP API v2 and REST v1 events."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from tests.integration.api.conftest import ApiStack, http_api_event, rest_api_event

pytestmark = pytest.mark.usefixtures("fresh_caches")
EventFactory = Callable[..., dict[str, Any]]


def call(stack: ApiStack, make: EventFactory, method: str, path: str, query: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    return stack.invoke(make(method, path, query, headers))


def body_of(response: dict[str, Any]) -> Any:
    raw = response["body"]
    data = base64.b64decode(raw) if response.get("isBase64Encoded") else raw.encode()
    if header(response, "content-encoding") == "gzip":
        data = gzip.decompress(data)
    return orjson.loads(data) if data else None


def header(response: dict[str, Any], name: str) -> str | None:
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    for k, v in (response.get("multiValueHeaders") or {}).items():
        headers.setdefault(k.lower(), v[0])
    return headers.get(name)


@pytest.mark.parametrize("make", [http_api_event, rest_api_event], ids=["http-api-v2", "rest-api-v1"])
def test_game_predictions_both_event_shapes(api_stack: ApiStack, make: EventFactory) -> None:
    response = call(api_stack, make, "GET", f"/v1/games/{api_stack.upcoming_game}/predictions",
                    headers={"x-api-key": api_stack.keys["pro"]})  # fmt: skip
    assert response["statusCode"] == 200
    payload = body_of(response)
    assert payload["game_id"] == api_stack.upcoming_game
    # 15 experts, each with its reasoning once and 25 categories as [value, confidence]
    assert payload["prediction_count"] >= 375 and len(payload["experts"]) == 15
    assert sum(len(e["predictions"]) for e in payload["experts"]) == 375
    assert all(e["reasoning"] for e in payload["experts"]) and "embedding" not in payload
    assert int(header(response, "x-prediction-count") or 0) == payload["prediction_count"]
    assert header(response, "x-cache") == "miss"
    # private: a response that needs a key must not be answered by a shared cache to someone else
    assert header(response, "etag") and header(response, "cache-control") == "private, max-age=300"
    assert "app;dur=" in (header(response, "server-timing") or "")


def test_x_cache_moves_l1_redis_db_miss_as_tiers_are_cleared(api_stack: ApiStack) -> None:
    path, key = f"/v1/games/{api_stack.upcoming_game}/predictions", {"x-api-key": api_stack.keys["pro"]}
    first = call(api_stack, http_api_event, "GET", path, headers=key)
    assert header(first, "x-cache") == "miss"
    assert header(call(api_stack, http_api_event, "GET", path, headers=key), "x-cache") == "l1"
    api_stack.runtime.cache.clear_local()
    assert header(call(api_stack, http_api_event, "GET", path, headers=key), "x-cache") == "redis"
    api_stack.runtime.cache.clear_local()
    api_stack.runtime.cache.invalidate_namespace("predictions")
    third = call(api_stack, http_api_event, "GET", path, headers=key)
    assert header(third, "x-cache") == "db"  # stored by the first request's write-through
    assert header(third, "etag") == header(first, "etag")  # same bytes whichever tier answered


def test_gzip_only_when_accepted(api_stack: ApiStack) -> None:
    path = f"/v1/games/{api_stack.upcoming_game}/predictions"
    plain = call(api_stack, http_api_event, "GET", path, headers={"x-api-key": api_stack.keys["pro"]})
    assert header(plain, "content-encoding") is None and not plain.get("isBase64Encoded")
    zipped = call(api_stack, http_api_event, "GET", path,
                  headers={"x-api-key": api_stack.keys["pro"], "accept-encoding": "br, gzip;q=0.8"})  # fmt: skip
    assert header(zipped, "content-encoding") == "gzip" and zipped["isBase64Encoded"]
    assert body_of(zipped) == body_of(plain)
    refused = call(api_stack, http_api_event, "GET", path,
                   headers={"x-api-key": api_stack.keys["pro"], "accept-encoding": "gzip;q=0"})  # fmt: skip
    assert header(refused, "content-encoding") is None
    small = call(api_stack, http_api_event, "GET", path, {"fields": "game_id"},
                 {"x-api-key": api_stack.keys["pro"], "accept-encoding": "gzip"})  # fmt: skip
    assert header(small, "content-encoding") is None  # under 1 KB: not worth compressing


def test_etag_and_304(api_stack: ApiStack) -> None:
    path, key = f"/v1/games/{api_stack.upcoming_game}/predictions", api_stack.keys["pro"]
    etag = header(call(api_stack, http_api_event, "GET", path, headers={"x-api-key": key}), "etag")
    assert etag
    again = call(api_stack, http_api_event, "GET", path, headers={"x-api-key": key, "if-none-match": etag})
    assert again["statusCode"] == 304 and not again["body"]
    other = call(
        api_stack, http_api_event, "GET", path, headers={"x-api-key": key, "if-none-match": '"nope"'}
    )
    assert other["statusCode"] == 200


def test_field_selection(api_stack: ApiStack) -> None:
    path, key = f"/v1/games/{api_stack.upcoming_game}/predictions", {"x-api-key": api_stack.keys["pro"]}
    only = body_of(
        call(
            api_stack,
            http_api_event,
            "GET",
            path,
            {"include": "ml,totals", "fields": "game_id,ml,totals"},
            key,
        )
    )
    assert set(only) == {"game_id", "ml", "totals", "prediction_count"}
    # A view computed from the full payload counts what was served, not the full payload as well.
    assert api_stack.runtime.predictions.stats.predictions_served == only["prediction_count"]
    full = body_of(call(api_stack, http_api_event, "GET", path, headers=key))
    assert (
        only["prediction_count"]
        == full["prediction_breakdown"]["ml"] + full["prediction_breakdown"]["totals"]
    )
    two = body_of(call(api_stack, http_api_event, "GET", path, {"experts": "ratings_purist,contrarian"}, key))
    assert {e["expert"] for e in two["experts"]} == {"ratings_purist", "contrarian"}
    assert sum(len(e["predictions"]) for e in two["experts"]) == 50 == two["prediction_breakdown"]["experts"]
    # Order and duplicates in the query do not change the answer (canonical cache key).
    swapped = call(
        api_stack, http_api_event, "GET", path, {"experts": "contrarian,ratings_purist,contrarian"}, key
    )
    assert body_of(swapped) == two and header(swapped, "x-cache") == "l1"


def test_whole_week_in_one_response(api_stack: ApiStack) -> None:
    season, week = api_stack.upcoming_week
    response = call(api_stack, http_api_event, "GET", "/v1/predictions", {"season": season, "week": week},
                    {"x-api-key": api_stack.keys["pro"]})  # fmt: skip
    assert response["statusCode"] == 200
    payload = body_of(response)
    assert payload["game_count"] == len(payload["games"]) > 1
    assert payload["prediction_count"] == sum(g["prediction_count"] for g in payload["games"])
    assert all(g["prediction_count"] >= 375 for g in payload["games"])
    again = call(api_stack, http_api_event, "GET", "/v1/predictions", {"season": season, "week": week},
                 {"x-api-key": api_stack.keys["pro"]})  # fmt: skip
    assert header(again, "x-cache") == "l1"


def test_schedule_similar_search_leaderboard_performance_health(api_stack: ApiStack) -> None:
    key = {"x-api-key": api_stack.keys["pro"]}
    season, week = api_stack.upcoming_week
    games = body_of(
        call(api_stack, http_api_event, "GET", "/v1/games", {"season": season, "week": week}, key)
    )
    assert any(g["game_id"] == api_stack.upcoming_game and g["home_score"] is None for g in games["games"])
    played = body_of(call(api_stack, http_api_event, "GET", "/v1/games", {"season": season, "week": 1}, key))
    assert all(g["home_score"] is not None for g in played["games"])

    similar = body_of(
        call(api_stack, http_api_event, "GET", f"/v1/games/{api_stack.upcoming_game}/similar", {"k": 5}, key)
    )
    assert len(similar["similar"]) == 5
    assert all(row["home_score"] is not None and row["game_id"] != api_stack.upcoming_game
               for row in similar["similar"])  # fmt: skip

    search = call(
        api_stack, http_api_event, "GET", "/v1/search", {"q": "quarterback rest travel", "k": 3}, key
    )
    assert search["statusCode"] == 200 and body_of(search)["query"] == "quarterback rest travel"

    board = call(api_stack, http_api_event, "GET", "/v1/experts/leaderboard", {"season": season}, key)
    assert board["statusCode"] == 200 and "experts" in body_of(board)
    page = body_of(call(api_stack, http_api_event, "GET", "/v1/experts/leaderboard",
                        {"season": season, "category": "spread_pick", "sort": "units", "limit": 5}, key))  # fmt: skip
    assert page["category"] == "spread_pick" and page["sort"] == "units" and len(page["experts"]) <= 5
    bad = call(api_stack, http_api_event, "GET", "/v1/experts/leaderboard", {"category": "nope"}, key)
    assert bad["statusCode"] == 422 and body_of(bad)["error"]["field"] == "category"

    perf = body_of(call(api_stack, http_api_event, "GET", "/v1/performance", headers=key))
    assert {
        "routes",
        "cache",
        "breaker",
        "predictions_served",
        "parallel_workers",
        "database",
        "targets",
    } <= set(perf)

    health = call(api_stack, http_api_event, "GET", "/health")
    assert health["statusCode"] == 200
    checks = body_of(health)
    assert checks["status"] == "ok" and checks["checks"]["cache"]["mode"] == "redis"
    assert api_stack.database_url not in health["body"] and "password" not in health["body"]


@pytest.mark.parametrize(
    ("key_name", "status", "code"),
    [(None, 401, "unauthorized"), ("bogus", 401, "unauthorized"), ("expired", 403, "subscription_inactive"),
     ("cancelled", 403, "subscription_inactive")],
)  # fmt: skip
def test_auth_errors(api_stack: ApiStack, key_name: str | None, status: int, code: str) -> None:
    headers = {} if key_name is None else {"x-api-key": api_stack.keys.get(key_name, "nflp_bogus")}
    response = call(
        api_stack, http_api_event, "GET", f"/v1/games/{api_stack.upcoming_game}/predictions", headers=headers
    )
    assert response["statusCode"] == status
    assert body_of(response)["error"]["code"] == code


def test_admin_scope(api_stack: ApiStack) -> None:
    event = http_api_event("POST", "/v1/admin/cache/invalidate", headers={"x-api-key": api_stack.keys["pro"],
                                                                           "content-type": "application/json"})  # fmt: skip
    event["body"] = orjson.dumps({"namespace": "predictions"}).decode()
    assert api_stack.invoke(event)["statusCode"] == 403
    event["headers"]["x-api-key"] = api_stack.keys["admin"]
    response = api_stack.invoke(event)
    assert response["statusCode"] == 200 and body_of(response)["result"]["l2_ok"] is True
    event["body"] = orjson.dumps({"namespace": "nope"}).decode()
    bad = api_stack.invoke(event)
    assert bad["statusCode"] == 422 and body_of(bad)["error"]["field"] == "namespace"


@pytest.mark.parametrize(
    ("path", "query", "status", "field"),
    [
        ("/v1/games/2024_01_XXX_YYY/predictions", {}, 404, "game_id"),
        ("/v1/games/not-a-game/predictions", {}, 422, "game_id"),
        ("/v1/games/{game}/predictions", {"include": "ml,bogus"}, 422, "include"),
        ("/v1/games/{game}/predictions", {"experts": "nobody"}, 422, "experts"),
        ("/v1/games/{game}/predictions", {"fields": ""}, 422, "fields"),
        ("/v1/predictions", {"season": 2025}, 422, "week"),
        ("/v1/predictions", {"season": "twenty", "week": 1}, 422, "season"),
        ("/v1/predictions", {"season": 2025, "week": 99}, 422, "week"),
        ("/v1/predictions", {"season": 2031, "week": 3}, 404, "week"),
        ("/v1/games/{game}/similar", {"k": 0}, 422, "k"),
        ("/v1/search", {"q": ""}, 422, "q"),
        ("/v1/search", {"q": "x", "source": "twitter"}, 422, "source"),
        ("/v1/games", {"season": 1800}, 422, "season"),
    ],
)
def test_client_mistakes_are_4xx_naming_the_parameter(api_stack: ApiStack, path: str, query: dict[str, Any],
                                                      status: int, field: str) -> None:  # fmt: skip
    response = call(api_stack, http_api_event, "GET", path.replace("{game}", api_stack.upcoming_game), query,
                    {"x-api-key": api_stack.keys["pro"]})  # fmt: skip
    assert response["statusCode"] == status, response["body"]
    error = body_of(response)["error"]
    assert error["field"] == field and error["message"]


def test_rate_limit_429_with_retry_after(api_stack: ApiStack) -> None:
    path = f"/v1/games/{api_stack.upcoming_game}/predictions"
    statuses = [call(api_stack, http_api_event, "GET", path, {"fields": "game_id"}, {"x-api-key": api_stack.keys["free"]})
                for _ in range(40)]  # fmt: skip
    limited = [r for r in statuses if r["statusCode"] == 429]
    assert limited, "the free tier's burst is 30"
    assert int(header(limited[0], "retry-after") or 0) >= 1
    assert body_of(limited[0])["error"]["code"] == "rate_limited"


def test_week_takes_the_same_views_as_a_game(api_stack: ApiStack) -> None:
    season, week = api_stack.upcoming_week
    key = {"x-api-key": api_stack.keys["pro"]}
    week_of = lambda **view: body_of(call(api_stack, http_api_event, "GET", "/v1/predictions",  # noqa: E731
                                         {"season": season, "week": week, **view}, key))  # fmt: skip
    full = week_of()
    ml_only = week_of(include="ml")
    assert [set(g) for g in ml_only["games"]] == [{"game_id", "season", "week", "home_team", "away_team",
                                                   "model_version", "ml", "prediction_count",
                                                   "prediction_breakdown"}] * full["game_count"]  # fmt: skip
    assert ml_only["prediction_count"] == sum(g["prediction_breakdown"]["ml"] for g in full["games"])
    one = week_of(experts="consensus", fields="game_id,experts")
    assert all(set(g) == {"game_id", "experts", "prediction_count"} for g in one["games"])
    assert all([e["expert"] for e in g["experts"]] == ["consensus"] for g in one["games"])
    # Each game of the week is the same bytes as that game asked for on its own with the same view.
    game = body_of(call(api_stack, http_api_event, "GET", f"/v1/games/{one['games'][0]['game_id']}/predictions",
                        {"experts": "consensus", "fields": "game_id,experts"}, key))  # fmt: skip
    assert game == one["games"][0]
    bad = call(api_stack, http_api_event, "GET", "/v1/predictions", {"season": season, "week": week,
                                                                     "include": "nope"}, key)  # fmt: skip
    assert bad["statusCode"] == 422 and body_of(bad)["error"]["field"] == "include"


def test_embedding_only_when_asked_for(api_stack: ApiStack) -> None:
    season, week = api_stack.upcoming_week
    key = {"x-api-key": api_stack.keys["pro"]}
    path = f"/v1/games/{api_stack.upcoming_game}/predictions"
    assert "embedding" not in body_of(call(api_stack, http_api_event, "GET", path, headers=key))
    with_vector = body_of(call(api_stack, http_api_event, "GET", path, {"include": "embedding,ml"}, key))
    assert len(with_vector["embedding"]) == 32 and "ml" in with_vector and "experts" not in with_vector
    only = body_of(call(api_stack, http_api_event, "GET", path, {"fields": "game_id,embedding"}, key))
    assert only["embedding"] == with_vector["embedding"]
    stored = api_stack.db.scalar("SELECT analysis_embedding::text FROM predictions WHERE game_id = :g",
                                 g=api_stack.upcoming_game)  # fmt: skip
    assert (
        stored is not None and len(stored.strip("[]").split(",")) == 32
    )  # still filled for similarity search
    weekly = body_of(call(api_stack, http_api_event, "GET", "/v1/predictions",
                          {"season": season, "week": week, "include": "embedding"}, key))  # fmt: skip
    assert all(len(g["embedding"]) == 32 for g in weekly["games"])


def test_week_document_sizes(api_stack: ApiStack) -> None:
    """The full week's gzip body is the issue's <= 50 KB (it was 116 KB with the embedding and the
    reasoning repeated per category); a game's is a sixteenth of that or so."""
    season, week = api_stack.upcoming_week
    headers = {"x-api-key": api_stack.keys["pro"], "accept-encoding": "gzip"}
    response = call(
        api_stack, http_api_event, "GET", "/v1/predictions", {"season": season, "week": week}, headers
    )
    assert header(response, "content-encoding") == "gzip"
    zipped = base64.b64decode(response["body"])
    assert len(zipped) <= 50 * 1024, len(zipped)
    assert len(gzip.decompress(zipped)) <= 600 * 1024
