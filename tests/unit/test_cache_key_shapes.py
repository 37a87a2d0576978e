"""The exact shape of every service cache key (service/cache_keys.py): what invalidation addresses
(``invalidate matching {"season": s, "week": w}``) and what other processes, and the warmer, read.
A renamed parameter would make every reader miss, and invalidation skip, the entries."""

from __future__ import annotations

from nfl_predictor.service import cache_keys as ck


def test_namespaces_are_the_stored_ones() -> None:
    assert ck.ALL == ("predictions", "prediction_views", "week_predictions", "schedule", "similar", "search",
                      "leaderboard")  # fmt: skip


def test_every_key_shape() -> None:
    # A game's key carries its week as the Redis Cluster hash tag (slot), so a week's MGET is one slot.
    assert ck.game("2025_13_ARI_DET", "v1") == (
        "predictions", {"game": "2025_13_ARI_DET", "model": "v1", "slot": "2025_13"})  # fmt: skip
    assert ck.games(["2025_13_ARI_DET", "2025_13_BUF_KC"], "v1") == [
        {"game": "2025_13_ARI_DET", "model": "v1", "slot": "2025_13"},
        {"game": "2025_13_BUF_KC", "model": "v1", "slot": "2025_13"}]  # fmt: skip
    assert ck.games(["a"], "v1") == [
        {"game": "a", "model": "v1", "slot": "a"}
    ]  # not an nflverse id: its own slot
    assert ck.view("g", "v1", {"include": "ml", "fields": "x"}) == (
        "prediction_views", {"game": "g", "model": "v1", "include": "ml", "fields": "x"})  # fmt: skip
    assert ck.week(2025, 13, "v1") == ("week_predictions", {"season": 2025, "week": 13, "model": "v1"})
    assert ck.week(2025, 13, "v1", {"experts": "a"}) == (
        "week_predictions", {"season": 2025, "week": 13, "model": "v1", "experts": "a"})  # fmt: skip
    assert ck.schedule(2025, 13) == ("schedule", {"season": 2025, "week": 13})
    assert ck.schedule(2025, None) == ("schedule", {"season": 2025, "week": None})
    assert ck.similar("g", 5, "v1") == ("similar", {"game": "g", "k": 5, "model": "v1"})
    assert ck.search("Rain ", "news", 3, 0.5) == (
        "search", {"q": "Rain ", "source": "news", "k": 3, "threshold": 0.5})  # fmt: skip
    assert ck.leaderboard(2025) == ("leaderboard", {"season": 2025})
    assert ck.leaderboard(None, {"sort": "accuracy", "page": 2}) == (
        "leaderboard", {"season": None, "sort": "accuracy", "page": 2})  # fmt: skip
