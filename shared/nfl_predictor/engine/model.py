"""The main model: ModelParams (what is stored) and fit (offline); applying it is core.py.

Two stages. Stage one is the ratings walk (ratings.py), whose hyperparameters were tuned on
1999-2014 only. Stage two maps a game's pre-game features to a win probability (logistic), a
margin and a total (ridge), fitted on earlier seasons only. The main model never reads the predicted
game's own closing line (its market rating comes from earlier games' lines). The market-adjusted
model (``Blend``) then combines it with the closing market, fitted on the model's out-of-sample
predictions of earlier seasons. Inference is a handful of dot products over numpy arrays.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from nfl_predictor.engine import metrics as mx
from nfl_predictor.engine.confidence_fit import fit_calibration, player_index
from nfl_predictor.engine.core import (
    MARKET_SPREAD_SD,
    CoreOutputs,
    _or,
    core_outputs,
    market_arrays,
    market_probability,
)
from nfl_predictor.engine.elo import EloState
from nfl_predictor.engine.experts import ExpertFit, SignalInputs, fit_experts, signals
from nfl_predictor.engine.props import PlayerIndex
from nfl_predictor.engine.ratings import (
    FEATURE_NAMES,
    RatingConfig,
    RatingState,
    game_sort_key,
    walk,
)

Record = dict[str, Any]

ENGINE_VERSION = "3.0"
# Stage-two inputs: rating, home field, rest, team efficiency, playoff (chosen on 1999-2014), and the
# market rating from earlier games' lines (its gains were compared on the 2005-2014 walk-forward).
WIN_FEATURES = ("rating_diff", "home_field", "rest_diff", "epa_diff", "playoff", "market_rating_diff")
WIN_COLS = np.array([FEATURE_NAMES.index(n) for n in WIN_FEATURES])
WARMUP_SEASONS = 3  # rows from the first seasons of a walk carry cold-start ratings; not trained on
L2 = 1.0


@dataclass
class Stage2:
    """Coefficients mapping features to outputs ([intercept, coefs...]) and residual spreads."""

    win: np.ndarray
    margin: np.ndarray
    total: np.ndarray
    margin_sd: float
    total_sd: float

    def predict(self, x: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        xw = x[:, WIN_COLS]
        return (
            mx.sigmoid(mx.apply_linear(self.win, xw)),
            mx.apply_linear(self.margin, xw),
            mx.apply_linear(self.total, z),
        )


@dataclass
class Blend:
    """The market-adjusted model: the main model combined with the closing market, fitted on earlier seasons.

    - win probability: logit p = w0 + w1 logit(model) + w2 logit(moneyline p) + w3 logit(Phi(spread / 13.5)),
      a logistic regression (a recalibrated combination: it can leave [model, market] when both lean
      the same way, e.g. it sharpens a market that is under-confident);
    - spread and total: a real blend, ``w * model + (1 - w) * market`` with w in [0, 1] fitted by least
      squares, so they always lie between the model's and the market's numbers.
    ``margin`` and ``total`` hold [w].
    """

    win: np.ndarray
    margin: np.ndarray
    total: np.ndarray

    def predict(
        self,
        prob: np.ndarray,
        margin: np.ndarray,
        total: np.ndarray,
        m_prob: np.ndarray,
        m_spread: np.ndarray,
        m_total: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Falls back to the model alone wherever the market is missing."""
        has_p, has_s, has_t = ~np.isnan(m_prob), ~np.isnan(m_spread), ~np.isnan(m_total)
        has_p &= has_s
        lp = _blend_inputs(prob, np.where(has_p, m_prob, 0.5), np.nan_to_num(m_spread))
        p = np.where(has_p, mx.sigmoid(mx.apply_linear(self.win, lp)), prob)
        w_m, w_t = float(self.margin[-1]), float(self.total[-1])
        s = np.where(has_s, w_m * margin + (1 - w_m) * np.nan_to_num(m_spread), margin)
        t = np.where(has_t, w_t * total + (1 - w_t) * np.nan_to_num(m_total), total)
        return p, s, t


def _blend_inputs(prob: np.ndarray, m_prob: np.ndarray, m_spread: np.ndarray) -> np.ndarray:
    spread_p = mx.normal_cdf(m_spread / MARKET_SPREAD_SD)
    return np.column_stack([mx.logit(prob), mx.logit(m_prob), mx.logit(spread_p)])


def convex_weight(model: np.ndarray, market: np.ndarray, actual: np.ndarray) -> float:
    """Least-squares w in [0, 1] for w * model + (1 - w) * market."""
    d = model - market
    denom = float(d @ d)
    return 0.0 if denom <= 0 else float(np.clip(d @ (actual - market) / denom, 0.0, 1.0))


def fit_blend(
    prob: np.ndarray, margin: np.ndarray, total: np.ndarray, m_prob: np.ndarray, m_spread: np.ndarray, m_total: np.ndarray,
    result: np.ndarray, actual_total: np.ndarray,
) -> Blend | None:  # fmt: skip
    ok = ~(np.isnan(prob) | np.isnan(m_prob) | np.isnan(m_spread) | np.isnan(m_total) | np.isnan(result))
    decided = ok & (result != 0)
    if decided.sum() < 50:
        return None
    lp = _blend_inputs(prob, m_prob, m_spread)
    win = mx.fit_logistic(lp[decided], (result[decided] > 0).astype(float), l2=L2)
    w_margin = convex_weight(margin[ok], m_spread[ok], result[ok])
    w_total = convex_weight(total[ok], m_total[ok], actual_total[ok])
    return Blend(win, np.array([w_margin]), np.array([w_total]))


def fit_stage2(x: np.ndarray, z: np.ndarray, result: np.ndarray, total: np.ndarray) -> Stage2:
    xw = x[:, WIN_COLS]
    decided = result != 0
    win = mx.fit_logistic(xw[decided], (result[decided] > 0).astype(float), l2=L2)
    margin = mx.fit_ridge(xw, result, l2=L2)
    tot = mx.fit_ridge(z, total, l2=L2)
    margin_sd = float(np.std(result - mx.apply_linear(margin, xw))) if len(result) > 2 else 13.5
    total_sd = float(np.std(total - mx.apply_linear(tot, z))) if len(total) > 2 else 13.5
    return Stage2(win, margin, tot, margin_sd, total_sd)


@dataclass
class WalkForward:
    """Out-of-sample stage-two predictions for every season after the warm-up, one fit per season."""

    games: list[Record]
    seasons: np.ndarray
    x: np.ndarray
    z: np.ndarray
    result: np.ndarray
    total: np.ndarray
    prob: np.ndarray
    margin: np.ndarray
    pred_total: np.ndarray
    state: RatingState
    extras: list[dict[str, float]] = field(default_factory=list)

    def prefix(self, n: int, state: RatingState) -> WalkForward:
        """The first n rows with the state after them: what walk_forward over those games alone gives
        (stage two for a season is fitted on earlier seasons only, so earlier rows do not change)."""
        return WalkForward(
            self.games[:n], self.seasons[:n], self.x[:n], self.z[:n], self.result[:n], self.total[:n],
            self.prob[:n], self.margin[:n], self.pred_total[:n], state, self.extras[:n],
        )  # fmt: skip


def walk_forward(
    games: list[Record],
    team_stats: list[Record] | None,
    config: RatingConfig | None = None,
    *,
    oracle: bool = False,
    snapshots: dict[tuple[int, int], RatingState | None] | None = None,
) -> WalkForward:
    """Ratings walk over every game, then each season predicted by a stage two fitted on earlier ones.

    ``oracle=True`` lets each row read the game's actual starting QBs and observed weather."""
    state, ordered, x, z, extras = walk(games, team_stats, config, oracle=oracle, snapshots=snapshots)
    seasons = np.array([int(g["season"]) for g in ordered])
    result = np.array([_or(g.get("result"), float("nan")) for g in ordered])
    total = np.array([_or(g.get("total"), float("nan")) for g in ordered])
    prob, margin, pred_total = (np.full(len(ordered), np.nan) for _ in range(3))
    first = int(seasons.min()) if len(seasons) else 0
    for season in np.unique(seasons):
        # Skip the cold-start seasons, but always keep at least the previous season for short histories.
        oldest = min(first + WARMUP_SEASONS, int(season) - 1)
        train = (seasons >= oldest) & (seasons < season) & ~np.isnan(result)
        if train.sum() < 50:
            continue
        stage2 = fit_stage2(x[train], z[train], result[train], total[train])
        rows = seasons == season
        prob[rows], margin[rows], pred_total[rows] = stage2.predict(x[rows], z[rows])
    return WalkForward(ordered, seasons, x, z, result, total, prob, margin, pred_total, state, extras)


@dataclass
class ModelParams:
    """Everything inference needs; JSON-serialisable through to_dict/from_dict."""

    model_version: str
    trained_through: tuple[int, int] | None
    state: RatingState
    elo: EloState
    stage2: Stage2
    blend: Blend | None
    games_trained: int
    experts: dict[str, ExpertFit] = field(default_factory=dict)
    calibration: np.ndarray | None = None  # (experts, categories, 2) Platt maps for the confidences

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_version": self.model_version,
            "trained_through": list(self.trained_through) if self.trained_through else None,
            "state": self.state.to_dict(),
            "elo": self.elo.to_dict(),
            "stage2": {
                k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in asdict(self.stage2).items()
            },
            "blend": None if self.blend is None else {k: v.tolist() for k, v in asdict(self.blend).items()},
            "games_trained": self.games_trained,
            "experts": {k: v.to_dict() for k, v in self.experts.items()},
            "calibration": None if self.calibration is None else self.calibration.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelParams:
        s2 = data["stage2"]
        bl = data.get("blend")
        through = data.get("trained_through")
        return cls(
            model_version=str(data["model_version"]),
            trained_through=(int(through[0]), int(through[1])) if through else None,
            state=RatingState.from_dict(data["state"]),
            elo=EloState.from_dict(data["elo"]),
            stage2=Stage2(
                np.array(s2["win"]),
                np.array(s2["margin"]),
                np.array(s2["total"]),
                float(s2["margin_sd"]),
                float(s2["total_sd"]),
            ),
            blend=None
            if bl is None
            else Blend(np.array(bl["win"]), np.array(bl["margin"]), np.array(bl["total"])),
            games_trained=int(data["games_trained"]),
            experts={k: ExpertFit.from_dict(v) for k, v in (data.get("experts") or {}).items()},
            calibration=None
            if data.get("calibration") is None
            else np.array(data["calibration"], dtype=float),
        )


def _through_filter(games: list[Record], through: tuple[int, int] | None) -> list[Record]:
    played = [g for g in games if g.get("home_score") is not None and g.get("away_score") is not None]
    if through is None:
        return played
    return [g for g in played if (int(g["season"]), int(g["week"])) <= tuple(through)]


def fit(
    games: list[Record],
    team_stats: list[Record] | None = None,
    player_stats: list[Record] | PlayerIndex | None = None,
    *,
    through: tuple[int, int] | None = None,
    config: RatingConfig | None = None,
) -> ModelParams:
    """Fit on finished games up to ``through`` (season, week) inclusive, or all finished games.

    ``player_stats`` (optional) calibrates the player-yard categories' confidences on the last
    PLAYER_CALIBRATION_SEASONS seasons that have them; props read recent player stats at prediction
    time, so nothing else from it is stored.
    """
    played = _through_filter(games, through)
    if not played:
        raise ValueError("fit needs at least one finished game")
    return fit_walk(walk_forward(played, team_stats, config), team_stats, player_stats, through=through)


def fit_walk(
    wf: WalkForward,
    team_stats: list[Record] | None = None,
    player_stats: list[Record] | PlayerIndex | None = None,
    *,
    through: tuple[int, int] | None = None,
) -> ModelParams:
    """Everything fit does after the ratings walk (``wf`` holds the finished games up to ``through``)."""
    first = int(wf.seasons.min())
    train = (
        (wf.seasons >= first + WARMUP_SEASONS)
        if len(np.unique(wf.seasons)) > WARMUP_SEASONS
        else np.ones(len(wf.seasons), bool)
    )
    stage2 = fit_stage2(wf.x[train], wf.z[train], wf.result[train], wf.total[train])
    m_prob, m_spread, m_total = market_arrays(wf.games)
    blend = fit_blend(wf.prob, wf.margin, wf.pred_total, m_prob, m_spread, m_total, wf.result, wf.total)
    elo = EloState()
    elo_margin = np.empty(len(wf.games))
    for i, g in enumerate(wf.games):
        elo.roll_season(int(g["season"]))
        elo_margin[i] = elo.predict(g)[1]
        elo.update(g)
    sig = signals(SignalInputs(wf.x, wf.z, wf.extras, elo_margin, m_spread, m_total))
    experts = fit_experts(sig, wf.result, wf.total, train)
    inputs = SignalInputs(wf.x, wf.z, wf.extras, elo_margin, m_spread, m_total)
    calibration = fit_calibration(
        wf, inputs, experts, team_stats, train & ~np.isnan(wf.prob), player_index(player_stats)
    )
    last = wf.games[-1]
    trained_through = through or (int(last["season"]), int(last["week"]))
    return ModelParams(
        model_version=model_version(wf.state.config, trained_through, len(wf.games)),
        trained_through=(int(trained_through[0]), int(trained_through[1])),
        state=wf.state,
        elo=elo,
        stage2=stage2,
        blend=blend,
        games_trained=len(wf.games),
        experts=experts,
        calibration=calibration,
    )


def model_version(config: RatingConfig, through: tuple[int, int], n_games: int) -> str:
    digest = hashlib.sha256(json.dumps(asdict(config), sort_keys=True).encode()).hexdigest()[:8]
    return f"engine-{ENGINE_VERSION}-{digest}-{through[0]}w{through[1]:02d}-n{n_games}"


__all__ = [
    "MARKET_SPREAD_SD",
    "CoreOutputs",
    "ModelParams",
    "RatingConfig",
    "core_outputs",
    "fit",
    "game_sort_key",
    "market_arrays",
    "market_probability",
]
