"""Inference: stored ModelParams + game records (+ recent player stats) -> JSON-able payloads.

``predict_week`` does the work for many games at once (features per game, then array arithmetic
over all games for the model, the 15 experts and the 25 categories); ``predict_game`` is a week of
one. Pure computation: no I/O, deterministic for the same inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nfl_predictor.engine.categories import GameContext, expert_predictions
from nfl_predictor.engine.core import CoreOutputs, core_outputs
from nfl_predictor.engine.embedding import embed_rows
from nfl_predictor.engine.experts import expert_views
from nfl_predictor.engine.model import ModelParams
from nfl_predictor.engine.props import PlayerIndex, index_player_stats, recent_rows, team_props
from nfl_predictor.engine.totals import HALF_SHARES, QUARTER_SHARES, totals_table

Record = dict[str, Any]
QUANTILES = {"p10": -1.2816, "p25": -0.6745, "p50": 0.0, "p75": 0.6745, "p90": 1.2816}
AnalogInput = Mapping[str, Sequence[Record]] | Sequence[Sequence[Record] | None] | None


def predict_game(
    params: ModelParams,
    game: Record,
    *,
    player_stats: list[Record] | PlayerIndex | None = None,
    analogs: Sequence[Record] | None = None,
    prop_lines: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """All predictions for one game. ``analogs``: past games {similarity, result|scores, total, ...}."""
    return predict_week(params, [game], player_stats=player_stats, analogs=[analogs], prop_lines=prop_lines)[
        0
    ]


def predict_week(
    params: ModelParams,
    games: list[Record],
    *,
    player_stats: list[Record] | PlayerIndex | None = None,
    analogs: AnalogInput = None,
    prop_lines: Mapping[str, float] | None = None,
) -> list[dict[str, Any]]:
    """Predictions for many games in one vectorised pass. ``analogs`` is aligned with ``games`` or keyed by game_id.

    ``prop_lines`` optionally maps "player_id:stat" to a book's line; otherwise each player's own average.
    """
    if not games:
        return []
    core = core_outputs(params, games)
    index = player_stats if isinstance(player_stats, PlayerIndex) else index_player_stats(player_stats)
    analog_rows = _align_analogs(analogs, games)
    views = expert_views(core.signal_inputs(), params.experts, analog_rows, games)
    league = max(params.state.league_points, 1.0)
    home_pts = np.maximum((core.total + core.margin) / 2, 1.0)
    away_pts = np.maximum((core.total - core.margin) / 2, 1.0)
    side_props = []
    for i, g in enumerate(games):
        season, week = int(g["season"]), int(g["week"])
        sides = []
        for side, pts in (("home", home_pts[i]), ("away", away_pts[i])):
            rows = recent_rows(index, g[f"{side}_team"], season, week)
            factor = float(np.sqrt(pts / league))
            sides.append(
                team_props(
                    rows, g[f"{side}_team"], params.state.forecast_qb(g, side), factor, dict(prop_lines or {})
                )
            )
        side_props.append(sides)
    ctx, lines = _context(core, side_props)
    experts = expert_predictions(views, ctx, lines, params.calibration)
    totals = totals_table(core.total, core.margin, core.total_sd, core.market_total, core.market_spread)
    embeddings = embed_rows(core.x, core.z, core.extras)
    out = []
    for i, g in enumerate(games):
        ml = _ml_section(core, i)
        props = side_props[i][0].props + side_props[i][1].props
        n_ml = _count_scalars(ml["core"])
        out.append({
            "game_id": g.get("game_id"), "season": int(g["season"]), "week": int(g["week"]),
            "home_team": g["home_team"], "away_team": g["away_team"], "model_version": params.model_version,
            "ml": ml, "experts": experts[i], "props": props, "totals": totals[i],
            "embedding": embeddings[i].tolist(),
            "prediction_count": len(experts[i]) + len(props) + len(totals[i]) + n_ml,
            "prediction_breakdown": {"experts": len(experts[i]), "ml": n_ml, "props": len(props), "totals": len(totals[i])},
        })  # fmt: skip
    return out


def matchup_embeddings(params: ModelParams, games: list[Record]) -> np.ndarray:
    """(N, 32) unit vectors for ``games``, as predict_week embeds them: the query for analog search,
    which has to run before the analogs expert can see its neighbours."""
    if not games:
        return np.zeros((0, 32), dtype=np.float32)
    core = core_outputs(params, games)
    return embed_rows(core.x, core.z, core.extras)


def _align_analogs(analogs: AnalogInput, games: list[Record]) -> list[list[Record] | None]:
    if analogs is None:
        return [None] * len(games)
    if isinstance(analogs, Mapping):
        return [list(analogs.get(str(g.get("game_id")), []) or []) for g in games]
    rows = list(analogs)
    return [list(r) if r else None for r in rows] + [None] * (len(games) - len(rows))


def _context(core: CoreOutputs, side_props: list[list[Any]]) -> tuple[GameContext, list[tuple[float, float]]]:
    spread_line = np.where(np.isnan(core.market_spread), np.round(core.margin * 2) / 2, core.market_spread)
    total_line = np.where(np.isnan(core.market_total), np.round(core.total * 2) / 2, core.market_total)

    def pair(attr: str, k: int) -> np.ndarray:
        return np.array([[getattr(sp[0], attr)[k], getattr(sp[1], attr)[k]] for sp in side_props])

    ex = core.extras
    ctx = GameContext(
        home=[g["home_team"] for g in core.games], away=[g["away_team"] for g in core.games],
        spread_line=spread_line, total_line=total_line, model_margin=core.margin, model_total=core.total,
        wind=np.array([e["wind"] for e in ex]),
        qb_yards=pair("qb_passing_yards", 0), qb_sd=pair("qb_passing_yards", 1),
        rush_yards=pair("rushing_leader_yards", 0), rush_sd=pair("rushing_leader_yards", 1),
        rec_yards=pair("receiving_leader_yards", 0), rec_sd=pair("receiving_leader_yards", 1),
        turnovers=np.array([e["turnovers"] for e in ex]), sacks=np.array([e["sacks"] for e in ex]),
        pass_tds=np.array([e["pass_tds"] for e in ex]), touchdowns=np.array([e["touchdowns"] for e in ex]),
        field_goals=np.array([e["field_goals"] for e in ex]),
    )  # fmt: skip
    return ctx, [(float(s), float(t)) for s, t in zip(spread_line, total_line, strict=True)]


def _ml_section(core: CoreOutputs, i: int) -> dict[str, Any]:
    margin, total = float(core.margin[i]), float(core.total[i])
    home, away = max((total + margin) / 2, 0.0), max((total - margin) / 2, 0.0)
    r = lambda v: round(float(v), 2)  # noqa: E731 - tiny local formatter
    has_market = not np.isnan(core.market_spread[i])
    return {
        "core": {
            "win_probability": round(float(core.prob[i]), 4), "spread": r(margin), "total": r(total),
            "home_score": r(home), "away_score": r(away),
            "halves": {"home": [r(home * s) for s in HALF_SHARES], "away": [r(away * s) for s in HALF_SHARES]},
            "quarters": {"home": [r(home * s) for s in QUARTER_SHARES], "away": [r(away * s) for s in QUARTER_SHARES]},
            "margin_quantiles": {k: r(margin + z * core.margin_sd) for k, z in QUANTILES.items()},
        },
        "spread_convention": "home margin; positive = home favoured (nflverse spread_line)",
        "market_aware": {
            "win_probability": round(float(core.blend_prob[i]), 4), "spread": r(core.blend_margin[i]),
            "total": r(core.blend_total[i]),
        },
        "classic_elo": {"win_probability": round(float(core.elo_prob[i]), 4), "spread": r(core.elo_margin[i])},
        "market": {
            "win_probability": round(float(core.market_prob[i]), 4), "spread": float(core.market_spread[i]),
            "total": None if np.isnan(core.market_total[i]) else float(core.market_total[i]),
        } if has_market else None,
        "factors": {k: r(v) for k, v in core.extras[i].items()},
    }  # fmt: skip


def _count_scalars(section: Mapping[str, Any]) -> int:
    n = 0
    for value in section.values():
        if isinstance(value, Mapping):
            n += _count_scalars(value)
        elif isinstance(value, list):
            n += len(value)
        else:
            n += 1
    return n
