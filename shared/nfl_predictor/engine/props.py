"""Player props from recent weekly player stats: likely QB, top two RBs, top three receivers per team.

A player's projection is his recency-weighted mean over the team's last weeks before the game,
scaled by how many points the model expects his team to score against this opponent (a matchup
factor). The line is his plain average over the same window (books' lines are not in the data; a
market line can be passed in). Yards use a normal with the player's own spread (floored), counts
(TDs, receptions, interceptions) a Poisson.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
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

    def line(pid: str, role: str) -> PlayerLine:
        items = grouped[pid]
        if role == "QB":
            # A quarterback's projection comes from games he played as the passer, not cameo snaps.
            items = [r for r in items if float(r.get("attempts") or 0.0) >= 10] or items
        w = np.array([DECAY ** age[(int(r["season"]), int(r["week"]))] for r in items])
        values = {s: np.array([float(r.get(s) or 0.0) for r in items]) for s in ROLE_STATS[role]}
        first = items[-1]
        name = str(first.get("player_display_name") or first.get("player_name") or pid)
        return PlayerLine(pid, name, str(first.get("position") or ""), role, w, values)

    def volume(pid: str, stat: str) -> float:
        return sum(
            DECAY ** age[(int(r["season"]), int(r["week"]))] * float(r.get(stat) or 0.0) for r in grouped[pid]
        )

    out: list[PlayerLine] = []
    qbs = [p for p in grouped if grouped[p][-1].get("position") == "QB"]
    qb = qb_id if qb_id in grouped else (max(qbs, key=lambda p: (volume(p, "attempts"), p)) if qbs else None)
    if qb is not None:
        out.append(line(qb, "QB"))
    rbs = sorted(
        (p for p in grouped if grouped[p][-1].get("position") == "RB"),
        key=lambda p: (-volume(p, "carries"), p),
    )
    out.extend(line(p, "RB") for p in rbs[:2])
    rec = sorted(
        (p for p in grouped if grouped[p][-1].get("position") in ("WR", "TE")),
        key=lambda p: (-volume(p, "targets"), p),
    )
    out.extend(line(p, "WR/TE") for p in rec[:3])
    return out


def _project(player: PlayerLine, stat: str, factor: float) -> tuple[float, float, float]:
    """(projected mean, sd, line) for one player stat."""
    v, w = player.values[stat], player.weights
    prior = ROLE_PRIORS[player.role][stat]
    mean = float((w @ v + PRIOR_GAMES * prior) / (w.sum() + PRIOR_GAMES)) * factor
    line = math.floor((float(v.sum()) + PRIOR_GAMES * prior) / (len(v) + PRIOR_GAMES)) + 0.5
    if stat in YARD_STATS:
        spread = float(np.sqrt(w @ (v - v.mean()) ** 2 / w.sum())) if len(v) > 1 else 0.0
        return mean, max(spread, MIN_SD[stat], 0.35 * mean), line
    return mean, math.sqrt(max(mean, 1e-3)), line


@dataclass
class TeamProps:
    props: list[Record]
    qb_passing_yards: tuple[float, float]  # (mean, sd) for the categories
    rushing_leader_yards: tuple[float, float]
    receiving_leader_yards: tuple[float, float]


def team_props(
    rows: list[Record], team: str, qb_id: str | None, factor: float, lines: dict[str, float] | None = None
) -> TeamProps:
    """Props for one side. ``factor`` scales production by expected points vs. the team's norm."""
    players = _players(rows, qb_id)
    props: list[Record] = []
    leaders: dict[str, list[tuple[float, float]]] = {"qb": [], "rush": [], "rec": []}
    means, sds, plines, kinds, meta = [], [], [], [], []
    for p in players:
        for stat in ROLE_STATS[p.role]:
            mean, sd, line = _project(p, stat, factor)
            if lines and f"{p.player_id}:{stat}" in lines:
                line = float(lines[f"{p.player_id}:{stat}"])
            means.append(mean)
            sds.append(sd)
            plines.append(line)
            kinds.append(stat in YARD_STATS)
            meta.append((p, stat))
            if p.role == "QB" and stat == "passing_yards":
                leaders["qb"].append((mean, sd))
            if stat == "rushing_yards" and p.role == "RB":
                leaders["rush"].append((mean, sd))
            if stat == "receiving_yards" and p.role == "WR/TE":
                leaders["rec"].append((mean, sd))
    if means:
        m, s, ln, k = np.array(means), np.array(sds), np.array(plines), np.array(kinds)
        over = np.where(k, 1.0 - mx.normal_cdf((ln - m) / s), mx.poisson_sf(m, ln))
        for i, (p, stat) in enumerate(meta):
            props.append({
                "team": team, "player_id": p.player_id, "player": p.name, "position": p.position, "role": p.role,
                "stat": stat, "projection": round(float(m[i]), 1), "line": float(ln[i]),
                "over_probability": round(float(over[i]), 4), "under_probability": round(1.0 - float(over[i]), 4),
            })  # fmt: skip
    return TeamProps(
        props,
        _leader(leaders["qb"], "qb_passing_yards", factor),
        _leader(leaders["rush"], "rushing_leader_yards", factor),
        _leader(leaders["rec"], "receiving_leader_yards", factor),
    )


def _leader(candidates: list[tuple[float, float]], key: str, factor: float) -> tuple[float, float]:
    """Expected leader yards: the best projection plus an order-statistic bump when several compete."""
    if not candidates:
        mean, sd = DEFAULT_LEADERS[key]
        return mean * factor, sd
    best = max(candidates)
    bump = 0.25 * best[1] if len(candidates) > 1 else 0.0
    return best[0] + bump, best[1]
