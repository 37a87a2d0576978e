"""Walk-forward backtest: no look-ahead, same games for every row, classic Elo, and the real figures."""

from __future__ import annotations

import copy
import glob
import json
from pathlib import Path

import numpy as np
import pytest
from nfl_predictor.engine import backtest_json, format_table, run_backtest
from nfl_predictor.engine.backtest import ORACLE_ROWS, ROW_NAMES, backtest_predictions, season_rows
from nfl_predictor.engine.elo import EloState, win_probability
from nfl_predictor.engine.synthetic import synthetic_league

LEAGUE = synthetic_league(seasons=(2017, 2018, 2019, 2020, 2021, 2022), weeks=10, seed=11)


def test_planting_a_future_result_changes_nothing_before_it() -> None:
    base = backtest_predictions(LEAGUE.games, LEAGUE.team_stats, start=2021, end=2022)
    games = copy.deepcopy(LEAGUE.games)
    target = next(g for g in games if g["season"] == 2022 and g["week"] == 6)
    target["home_score"], target["away_score"] = 70, 0
    target["result"], target["total"] = 70, 70
    target["spread_line"], target["home_moneyline"] = 40.0, -100000
    stats = [
        dict(r, passing_epa=500.0) if (r["season"], r["week"]) == (2022, 6) else r for r in LEAGUE.team_stats
    ]
    planted = backtest_predictions(games, stats, start=2021, end=2022)
    ids = [g["game_id"] for g in base.games]
    assert ids == [g["game_id"] for g in planted.games]
    cut = next(i for i, g in enumerate(base.games) if (g["season"], g["week"]) == (2022, 6))
    for name in ROW_NAMES[:3]:
        for a, b in zip(base.predictions[name], planted.predictions[name], strict=True):
            assert np.array_equal(a[:cut], b[:cut], equal_nan=True), name
    # Non-market rows never read this game's own closing line: its own prediction is unchanged too.
    i = ids.index(target["game_id"])
    assert base.predictions[ROW_NAMES[0]][0][i] == planted.predictions[ROW_NAMES[0]][0][i]
    # ...and later games do see the planted result (the walk is live, not frozen).
    assert not np.array_equal(
        base.predictions[ROW_NAMES[0]][1][cut + 8 :], planted.predictions[ROW_NAMES[0]][1][cut + 8 :]
    )


def test_rows_share_games_and_market_row_is_the_line() -> None:
    rows = run_backtest(LEAGUE.games, LEAGUE.team_stats, start=2020, end=2022)
    assert [r["name"] for r in rows] == list(ROW_NAMES)
    assert len({r["games"] for r in rows}) == 1
    bp = backtest_predictions(LEAGUE.games, LEAGUE.team_stats, start=2020, end=2022)
    evaluated = [g for g, keep in zip(bp.games, bp.evaluated, strict=True) if keep]
    assert {g["season"] for g in evaluated} == {2020, 2021, 2022}
    assert rows[0]["games"] == len(evaluated)
    market = rows[-1]
    mae = np.mean([abs(g["result"] - g["spread_line"]) for g in evaluated])
    assert market["spread_mae"] == pytest.approx(mae)
    for r in rows:
        assert 0 <= r["accuracy"] <= 1 and 0 < r["brier"] < 0.5 and r["log_loss"] > 0
    doc = json.loads(backtest_json(rows, start=2020, end=2022))
    assert doc["rows"][0]["name"] == ROW_NAMES[0] and set(doc["rows"][0]) >= {"games", "brier", "spread_mae"}
    assert ROW_NAMES[0] in format_table(rows)


def test_classic_elo_rules() -> None:
    elo = EloState()
    game = {
        "season": 2020,
        "home_team": "KC",
        "away_team": "BUF",
        "home_score": 24,
        "away_score": 17,
        "location": "Home",
    }
    p, margin = elo.predict(game)
    assert p == pytest.approx(win_probability(65.0)) and margin == pytest.approx(65 / 25)
    elo.update(game)
    mult = np.log(8) * 2.2 / (65 * 0.001 + 2.2)
    shift = 20 * mult * (1 - win_probability(65.0))
    assert elo.rating("KC") == pytest.approx(1505 + shift) and elo.rating("BUF") == pytest.approx(
        1505 - shift
    )
    elo.roll_season(2021)
    assert elo.rating("KC") == pytest.approx(1505 + shift * 2 / 3)
    assert elo.predict({**game, "location": "Neutral"})[1] == pytest.approx(
        (elo.rating("KC") - elo.rating("BUF")) / 25
    )


@pytest.mark.slow
def test_real_backtest_2015_2024_meets_targets(nflverse_dir: Path) -> None:
    from nfl_predictor.data.nflverse import read_games, read_team_stats

    games = read_games(nflverse_dir / "games.csv")
    stats = [
        r for f in sorted(glob.glob(str(nflverse_dir / "stats_team_week_*.csv"))) for r in read_team_stats(f)
    ]
    rows = {r["name"]: r for r in run_backtest(games, stats, start=2015, end=2024, oracle=True)}
    main, blend, elo, market = (rows[n] for n in ROW_NAMES)
    oracle_main, oracle_blend = (rows[n] for n in ORACLE_ROWS)
    assert market["games"] == 2743 and {r["games"] for r in rows.values()} == {2743}
    assert market["brier"] == pytest.approx(0.2123, abs=5e-5)
    assert market["spread_mae"] == pytest.approx(9.82, abs=5e-3) and market["total_mae"] == pytest.approx(
        10.44, abs=5e-3
    )
    assert 0.63 < elo["accuracy"] < 0.65 and 0.221 < elo["brier"] < 0.224
    # Honest inputs (last known starter, no observed weather), no input from the game's own line.
    assert main["brier"] <= 0.2175
    assert main["spread_mae"] < elo["spread_mae"]
    assert blend["brier"] <= 0.2120
    # The oracle rows read the game's actual starters and weather: they are better, which is the point.
    assert oracle_main["brier"] < main["brier"]
    assert oracle_blend["brier"] < 0.2125
    # Main model beats classic Elo in every season but at most one.
    bp = backtest_predictions(games, stats, start=2015, end=2024)
    seasons = season_rows(bp)
    assert len(seasons) == 10
    assert sum(r[ROW_NAMES[0]] >= r[ROW_NAMES[2]] for r in seasons) <= 1
    # The market-adjusted spread and total are real blends: always between the model and the market.
    m = bp.evaluated
    for k in (1, 2):
        model, adjusted, mkt = (bp.predictions[n][k][m] for n in (ROW_NAMES[0], ROW_NAMES[1], ROW_NAMES[3]))
        assert np.all(adjusted >= np.minimum(model, mkt) - 1e-9) and np.all(
            adjusted <= np.maximum(model, mkt) + 1e-9
        )
