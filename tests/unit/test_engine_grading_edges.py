"""Grading at its boundaries: ties and pushes, the one-score and 20-point edges, over vs under at
the line, and which box-score rows count (this game's season, week and teams; the named QB)."""

from __future__ import annotations

from typing import Any

import pytest
from nfl_predictor.engine.grading import actuals, box_score_from_stats, grade

BASE: dict[str, Any] = {
    "game_id": "2023_01_AAA_BBB", "season": 2023, "week": 1, "home_team": "BBB", "away_team": "AAA",
    "home_score": 24, "away_score": 20, "overtime": None,
}  # fmt: skip


def game(home: int, away: int, **more: Any) -> dict[str, Any]:
    return {**BASE, "home_score": home, "away_score": away, **more}


def graded(category: str, value: object, g: dict[str, Any], line: float | None = None) -> dict[str, Any]:
    return grade([{"expert": "e", "category": category, "value": value, "confidence": 0.5, "line": line}], g)[
        0
    ]


@pytest.mark.parametrize(
    ("home", "away", "winner", "probability"),
    [
        (21, 20, "BBB", 1.0),
        (20, 21, "AAA", 0.0),
        (20, 20, "tie", 0.5),
        (1, 0, "BBB", 1.0),
        (0, 1, "AAA", 0.0),
    ],
)
def test_the_winner_and_its_probability_around_a_tie(
    home: int, away: int, winner: str, probability: float
) -> None:
    act = actuals(game(home, away))
    assert (act["winner"], act["win_probability"]) == (winner, probability)
    assert (act["home_score"], act["away_score"], act["margin"], act["total_points"]) == (
        home, away, home - away, home + away,
    )  # fmt: skip
    row = graded("winner", "BBB", game(home, away, home_moneyline=-150, away_moneyline=130))
    assert row["correct"] is (None if winner == "tie" else winner == "BBB")
    assert row["units"] == (0.0 if winner == "tie" else pytest.approx(100 / 150) if winner == "BBB" else -1.0)


@pytest.mark.parametrize(("margin", "one_score"), [(8, 1.0), (-8, 1.0), (9, 0.0), (-9, 0.0), (0, 1.0)])
def test_one_score_means_a_margin_of_eight_or_less(margin: int, one_score: float) -> None:
    assert actuals(game(20 + max(margin, 0), 20 - min(margin, 0)))["one_score_game"] == one_score


@pytest.mark.parametrize(
    ("home", "away", "both"), [(20, 20, 1.0), (19, 30, 0.0), (30, 19, 0.0), (21, 20, 1.0), (20, 21, 1.0)]
)
def test_both_teams_20_needs_each_side_at_twenty(home: int, away: int, both: float) -> None:
    assert actuals(game(home, away))["both_teams_20"] == both


def test_overtime_is_one_or_zero_and_absent_when_unknown() -> None:
    assert actuals(game(23, 20, overtime=1))["overtime"] == 1.0
    assert actuals(game(23, 20, overtime=0))["overtime"] == 0.0
    assert "overtime" not in actuals(game(23, 20))


def test_a_box_score_adds_only_known_categories_with_a_value() -> None:
    act = actuals(game(23, 20), {"total_sacks": 4.0, "home_qb_passing_yards": None, "not_a_category": 1.0})
    assert act["total_sacks"] == 4.0
    assert "home_qb_passing_yards" not in act and "not_a_category" not in act


@pytest.mark.parametrize(
    ("line", "home_side", "correct"),
    [(3.0, "push", None), (2.0, "BBB", True), (4.0, "AAA", False), (3.5, "AAA", False), (2.5, "BBB", True)],
)
def test_the_spread_around_a_push(line: float, home_side: str, correct: bool | None) -> None:
    row = graded("spread_pick", "BBB", game(23, 20, home_spread_odds=-105, away_spread_odds=-115), line=line)
    assert (row["actual"], row["correct"]) == (home_side, correct)
    assert row["units"] == {None: 0.0, True: pytest.approx(100 / 105), False: -1.0}[correct]


@pytest.mark.parametrize(
    ("line", "side"), [(43.0, "push"), (42.5, "over"), (43.5, "under"), (42.0, "over"), (44.0, "under")]
)
def test_over_under_against_the_total_not_the_margin(line: float, side: str) -> None:
    row = graded("over_under", "over", game(23, 20, over_odds=-120, under_odds=100), line=line)  # total 43
    assert row["actual"] == side
    assert row["correct"] is (None if side == "push" else side == "over")
    assert row["units"] == {"push": 0.0, "over": pytest.approx(100 / 120), "under": -1.0}[side]


@pytest.mark.parametrize(("line", "side"), [(23.0, None), (22.5, "over"), (23.5, "under")])
def test_a_team_total_at_its_line_is_a_push(line: float, side: str | None) -> None:
    for category, points in (("home_team_total", 23), ("away_team_total", 20)):
        row = graded(category, "under", game(23, 20), line=line + (points - 23))
        assert row["actual"] == side and row["correct"] is (None if side is None else side == "under")
        assert row["units"] == (
            0.0 if side is None else pytest.approx(100 / 110) if side == "under" else -1.0
        )


def team_row(team: str, *, season: int = 2023, week: int = 1, **stats: Any) -> dict[str, Any]:
    return {"season": season, "week": week, "team": team, **stats}


def test_team_rows_count_only_for_this_games_season_week_and_teams() -> None:
    home = team_row("BBB", passing_interceptions=1, sacks_suffered=2, passing_tds=2, rushing_tds=1, fg_made=1)
    away = team_row("AAA", passing_interceptions=2, sacks_suffered=1, passing_tds=1, rushing_tds=0, fg_made=2)
    decoys = [
        team_row("AAA", season=2022, passing_interceptions=9, sacks_suffered=9, passing_tds=9, fg_made=9),
        team_row("AAA", week=2, passing_interceptions=9, sacks_suffered=9, passing_tds=9, fg_made=9),
        team_row("CCC", passing_interceptions=9, sacks_suffered=9, passing_tds=9, fg_made=9),
    ]
    box = box_score_from_stats(BASE, [home, *decoys, away], [])
    assert box == {"total_turnovers": 3.0, "total_sacks": 3.0, "total_passing_tds": 3.0, "total_field_goals": 3.0,
                   "offensive_touchdowns": 4.0}  # fmt: skip
    # One team's row alone is no box score; a missing figure counts as zero, not one.
    assert box_score_from_stats(BASE, [home, *decoys], []) == {}
    sparse = box_score_from_stats(BASE, [team_row("BBB"), team_row("AAA")], [])
    assert sparse == {"total_turnovers": 0.0, "total_sacks": 0.0, "total_passing_tds": 0.0,
                      "total_field_goals": 0.0, "offensive_touchdowns": 0.0}  # fmt: skip


def player(pid: str, team: str, *, season: int = 2023, week: int = 1, **stats: Any) -> dict[str, Any]:
    return {"player_id": pid, "recent_team": team, "season": season, "week": week, **stats}


def test_player_rows_the_named_quarterback_and_the_leaders() -> None:
    rows = [
        player("starter", "BBB", attempts=10, passing_yards=120, rushing_yards=3),
        player("backup", "BBB", attempts=25, passing_yards=210, rushing_yards=None, receiving_yards=None),
        player("rb", "BBB", attempts=None, rushing_yards=95, receiving_yards=30),
        player("wr", "AAA", attempts=0, receiving_yards=None, rushing_yards=None),
        player(
            "old", "BBB", season=2022, attempts=40, passing_yards=400, rushing_yards=200, receiving_yards=200
        ),
        player(
            "later", "BBB", week=2, attempts=40, passing_yards=400, rushing_yards=200, receiving_yards=200
        ),
        player("other", "CCC", attempts=40, passing_yards=400, rushing_yards=200, receiving_yards=200),
    ]
    named = box_score_from_stats({**BASE, "home_qb_id": "starter"}, [], rows)
    assert named["home_qb_passing_yards"] == 120.0  # the named starter, though the backup threw more
    assert (named["home_rushing_leader_yards"], named["home_receiving_leader_yards"]) == (95.0, 30.0)
    # Nobody named: the one who threw most. A side with only empty figures leads with zero yards.
    unnamed = box_score_from_stats(BASE, [], rows)
    assert unnamed["home_qb_passing_yards"] == 210.0
    assert (unnamed["away_qb_passing_yards"], unnamed["away_rushing_leader_yards"],
            unnamed["away_receiving_leader_yards"]) == (0.0, 0.0, 0.0)  # fmt: skip
    nobody_threw = box_score_from_stats(
        BASE, [], [player("x", "AAA", passing_yards=None), player("y", "AAA")]
    )
    assert nobody_threw["away_qb_passing_yards"] == 0.0
    assert "home_qb_passing_yards" not in nobody_threw


@pytest.mark.parametrize(("home", "away", "correct"), [(24, 20, True), (20, 24, False), (20, 20, None)])
def test_an_even_forecast_favours_the_home_side(home: int, away: int, correct: bool | None) -> None:
    row = graded("win_probability", 0.5, game(home, away))
    assert row["correct"] is correct and row["error"] == pytest.approx((0.5 - row["actual"]) ** 2)


@pytest.mark.parametrize(("predicted", "correct"), [(0.1, True), (0.15, True), (0.2, False)])
def test_yards_near_zero_are_held_to_the_tolerance_of_one_yard(predicted: float, correct: bool) -> None:
    # 15% of max(actual, 1 yard): a QB with 0 yards is matched within 0.15, not within 15% of zero.
    g = game(24, 20)
    row = grade([{"expert": "e", "category": "home_qb_passing_yards", "value": predicted, "confidence": 0.5}], g,
                {"home_qb_passing_yards": 0.0})[0]  # fmt: skip
    assert row["correct"] is correct and row["error"] == pytest.approx(predicted)


def test_a_side_or_team_pick_without_a_line_is_graded_from_the_box_score() -> None:
    g = game(24, 20)
    box = {"over_under": "over", "spread_pick": "AAA"}
    picks = [{"expert": "e", "category": c, "value": v, "confidence": 0.5}
             for c, v in (("over_under", "over"), ("over_under", "under"), ("spread_pick", "AAA"), ("spread_pick", "BBB"))]  # fmt: skip
    rows = grade(picks, g, box)
    assert [(r["actual"], r["correct"], r["units"]) for r in rows] == [
        ("over", True, None), ("over", False, None), ("AAA", True, None), ("AAA", False, None),
    ]  # fmt: skip


def test_every_row_names_its_game_season_week_expert_and_confidence() -> None:
    g = game(24, 20, season=2031, week=7, game_id="2031_07_AAA_BBB")
    row = grade([{"expert": "x9", "category": "margin", "value": 3.0, "confidence": 0.7}], g)[0]
    assert {k: row[k] for k in ("expert", "category", "season", "week", "game_id", "value", "confidence")} == {
        "expert": "x9", "category": "margin", "season": 2031, "week": 7, "game_id": "2031_07_AAA_BBB",
        "value": 3.0, "confidence": 0.7,
    }  # fmt: skip


def test_an_under_pick_is_paid_at_the_under_odds() -> None:
    row = graded("over_under", "under", game(23, 20, over_odds=-120, under_odds=150), line=44.5)
    assert (row["actual"], row["correct"], row["units"]) == ("under", True, pytest.approx(1.5))


def test_a_missing_attempt_count_ranks_below_one_attempt() -> None:
    rows = [
        player("nobody", "AAA", attempts=None, passing_yards=0),
        player("one", "AAA", attempts=1, passing_yards=9),
    ]
    assert box_score_from_stats(BASE, [], rows)["away_qb_passing_yards"] == 9.0
