"""Grading arithmetic and the leaderboard."""

from __future__ import annotations

import pytest
from nfl_predictor.engine.grading import box_score_from_stats, grade, leaderboard, units

GAME = {
    "game_id": "2023_01_AAA_BBB", "season": 2023, "week": 1, "home_team": "BBB", "away_team": "AAA",
    "home_score": 24, "away_score": 20, "overtime": 0, "spread_line": 6.0, "total_line": 44.5,
    "home_moneyline": -250, "away_moneyline": 210, "home_spread_odds": -105, "away_spread_odds": -115,
    "over_odds": -110, "under_odds": -110,
}  # fmt: skip


def pred(category: str, value: object, line: float | None = None, expert: str = "e1") -> dict:
    return {
        "expert": expert,
        "category": category,
        "value": value,
        "confidence": 0.6,
        "line": line,
        "reasoning": "x",
    }


def one(p: dict, box: dict | None = None) -> dict:
    return grade([p], GAME, box)[0]


def test_units_at_american_odds() -> None:
    assert units(True, -250) == pytest.approx(0.4)
    assert units(True, 210) == pytest.approx(2.1)
    assert units(False, -110) == -1.0
    assert units(None, -110) == 0.0
    assert units(True, None) == pytest.approx(100 / 110)


def test_winner_paid_at_the_moneyline() -> None:
    r = one(pred("winner", "BBB"))
    assert r["correct"] is True and r["actual"] == "BBB" and r["units"] == pytest.approx(0.4)
    r = one(pred("winner", "AAA"))
    assert r["correct"] is False and r["units"] == -1.0


def test_spread_pick_against_the_line_with_its_odds() -> None:
    # Home won by 4 but was favoured by 6: the away side covers.
    r = one(pred("spread_pick", "AAA", line=6.0))
    assert r["actual"] == "AAA" and r["correct"] is True and r["units"] == pytest.approx(100 / 115)
    push = one(pred("spread_pick", "BBB", line=4.0))
    assert push["correct"] is None and push["units"] == 0.0


def test_totals_and_team_totals() -> None:
    r = one(pred("over_under", "under", line=44.5))
    assert r["actual"] == "under" and r["correct"] is True and r["units"] == pytest.approx(100 / 110)
    assert one(pred("home_team_total", "over", line=23.5))["correct"] is True
    assert one(pred("away_team_total", "over", line=20.5))["correct"] is False


def test_probability_and_numeric_errors() -> None:
    r = one(pred("win_probability", 0.7))
    assert r["error"] == pytest.approx(0.09) and r["correct"] is True
    r = one(pred("margin", 7.5))
    assert r["error"] == pytest.approx(3.5) and r["correct"] is True  # tolerance 3.5
    r = one(pred("total_points", 30.0))
    assert r["error"] == pytest.approx(14.0) and r["correct"] is False
    # Probability categories: a squared error (Brier) and right when the favoured side happened.
    r = one(pred("one_score_game", 0.6))  # won by 4: one score
    assert r["actual"] == 1.0 and r["error"] == pytest.approx(0.16) and r["correct"] is True
    r = one(pred("both_teams_20", 0.3))  # 24-20: both scored 20
    assert r["actual"] == 1.0 and r["error"] == pytest.approx(0.49) and r["correct"] is False
    r = one(pred("overtime", 0.06))
    assert r["actual"] == 0.0 and r["error"] == pytest.approx(0.0036) and r["correct"] is True
    assert one(pred("winning_margin", "home 1-6"))["correct"] is True
    assert one(pred("winning_margin", "away 1-6"))["correct"] is False
    tie = grade([pred("winning_margin", "home 1-6")], dict(GAME, away_score=24))[0]
    assert tie["actual"] == "tie" and tie["correct"] is None


def test_box_score_categories_need_a_box_score() -> None:
    r = one(pred("home_qb_passing_yards", 250.0))
    assert r["actual"] is None and r["correct"] is None
    box = {"home_qb_passing_yards": 240.0, "total_field_goals": 3.0}
    r = one(pred("home_qb_passing_yards", 250.0), box)
    assert r["error"] == pytest.approx(10.0) and r["correct"] is True  # within 15 %
    assert one(pred("total_field_goals", 2.2), box)["correct"] is True  # within 1
    assert one(pred("total_field_goals", 1.9), box)["correct"] is False


def test_box_score_from_nflverse_rows() -> None:
    team_stats = [
        {"season": 2023, "week": 1, "team": "BBB", "passing_interceptions": 1, "sack_fumbles_lost": 0,
         "rushing_fumbles_lost": 1, "receiving_fumbles_lost": 0, "sacks_suffered": 2, "passing_tds": 2,
         "rushing_tds": 1, "fg_made": 1},
        {"season": 2023, "week": 1, "team": "AAA", "passing_interceptions": 0, "sack_fumbles_lost": 0,
         "rushing_fumbles_lost": 0, "receiving_fumbles_lost": 0, "sacks_suffered": 3, "passing_tds": 1,
         "rushing_tds": 0, "fg_made": 2},
    ]  # fmt: skip
    players = [
        {"player_id": "q", "recent_team": "BBB", "season": 2023, "week": 1, "attempts": 30, "passing_yards": 260,
         "rushing_yards": 5, "receiving_yards": 0},
        {"player_id": "r", "recent_team": "BBB", "season": 2023, "week": 1, "attempts": 0, "passing_yards": 0,
         "rushing_yards": 80, "receiving_yards": 20},
    ]  # fmt: skip
    box = box_score_from_stats(GAME, team_stats, players)
    assert box["total_turnovers"] == 2 and box["total_sacks"] == 5 and box["total_passing_tds"] == 3
    assert box["total_field_goals"] == 3 and box["offensive_touchdowns"] == 4
    assert box["home_qb_passing_yards"] == 260 and box["home_rushing_leader_yards"] == 80
    assert "away_qb_passing_yards" not in box


def test_leaderboard_aggregates_per_season_expert_category() -> None:
    rows = grade(
        [
            pred("winner", "BBB", expert="a"),
            pred("winner", "AAA", expert="b"),
            pred("win_probability", 0.6, expert="a"),
        ],
        GAME,
    )
    rows += grade([pred("winner", "BBB", expert="a")], dict(GAME, season=2024))
    board = leaderboard(rows)
    by_key = {(r["season"], r["expert"], r["category"]): r for r in board}
    assert by_key[(2023, "a", "winner")]["accuracy"] == 1.0
    assert by_key[(2023, "a", "winner")]["units"] == pytest.approx(0.4)
    assert by_key[(2023, "b", "winner")]["accuracy"] == 0.0 and by_key[(2023, "b", "winner")]["units"] == -1.0
    assert by_key[(2023, "a", "win_probability")]["brier"] == pytest.approx(0.16)
    # Calibration beside accuracy: stated 0.6 on a bet that won -> gap -0.4.
    assert by_key[(2023, "a", "winner")]["confidence"] == pytest.approx(0.6)
    assert by_key[(2023, "a", "winner")]["calibration_gap"] == pytest.approx(-0.4)
    overall = {(r["expert"], r["category"]): r for r in leaderboard(rows, by_season=False)}
    assert overall[("a", "winner")]["n"] == 2 and overall[("a", "winner")]["units"] == pytest.approx(0.8)
