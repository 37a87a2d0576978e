"""Applying a fitted model: the closing market per game and the vectorised core outputs.

Apart from model.py (fitting) because inference needs only this, a handful of array operations
over the stored parameters, and never the fitting code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from nfl_predictor.engine import metrics as mx
from nfl_predictor.engine.experts import SignalInputs
from nfl_predictor.engine.ratings import FEATURE_NAMES

if TYPE_CHECKING:
    from nfl_predictor.engine.model import ModelParams

Record = dict[str, Any]

MARKET_SPREAD_SD = 13.5  # spread -> probability when a game has a line but no moneylines


def market_probability(game: Record) -> float | None:
    """De-vigged moneyline probability of a home win; the spread through a normal when only it exists."""
    p = mx.devig(game.get("home_moneyline"), game.get("away_moneyline"))
    if p is not None:
        return p
    spread = game.get("spread_line")
    return None if spread is None else float(mx.normal_cdf(float(spread) / MARKET_SPREAD_SD))


def market_arrays(games: list[Record]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(home win prob, spread, total) of the closing market per game, NaN where absent."""
    nan = float("nan")
    prob = np.array([_or(market_probability(g), nan) for g in games])
    spread = np.array([_or(g.get("spread_line"), nan) for g in games], dtype=float)
    total = np.array([_or(g.get("total_line"), nan) for g in games], dtype=float)
    return prob, spread, total


def _or(value: Any, default: float) -> float:
    return default if value is None else float(value)


@dataclass
class CoreOutputs:
    """Per-game arrays (length G) from the model, the blend, classic Elo and the market."""

    games: list[Record]
    x: np.ndarray
    z: np.ndarray
    extras: list[dict[str, float]]
    prob: np.ndarray
    margin: np.ndarray
    total: np.ndarray
    blend_prob: np.ndarray
    blend_margin: np.ndarray
    blend_total: np.ndarray
    elo_prob: np.ndarray
    elo_margin: np.ndarray
    market_prob: np.ndarray
    market_spread: np.ndarray
    market_total: np.ndarray
    margin_sd: float
    total_sd: float
    margin_coef: np.ndarray  # stage-two margin coefficients over WIN_FEATURES

    def signal_inputs(self) -> SignalInputs:
        return SignalInputs(
            self.x, self.z, self.extras, self.elo_margin, self.market_spread, self.market_total
        )


def core_outputs(params: ModelParams, games: list[Record]) -> CoreOutputs:
    """The vectorised heart of inference: features per game, then array arithmetic for all games."""
    rows = [params.state.features(g) for g in games]
    x = np.array([r[0] for r in rows]).reshape(len(games), len(FEATURE_NAMES))
    z = np.array([r[1] for r in rows]).reshape(len(games), -1)
    extras = [r[2] for r in rows]
    prob, margin, total = params.stage2.predict(x, z)
    m_prob, m_spread, m_total = market_arrays(games)
    if params.blend is not None:
        b_prob, b_margin, b_total = params.blend.predict(prob, margin, total, m_prob, m_spread, m_total)
    else:
        b_prob, b_margin, b_total = prob, margin, total
    elo = [params.elo.predict(g) for g in games]
    return CoreOutputs(
        games=games, x=x, z=z, extras=extras, prob=prob, margin=margin, total=total,
        blend_prob=b_prob, blend_margin=b_margin, blend_total=b_total,
        elo_prob=np.array([e[0] for e in elo]), elo_margin=np.array([e[1] for e in elo]),
        market_prob=m_prob, market_spread=m_spread, market_total=m_total,
        margin_sd=params.stage2.margin_sd, total_sd=params.stage2.total_sd, margin_coef=params.stage2.margin,
    )  # fmt: skip


__all__ = ["MARKET_SPREAD_SD", "CoreOutputs", "core_outputs", "market_arrays", "market_probability"]
