"""Fifteen experts: distinct methods, each with its own inputs, fitted on earlier games.

An expert is a set of pre-game inputs (its *signals*, all known before kickoff) and three small
models fitted, like stage two, on the walk-forward rows of earlier seasons: a logistic regression
for the home win probability, a ridge regression for the home margin on the same inputs, and a
ridge regression for the game total on its own total inputs. Fitting makes every expert's
probability calibrated on its own terms; the different inputs make the experts disagree for
reasons (the leaderboard compares real alternatives, not one model re-scaled fifteen times).

Signals (home minus away, in points, unless noted):
- ``elo``: classic Elo margin (results only); ``line``: the closing spread when known, else the
  market rating; ``market``: the market rating built from earlier games' lines; ``slow``: that
  rating learned ten times slower (last season's view, regressed); ``contra``: the market rating
  minus half the move from it to the current line (fades the move);
- ``team``: team + QB margin ratings; ``qb``: starting QBs' values; ``offence`` / ``defence``:
  scoring ratings; ``off_epa`` / ``def_epa``: efficiency per play (x 60 plays); ``form``: EWMA of
  the last ~3 capped margins; ``rest`` (days), ``travel`` (1000 km), ``tz`` (hours), ``div``,
  ``hfa`` (home edge, 0 at neutral sites);
- totals: ``points`` (scoring ratings' total), ``market_total`` (the line, else ``points``),
  ``wind``, ``cold`` (degrees below 40F), ``indoors``, ``epa_sum``, ``div``.
The analogs expert reads the results of the most similar past matchups on top of Elo, and the
consensus averages the other fourteen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nfl_predictor.engine import metrics as mx

Record = dict[str, Any]

# name -> (description, win/margin inputs, total inputs)
EXPERT_SPECS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "ratings_purist": ("Classic Elo only (K=20, home field 65): team results, nothing else.",
                       ("elo",), ("points",)),
    "market_aware": ("Follows the closing market: its spread and total (the market rating when no line).",
                     ("line",), ("market_total",)),
    "rest_travel": ("Recent form, defence and offensive efficiency, plus rest days, travel and time zones.",
                    ("form", "defence", "off_epa", "rest", "travel", "tz"), ("points", "rest")),
    "weather_roof": ("Defence and quarterbacks for the winner (they travel in weather); wind, cold, roof for scoring.",
                     ("defence", "qb"), ("points", "wind", "cold", "indoors")),
    "recent_form": ("The last few games' margins against the team's longer reputation.",
                    ("form", "slow"), ("points",)),
    "quarterback_centric": ("The starting quarterbacks' values decide; everything else is home field.",
                            ("qb",), ("points",)),
    "defence_first": ("Defensive scoring ratings and efficiency allowed, on the long-run rating.",
                      ("defence", "def_epa", "slow"), ("points", "epa_sum")),
    "home_field": ("The market rating from earlier lines with its own home-field weight.",
                   ("market", "hfa"), ("market_total",)),
    "historical_analogs": ("Similarity-weighted results of the nearest past matchups, on top of Elo.",
                           ("elo",), ("points",)),
    "regression_to_mean": ("Last season's market view, regressed, moving slowly: ignores streaks.",
                           ("slow",), ("points",)),
    "contrarian": ("Fades line moves: the earlier-lines rating minus half the move to today's line.",
                   ("contra",), ("market_total",)),
    "divisional_rivalry": ("Offence and recent form, with division games treated as closer and lower scoring.",
                           ("offence", "form", "div"), ("points", "div")),
    "totals_pace": ("Offensive scoring ratings and offensive efficiency set the margin and the pace.",
                    ("offence", "off_epa"), ("points", "epa_sum", "indoors")),
    "upset_hunter": ("Efficiency per play against reputation: finds underdogs that play better than rated.",
                     ("off_epa", "def_epa", "slow"), ("points",)),
    "consensus": ("The average view of the other fourteen experts.", (), ()),
}  # fmt: skip
EXPERTS: tuple[tuple[str, str], ...] = tuple((name, spec[0]) for name, spec in EXPERT_SPECS.items())
EXPERT_NAMES = tuple(EXPERT_SPECS)
N_EXPERTS = len(EXPERTS)
ANALOGS_EXPERT = EXPERT_NAMES.index("historical_analogs")
EPA_POINTS = 60.0  # EPA/play difference to points (about 60 offensive plays a game)
CONTRA_FADE = 0.5  # prior: share of the line move the contrarian fades
ANALOG_PRIOR = 5.0  # analogs count n / (n + 5) against Elo
L2 = 1.0
MIN_ROWS = 50


@dataclass
class ExpertFit:
    win: np.ndarray  # [intercept, coefs over inputs]
    margin: np.ndarray
    total: np.ndarray
    margin_sd: float
    total_sd: float

    def to_dict(self) -> dict[str, Any]:
        return {"win": self.win.tolist(), "margin": self.margin.tolist(), "total": self.total.tolist(),
                "margin_sd": self.margin_sd, "total_sd": self.total_sd}  # fmt: skip

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ExpertFit:
        return cls(np.array(d["win"], dtype=float), np.array(d["margin"], dtype=float),
                   np.array(d["total"], dtype=float), float(d["margin_sd"]), float(d["total_sd"]))  # fmt: skip


@dataclass
class SignalInputs:
    """What the signals are computed from: the ratings' feature rows, Elo and the market, per game."""

    x: np.ndarray
    z: np.ndarray
    extras: list[dict[str, float]]
    elo_margin: np.ndarray
    market_spread: np.ndarray
    market_total: np.ndarray


def signals(inp: SignalInputs) -> dict[str, np.ndarray]:
    """Every expert input per game (length G), all known before kickoff."""
    from nfl_predictor.engine.ratings import FEATURE_NAMES

    def col(key: str) -> np.ndarray:
        return np.array([e[key] for e in inp.extras], dtype=float)

    def fx(name: str) -> np.ndarray:
        return inp.x[:, FEATURE_NAMES.index(name)]

    hfa = fx("home_field")
    market = fx("market_rating_diff")
    has_line = ~np.isnan(inp.market_spread)
    line = np.where(has_line, np.nan_to_num(inp.market_spread), market)
    points = inp.z[:, 0]
    return {
        "elo": inp.elo_margin,
        "line": line,
        "market": market,
        "slow": col("slow_market_diff"),
        "contra": market - CONTRA_FADE * (line - market),
        "team": col("home_rating") - col("away_rating") + hfa,
        "qb": col("home_qb_value") - col("away_qb_value") + hfa,
        "offence": col("home_offense") - col("away_offense") + hfa,
        "defence": col("home_defense") - col("away_defense") + hfa,
        "off_epa": (col("home_off_epa") - col("away_off_epa")) * EPA_POINTS,
        "def_epa": (col("away_def_epa") - col("home_def_epa")) * EPA_POINTS,
        "form": col("form_diff") + hfa,
        "rest": fx("rest_diff"),
        "travel": fx("travel_diff"),
        "tz": fx("tz_diff"),
        "div": fx("div_game"),
        "hfa": hfa,
        "points": points,
        "market_total": np.where(np.isnan(inp.market_total), points, np.nan_to_num(inp.market_total)),
        "wind": inp.z[:, 1],
        "cold": inp.z[:, 2],
        "indoors": inp.z[:, 3],
        "epa_sum": inp.z[:, 4] * EPA_POINTS,
    }


def _design(sig: dict[str, np.ndarray], names: tuple[str, ...]) -> np.ndarray:
    return np.column_stack([sig[n] for n in names])


def fit_experts(
    sig: dict[str, np.ndarray], result: np.ndarray, total: np.ndarray, rows: np.ndarray
) -> dict[str, ExpertFit]:
    """Fit every expert (but the consensus) on the given training rows of earlier games."""
    ok = rows & ~np.isnan(result) & ~np.isnan(total)
    decided = ok & (result != 0)
    out = {}
    for name, (_, win_in, tot_in) in EXPERT_SPECS.items():
        if not win_in:
            continue
        xw, xt = _design(sig, win_in), _design(sig, tot_in)
        if decided.sum() < MIN_ROWS:
            out[name] = default_fit(len(win_in), len(tot_in))
            continue
        win = mx.fit_logistic(xw[decided], (result[decided] > 0).astype(float), l2=L2)
        margin = mx.fit_ridge(xw[ok], result[ok], l2=L2)
        tot = mx.fit_ridge(xt[ok], total[ok], l2=L2)
        out[name] = ExpertFit(
            win, margin, tot,
            float(np.std(result[ok] - mx.apply_linear(margin, xw[ok]))),
            float(np.std(total[ok] - mx.apply_linear(tot, xt[ok]))),
        )  # fmt: skip
    return out


def default_fit(n_win: int, n_total: int) -> ExpertFit:
    """Before there is enough history: the first input taken as a margin in points, league scoring."""
    win = np.zeros(n_win + 1)
    win[1] = 1.7 / 13.5  # logistic slope of a normal margin with sd 13.5
    margin = np.zeros(n_win + 1)
    margin[1] = 1.0
    total = np.zeros(n_total + 1)
    total[1] = 1.0
    return ExpertFit(win, margin, total, 13.5, 13.5)


@dataclass
class ExpertViews:
    """(G, E) arrays of each expert's home margin, total and home win probability, plus factor notes."""

    margin: np.ndarray
    total: np.ndarray
    prob: np.ndarray
    sd: np.ndarray  # (E,) each expert's residual margin spread
    total_sd: np.ndarray  # (E,)
    notes: list[list[str]]  # [game][expert] short factor text


def expert_views(
    inp: SignalInputs,
    fits: dict[str, ExpertFit],
    analogs: list[list[Record] | None] | None = None,
    games: list[Record] | None = None,
    *,
    with_notes: bool = True,
) -> ExpertViews:
    g = len(inp.extras)
    sig = signals(inp)
    margins = np.empty((g, N_EXPERTS))
    totals = np.empty((g, N_EXPERTS))
    probs = np.empty((g, N_EXPERTS))
    sds = np.empty(N_EXPERTS)
    tsds = np.empty(N_EXPERTS)
    for j, (name, (_, win_in, tot_in)) in enumerate(EXPERT_SPECS.items()):
        if not win_in:
            continue
        f = fits.get(name) or default_fit(len(win_in), len(tot_in))
        xw, xt = _design(sig, win_in), _design(sig, tot_in)
        margins[:, j] = mx.apply_linear(f.margin, xw)
        totals[:, j] = mx.apply_linear(f.total, xt)
        probs[:, j] = mx.sigmoid(mx.apply_linear(f.win, xw))
        sds[j], tsds[j] = f.margin_sd, f.total_sd
    an_margin, an_total, an_n = _analog_summary(analogs, g)
    if an_n.any():
        # The analogs expert moves its Elo view toward what similar matchups did, by their number.
        j = ANALOGS_EXPERT
        w = an_n / (an_n + ANALOG_PRIOR)
        f = fits.get("historical_analogs") or default_fit(1, 1)
        slope = float(f.win[1] / max(f.margin[1], 1e-6))
        shift = w * (an_margin - margins[:, j])
        probs[:, j] = mx.sigmoid(mx.logit(probs[:, j]) + slope * shift)
        margins[:, j] += shift
        totals[:, j] += w * (an_total - totals[:, j])
    margins[:, -1] = margins[:, :-1].mean(axis=1)
    totals[:, -1] = totals[:, :-1].mean(axis=1)
    probs[:, -1] = probs[:, :-1].mean(axis=1)
    sds[-1], tsds[-1] = sds[:-1].mean(), tsds[:-1].mean()
    np.maximum(totals, 10.0, out=totals)
    np.clip(probs, 0.01, 0.99, out=probs)
    notes = _notes(sig, margins, totals, an_n, games) if with_notes else []
    return ExpertViews(margins, totals, probs, sds, tsds, notes)


def _analog_summary(
    analogs: list[list[Record] | None] | None, g: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    margin, total, n = np.zeros(g), np.full(g, 44.0), np.zeros(g)
    if not analogs:
        return margin, total, n
    for i, rows in enumerate(analogs[:g]):
        if not rows:
            continue
        w = np.array([max(float(r.get("similarity", 0.0)), 0.0) for r in rows]) + 1e-9
        res = np.array([_analog_value(r, "result") for r in rows])
        tot = np.array([_analog_value(r, "total") for r in rows])
        margin[i] = float(w @ res / w.sum())
        total[i] = float(w @ tot / w.sum())
        n[i] = len(rows)
    return margin, total, n


def _analog_value(row: Record, key: str) -> float:
    if row.get(key) is not None:
        return float(row[key])
    h, a = float(row.get("home_score") or 0.0), float(row.get("away_score") or 0.0)
    return h - a if key == "result" else h + a


def _notes(
    sig: dict[str, np.ndarray], margins: np.ndarray, totals: np.ndarray, an_n: np.ndarray,
    games: list[Record] | None,
) -> list[list[str]]:  # fmt: skip
    """Per game and expert: the inputs the expert read, then its margin and total."""
    out = []
    specs = list(EXPERT_SPECS.values())
    for i in range(margins.shape[0]):
        row = []
        for j, (_, win_in, _) in enumerate(specs):
            if not win_in:
                text = "mean of 14 experts"
            else:
                text = ", ".join(f"{n} {sig[n][i]:+.1f}" for n in win_in)
                if j == ANALOGS_EXPERT:
                    text += f"; {int(an_n[i])} similar past matchups" if an_n[i] else "; no analogs supplied"
            row.append(f"{text}: margin {margins[i, j]:+.1f}, total {totals[i, j]:.1f}")
        out.append(row)
    return out
