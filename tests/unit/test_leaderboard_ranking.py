"""The leaderboard's sort, category filter and pages (service/lookups.rank_leaderboard), on fixed rows."""

from __future__ import annotations

from typing import Any

from nfl_predictor.service.leaderboard import LeaderboardQuery, rank_leaderboard


def expert(
    name: str, accuracy: float | None, units: float, brier: float, spread_acc: float
) -> dict[str, Any]:
    return {
        "season": 2025, "expert": name, "n": 50, "accuracy": accuracy, "units": units, "bets": 10,
        "categories": [
            {"category": "win_probability", "n": 10, "accuracy": None, "brier": brier, "mae": None, "units": 0.0,
             "bets": 0},
            {"category": "spread_pick", "n": 10, "accuracy": spread_acc, "brier": None, "mae": None,
             "units": units, "bets": 10},
            {"category": "total_points", "n": 30, "accuracy": None, "brier": None, "mae": 9.0, "units": 0.0,
             "bets": 0},
        ],
    }  # fmt: skip


BOARD = [expert("a", 0.55, 1.0, 0.22, 0.40), expert("b", 0.60, -2.0, 0.20, 0.70),
         expert("c", 0.50, 4.0, 0.25, 0.55), expert("d", None, 0.0, 0.30, 0.50)]  # fmt: skip


def names(result: dict[str, Any]) -> list[str]:
    return [e["expert"] for e in result["experts"]]


def test_default_is_accuracy_best_first_with_missing_values_last() -> None:
    result = rank_leaderboard(BOARD, LeaderboardQuery())
    assert names(result) == ["b", "a", "c", "d"] and result["order"] == "desc" and result["total"] == 4


def test_lower_is_better_metrics_sort_ascending_unless_told() -> None:
    assert names(rank_leaderboard(BOARD, LeaderboardQuery(sort="brier"))) == ["b", "a", "c", "d"]
    assert names(rank_leaderboard(BOARD, LeaderboardQuery(sort="brier", order="desc"))) == [
        "d",
        "c",
        "a",
        "b",
    ]
    assert names(rank_leaderboard(BOARD, LeaderboardQuery(sort="units"))) == ["c", "a", "d", "b"]


def test_a_category_ranks_on_that_category_alone() -> None:
    result = rank_leaderboard(BOARD, LeaderboardQuery(category="spread_pick"))
    assert names(result) == ["b", "c", "d", "a"]
    assert all([c["category"] for c in e["categories"]] == ["spread_pick"] for e in result["experts"])
    assert result["experts"][0]["accuracy"] == 0.7 and result["experts"][0]["n"] == 10
    assert rank_leaderboard(BOARD, LeaderboardQuery(category="upset"))["total"] == 0


def test_pages_follow_on() -> None:
    first = rank_leaderboard(BOARD, LeaderboardQuery(limit=3))
    assert names(first) == ["b", "a", "c"] and first["next_offset"] == 3
    second = rank_leaderboard(BOARD, LeaderboardQuery(limit=3, offset=first["next_offset"]))
    assert names(second) == ["d"] and second["next_offset"] is None


def test_mae_is_weighted_by_count() -> None:
    row = rank_leaderboard(BOARD, LeaderboardQuery(sort="mae"))["experts"][0]
    assert row["mae"] == 9.0 and row["brier"] is not None
