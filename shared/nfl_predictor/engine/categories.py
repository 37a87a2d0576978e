"""The 25 gradeable categories, derived from each expert's view (margin, total, win probability).

Every category is gradeable from what the product holds: final scores and closing lines (games),
weekly team stats (turnovers, sacks, touchdowns, field goals) and weekly player stats (yards).

Two sorts of category:
- *events* (winner, win_probability, spread_pick, over_under, team totals, one_score_game,
  both_teams_20, overtime): the expert's raw probability that the event happens (home wins, home
  covers, over, ...) is calibrated, then the value is the side it favours (or the probability
  itself for the probability kinds) and ``confidence`` is the probability that value is right;
- *numbers* (scores, margin, totals, counts, yards, the winning-margin band): the value is the
  expert's number and ``confidence`` the calibrated probability that the outcome lands within the
  category's tolerance of it (the band: that the band is right).

Calibration is a Platt map per (expert, category), ``p = sigmoid(a + b * logit(raw))``, fitted in
``fit`` on earlier games' outcomes (``fit_calibration``); the identity where there was nothing to
fit (the player categories when fit is given no player stats). Everything is (games x experts) arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nfl_predictor.engine import metrics as mx
from nfl_predictor.engine.experts import EXPERT_NAMES, ExpertViews
from nfl_predictor.engine.totals import TEAM_SD_RATIO

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
    "winning_margin": ("band", 0.0, "winner and margin band (1-6, 7-13, 14+)"),
    "total_field_goals": ("count", 1.0, "field-goal rates x scoring"),
    "offensive_touchdowns": ("count", 1.0, "passing and rushing TD rates x scoring"),
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
    "one_score_game": ("probability", 0.0, "P(|margin| <= 8)"),
    "both_teams_20": ("probability", 0.0, "P(both teams score 20 or more)"),
    "overtime": ("probability", 0.0, "P(regulation ends tied)"),
}
CATEGORY_NAMES = tuple(CATEGORIES)
N_CATEGORIES = len(CATEGORIES)
CAT = {name: i for i, name in enumerate(CATEGORY_NAMES)}
EVENTS = frozenset(
    {"winner", "win_probability", "spread_pick", "over_under", "home_team_total", "away_team_total",
     "one_score_game", "both_teams_20", "overtime"}
)  # fmt: skip
EVENT_MASK = np.array([c in EVENTS for c in CATEGORY_NAMES])
ONE_SCORE = 8.5
OT_SCALE = 2.2  # football scores cluster on 3 and 7: a regulation tie is ~2x the normal density at 0
BANDS = ("home 1-6", "home 7-13", "home 14+", "away 1-6", "away 7-13", "away 14+")
BAND_EDGES = ((0.5, 6.5), (6.5, 13.5), (13.5, np.inf), (-6.5, -0.5), (-13.5, -6.5), (-np.inf, -13.5))
PLAYER_CATEGORIES = tuple(c for c in CATEGORY_NAMES if CATEGORIES[c][0] == "yards")


def margin_band(margin: float) -> str | None:
    """The winning-margin band of a final margin (home minus away); None for a tie."""
    for name, (lo, hi) in zip(BANDS, BAND_EDGES, strict=True):
        if lo < margin < hi:
            return name
    return None


@dataclass
class GameContext:
    """Per-game (length G) inputs besides the expert views."""

    home: list[str]
    away: list[str]
    spread_line: np.ndarray  # market spread where known, else the model's rounded margin
    total_line: np.ndarray
    model_margin: np.ndarray
    model_total: np.ndarray
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
    touchdowns: np.ndarray
    field_goals: np.ndarray


def _within(sd: np.ndarray, tol: np.ndarray) -> np.ndarray:
    return 2.0 * mx.normal_cdf(tol / np.maximum(sd, 1e-6)) - 1.0


def raw_arrays(views: ExpertViews, ctx: GameContext) -> tuple[list[np.ndarray | None], np.ndarray]:
    """Numeric values (None for events) per category and raw probabilities (G, E, C) before calibration.

    For events the raw probability is that the event happens; for numbers, that the value hits."""
    m, t, p = views.margin, views.total, views.prob
    g, e = m.shape
    sd = np.ones((g, 1)) * views.sd[None, :]
    tsd = np.ones((g, 1)) * views.total_sd[None, :]
    team_sd = tsd * TEAM_SD_RATIO
    home_pts, away_pts = np.maximum((t + m) / 2, 0.0), np.maximum((t - m) / 2, 0.0)
    line = ctx.spread_line[:, None]
    tline = ctx.total_line[:, None]
    values: list[np.ndarray | None] = [None] * N_CATEGORIES
    raw = np.empty((g, e, N_CATEGORIES))

    raw[:, :, CAT["winner"]] = p
    raw[:, :, CAT["win_probability"]] = p
    values[CAT["home_score"]], values[CAT["away_score"]] = np.round(home_pts), np.round(away_pts)
    values[CAT["margin"]] = np.round(m, 1)
    raw[:, :, CAT["home_score"]] = _within(team_sd, np.full_like(m, 3.5))
    raw[:, :, CAT["away_score"]] = _within(team_sd, np.full_like(m, 3.5))
    raw[:, :, CAT["margin"]] = _within(sd, np.full_like(m, 3.5))
    raw[:, :, CAT["spread_pick"]] = mx.normal_cdf((m - line) / sd)
    values[CAT["total_points"]] = np.round(t, 1)
    raw[:, :, CAT["total_points"]] = _within(tsd, np.full_like(t, 7.0))
    raw[:, :, CAT["over_under"]] = mx.normal_cdf((t - tline) / tsd)
    # Winning-margin band: the most likely of six.
    band_p = np.stack(
        [mx.normal_cdf((hi - m) / sd) - mx.normal_cdf((lo - m) / sd) for lo, hi in BAND_EDGES], axis=2
    )
    values[CAT["winning_margin"]] = np.array(BANDS, dtype=object)[band_p.argmax(axis=2)]
    raw[:, :, CAT["winning_margin"]] = band_p.max(axis=2)
    # Team totals vs the split line.
    for cat, pts, sign in (("home_team_total", home_pts, 1.0), ("away_team_total", away_pts, -1.0)):
        team_line = np.floor((tline + sign * line) / 2) + 0.5
        raw[:, :, CAT[cat]] = mx.normal_cdf((pts - team_line) / team_sd)
    # Player categories scale with the expert's expected team points vs the model's.
    base_home = np.maximum((ctx.model_total + ctx.model_margin) / 2, 1.0)[:, None]
    base_away = np.maximum((ctx.model_total - ctx.model_margin) / 2, 1.0)[:, None]
    f_home = np.sqrt(np.maximum(home_pts, 1.0) / base_home)
    f_away = np.sqrt(np.maximum(away_pts, 1.0) / base_away)
    wind_cut = 1.0 - 0.01 * np.maximum(0.0, ctx.wind - 10.0)[:, None]
    weather = np.array([name == "weather_roof" for name in EXPERT_NAMES])[None, :]
    pass_weather = np.where(weather, wind_cut, 1.0)
    for prefix, mean, spread, extra in (
        ("qb_passing", ctx.qb_yards, ctx.qb_sd, pass_weather),
        ("rushing_leader", ctx.rush_yards, ctx.rush_sd, 1.0),
        ("receiving_leader", ctx.rec_yards, ctx.rec_sd, pass_weather),
    ):
        for side, f in ((0, f_home), (1, f_away)):
            cat = f"{('home', 'away')[side]}_{prefix}_yards"
            val = mean[:, side : side + 1] * f * extra
            values[CAT[cat]] = np.round(val, 1)
            tol = CATEGORIES[cat][1]
            raw[:, :, CAT[cat]] = _within(spread[:, side : side + 1] * np.ones((1, e)), tol * val)
    # Counts: league-typical rates per team, scaled by the expert's scoring where scoring drives them.
    scoring = t / np.maximum(ctx.model_total, 1.0)[:, None]
    defence = np.array([name == "defence_first" for name in EXPERT_NAMES])[None, :]
    windy = np.where(weather, 1.0 + 0.015 * np.maximum(0.0, ctx.wind - 10.0)[:, None], 1.0)
    counts = {
        "total_turnovers": ctx.turnovers[:, None] * np.where(defence, 1.1, 1.0) * windy,
        "total_passing_tds": ctx.pass_tds[:, None] * scoring / windy,
        "total_sacks": ctx.sacks[:, None] * np.where(defence, 1.1, 1.0) * windy,
        "total_field_goals": ctx.field_goals[:, None] * np.sqrt(scoring),
        "offensive_touchdowns": ctx.touchdowns[:, None] * scoring,
    }
    for cat, val in counts.items():
        values[CAT[cat]] = np.round(val, 1)
        raw[:, :, CAT[cat]] = _within(np.sqrt(np.maximum(val, 0.5)), np.ones_like(val))
    # Yes/no events as probabilities.
    raw[:, :, CAT["one_score_game"]] = mx.normal_cdf((ONE_SCORE - m) / sd) - mx.normal_cdf(
        (-ONE_SCORE - m) / sd
    )
    raw[:, :, CAT["both_teams_20"]] = mx.normal_cdf((home_pts - 19.5) / team_sd) * mx.normal_cdf(
        (away_pts - 19.5) / team_sd
    )
    raw[:, :, CAT["overtime"]] = OT_SCALE * np.exp(-0.5 * (m / sd) ** 2) / (np.sqrt(2 * np.pi) * sd)
    return values, np.clip(raw, 1e-4, 1 - 1e-4)


def calibrate(raw: np.ndarray, calibration: np.ndarray | None) -> np.ndarray:
    """Apply the (E, C, 2) Platt maps to raw (G, E, C) probabilities; identity when None."""
    if calibration is None:
        return raw
    a, b = calibration[None, :, :, 0], calibration[None, :, :, 1]
    return np.asarray(mx.sigmoid(a + b * mx.logit(raw)))


def category_arrays(
    views: ExpertViews, ctx: GameContext, calibration: np.ndarray | None = None
) -> tuple[list[Any], np.ndarray]:
    """Values (list over categories of (G, E) arrays) and confidences (G, E, C), calibrated."""
    raw_values, raw = raw_arrays(views, ctx)
    p = calibrate(raw, calibration)
    home_abbr = np.array(ctx.home, dtype=object)[:, None]
    away_abbr = np.array(ctx.away, dtype=object)[:, None]
    conf = np.where(EVENT_MASK[None, None, :], np.maximum(p, 1.0 - p), p)
    values: list[Any] = list(raw_values)
    for cat in EVENTS:
        q = p[:, :, CAT[cat]]
        kind = CATEGORIES[cat][0]
        if kind == "team":
            values[CAT[cat]] = np.where(q >= 0.5, home_abbr, away_abbr)
        elif kind == "side":
            values[CAT[cat]] = np.where(q >= 0.5, "over", "under")
        else:
            values[CAT[cat]] = np.round(q, 4)
    return values, np.clip(conf, 0.0, 1.0)


@dataclass
class Outcomes:
    """What happened, per game (NaN where unknown), for fitting the calibration."""

    home_score: np.ndarray
    away_score: np.ndarray
    overtime: np.ndarray
    box: dict[str, np.ndarray]  # count category -> (G,) actual


def outcome_arrays(values: list[np.ndarray | None], ctx: GameContext, out: Outcomes) -> np.ndarray:
    """(G, E, C) 1/0 of each raw probability's target (the event, or the hit), NaN when not gradeable.

    The same rules as grading.grade: pushes and ties are not graded, yards are not fitted here."""
    g, e = len(out.home_score), len(EXPERT_NAMES)
    hs, as_ = out.home_score[:, None], out.away_score[:, None]
    margin, total = hs - as_, hs + as_
    y = np.full((g, e, N_CATEGORIES), np.nan)

    def event(cat: str, happened: np.ndarray, graded: np.ndarray) -> None:
        y[:, :, CAT[cat]] = np.where(graded, happened.astype(float), np.nan) * np.ones((1, e))

    decided = margin != 0
    event("winner", margin > 0, decided)
    event("win_probability", margin > 0, decided)
    cover = margin - ctx.spread_line[:, None]
    event("spread_pick", cover > 0, cover != 0)
    over = total - ctx.total_line[:, None]
    event("over_under", over > 0, over != 0)
    for cat, pts, sign in (("home_team_total", hs, 1.0), ("away_team_total", as_, -1.0)):
        team_line = np.floor((ctx.total_line[:, None] + sign * ctx.spread_line[:, None]) / 2) + 0.5
        event(cat, pts > team_line, pts != team_line)
    event("one_score_game", np.abs(margin) <= 8, np.ones_like(decided))
    event("both_teams_20", (hs >= 20) & (as_ >= 20), np.ones_like(decided))
    ot = out.overtime[:, None]
    event("overtime", ot > 0, ~np.isnan(ot))
    for cat, actual in (("home_score", hs), ("away_score", as_), ("margin", margin), ("total_points", total)):
        v = values[CAT[cat]]
        assert v is not None
        y[:, :, CAT[cat]] = (np.abs(v - actual) <= CATEGORIES[cat][1]).astype(float)
    bands = values[CAT["winning_margin"]]
    assert bands is not None
    actual_band = np.array([margin_band(float(x)) or "tie" for x in margin[:, 0]], dtype=object)[:, None]
    y[:, :, CAT["winning_margin"]] = np.where(
        actual_band == "tie", np.nan, (bands == actual_band).astype(float)
    )
    for cat, actual_count in out.box.items():
        v = values[CAT[cat]]
        assert v is not None
        a = actual_count[:, None]
        tol = CATEGORIES[cat][1]
        limit = tol * np.maximum(np.abs(a), 1.0) if CATEGORIES[cat][0] == "yards" else tol
        y[:, :, CAT[cat]] = np.where(np.isnan(a), np.nan, (np.abs(v - a) <= limit).astype(float))
    return y


# Picks against a closing market line: the market is the better forecaster, and an edge seen in earlier
# seasons mostly does not carry over (home team-total overs hit 44-55% by season in 2010-24, with no
# persistent side). Their maps are fitted with a no-edge view (p = 0.5 on the same rows) weighted
# MARKET_PRIOR_WEIGHT times the data: a past edge is believed halfway.
MARKET_LINE_CATEGORIES = ("spread_pick", "over_under", "home_team_total", "away_team_total")
MARKET_PRIOR_WEIGHT = 1.0


def _pooled_columns(k: int) -> list[int]:
    """The categories whose rows fit category k's map: a rushing or receiving leader category pools
    its home and away twins (the best of several players landing within 20% is not a home/away
    matter, and the pooled fit has twice the rows); every other category fits on its own. The
    quarterbacks are not pooled: one passer per side, and in the 2022-24 walk-forward the home QB
    landed within 15% clearly more often (37% vs 33%), so a pooled map missed both sides."""
    cat = CATEGORY_NAMES[k]
    if cat not in PLAYER_CATEGORIES or "leader" not in cat:
        return [k]
    stem = cat.split("_", 1)[1]
    return [CAT[f"home_{stem}"], CAT[f"away_{stem}"]]


def fit_calibration(raw: np.ndarray, outcome: np.ndarray, *, min_rows: int = 200) -> np.ndarray:
    """(E, C, 2) Platt maps [a, b] fitted per expert and category; identity where too few outcomes."""
    _, e, c = raw.shape
    cal = np.zeros((e, c, 2))
    cal[:, :, 1] = 1.0
    market = {CAT[name] for name in MARKET_LINE_CATEGORIES}
    for j in range(e):
        for k in range(c):
            cols = _pooled_columns(k)
            y = np.concatenate([outcome[:, j, col] for col in cols])
            x = np.concatenate([mx.logit(raw[:, j, col]) for col in cols])
            ok = ~np.isnan(y)
            if ok.sum() < min_rows or y[ok].min() == y[ok].max():
                continue
            x, y = x[ok], y[ok]
            w = np.ones(len(y))
            if k in market:
                x, y = np.concatenate([x, x]), np.concatenate([y, np.full(len(y), 0.5)])
                w = np.concatenate([w, np.full(len(w), MARKET_PRIOR_WEIGHT)])
            cal[j, k] = mx.fit_logistic(x[:, None], y, w, l2=1e-3)
    return cal


def expert_predictions(
    views: ExpertViews,
    ctx: GameContext,
    lines: list[tuple[float, float]],
    calibration: np.ndarray | None = None,
) -> list[list[Record]]:
    """Per game, the E x C prediction dicts: expert, category, value, confidence, line, reasoning."""
    values, conf = category_arrays(views, ctx, calibration)
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
