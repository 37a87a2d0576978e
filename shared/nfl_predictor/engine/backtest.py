"""Walk-forward backtest: the main model, its market-adjusted version, classic Elo and the closing market.

No look-ahead: ratings see only games before the one predicted (they are updated after it); stage
two and the blend for season S are fitted on seasons before S; only the market-adjusted and market
rows read the predicted game's closing line (the main model's market rating reads earlier games'
lines only). Inputs are what a forecast knows before kickoff: the last known starting QB and no
observed weather. ``oracle=True`` adds rows computed the old way, with the game's actual starting
QBs and observed weather, to show what that look-ahead was worth. Every row is scored on the same games: played games in [start, end] that have
a closing spread and total (when the data has no market at all, every played game, and the market
rows are left out). Ties count as half a win nowhere: they are left out of accuracy, Brier and log
loss (both sides of a tie are equally wrong) and kept in the MAEs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from nfl_predictor.engine import metrics as mx
from nfl_predictor.engine.elo import EloState
from nfl_predictor.engine.model import fit_blend, market_arrays, walk_forward
from nfl_predictor.engine.ratings import RatingConfig

Record = dict[str, Any]

ROW_NAMES = ("main model (no market)", "market-adjusted model", "classic Elo", "closing market")
ORACLE_ROWS = ("main model, oracle inputs", "market-adjusted, oracle")
METRICS = ("games", "accuracy", "brier", "log_loss", "spread_mae", "total_mae")


@dataclass
class BacktestPredictions:
    """Per-game walk-forward predictions (game order = date order), for the table and for tests."""

    games: list[Record]
    seasons: np.ndarray
    result: np.ndarray
    total: np.ndarray
    predictions: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # name -> (prob, margin, total)
    evaluated: np.ndarray  # boolean mask of the games every row is scored on


def backtest_predictions(
    games: list[Record],
    team_stats: list[Record] | None,
    *,
    start: int,
    end: int,
    config: RatingConfig | None = None,
    oracle: bool = False,
) -> BacktestPredictions:
    played = [g for g in games if g.get("result") is not None and int(g["season"]) <= end]
    wf = walk_forward(played, team_stats, config, oracle=oracle)
    seasons, result, total = wf.seasons, wf.result, wf.total
    m_prob, m_spread, m_total = market_arrays(wf.games)

    blend_p, blend_m, blend_t = wf.prob.copy(), wf.margin.copy(), wf.pred_total.copy()
    for season in range(start, end + 1):
        earlier = seasons < season
        blend = fit_blend(
            wf.prob[earlier], wf.margin[earlier], wf.pred_total[earlier], m_prob[earlier], m_spread[earlier],
            m_total[earlier], result[earlier], total[earlier],
        )  # fmt: skip
        rows = seasons == season
        if blend is not None:
            blend_p[rows], blend_m[rows], blend_t[rows] = blend.predict(
                wf.prob[rows],
                wf.margin[rows],
                wf.pred_total[rows],
                m_prob[rows],
                m_spread[rows],
                m_total[rows],
            )

    elo = EloState()
    elo_p, elo_m = np.empty(len(wf.games)), np.empty(len(wf.games))
    for i, game in enumerate(wf.games):
        elo.roll_season(int(game["season"]))
        elo_p[i], elo_m[i] = elo.predict(game)
        elo.update(game)
    # Elo predicts no total: it gets the previous season's league-average total, known before kickoff.
    elo_t = np.empty(len(wf.games))
    for season in np.unique(seasons):
        prev = seasons == season - 1
        elo_t[seasons == season] = float(np.mean(total[prev])) if prev.any() else 44.0

    in_range = (seasons >= start) & (seasons <= end) & ~np.isnan(wf.prob)
    has_market = ~(np.isnan(m_prob) | np.isnan(m_spread) | np.isnan(m_total))
    evaluated = in_range & has_market if (in_range & has_market).any() else in_range
    preds = {
        ROW_NAMES[0]: (wf.prob, wf.margin, wf.pred_total),
        ROW_NAMES[1]: (blend_p, blend_m, blend_t),
        ROW_NAMES[2]: (elo_p, elo_m, elo_t),
        ROW_NAMES[3]: (m_prob, m_spread, m_total),
    }
    if not (in_range & has_market).any():
        preds = {k: v for k, v in preds.items() if k in (ROW_NAMES[0], ROW_NAMES[2])}
    return BacktestPredictions(wf.games, seasons, result, total, preds, evaluated)


def run_backtest(
    games: list[Record],
    team_stats: list[Record] | None = None,
    *,
    start: int,
    end: int,
    config: RatingConfig | None = None,
    oracle: bool = False,
) -> list[dict[str, Any]]:
    """One row per model: {name, games, accuracy, brier, log_loss, spread_mae, total_mae}, same games.

    ``oracle=True`` adds the main and market-adjusted rows recomputed with oracle inputs (the game's
    actual starting QBs and observed weather) right after their honest rows."""
    bp = backtest_predictions(games, team_stats, start=start, end=end, config=config)
    rows = summary_rows(bp)
    if oracle:
        bo = backtest_predictions(games, team_stats, start=start, end=end, config=config, oracle=True)
        renamed = {new: bo.predictions[old] for old, new in zip(ROW_NAMES[:2], ORACLE_ROWS, strict=True)
                   if old in bo.predictions}  # fmt: skip
        extra = summary_rows(
            BacktestPredictions(bo.games, bo.seasons, bo.result, bo.total, renamed, bp.evaluated)
        )
        rows[len(extra) : len(extra)] = extra
    return rows


def summary_rows(bp: BacktestPredictions, mask: np.ndarray | None = None) -> list[dict[str, Any]]:
    m = bp.evaluated if mask is None else bp.evaluated & mask
    rows = []
    for name, (prob, margin, total) in bp.predictions.items():
        row: dict[str, Any] = {"name": name}
        row.update(mx.summarise(prob[m], margin[m], total[m], bp.result[m], bp.total[m]))
        rows.append(row)
    return rows


def season_rows(bp: BacktestPredictions) -> list[dict[str, Any]]:
    """Per season: games and the Brier of every row (main model vs classic Elo at a glance)."""
    out = []
    for season in np.unique(bp.seasons[bp.evaluated]):
        rows = summary_rows(bp, bp.seasons == season)
        out.append(
            {"season": int(season), "games": rows[0]["games"], **{r["name"]: r["brier"] for r in rows}}
        )
    return out


def format_seasons(seasons: list[dict[str, Any]]) -> str:
    """Brier per season; 'beats Elo' marks seasons where the main model's Brier is below classic Elo's."""
    names = [k for k in seasons[0] if k not in ("season", "games")] if seasons else []
    header = (
        f"{'season':<8}{'games':>6}" + "".join(f"{n[:22]:>24}" for n in names) + f"{'main beats Elo':>16}"
    )
    lines = [header, "-" * len(header)]
    for r in seasons:
        beats = r.get(ROW_NAMES[0], 1.0) < r.get(ROW_NAMES[2], 0.0)
        lines.append(f"{r['season']:<8}{r['games']:>6}" + "".join(f"{r[n]:>24.4f}" for n in names)
                     + f"{'yes' if beats else 'NO':>16}")  # fmt: skip
    return "\n".join(lines)


def format_table(rows: list[dict[str, Any]]) -> str:
    header = f"{'model':<28}{'games':>7}{'accuracy':>10}{'brier':>9}{'log_loss':>10}{'spread_mae':>12}{'total_mae':>11}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['name']:<28}{r['games']:>7}{100 * r['accuracy']:>9.2f}%{r['brier']:>9.4f}{r['log_loss']:>10.4f}"
            f"{r['spread_mae']:>12.2f}{r['total_mae']:>11.2f}"
        )
    return "\n".join(lines)


def to_json(
    rows: list[dict[str, Any]], *, start: int, end: int, seasons: list[dict[str, Any]] | None = None
) -> str:
    """The same figures as one JSON document: {from, to, rows: [{name, games, accuracy, ...}], seasons?}."""
    doc: dict[str, Any] = {"from": start, "to": end, "rows": rows}
    if seasons is not None:
        doc["seasons"] = seasons
    return json.dumps(doc, sort_keys=False)
