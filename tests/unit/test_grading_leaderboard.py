"""The leaderboard arithmetic on a small hand-made table, compared whole (every count, ratio and the order).

On main the engine's total category is ``total_points`` and each entry also carries the stated
``confidence`` on judged rows and its ``calibration_gap`` (confidence - accuracy)."""

from __future__ import annotations

from typing import Any

import pytest
from nfl_predictor.engine.grading import leaderboard


def row(season: int | None, expert: str, category: str, correct: bool | None = None, error: float | None = None,
        units: float | None = None, confidence: float | None = None) -> dict[str, Any]:  # fmt: skip
    return {"season": season, "expert": expert, "category": category, "correct": correct, "error": error,
            "units": units, "confidence": confidence}  # fmt: skip


ROWS = [
    row(2024, "a", "winner", True, units=0.909091, confidence=0.8),
    row(2024, "a", "winner", False, units=-1.0, confidence=0.6),
    row(2024, "a", "winner", None, confidence=0.9),  # not judged: its confidence does not count
    row(2024, "a", "winner", True, units=0.5, confidence=0.7),
    row(2024, "b", "winner", True),
    row(2024, "a", "win_probability", None, 0.25),
    row(2024, "a", "win_probability", None, 0.75),
    row(2024, "b", "win_probability", True, 0.5),
    row(2024, "a", "total_points", True, 3.0),
    row(2024, "a", "total_points", False, 5.0),
    row(2024, "b", "total_points", True, 1.0, units=2.0),
    row(2023, "a", "winner", False),  # the earlier season last: the order comes from the sort
]


def entry(season: int | None, expert: str, category: str, n: int, accuracy: float | None, brier: float | None,
          mae: float | None, units: float | None, bets: int, confidence: float | None = None) -> dict[str, Any]:  # fmt: skip
    if confidence is None and accuracy is not None:
        confidence = 0.0  # judged rows without a stated confidence count as 0
    gap = None if accuracy is None or confidence is None else pytest.approx(confidence - accuracy)
    return {"season": season, "expert": expert, "category": category, "n": n, "accuracy": accuracy,
            "confidence": None if confidence is None else pytest.approx(confidence), "calibration_gap": gap,
            "brier": brier, "mae": mae, "units": units, "bets": bets}  # fmt: skip


def test_per_season_expert_and_category() -> None:
    assert leaderboard(ROWS) == [
        entry(2023, "a", "winner", 1, 0.0, None, None, None, 0),
        entry(2024, "b", "total_points", 1, 1.0, None, 1.0, 2.0, 1),
        entry(2024, "a", "total_points", 2, 0.5, None, 4.0, None, 0),
        entry(2024, "b", "win_probability", 1, 1.0, 0.5, None, None, 0),
        entry(2024, "a", "win_probability", 2, None, 0.5, None, None, 0),
        entry(2024, "b", "winner", 1, 1.0, None, None, None, 0),
        entry(2024, "a", "winner", 4, 2 / 3, None, None, 0.4091, 3, confidence=0.7),
    ]


def test_over_all_seasons() -> None:
    board = leaderboard(ROWS, by_season=False)
    assert [(r["expert"], r["category"]) for r in board] == [
        ("b", "total_points"), ("a", "total_points"), ("b", "win_probability"), ("a", "win_probability"), ("b", "winner"),
        ("a", "winner"),
    ]  # fmt: skip
    assert all(r["season"] is None for r in board)
    winner = board[-1]
    assert (winner["n"], winner["accuracy"], winner["bets"], winner["units"]) == (5, 0.5, 3, 0.4091)
    assert winner["confidence"] == pytest.approx(2.1 / 4) and winner["calibration_gap"] == pytest.approx(
        0.025
    )


def test_nothing_graded_is_an_empty_board() -> None:
    assert leaderboard([]) == []
