"""The 25 gradeable categories, derived from each expert's view (margin, total, win probability).

Everything is computed as (games x experts) arrays; only the final dicts are built in a loop.
Confidence is always in [0, 1]: for picks the probability the pick is right, for numbers the
probability the outcome lands within the category's tolerance of the value (normal, with the
model's residual spread widened by the experts' disagreement).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nfl_predictor.engine import metrics as mx
from nfl_predictor.engine.experts import EXPERT_NAMES, ExpertViews
from nfl_predictor.engine.totals import HALF_SHARES, QUARTER_SHARES, TEAM_SD_RATIO

Record = dict[str, Any]

# name -> (kind, tolerance for numeric kinds, factor phrase used in the reasoning)
CATEGORIES: dict[str, tuple[str, float, str]] = {
    "winner": ("team", 0.0, "win probability"),
    "win_probability": ("probability", 0.0, "home win probability"),
    "home_score": ("points", 3.5, "home points = (total + margin) / 2"),
    "away_score": ("points", 3.5, "away points = (total - margin) / 2"),
    "margin": ("signed", 3.5, "home margin"),
    "spread_pick": ("team", 0.0, "margin vs the spread line"),
    "total_points": ("points", 7.0, "game total"),
    "over_under": ("side", 0.0, "total vs the total line"),
    "first_half_winner": ("team", 0.0, "half-time margin from league half shares"),
    "first_half_total": ("points", 3.5, "first-half share of the total"),
    "highest_scoring_quarter": ("quarter", 0.0, "league quarter shares, close games score late"),
    "home_team_total": ("side", 0.0, "home points vs the team-total line"),
    "away_team_total": ("side", 0.0, "away points vs the team-total line"),
    "home_qb_passing_yards": ("yards", 0.15, "QB recent passing yards x matchup"),
    "away_qb_passing_yards": ("yards", 0.15, "QB recent passing yards x matchup"),
    "home_rushing_leader_yards": ("yards", 0.2, "top RB recent rushing x matchup"),
    "away_rushing_leader_yards": ("yards", 0.2, "top RB recent rushing x matchup"),
    "home_receiving_leader_yards": ("yards", 0.2, "top receiver recent yards x matchup"),
    "away_receiving_leader_yards": ("yards", 0.2, "top receiver recent yards x matchup"),
    "total_turnovers": ("count", 1.0, "giveaway/takeaway rates"),
    "total_passing_tds": ("count", 1.0, "passing-TD rates x scoring"),
    "total_sacks": ("count", 1.0, "sack rates"),
    "one_score_game": ("yes_no", 0.0, "P(|margin| <= 8)"),
    "upset": ("yes_no", 0.0, "underdog win probability"),
    "overtime": ("yes_no", 0.0, "regulation-tie density at the margin"),
}
CATEGORY_NAMES = tuple(CATEGORIES)
N_CATEGORIES = len(CATEGORIES)
ONE_SCORE = 8.5
OT_SCALE = 2.2  # football scores cluster on 3 and 7: a regulation tie is ~2x the normal density at 0


@dataclass
class GameContext:
    """Per-game (length G) inputs besides the expert views."""

    home: list[str]
    away: list[str]
    spread_line: np.ndarray  # market spread where known, else the model's rounded margin
    total_line: np.ndarray
    model_margin: np.ndarray
    model_total: np.ndarray
    margin_sd: float
    total_sd: float
    wind: np.ndarray
    # (G, 2) home/away means and sds for the player categories
    qb_yards: np.ndarray
    qb_sd: np.ndarray
    rush_yards: np.ndarray
    rush_sd: np.ndarray
    rec_yards: np.ndarray
    rec_sd: np.ndarray
    turnovers: np.ndarray  # (G,)
    sacks: np.ndarray
    pass_tds: np.ndarray


def _within(value: np.ndarray, sd: np.ndarray, tol: np.ndarray) -> np.ndarray:
    return 2.0 * mx.normal_cdf(tol / np.maximum(sd, 1e-6)) - 1.0


def category_arrays(views: ExpertViews, ctx: GameContext) -> tuple[list[Any], np.ndarray]:
    """Values (list over categories of (G, E) arrays, string arrays for picks) and confidences (G, E, C)."""
    m, t, p = views.margin, views.total, views.prob
    g, e = m.shape
    sd = np.ones((g, 1)) * views.sd[None, :]
    tsd = np.ones((g, 1)) * views.total_sd[None, :]
    team_sd = tsd * TEAM_SD_RATIO
    home_pts, away_pts = np.maximum((t + m) / 2, 0.0), np.maximum((t - m) / 2, 0.0)
    home_abbr = np.array(ctx.home, dtype=object)[:, None]
    away_abbr = np.array(ctx.away, dtype=object)[:, None]
    line = ctx.spread_line[:, None]
    tline = ctx.total_line[:, None]
    values: list[Any] = []
    conf = np.empty((g, e, N_CATEGORIES))

    def pick(prob_home: np.ndarray, a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
        return np.where(prob_home >= 0.5, a, b), np.maximum(prob_home, 1.0 - prob_home)

    # winner, win_probability
    v, c = pick(p, home_abbr, away_abbr)
    values += [v, np.round(p, 4)]
    conf[:, :, 0], conf[:, :, 1] = c, c
    # scores, margin
    values += [np.round(home_pts), np.round(away_pts), np.round(m, 1)]
    conf[:, :, 2] = _within(home_pts, team_sd, np.full_like(m, 3.5))
    conf[:, :, 3] = _within(away_pts, team_sd, np.full_like(m, 3.5))
    conf[:, :, 4] = _within(m, sd, np.full_like(m, 3.5))
    # spread pick
    cover = mx.normal_cdf((m - line) / sd)
    v, c = pick(cover, home_abbr, away_abbr)
    values.append(v)
    conf[:, :, 5] = c
    # total, over/under
    values.append(np.round(t, 1))
    conf[:, :, 6] = _within(t, tsd, np.full_like(t, 7.0))
    over = mx.normal_cdf((t - tline) / tsd)
    v, c = pick(over, "over", "under")
    values.append(v)
    conf[:, :, 7] = c
    # first half
    h1_share = float(HALF_SHARES[0])
    lead = mx.normal_cdf((m * h1_share) / (sd * np.sqrt(h1_share)))
    v, c = pick(lead, home_abbr, away_abbr)
    values += [v, np.round(t * h1_share, 1)]
    conf[:, :, 8] = c
    conf[:, :, 9] = _within(t * h1_share, tsd * np.sqrt(h1_share), np.full_like(t, 3.5))
    # highest-scoring quarter: close games push points into the fourth quarter
    q = t[:, :, None] * QUARTER_SHARES[None, None, :]
    q[:, :, 3] += 2.0 * np.exp(-np.abs(m) / 7.0)
    soft = np.exp((q - q.max(axis=2, keepdims=True)) / 2.0)
    soft /= soft.sum(axis=2, keepdims=True)
    values.append(q.argmax(axis=2) + 1)
    conf[:, :, 10] = soft.max(axis=2)
    # team totals vs the split line
    for k, (pts, sign) in enumerate(((home_pts, 1.0), (away_pts, -1.0))):
        team_line = np.floor((tline + sign * line) / 2) + 0.5
        v, c = pick(mx.normal_cdf((pts - team_line) / team_sd), "over", "under")
        values.append(v)
        conf[:, :, 11 + k] = c
    # player categories scale with the expert's expected team points vs the model's
    base_home = np.maximum((ctx.model_total + ctx.model_margin) / 2, 1.0)[:, None]
    base_away = np.maximum((ctx.model_total - ctx.model_margin) / 2, 1.0)[:, None]
    f_home = np.sqrt(np.maximum(home_pts, 1.0) / base_home)
    f_away = np.sqrt(np.maximum(away_pts, 1.0) / base_away)
    wind_cut = 1.0 - 0.01 * np.maximum(0.0, ctx.wind - 10.0)[:, None]
    weather = np.array([name == "weather_roof" for name in EXPERT_NAMES])[None, :]
    pass_weather = np.where(weather, wind_cut, 1.0)
    idx = 13
    for mean, spread, extra in (
        (ctx.qb_yards, ctx.qb_sd, pass_weather),
        (ctx.rush_yards, ctx.rush_sd, 1.0),
        (ctx.rec_yards, ctx.rec_sd, pass_weather),
    ):
        for side, f in ((0, f_home), (1, f_away)):
            val = mean[:, side : side + 1] * f * extra
            values.append(np.round(val, 1))
            tol = CATEGORIES[CATEGORY_NAMES[idx]][1]
            conf[:, :, idx] = _within(val, spread[:, side : side + 1] * np.ones((1, e)), tol * val)
            idx += 1
    # counts
    defence = np.array([name == "defence_first" for name in EXPERT_NAMES])[None, :]
    windy = np.where(weather, 1.0 + 0.015 * np.maximum(0.0, ctx.wind - 10.0)[:, None], 1.0)
    turnovers = ctx.turnovers[:, None] * np.where(defence, 1.1, 1.0) * windy
    pass_tds = (
        ctx.pass_tds[:, None]
        * (t / np.maximum(ctx.model_total, 1.0)[:, None])
        / np.where(weather, windy, 1.0)
    )
    sacks = ctx.sacks[:, None] * np.where(defence, 1.1, 1.0) * windy
    for k, val in enumerate((turnovers, pass_tds, sacks)):
        values.append(np.round(val, 1))
        conf[:, :, 19 + k] = _within(val, np.sqrt(np.maximum(val, 0.5)), np.ones_like(val))
    # yes/no
    one_score = mx.normal_cdf((ONE_SCORE - m) / sd) - mx.normal_cdf((-ONE_SCORE - m) / sd)
    fav_home = np.where(line != 0, line > 0, ctx.model_margin[:, None] >= 0)
    upset = np.where(fav_home, 1.0 - p, p)
    overtime = np.clip(OT_SCALE * np.exp(-0.5 * (m / sd) ** 2) / (np.sqrt(2 * np.pi) * sd), 0.0, 1.0)
    for k, prob in enumerate((one_score, upset, overtime)):
        values.append(prob >= 0.5)
        conf[:, :, 22 + k] = np.maximum(prob, 1.0 - prob)
    return values, np.clip(conf, 0.0, 1.0)


def expert_predictions(
    views: ExpertViews, ctx: GameContext, lines: list[tuple[float, float]]
) -> list[list[Record]]:
    """Per game, the E x C prediction dicts: expert, category, value, confidence, line, reasoning."""
    values, conf = category_arrays(views, ctx)
    g = views.margin.shape[0]
    as_lists = [v.tolist() if isinstance(v, np.ndarray) else v for v in values]
    conf_l = np.round(conf, 4).tolist()
    phrases = [spec[2] for spec in CATEGORIES.values()]
    line_cats = {"spread_pick": 0, "over_under": 1}
    out: list[list[Record]] = []
    for gi in range(g):
        notes = views.notes[gi]
        spread, total = lines[gi]
        team_lines = (
            float(np.floor((total + spread) / 2) + 0.5),
            float(np.floor((total - spread) / 2) + 0.5),
        )
        rows: list[Record] = []
        for ei, expert in enumerate(EXPERT_NAMES):
            note = notes[ei]
            c_row = conf_l[gi][ei]
            for ci, cat in enumerate(CATEGORY_NAMES):
                if cat in line_cats:
                    ln: float | None = (spread, total)[line_cats[cat]]
                elif cat == "home_team_total":
                    ln = team_lines[0]
                elif cat == "away_team_total":
                    ln = team_lines[1]
                else:
                    ln = None
                rows.append({
                    "expert": expert, "category": cat, "value": as_lists[ci][gi][ei], "confidence": c_row[ci],
                    "line": ln, "reasoning": f"{note}; {phrases[ci]}",
                })  # fmt: skip
        out.append(rows)
    return out
