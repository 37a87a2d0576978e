"""Engine model and payload: determinism, persistence, counts, every category in range."""

from __future__ import annotations

import json

import numpy as np
import pytest
from nfl_predictor.engine import CATEGORY_NAMES, EXPERT_NAMES, ModelParams, fit, predict_game, predict_week
from nfl_predictor.engine.categories import BANDS
from nfl_predictor.engine.synthetic import synthetic_league

LEAGUE = synthetic_league()


@pytest.fixture(scope="module")
def params() -> ModelParams:
    return fit(LEAGUE.games, LEAGUE.team_stats, LEAGUE.player_stats, through=(2022, 10))


def week(season: int, wk: int) -> list[dict]:
    return [g for g in LEAGUE.games if g["season"] == season and g["week"] == wk]


def test_fit_respects_through_and_names_a_version(params: ModelParams) -> None:
    assert params.trained_through == (2022, 10)
    assert params.games_trained == sum(1 for g in LEAGUE.games if (g["season"], g["week"]) <= (2022, 10))
    assert params.model_version.startswith("engine-") and "2022w10" in params.model_version


def test_params_round_trip_through_json_gives_identical_predictions(params: ModelParams) -> None:
    restored = ModelParams.from_dict(json.loads(json.dumps(params.to_dict())))
    games = week(2022, 11)
    assert predict_week(restored, games, player_stats=LEAGUE.player_stats) == predict_week(
        params, games, player_stats=LEAGUE.player_stats
    )


def test_same_inputs_same_outputs(params: ModelParams) -> None:
    game = week(2022, 11)[0]
    first = predict_game(params, game, player_stats=LEAGUE.player_stats)
    second = predict_game(params, game, player_stats=LEAGUE.player_stats)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_week_equals_games_one_by_one(params: ModelParams) -> None:
    games = week(2022, 12)
    together = predict_week(params, games, player_stats=LEAGUE.player_stats)
    alone = [predict_game(params, g, player_stats=LEAGUE.player_stats) for g in games]
    assert together == alone


def test_count_at_least_375_and_every_expert_category_pair_once(params: ModelParams) -> None:
    for payload in predict_week(params, week(2022, 11), player_stats=LEAGUE.player_stats):
        experts = payload["experts"]
        assert len(experts) == 375 == len(EXPERT_NAMES) * len(CATEGORY_NAMES)
        assert {(e["expert"], e["category"]) for e in experts} == {
            (x, c) for x in EXPERT_NAMES for c in CATEGORY_NAMES
        }
        assert payload["prediction_count"] >= 375
        assert payload["prediction_count"] == sum(payload["prediction_breakdown"].values())
        assert payload["props"], "likely QB, RBs and receivers have props"
        assert len(payload["totals"]) == 9


def _check_ranges(payload: dict) -> None:
    home, away = payload["home_team"], payload["away_team"]
    for e in payload["experts"]:
        cat, v = e["category"], e["value"]
        assert 0.0 <= e["confidence"] <= 1.0, e
        assert isinstance(e["reasoning"], str) and e["reasoning"], e
        if cat in ("winner", "spread_pick"):
            assert v in (home, away), e
        elif cat in ("win_probability", "one_score_game", "both_teams_20", "overtime"):
            assert isinstance(v, float) and 0.0 <= v <= 1.0, e
        elif cat == "winning_margin":
            assert v in BANDS, e
        elif cat in ("over_under", "home_team_total", "away_team_total"):
            assert v in ("over", "under") and e["line"] is not None
        elif cat == "margin":
            assert isinstance(v, float) and abs(v) < 60
        else:
            assert isinstance(v, float) and 0.0 <= v < 700, e
    ml = payload["ml"]["core"]
    assert 0.0 < ml["win_probability"] < 1.0
    assert ml["home_score"] >= 0 and ml["away_score"] >= 0
    q = ml["margin_quantiles"]
    assert q["p10"] < q["p25"] < q["p50"] < q["p75"] < q["p90"]
    assert abs(sum(ml["quarters"]["home"]) - ml["home_score"]) < 0.05
    for row in payload["totals"] + payload["props"]:
        assert 0.0 <= row["over_probability"] <= 1.0
        assert abs(row["over_probability"] + row["under_probability"] - 1.0) < 1e-3
    emb = np.array(payload["embedding"])
    assert emb.shape == (32,) and abs(np.linalg.norm(emb) - 1.0) < 1e-5


def test_every_category_in_its_valid_range(params: ModelParams) -> None:
    for payload in predict_week(params, week(2022, 11) + week(2022, 12), player_stats=LEAGUE.player_stats):
        _check_ranges(payload)


def test_degrades_gracefully_without_market_qbs_or_stats() -> None:
    bare = synthetic_league(seasons=(2020, 2021), seed=3, with_market=False)
    for g in bare.games:
        g["home_qb_id"] = g["away_qb_id"] = None
        g["home_rest"] = g["away_rest"] = None
    params = fit(bare.games, None, None)
    assert params.blend is None
    upcoming = dict(bare.games[-1], season=2022, week=1, home_score=None, away_score=None)
    payload = predict_game(params, upcoming)
    _check_ranges(payload)
    assert payload["ml"]["market"] is None
    assert payload["props"] == [] and payload["prediction_count"] >= 375
    assert all(t["line_source"] == "model" for t in payload["totals"])


def test_analogs_move_the_analog_expert_only(params: ModelParams) -> None:
    game = week(2022, 11)[0]
    plain = predict_game(params, game)
    blowouts = [{"similarity": 0.9, "result": 30, "total": 60}] * 10
    with_analogs = predict_game(params, game, analogs=blowouts)

    def margins(p: dict) -> dict:
        return {e["expert"]: e["value"] for e in p["experts"] if e["category"] == "margin"}

    a, b = margins(plain), margins(with_analogs)
    assert b["historical_analogs"] > a["historical_analogs"]
    assert all(a[k] == b[k] for k in a if k not in ("historical_analogs", "consensus"))


def test_works_on_the_demo_league() -> None:
    demo = pytest.importorskip("nfl_predictor.data.demo")
    league = demo.generate_demo_league()
    params = fit(league.games, None, league.player_stats)
    upcoming = [g for g in league.games if g["home_score"] is None][:16]
    assert upcoming
    for payload in predict_week(params, upcoming, player_stats=league.player_stats):
        _check_ranges(payload)
        assert payload["prediction_count"] >= 375
