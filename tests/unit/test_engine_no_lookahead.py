"""Honest forecast-time inputs: no feature of a game reads that game or anything after it.

Synthetic data: change everything that is only known once a game is played (its score, its
starting quarterbacks, its observed temperature and wind, its closing line, its box score) and
every later game, and the game's pre-game features must not move. The oracle mode, which reads the
actual starters and observed weather, must move: that shows the check can fail.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from nfl_predictor.engine import fit, predict_game
from nfl_predictor.engine.ratings import RatingState, walk
from nfl_predictor.engine.synthetic import synthetic_league

LEAGUE = synthetic_league(seasons=(2019, 2020, 2021), weeks=10, seed=5)


def _target_index(games: list[dict]) -> int:
    ordered = sorted(games, key=lambda g: (g["gameday"], g["game_id"]))
    return next(i for i, g in enumerate(ordered) if (g["season"], g["week"]) == (2021, 6))


def _rewrite_from(games: list[dict], stats: list[dict], cut_id: str) -> tuple[list[dict], list[dict]]:
    """Every game from ``cut_id`` on gets a different score, starters, weather and line."""
    ordered = sorted(copy.deepcopy(games), key=lambda g: (g["gameday"], g["game_id"]))
    cut = next(i for i, g in enumerate(ordered) if g["game_id"] == cut_id)
    for g in ordered[cut:]:
        g["home_score"], g["away_score"] = 63, 0
        g["result"], g["total"] = 63, 63
        g["home_qb_id"], g["away_qb_id"] = "QB-NEW-HOME", "QB-NEW-AWAY"
        g["temp"], g["wind"] = -10, 40
        g["spread_line"], g["total_line"], g["home_moneyline"] = 30.0, 80.0, -5000
    week = (ordered[cut]["season"], ordered[cut]["week"])
    later = [dict(r, passing_epa=999.0) if (r["season"], r["week"]) >= week else r for r in stats]
    return ordered, later


@pytest.mark.parametrize("oracle", [False, True])
def test_rewriting_a_game_and_its_future_leaves_its_features_alone_unless_oracle(oracle: bool) -> None:
    _, ordered, x, z, extras = walk(LEAGUE.games, LEAGUE.team_stats, oracle=oracle)
    i = _target_index(LEAGUE.games)
    games2, stats2 = _rewrite_from(LEAGUE.games, LEAGUE.team_stats, ordered[i]["game_id"])
    _, ordered2, x2, z2, extras2 = walk(games2, stats2, oracle=oracle)
    assert [g["game_id"] for g in ordered] == [g["game_id"] for g in ordered2]
    assert np.array_equal(x[:i], x2[:i]) and np.array_equal(z[:i], z2[:i])
    same_game = np.array_equal(x[i], x2[i]) and np.array_equal(z[i], z2[i]) and extras[i] == extras2[i]
    # Honest rows never see the game's own starters or weather; oracle rows do (the old look-ahead).
    assert same_game is (not oracle)
    # The walk is live: later games do learn from the rewritten results.
    assert not np.array_equal(x[i + 16 :], x2[i + 16 :])


def test_forecast_qb_is_the_last_known_starter_or_a_supplied_one() -> None:
    state = RatingState.new()
    played = {"season": 2020, "week": 1, "gameday": "2020-09-10", "home_team": "KC", "away_team": "BUF",
              "home_score": 20, "away_score": 17, "home_qb_id": "A", "away_qb_id": "B"}  # fmt: skip
    state.update(played)
    upcoming = {"season": 2020, "week": 2, "home_team": "KC", "away_team": "BUF",
                "home_qb_id": "ACTUAL-STARTER", "temp": -5, "wind": 35}  # fmt: skip
    assert state.forecast_qb(upcoming, "home") == "A"
    assert state.forecast_qb(upcoming, "home", oracle=True) == "ACTUAL-STARTER"
    assert state.forecast_qb({**upcoming, "home_starter_id": "ANNOUNCED"}, "home") == "ANNOUNCED"
    _, _, e = state.features(upcoming)
    assert (e["temp"], e["wind"]) == (70.0, 0.0), "observed weather is not a forecast input"
    _, _, e2 = state.features({**upcoming, "forecast_temp": 20, "forecast_wind": 18})
    assert (e2["temp"], e2["wind"]) == (20.0, 18.0)


def test_served_prediction_ignores_the_games_own_starters_and_observed_weather() -> None:
    params = fit(LEAGUE.games, LEAGUE.team_stats, through=(2021, 5))
    game = next(g for g in LEAGUE.games if (g["season"], g["week"]) == (2021, 6))
    blank = {**game, "home_qb_id": None, "away_qb_id": None, "temp": None, "wind": None,
             "home_score": None, "away_score": None, "result": None, "total": None}  # fmt: skip
    changed = {**game, "home_qb_id": "QB-SOMEONE-ELSE", "temp": -20, "wind": 45}
    a = predict_game(params, blank, player_stats=LEAGUE.player_stats)
    b = predict_game(params, changed, player_stats=LEAGUE.player_stats)
    assert a["ml"] == b["ml"] and a["experts"] == b["experts"] and a["props"] == b["props"]
    # A starter the caller supplies does count.
    c = predict_game(params, {**blank, "home_starter_id": "QB-NEVER-SEEN"}, player_stats=LEAGUE.player_stats)
    assert c["ml"]["core"]["win_probability"] != a["ml"]["core"]["win_probability"]


def test_team_stats_of_relocated_teams_reach_the_franchise() -> None:
    """Schedules say SD / OAK / STL where the stats files say LAC / LV / LA."""
    state = RatingState.new()
    game = {"season": 2016, "week": 1, "gameday": "2016-09-11", "home_team": "SD", "away_team": "OAK",
            "home_score": 20, "away_score": 17}  # fmt: skip
    row = {"attempts": 30.0, "carries": 25.0, "sacks_suffered": 2.0, "passing_epa": 6.0, "rushing_epa": 1.0}
    from nfl_predictor.engine.ratings import index_team_stats

    stats = index_team_stats([{**row, "season": 2016, "week": 1, "team": t} for t in ("LAC", "LV")])
    state.update(game, stats[(2016, 1)])
    assert state.team("SD").epa_games == 1 and state.team("OAK").epa_games == 1


def test_walk_forward_prefix_fit_equals_a_fresh_fit_through_the_previous_week() -> None:
    """The evaluation's shortcut (one walk, cut before each week) is exactly fit(through=previous week)."""
    from nfl_predictor.engine.model import fit_walk, walk_forward

    played = [g for g in LEAGUE.games if g.get("home_score") is not None]
    snapshots: dict = {(2021, 6): None}
    full = walk_forward(played, LEAGUE.team_stats, snapshots=snapshots)
    n = sum(1 for g in full.games if (g["season"], g["week"]) <= (2021, 5))
    quick = fit_walk(
        full.prefix(n, snapshots[(2021, 6)]), LEAGUE.team_stats, LEAGUE.player_stats, through=(2021, 5)
    )
    fresh = fit(played, LEAGUE.team_stats, LEAGUE.player_stats, through=(2021, 5))
    assert quick.to_dict() == fresh.to_dict()


def test_team_leaders_match_team_props() -> None:
    from nfl_predictor.engine.props import _players, index_player_stats, recent_rows, team_leaders, team_props

    index = index_player_stats(LEAGUE.player_stats)
    rows = recent_rows(index, "LAC", 2021, 6)
    tp = team_props(rows, "LAC", None, 1.1)
    assert rows and tp.props
    assert team_leaders(_players(rows, None), 1.1) == (
        tp.qb_passing_yards,
        tp.rushing_leader_yards,
        tp.receiving_leader_yards,
    )
