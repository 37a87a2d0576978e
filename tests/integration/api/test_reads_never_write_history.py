"""Reads never write history (issue 15, item 4).

Before: a GET for a finished game computed it with today's model (trained on that game), stored it,
and the next warm graded it: any free key could move the leaderboard, which then measured hindsight.
Now only games not yet started are stored; a finished game is served from its walk-forward (or
pre-kickoff) prediction, or answered 404 saying none was made before kickoff; grading takes only
honest predictions.
"""

from __future__ import annotations

import base64
import gzip
from typing import Any

import orjson
import pytest
from nfl_predictor.service.backfill import backfill_season
from nfl_predictor.vectors.embedder import HashingEmbedder

from tests.integration.api.conftest import ApiStack, http_api_event

pytestmark = pytest.mark.usefixtures("fresh_caches")


def body(response: dict[str, Any]) -> Any:
    raw = base64.b64decode(response["body"]) if response.get("isBase64Encoded") else response["body"].encode()
    headers = {k.lower(): v for k, v in response["headers"].items()}
    return orjson.loads(gzip.decompress(raw) if headers.get("content-encoding") == "gzip" else raw)


def history(stack: ApiStack) -> list[list[Any]]:
    return stack.db.fetch("SELECT game_id, expert_id, bet_type, model_version, outcome, units, graded_at "
                          "FROM expert_bets ORDER BY 1, 2, 3, 4")  # fmt: skip


def test_a_burst_of_gets_on_past_games_changes_no_history(api_stack: ApiStack) -> None:
    played = api_stack.db.fetch_one(
        "SELECT season, week FROM games WHERE game_id = :g", g=api_stack.played_game
    )
    assert played is not None
    season, week = int(played[0]), int(played[1])
    backfill_season(api_stack.db, HashingEmbedder(), season, weeks=[week])  # the honest way to fill the past
    walk_forward = {str(r[0]): str(r[1]) for r in api_stack.db.fetch(
        "SELECT game_id, model_version FROM predictions WHERE season = :s AND week = :w", s=season, w=week)}  # fmt: skip
    assert walk_forward
    earlier = [str(r[0]) for r in api_stack.db.fetch(
        "SELECT game_id FROM games WHERE home_score IS NOT NULL AND NOT (season = :s AND week = :w) "
        "ORDER BY gameday DESC LIMIT 12", s=season, w=week)]  # fmt: skip
    of_played = ("SELECT p.game_id, p.model_version, p.created_at FROM predictions p JOIN games g USING (game_id) "
                 "WHERE g.home_score IS NOT NULL ORDER BY 1, 2")  # fmt: skip
    bets, predictions = history(api_stack), api_stack.db.fetch(of_played)
    key = {"x-api-key": api_stack.keys["admin"]}
    leaderboard = body(
        api_stack.invoke(http_api_event("GET", "/v1/experts/leaderboard", {"season": season}, key))
    )

    for game in earlier:  # finished, nothing stored before kickoff: no hindsight served, nothing stored
        for query in (None, {"include": "ml"}):
            response = api_stack.invoke(http_api_event("GET", f"/v1/games/{game}/predictions", query, key))
            assert response["statusCode"] == 404, response["body"]
            assert "before kickoff" in body(response)["error"]["message"]
    for game, version in walk_forward.items():  # finished, walk-forward prediction stored: that one
        response = api_stack.invoke(http_api_event("GET", f"/v1/games/{game}/predictions", None, key))
        assert response["statusCode"] == 200 and body(response)["model_version"] == version
    for past_week in range(1, week + 1):
        api_stack.invoke(http_api_event("GET", "/v1/predictions", {"season": season, "week": past_week}, key))

    report = api_stack.runtime.predictions.warm_week()  # grades whatever is pending
    assert report["graded_games"] == 0
    assert report["computed"] > 0  # the upcoming week is still warmed and stored
    assert api_stack.db.fetch(of_played) == predictions
    assert history(api_stack) == bets
    after = body(api_stack.invoke(http_api_event("GET", "/v1/experts/leaderboard", {"season": season}, key)))
    assert after == leaderboard


def test_a_past_week_lists_its_unpredicted_games_and_never_predicts_them(api_stack: ApiStack) -> None:
    """A past week with nothing stored before kickoff: the document lists its games as without a
    prediction (none computed with today's model), and the games stay 404 one by one afterwards."""
    played = api_stack.db.fetch_one(
        "SELECT season, week FROM games WHERE game_id = :g", g=api_stack.played_game
    )
    assert played is not None
    season, week = int(played[0]), int(played[1]) - 1  # a played week nothing was backfilled for
    ids = sorted(str(r[0]) for r in api_stack.db.fetch(
        "SELECT game_id FROM games WHERE season = :s AND week = :w", s=season, w=week))  # fmt: skip
    key = {"x-api-key": api_stack.keys["admin"]}
    computed = api_stack.runtime.predictions.stats.computed_games
    response = api_stack.invoke(
        http_api_event("GET", "/v1/predictions", {"season": season, "week": week}, key)
    )
    assert response["statusCode"] == 200, response["body"]
    document = body(response)
    assert document["games"] == [] and document["game_count"] == 0
    assert sorted(document["games_without_prediction"]) == ids
    assert api_stack.runtime.predictions.stats.computed_games == computed  # nothing predicted now
    for game in ids[:3]:
        one = api_stack.invoke(http_api_event("GET", f"/v1/games/{game}/predictions", None, key))
        assert one["statusCode"] == 404, one["body"]
