"""Game, team, half and quarter totals with over/under probabilities at a line.

The line is the market's when known (game total; team totals split it by the spread; halves and
quarters take their league share of it), else the model's own rounded projection. Period scoring
uses league-wide shares (quarter scores are not in nflverse schedules; 2015-2023 play-by-play averages).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nfl_predictor.engine import metrics as mx

Record = dict[str, Any]

QUARTER_SHARES = np.array([0.195, 0.318, 0.205, 0.282])  # Q1..Q4 share of regulation points
HALF_SHARES = np.array([QUARTER_SHARES[:2].sum(), QUARTER_SHARES[2:].sum()])
TEAM_SD_RATIO = 0.72  # a team total's spread relative to the game total's (two half-correlated teams)


def _half_line(value: np.ndarray) -> np.ndarray:
    return np.floor(value) + 0.5


def totals_table(
    total: np.ndarray,
    margin: np.ndarray,
    total_sd: float,
    market_total: np.ndarray,
    market_spread: np.ndarray,
) -> list[list[Record]]:
    """Per game: rows {market, projection, line, line_source, over_probability, under_probability}."""
    home, away = (total + margin) / 2, (total - margin) / 2
    has_t, has_s = ~np.isnan(market_total), ~np.isnan(market_spread)
    m_total = np.where(has_t, np.nan_to_num(market_total), np.nan)
    m_home = np.where(has_t & has_s, (np.nan_to_num(market_total) + np.nan_to_num(market_spread)) / 2, np.nan)
    m_away = np.where(has_t & has_s, (np.nan_to_num(market_total) - np.nan_to_num(market_spread)) / 2, np.nan)
    team_sd = total_sd * TEAM_SD_RATIO
    specs: list[tuple[str, np.ndarray, float, np.ndarray]] = [
        ("game", total, total_sd, m_total),
        ("home_team", home, team_sd, m_home),
        ("away_team", away, team_sd, m_away),
    ]
    for i, share in enumerate(HALF_SHARES):
        specs.append((f"half_{i + 1}", total * share, total_sd * np.sqrt(share), m_total * share))
    for i, share in enumerate(QUARTER_SHARES):
        specs.append((f"quarter_{i + 1}", total * share, total_sd * np.sqrt(share), m_total * share))
    names = [s[0] for s in specs]
    proj = np.stack([s[1] for s in specs], axis=1)
    sds = np.array([s[2] for s in specs])
    mkt = np.stack([s[3] for s in specs], axis=1)
    from_market = ~np.isnan(mkt)
    line = np.where(from_market, np.round(np.nan_to_num(mkt) * 2) / 2, _half_line(proj))
    over = 1.0 - mx.normal_cdf((line - proj) / sds[None, :])
    out = []
    for g in range(len(total)):
        out.append([
            {
                "market": names[j], "projection": round(float(proj[g, j]), 1), "line": float(line[g, j]),
                "line_source": "market" if from_market[g, j] else "model",
                "over_probability": round(float(over[g, j]), 4), "under_probability": round(1.0 - float(over[g, j]), 4),
            }
            for j in range(len(names))
        ])  # fmt: skip
    return out
