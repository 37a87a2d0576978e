"""The confidence maps' fit (categories.fit_calibration) on synthetic raw probabilities and outcomes."""

from __future__ import annotations

import numpy as np
from nfl_predictor.engine import categories as cx
from nfl_predictor.engine import metrics as mx
from nfl_predictor.engine.experts import N_EXPERTS


def _data(g: int = 2000, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    raw = rng.uniform(0.3, 0.7, size=(g, N_EXPERTS, cx.N_CATEGORIES))
    outcome = (rng.uniform(size=raw.shape) < raw).astype(float)
    return raw, outcome


def _mapped(cal: np.ndarray, cat: str, p: float) -> float:
    a, b = cal[0, cx.CAT[cat]]
    return float(mx.sigmoid(a + b * mx.logit(p)))


def test_a_past_edge_against_the_market_line_is_believed_halfway() -> None:
    raw, outcome = _data()
    hits = (np.random.default_rng(5).uniform(size=raw.shape[:2]) < 0.62).astype(float)
    for cat in ("spread_pick", "winner"):
        outcome[:, :, cx.CAT[cat]] = hits  # the event happened 62% of the time, whatever raw said
    rate = float(hits[:, 0].mean())
    cal = cx.fit_calibration(raw, outcome)
    assert abs(_mapped(cal, "winner", 0.5) - rate) < 0.02  # no prior: the map learns the rate
    assert abs(_mapped(cal, "spread_pick", 0.5) - (rate + 0.5) / 2) < 0.02  # a market line: halfway


def test_leader_yards_pool_home_and_away_but_quarterbacks_do_not() -> None:
    raw, outcome = _data()
    for side, rate in (("home", 0.2), ("away", 0.4)):
        for stem in ("receiving_leader_yards", "qb_passing_yards"):
            k = cx.CAT[f"{side}_{stem}"]
            outcome[:, :, k] = np.random.default_rng(len(side) + len(stem)).uniform(size=raw.shape[:2]) < rate
    cal = cx.fit_calibration(raw, outcome)
    home, away = (
        _mapped(cal, "home_receiving_leader_yards", 0.5),
        _mapped(cal, "away_receiving_leader_yards", 0.5),
    )
    assert home == away and abs(home - 0.3) < 0.03
    assert abs(_mapped(cal, "home_qb_passing_yards", 0.5) - 0.2) < 0.03
    assert abs(_mapped(cal, "away_qb_passing_yards", 0.5) - 0.4) < 0.03


def test_calibration_rows_are_seen_by_experts_fitted_before_their_season(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A season's calibration rows do not depend on that season's outcomes (nor later ones)."""
    from nfl_predictor.engine import confidence_fit as cf
    from nfl_predictor.engine.experts import SignalInputs, fit_experts, signals
    from nfl_predictor.engine.model import market_arrays, walk_forward
    from nfl_predictor.engine.synthetic import synthetic_league

    monkeypatch.setattr(cf, "OOS_MIN_ROWS", 50)
    league = synthetic_league(seasons=(2019, 2020, 2021, 2022), seed=11)
    wf = walk_forward(league.games, league.team_stats)
    _, m_spread, m_total = market_arrays(wf.games)
    inputs = SignalInputs(wf.x, wf.z, wf.extras, np.zeros(len(wf.games)), m_spread, m_total)
    base = ~np.isnan(wf.result)
    idx = np.flatnonzero(wf.seasons >= 2021)
    experts = fit_experts(signals(inputs), wf.result, wf.total, base)
    before = cf._out_of_sample_views(wf, inputs, experts, base, idx)
    last = wf.seasons == 2022
    wf.result[last] = -wf.result[last]  # the last season's outcomes reversed
    wf.total[last] = wf.total[last] + 20.0
    after = cf._out_of_sample_views(
        wf, inputs, fit_experts(signals(inputs), wf.result, wf.total, base), base, idx
    )
    rows = wf.seasons[idx] == 2022
    assert np.array_equal(before.prob[rows], after.prob[rows])
    assert np.array_equal(before.total[rows], after.total[rows])
    assert not np.array_equal(before.prob, experts_views_in_sample(inputs, experts, idx))


def experts_views_in_sample(inputs, experts, idx):  # type: ignore[no-untyped-def]
    from nfl_predictor.engine import confidence_fit as cf
    from nfl_predictor.engine.experts import expert_views

    return expert_views(cf._subset(inputs, idx), experts, with_notes=False).prob
