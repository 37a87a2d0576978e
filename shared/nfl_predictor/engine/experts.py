"""Fifteen experts: distinct, documented strategies over the same real pre-game features.

Each expert turns the game context into its own view of three numbers per game: the home margin,
the game total and the home win probability (arrays over games, vectorised). The 25 categories
(categories.py) are then derived from each expert's view, so every prediction is a model output.

Constants marked "prior" are published rules of thumb, not fitted; everything else comes from the
fitted parameters (ratings, stage-two coefficients, classic Elo, the market blend).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nfl_predictor.engine import metrics as mx
from nfl_predictor.engine.model import WIN_FEATURES, CoreOutputs

Record = dict[str, Any]

EXPERTS: tuple[tuple[str, str], ...] = (
    ("ratings_purist", "Classic Elo only (K=20, home field 65): team results, nothing else."),
    ("market_aware", "The main model blended with the closing spread, total and moneyline."),
    ("rest_travel", "Main ratings plus explicit rest-day, travel-distance and time-zone adjustments."),
    ("weather_roof", "Main model with wind, cold and roof effects on scoring and margins."),
    ("recent_form", "Recent efficiency (EPA per play EWMA) and scoring form over season-long ratings."),
    ("quarterback_centric", "Quarterback values weigh double; starter changes move the line."),
    ("defence_first", "Defensive scoring ratings decide the margin and pull the total down."),
    ("home_field", "Trusts the historical home edge (2.6 points) rather than today's lower estimate."),
    ("historical_analogs", "Similarity-weighted outcomes of the nearest past matchups (pgvector)."),
    ("regression_to_mean", "Shrinks every rating a third toward average and the total toward the league."),
    ("contrarian", "Fades the market: doubles down where the model disagrees with the line."),
    ("divisional_rivalry", "Division familiarity compresses margins and totals."),
    ("totals_pace", "Offence/defence scoring ratings and efficiency set the pace and the total."),
    ("upset_hunter", "Leans to underdogs: favourites' edges are systematically shrunk."),
    ("consensus", "The average view of the other fourteen experts."),
)
EXPERT_NAMES = tuple(name for name, _ in EXPERTS)
N_EXPERTS = len(EXPERTS)

LEAGUE_TOTAL = 44.0  # prior: modern NFL average points per game
HISTORICAL_HFA = 2.6  # prior: pre-2010 home edge in points
REST_POINTS_PER_DAY = 0.3  # prior: rest advantage, points per day (capped at 7 days)
TRAVEL_POINTS_PER_1000KM = 0.4  # prior
TZ_POINTS_PER_HOUR = 0.5  # prior: body-clock cost per time zone crossed
EPA_POINTS = 60.0  # EPA/play difference to points (about 60 offensive plays a game)


@dataclass
class ExpertViews:
    """(G, E) arrays of each expert's home margin, total and home win probability, plus factor notes."""

    margin: np.ndarray
    total: np.ndarray
    prob: np.ndarray
    notes: list[list[str]]  # [game][expert] short factor text


def _col(core: CoreOutputs, key: str) -> np.ndarray:
    return np.array([e[key] for e in core.extras], dtype=float)


def expert_views(core: CoreOutputs, analogs: list[list[Record] | None] | None = None) -> ExpertViews:
    g = len(core.games)
    sd = max(core.margin_sd, 1.0)
    x = core.x
    m_model, t_model = core.margin, core.total
    has_market = ~np.isnan(core.market_spread)
    mkt_spread = np.where(has_market, np.nan_to_num(core.market_spread), m_model)
    mkt_total = np.where(np.isnan(core.market_total), t_model, np.nan_to_num(core.market_total))
    hfa = x[:, 1]
    b_hfa = core_margin_coef(core, "home_field")
    rest = x[:, 4]
    travel, tz = _col(core, "travel_diff"), _col(core, "tz_diff")
    wind, temp, indoors = _col(core, "wind"), _col(core, "temp"), _col(core, "indoors")
    has_epa = _col(core, "has_epa") > 0
    epa_diff = x[:, 7]
    h_pts, a_pts = _col(core, "home_points"), _col(core, "away_points")
    h_def, a_def = _col(core, "home_defense"), _col(core, "away_defense")
    h_qb, a_qb = _col(core, "home_qb_value"), _col(core, "away_qb_value")
    h_adj, a_adj = _col(core, "home_qb_adj"), _col(core, "away_qb_adj")
    div = x[:, 9]
    epa_sum = core.z[:, 4]

    margins = np.empty((g, N_EXPERTS))
    totals = np.empty((g, N_EXPERTS))
    probs = np.full((g, N_EXPERTS), np.nan)

    weather_total = -0.3 * np.maximum(0.0, wind - 10.0) - 0.1 * np.maximum(0.0, 40.0 - temp) + 1.0 * indoors
    form = np.where(has_epa, epa_diff * EPA_POINTS, (h_pts - a_pts) - (hfa))
    an_margin, an_total, an_prob, an_n = _analog_summary(analogs, g)
    an_w = an_n / (an_n + 5.0)  # shrink the analogs toward the model when there are few

    views = [
        (core.elo_margin, core.z[:, 0], core.elo_prob),
        (core.blend_margin, core.blend_total, core.blend_prob),
        (
            m_model
            + REST_POINTS_PER_DAY * rest
            + TRAVEL_POINTS_PER_1000KM * travel
            + TZ_POINTS_PER_HOUR * tz,
            t_model,
            None,
        ),
        (m_model * (1.0 - 0.01 * np.maximum(0.0, wind - 10.0)), t_model + weather_total, None),
        (0.5 * m_model + 0.5 * (form + b_hfa * hfa), t_model + 0.5 * (epa_sum * EPA_POINTS), None),
        (m_model + (h_qb - a_qb) * 0.5 + (h_adj - a_adj), t_model + 0.5 * (h_qb + a_qb), None),
        (0.5 * m_model + (h_def - a_def) + 0.5 * b_hfa * hfa, t_model - 0.5 * (h_def + a_def), None),
        (m_model + np.where(hfa > 0, HISTORICAL_HFA - b_hfa * hfa, 0.0), t_model, None),
        (an_w * an_margin + (1 - an_w) * m_model, an_w * an_total + (1 - an_w) * t_model, None),
        (m_model - (m_model - b_hfa * hfa) / 3.0, t_model + (LEAGUE_TOTAL - t_model) / 3.0, None),
        (
            mkt_spread + 1.5 * (m_model - mkt_spread) - np.where(has_market, 0.0, 0.3 * m_model),
            mkt_total + 1.5 * (t_model - mkt_total),
            None,
        ),
        (np.where(div > 0, 0.75 * m_model, m_model), np.where(div > 0, t_model - 1.5, t_model), None),
        (
            (h_pts - a_pts),
            core.z[:, 0] + weather_total + np.where(has_epa, epa_sum * EPA_POINTS * 0.5, 0.0),
            None,
        ),
        (0.7 * m_model, t_model, 0.5 + 0.7 * (core.prob - 0.5)),
    ]
    for j, (m, t, p) in enumerate(views):
        margins[:, j] = m
        totals[:, j] = t
        probs[:, j] = mx.normal_cdf(m / sd) if p is None else p
    # Analogs give their own win share where they exist.
    probs[:, 8] = np.where(an_n > 0, an_w * an_prob + (1 - an_w) * core.prob, core.prob)
    # Experts built on the main margin keep the main model's calibration: shift its logit by the margin change.
    for j in (2, 3, 4, 5, 6, 7, 9, 10, 11):
        probs[:, j] = mx.sigmoid(mx.logit(core.prob) + (margins[:, j] - m_model) * (1.7 / sd))
    margins[:, -1] = margins[:, :-1].mean(axis=1)
    totals[:, -1] = totals[:, :-1].mean(axis=1)
    probs[:, -1] = probs[:, :-1].mean(axis=1)
    np.maximum(totals, 10.0, out=totals)
    np.clip(probs, 0.01, 0.99, out=probs)
    notes = _notes(core, margins, totals, an_n, has_market, mkt_spread, mkt_total, weather_total, form)
    return ExpertViews(margins, totals, probs, notes)


def core_margin_coef(core: CoreOutputs, name: str) -> float:
    """The fitted stage-two margin coefficient of one feature (the experts re-weight components)."""
    return float(core.margin_coef[1 + WIN_FEATURES.index(name)])


def _analog_summary(
    analogs: list[list[Record] | None] | None, g: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    margin, total, prob, n = np.zeros(g), np.full(g, LEAGUE_TOTAL), np.full(g, 0.5), np.zeros(g)
    if not analogs:
        return margin, total, prob, n
    for i, rows in enumerate(analogs[:g]):
        if not rows:
            continue
        w = np.array([max(float(r.get("similarity", 0.0)), 0.0) for r in rows]) + 1e-9
        res = np.array([_analog_value(r, "result") for r in rows])
        tot = np.array([_analog_value(r, "total") for r in rows])
        margin[i] = float(w @ res / w.sum())
        total[i] = float(w @ tot / w.sum())
        prob[i] = float(w @ np.where(res > 0, 1.0, np.where(res < 0, 0.0, 0.5)) / w.sum())
        n[i] = len(rows)
    return margin, total, prob, n


def _analog_value(row: Record, key: str) -> float:
    if row.get(key) is not None:
        return float(row[key])
    h, a = float(row.get("home_score") or 0.0), float(row.get("away_score") or 0.0)
    return h - a if key == "result" else h + a


def _notes(
    core: CoreOutputs, margins: np.ndarray, totals: np.ndarray, an_n: np.ndarray, has_market: np.ndarray,
    mkt_spread: np.ndarray, mkt_total: np.ndarray, weather_total: np.ndarray, form: np.ndarray,
) -> list[list[str]]:  # fmt: skip
    out = []
    for i, game in enumerate(core.games):
        e = core.extras[i]
        home, away = game["home_team"], game["away_team"]
        hq = game.get("home_qb_name") or "home QB"
        aq = game.get("away_qb_name") or "away QB"
        market = (
            f"spread {mkt_spread[i]:+.1f}, total {mkt_total[i]:.1f}" if has_market[i] else "no market line"
        )
        sky = "indoors" if e["indoors"] else f"{e['temp']:.0f}F, wind {e['wind']:.0f} mph"
        out.append([
            f"Elo {home} vs {away} {core.elo_margin[i]:+.1f} pts",
            f"blend of model {core.margin[i]:+.1f} with {market}",
            f"rest {int(e['home_rest'])}d vs {int(e['away_rest'])}d, {away} travels {e['away_km']:.0f} km",
            f"{sky}, weather total {weather_total[i]:+.1f}",
            f"form edge {form[i]:+.1f} pts ({'EPA/play' if e['has_epa'] else 'scoring ratings'})",
            f"{hq} {e['home_qb_value']:+.1f} vs {aq} {e['away_qb_value']:+.1f} pts"
            + (" (new starter)" if e["home_qb_changed"] or e["away_qb_changed"] else ""),
            f"defence {home} {e['home_defense']:+.1f}, {away} {e['away_defense']:+.1f} pts",
            f"home edge {HISTORICAL_HFA if e['hfa'] > 0 else 0.0:.1f} pts (model {e['hfa']:.1f})",
            f"{int(an_n[i])} similar past matchups" if an_n[i] else "no analogs supplied; model view",
            f"ratings {e['home_rating']:+.1f}/{e['away_rating']:+.1f} shrunk a third",
            f"fades {market}" if has_market[i] else "fades the model favourite",
            "division game: margins compress" if game.get("div_game") else "non-division game",
            f"scoring ratings {e['home_points']:.1f}-{e['away_points']:.1f}",
            f"underdog lean on model p={core.prob[i]:.2f}",
            f"mean of 14 experts: margin {margins[i, -1]:+.1f}, total {totals[i, -1]:.1f}",
        ])  # fmt: skip
    return out
