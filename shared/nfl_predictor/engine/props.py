"""Player props from recent weekly player stats: likely QB, top two RBs, top three receivers per team.

Who: the forecast starting QB, and the two RBs / three receivers with the most recent volume among
players who appeared in the team's latest game (one who missed it is likely out: in 2019-21, 55-65%
of such players had no stat row the next week, against 8-10% of the others).

A player's expected value is his recency-weighted mean over the team's last weeks before the game
(with a role prior worth one game), scaled by the points the model expects his team to score (a
matchup factor). Distributions, fitted per stat on the 2019-21 weekly player stats (before the
2022-23 evaluation): yards are zero with probability ZERO_SHARE, else log-normal around the mean
(LOG_MEDIAN, LOG_SD); counts (TDs, receptions, interceptions) are Poisson. The ``projection`` is
the distribution's median (what an absolute error rewards; ``mean`` is given too) and the line is
the median rounded to a half point, unless a book's line is supplied.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from nfl_predictor.engine import metrics as mx
from nfl_predictor.engine.features import franchise

Record = dict[str, Any]

WINDOW_WEEKS = 8  # team-weeks looked back
DECAY = 0.85  # weight per game of age
ROLE_STATS: dict[str, tuple[str, ...]] = {
    "QB": ("passing_yards", "passing_tds", "interceptions", "rushing_yards"),
    "RB": ("rushing_yards", "rushing_tds", "receptions", "receiving_yards"),
    "WR/TE": ("receptions", "receiving_yards", "receiving_tds"),
}
# Role-typical per-game means, worth PRIOR_GAMES of evidence: keeps thin samples (a backup's
# mop-up snaps, a zero-interception streak) from projecting zero.
ROLE_PRIORS: dict[str, dict[str, float]] = {
    "QB": {"passing_yards": 215.0, "passing_tds": 1.4, "interceptions": 0.8, "rushing_yards": 15.0},
    "RB": {"rushing_yards": 45.0, "rushing_tds": 0.3, "receptions": 2.2, "receiving_yards": 16.0},
    "WR/TE": {"receptions": 3.8, "receiving_yards": 45.0, "receiving_tds": 0.3},
}
PRIOR_GAMES = 1.0
YARD_STATS = frozenset({"passing_yards", "rushing_yards", "receiving_yards"})
# Fitted on 2019-21: share of zero games, and log(actual / expected) median and sd of the others.
ZERO_SHARE = {"passing_yards": 0.006, "rushing_yards": 0.108, "receiving_yards": 0.125}
LOG_MEDIAN = {"passing_yards": 0.010, "rushing_yards": -0.089, "receiving_yards": -0.049}
LOG_SD = {"passing_yards": 0.492, "rushing_yards": 0.922, "receiving_yards": 0.868}
MEDIAN_RATIO = {
    s: math.exp(LOG_MEDIAN[s] + LOG_SD[s] * NormalDist().inv_cdf((0.5 - ZERO_SHARE[s]) / (1 - ZERO_SHARE[s])))
    for s in YARD_STATS
}
MIN_SD = {"passing_yards": 45.0, "rushing_yards": 18.0, "receiving_yards": 18.0}
# League-typical fallbacks when a team has no recent player stats (team-level category baselines).
DEFAULT_LEADERS = {
    "qb_passing_yards": (225.0, 65.0),
    "rushing_leader_yards": (68.0, 28.0),
    "receiving_leader_yards": (80.0, 28.0),
}


@dataclass(frozen=True)
class PlayerIndex:
    """Weekly player rows by franchise, sorted by (season, week), for fast 'before this game' slices."""

    rows: dict[str, list[Record]]
    keys: dict[str, list[tuple[int, int]]]
    # (franchise, season, week) -> the players props would offer before that week (no QB supplied);
    # filled by fit's calibration, which asks for the same team-weeks again at every refit.
    memo: dict[tuple[str, int, int], list[PlayerLine]] = field(default_factory=dict, compare=False)

    def week_rows(self, team: str, season: int, week: int) -> list[Record]:
        """The team's rows of exactly (season, week)."""
        key = franchise(team)
        keys = self.keys.get(key, [])
        lo, hi = bisect.bisect_left(keys, (season, week)), bisect.bisect_right(keys, (season, week))
        return self.rows.get(key, [])[lo:hi]


def index_player_stats(player_stats: list[Record] | None) -> PlayerIndex:
    by_team: dict[str, list[Record]] = {}
    for row in player_stats or []:
        by_team.setdefault(franchise(str(row["recent_team"])), []).append(row)
    rows, keys = {}, {}
    for team, items in by_team.items():
        items.sort(key=lambda r: (int(r["season"]), int(r["week"])))
        rows[team] = items
        keys[team] = [(int(r["season"]), int(r["week"])) for r in items]
    return PlayerIndex(rows, keys)


def recent_rows(index: PlayerIndex, team: str, season: int, week: int) -> list[Record]:
    """The team's player rows from its last WINDOW_WEEKS weeks strictly before (season, week)."""
    key = franchise(team)
    items = index.rows.get(key)
    if not items:
        return []
    end = bisect.bisect_left(index.keys[key], (season, week))
    start = end
    weeks: set[tuple[int, int]] = set()
    while start > 0:
        k = index.keys[key][start - 1]
        if k not in weeks and len(weeks) >= WINDOW_WEEKS:
            break
        weeks.add(k)
        start -= 1
    return items[start:end]


@dataclass
class PlayerLine:
    player_id: str
    name: str
    position: str
    role: str
    weights: np.ndarray  # per appearance
    values: dict[str, np.ndarray]


def _players(rows: list[Record], qb_id: str | None) -> list[PlayerLine]:
    if not rows:
        return []
    weeks = sorted({(int(r["season"]), int(r["week"])) for r in rows})
    age = {k: len(weeks) - 1 - i for i, k in enumerate(weeks)}
    grouped: dict[str, list[Record]] = {}
    for r in rows:
        grouped.setdefault(str(r["player_id"]), []).append(r)
    latest = weeks[-1]
    active = {
        p for p, items in grouped.items() if (int(items[-1]["season"]), int(items[-1]["week"])) == latest
    }
    out: list[PlayerLine] = []
    qb = qb_id if qb_id in grouped else _busiest_qb(grouped, active, age)
    if qb is not None:
        out.append(_line(grouped[qb], qb, "QB", age))
    out.extend(_line(grouped[p], p, "RB", age) for p in _ranked(grouped, active, age, ("RB",), "carries")[:2])
    rec = _ranked(grouped, active, age, ("WR", "TE"), "targets")
    out.extend(_line(grouped[p], p, "WR/TE", age) for p in rec[:3])
    return out


def _busiest_qb(
    grouped: dict[str, list[Record]], active: set[str], age: dict[tuple[int, int], int]
) -> str | None:
    """The active quarterback with the most decayed pass attempts (ties: the larger id)."""
    qbs = [p for p in grouped if grouped[p][-1].get("position") == "QB" and p in active]
    return max(qbs, key=lambda p: (_volume(grouped[p], "attempts", age), p)) if qbs else None


def _ranked(
    grouped: dict[str, list[Record]],
    active: set[str],
    age: dict[tuple[int, int], int],
    positions: tuple[str, ...],
    stat: str,
) -> list[str]:
    """Active players whose latest row lists one of ``positions``, by decayed ``stat`` volume (then id)."""
    return sorted(
        (p for p in grouped if grouped[p][-1].get("position") in positions and p in active),
        key=lambda p: (-_volume(grouped[p], stat, age), p),
    )


def _volume(items: list[Record], stat: str, age: dict[tuple[int, int], int]) -> float:
    return sum(DECAY ** age[(int(r["season"]), int(r["week"]))] * float(r.get(stat) or 0.0) for r in items)


def _line(items: list[Record], pid: str, role: str, age: dict[tuple[int, int], int]) -> PlayerLine:
    if role == "QB":
        # A quarterback's projection comes from games he played as the passer, not cameo snaps.
        items = [r for r in items if float(r.get("attempts") or 0.0) >= 10] or items
    w = np.array([DECAY ** age[(int(r["season"]), int(r["week"]))] for r in items])
    values = {s: np.array([float(r.get(s) or 0.0) for r in items]) for s in ROLE_STATS[role]}
    first = items[-1]
    name = str(first.get("player_display_name") or first.get("player_name") or pid)
    return PlayerLine(pid, name, str(first.get("position") or ""), role, w, values)


def _project(player: PlayerLine, stat: str, factor: float) -> tuple[float, float, float]:
    """(expected value, sd, median) for one player stat."""
    v, w = player.values[stat], player.weights
    prior = ROLE_PRIORS[player.role][stat]
    mean = float((w @ v + PRIOR_GAMES * prior) / (w.sum() + PRIOR_GAMES)) * factor
    if stat in YARD_STATS:
        spread = float(np.sqrt(w @ (v - v.mean()) ** 2 / w.sum())) if len(v) > 1 else 0.0
        return mean, max(spread, MIN_SD[stat], 0.35 * mean), mean * MEDIAN_RATIO[stat]
    return mean, math.sqrt(max(mean, 1e-3)), _poisson_median(mean)


def _poisson_median(mean: float) -> float:
    k, cdf, pmf = 0, 0.0, math.exp(-mean)
    while cdf + pmf < 0.5:
        cdf += pmf
        k += 1
        pmf *= mean / k
    return float(k)


def over_probability(stat: str, mean: np.ndarray, line: np.ndarray) -> np.ndarray:
    """P(stat > line) under the stat's fitted distribution (lines are half points: no push)."""
    if stat in YARD_STATS:
        z = (np.log(np.maximum(line, 1e-6) / np.maximum(mean, 1e-6)) - LOG_MEDIAN[stat]) / LOG_SD[stat]
        positive = (1.0 - ZERO_SHARE[stat]) * (1.0 - mx.normal_cdf(z))
        return np.asarray(np.where(line < 0, 1.0, positive))
    return np.asarray(mx.poisson_sf(mean, line))


@dataclass
class TeamProps:
    props: list[Record]
    qb_passing_yards: tuple[float, float]  # (mean, sd) for the categories
    rushing_leader_yards: tuple[float, float]
    receiving_leader_yards: tuple[float, float]


LEADER_STATS = (("QB", "passing_yards", "qb_passing_yards"), ("RB", "rushing_yards", "rushing_leader_yards"),
                 ("WR/TE", "receiving_yards", "receiving_leader_yards"))  # fmt: skip


# (role, stat) -> the category whose leader that projection competes for.
LEADER_SLOTS = {(role, stat): key for role, stat, key in LEADER_STATS}


def team_props(
    rows: list[Record],
    team: str,
    qb_id: str | None,
    factor: float,
    lines: dict[str, float] | None = None,
    players: list[PlayerLine] | None = None,
) -> TeamProps:
    """Props for one side. ``factor`` scales production by expected points vs. the team's norm.

    ``players``: the result of ``_players(rows, qb_id)`` when the caller already has it."""
    players = _players(rows, qb_id) if players is None else players
    leaders: dict[str, list[tuple[float, float]]] = {key: [] for _, _, key in LEADER_STATS}
    means, medians, plines, sources, meta = [], [], [], [], []
    for p in players:
        for stat in ROLE_STATS[p.role]:
            mean, sd, median = _project(p, stat, factor)
            book = (lines or {}).get(f"{p.player_id}:{stat}")
            means.append(mean)
            medians.append(median)
            plines.append(float(book) if book is not None else math.floor(median) + 0.5)
            sources.append("book" if book is not None else "median")
            meta.append((p, stat))
            slot = LEADER_SLOTS.get((p.role, stat))
            if slot is not None:
                leaders[slot].append((mean, sd))
    props = _priced(team, meta, means, medians, plines, sources) if means else []
    return TeamProps(
        props,
        _leader(leaders["qb_passing_yards"], "qb_passing_yards", factor),
        _leader(leaders["rushing_leader_yards"], "rushing_leader_yards", factor),
        _leader(leaders["receiving_leader_yards"], "receiving_leader_yards", factor),
    )


def _priced(
    team: str,
    meta: list[tuple[PlayerLine, str]],
    means: list[float],
    medians: list[float],
    plines: list[float],
    sources: list[str],
) -> list[Record]:
    """The props rows, over-probabilities computed per stat in one vectorised call each."""
    m, ln = np.array(means), np.array(plines)
    over = np.empty(len(meta))
    for stat in {st for _, st in meta}:
        rows_of = np.array([st == stat for _, st in meta])
        over[rows_of] = over_probability(stat, m[rows_of], ln[rows_of])
    props: list[Record] = []
    for i, (p, stat) in enumerate(meta):
        props.append({
            "team": team, "player_id": p.player_id, "player": p.name, "position": p.position, "role": p.role,
            "stat": stat, "projection": round(float(medians[i]), 1), "mean": round(float(m[i]), 2),
            "line": float(ln[i]), "line_source": sources[i],
            "over_probability": round(float(over[i]), 4), "under_probability": round(1.0 - float(over[i]), 4),
        })  # fmt: skip
    return props


def team_leaders(players: list[PlayerLine], factor: float) -> tuple[tuple[float, float], ...]:
    """Only the (mean, sd) of the QB's passing yards and the rushing and receiving leaders' yards,
    exactly as team_props gives them (for fitting the categories' calibration, without the props)."""
    return tuple(
        _leader([_project(p, stat, factor)[:2] for p in players if p.role == role], key, factor)
        for role, stat, key in LEADER_STATS
    )


def _leader(candidates: list[tuple[float, float]], key: str, factor: float) -> tuple[float, float]:
    """Expected leader yards: the best projection plus an order-statistic bump when several compete."""
    if not candidates:
        mean, sd = DEFAULT_LEADERS[key]
        return mean * factor, sd
    best = max(candidates)
    bump = 0.25 * best[1] if len(candidates) > 1 else 0.0
    return best[0] + bump, best[1]
