"""Fitting the confidences: Platt maps per (expert, category) from the training games' outcomes.

Apart from model.py because it is the one part of fitting that reads box scores and player stats
(what happened in each game), not just the scores the ratings walk needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from nfl_predictor.engine import categories as cx
from nfl_predictor.engine.experts import (
    ExpertFit,
    ExpertViews,
    SignalInputs,
    expert_views,
    fit_experts,
    signals,
)
from nfl_predictor.engine.features import franchise
from nfl_predictor.engine.props import (
    DEFAULT_LEADERS,
    PlayerIndex,
    _players,
    index_player_stats,
    recent_rows,
    team_leaders,
)
from nfl_predictor.engine.ratings import giveaways, index_team_stats

if TYPE_CHECKING:
    from nfl_predictor.engine.model import WalkForward

Record = dict[str, Any]

CALIBRATION_SEASONS = 8  # the confidences are calibrated on the most recent seasons of the training rows
OOS_MIN_ROWS = 500  # earlier rows needed to refit the experts for a calibration season
PLAYER_CALIBRATION_SEASONS = 3  # ... and the player-yard categories on the last three with player stats


def player_index(player_stats: list[Record] | PlayerIndex | None) -> PlayerIndex | None:
    """Calibration only reads player rows of games up to the training cut (and rows before each)."""
    if player_stats is None or isinstance(player_stats, PlayerIndex):
        return player_stats
    return index_player_stats(player_stats)


def fit_calibration(
    wf: WalkForward,
    inputs: SignalInputs,
    experts: dict[str, ExpertFit],
    team_stats: list[Record] | None,
    rows: np.ndarray,
    player_stats: PlayerIndex | None = None,
) -> np.ndarray | None:
    """Platt maps per (expert, category) from the training games' outcomes (categories.fit_calibration).

    Each row is what the expert would have said before that game (pre-game features, the stage-two
    margin and total predicted out of sample) against what happened; player categories stay identity."""
    base = rows
    if rows.any():
        rows = rows & (wf.seasons > wf.seasons[rows].max() - CALIBRATION_SEASONS)
    idx = np.flatnonzero(rows)
    if len(idx) < 200:
        return None
    games = [wf.games[i] for i in idx]
    sub = _subset(inputs, idx)
    views = _out_of_sample_views(wf, inputs, experts, base, idx)
    margin, total = wf.margin[idx], wf.pred_total[idx]
    spread_line = np.where(np.isnan(sub.market_spread), np.round(margin * 2) / 2, sub.market_spread)
    total_line = np.where(np.isnan(sub.market_total), np.round(total * 2) / 2, sub.market_total)
    g = len(idx)

    def leaders(key: str, k: int) -> np.ndarray:
        return np.full((g, 2), DEFAULT_LEADERS[key][k])

    def extra(key: str) -> np.ndarray:
        return np.array([e[key] for e in sub.extras], dtype=float)

    ctx = cx.GameContext(
        home=[gm["home_team"] for gm in games], away=[gm["away_team"] for gm in games],
        spread_line=spread_line, total_line=total_line, model_margin=margin, model_total=total,
        wind=extra("wind"), qb_yards=leaders("qb_passing_yards", 0), qb_sd=leaders("qb_passing_yards", 1),
        rush_yards=leaders("rushing_leader_yards", 0), rush_sd=leaders("rushing_leader_yards", 1),
        rec_yards=leaders("receiving_leader_yards", 0), rec_sd=leaders("receiving_leader_yards", 1),
        turnovers=extra("turnovers"), sacks=extra("sacks"), pass_tds=extra("pass_tds"),
        touchdowns=extra("touchdowns"), field_goals=extra("field_goals"),
    )  # fmt: skip
    outcomes = _outcomes(games, team_stats)
    if player_stats is not None and player_stats.rows:
        _player_context(ctx, outcomes, games, player_stats, wf.state.league_points)
    values, raw = cx.raw_arrays(views, ctx)
    outcome = cx.outcome_arrays(values, ctx, outcomes)
    return cx.fit_calibration(raw, outcome)


def _subset(inputs: SignalInputs, idx: np.ndarray) -> SignalInputs:
    return SignalInputs(inputs.x[idx], inputs.z[idx], [inputs.extras[i] for i in idx], inputs.elo_margin[idx],
                        inputs.market_spread[idx], inputs.market_total[idx])  # fmt: skip


def _out_of_sample_views(
    wf: WalkForward, inputs: SignalInputs, experts: dict[str, ExpertFit], base: np.ndarray, idx: np.ndarray
) -> ExpertViews:
    """Each calibration row as the expert would have seen it then: experts fitted on earlier seasons only.

    Calibrating on the experts' in-sample views (fitted on the same rows) maps an optimistic skill
    against the market lines to the confidences: spread, total and team-total picks came out
    over-confident out of sample. The latest season's rows use experts fitted before it the same way;
    a season with too little earlier history falls back to the given fits."""
    sig = signals(inputs)
    seasons = wf.seasons[idx]
    g, e = len(idx), len(experts) + 1
    margin, total, prob = np.empty((g, e)), np.empty((g, e)), np.empty((g, e))
    sds, total_sds = [], []
    for season in np.unique(seasons):
        earlier = base & (wf.seasons < season)
        fits = fit_experts(sig, wf.result, wf.total, earlier) if earlier.sum() >= OOS_MIN_ROWS else experts
        here = seasons == season
        v = expert_views(_subset(inputs, idx[here]), fits, with_notes=False)
        margin[here], total[here], prob[here] = v.margin, v.total, v.prob
        sds.append(v.sd)
        total_sds.append(v.total_sd)
    return ExpertViews(margin, total, prob, np.mean(sds, axis=0), np.mean(total_sds, axis=0), [])


def _player_context(
    ctx: cx.GameContext, outcomes: cx.Outcomes, games: list[Record], index: PlayerIndex, league: float
) -> None:
    """Fill the player-yard projections (as predict_week makes them, with no QB supplied) and actuals for
    the games of the last PLAYER_CALIBRATION_SEASONS seasons with player stats; others keep NaN actuals."""
    from nfl_predictor.engine.grading import box_score_from_stats

    last = max((int(g["season"]) for g in games), default=0)
    with_stats = sorted({k[0] for keys in index.keys.values() for k in keys if k[0] <= last})
    seasons = set(with_stats[-PLAYER_CALIBRATION_SEASONS:])
    g = len(games)
    actual = {cat: np.full(g, np.nan) for cat in cx.PLAYER_CATEGORIES}
    pts = (np.maximum((ctx.model_total + ctx.model_margin) / 2, 1.0),
           np.maximum((ctx.model_total - ctx.model_margin) / 2, 1.0))  # fmt: skip
    for i, game in enumerate(games):
        season, week = int(game["season"]), int(game["week"])
        if season not in seasons:
            continue
        week_rows = index.week_rows(game["home_team"], season, week) + index.week_rows(
            game["away_team"], season, week
        )
        if not week_rows:
            continue
        for k, side in enumerate(("home", "away")):
            team = game[f"{side}_team"]
            memo_key = (franchise(team), season, week)
            if memo_key not in index.memo:
                index.memo[memo_key] = _players(recent_rows(index, team, season, week), None)
            factor = float(np.sqrt(pts[k][i] / max(league, 1.0)))
            qb, rush, rec = team_leaders(index.memo[memo_key], factor)
            ctx.qb_yards[i, k], ctx.qb_sd[i, k] = qb
            ctx.rush_yards[i, k], ctx.rush_sd[i, k] = rush
            ctx.rec_yards[i, k], ctx.rec_sd[i, k] = rec
        box = box_score_from_stats({**game, "home_qb_id": None, "away_qb_id": None}, (), week_rows)
        for cat in cx.PLAYER_CATEGORIES:
            if box.get(cat) is not None:
                actual[cat][i] = float(box[cat])
    outcomes.box.update(actual)


def _passing_tds(row: Record) -> float:
    return float(row.get("passing_tds") or 0.0)


def _sacks(row: Record) -> float:
    return float(row.get("sacks_suffered") or 0.0)


def _field_goals(row: Record) -> float:
    return float(row.get("fg_made") or 0.0)


def _offensive_tds(row: Record) -> float:
    return float(row.get("passing_tds") or 0.0) + float(row.get("rushing_tds") or 0.0)


# Box-score category -> one team's count from its weekly team-stat row (the game's is both teams').
_BOX_TOTALS: dict[str, Any] = {
    "total_turnovers": giveaways,
    "total_passing_tds": _passing_tds,
    "total_sacks": _sacks,
    "total_field_goals": _field_goals,
    "offensive_touchdowns": _offensive_tds,
}


def _outcomes(games: list[Record], team_stats: list[Record] | None) -> cx.Outcomes:
    by_week = index_team_stats(team_stats or [])
    nan = float("nan")
    box: dict[str, list[float]] = {k: [] for k in _BOX_TOTALS}
    for g in games:
        week = by_week.get((int(g["season"]), int(g["week"])), {})
        h, a = week.get(franchise(g["home_team"])), week.get(franchise(g["away_team"]))
        for key, fn in _BOX_TOTALS.items():
            box[key].append(nan if h is None or a is None else float(fn(h) + fn(a)))
    return cx.Outcomes(
        home_score=np.array([float(g["home_score"]) for g in games]),
        away_score=np.array([float(g["away_score"]) for g in games]),
        overtime=np.array([nan if g.get("overtime") is None else float(g["overtime"]) for g in games]),
        box={k: np.array(v) for k, v in box.items()},
    )
