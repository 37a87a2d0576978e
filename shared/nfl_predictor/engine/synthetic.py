"""A small deterministic league in nflverse record shapes, for tests and offline benchmarks.

Teams have latent strengths that drift between seasons, quarterbacks that occasionally miss games,
and box-score rows (team and player) consistent with the scores. Nothing here is used at inference.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from nfl_predictor.engine.metrics import normal_cdf

Record = dict[str, Any]
TEAMS = (
    "BUF",
    "MIA",
    "NE",
    "NYJ",
    "KC",
    "LV",
    "DEN",
    "LAC",
    "DAL",
    "PHI",
    "SF",
    "SEA",
    "GB",
    "CHI",
    "MIN",
    "DET",
)


@dataclass
class SyntheticLeague:
    games: list[Record]
    team_stats: list[Record]
    player_stats: list[Record]


def _american(p: float) -> int:
    p = min(max(p, 0.02), 0.98)
    return round(-100 * p / (1 - p)) if p >= 0.5 else round(100 * (1 - p) / p)


def synthetic_league(
    seasons: tuple[int, ...] = (2019, 2020, 2021, 2022), weeks: int = 12, seed: int = 7, teams: tuple[str, ...] = TEAMS,
    unplayed_last_weeks: int = 0, with_market: bool = True,
) -> SyntheticLeague:  # fmt: skip
    rng = np.random.default_rng(seed)
    n = len(teams)
    strength = rng.normal(0, 4.0, n)
    games: list[Record] = []
    team_stats: list[Record] = []
    player_stats: list[Record] = []
    for season in seasons:
        strength = 0.6 * strength + rng.normal(0, 2.5, n)
        start = dt.date(season, 9, 8)
        for week in range(1, weeks + 1):
            order = rng.permutation(n)
            day = start + dt.timedelta(days=7 * (week - 1))
            played = not (season == seasons[-1] and week > weeks - unplayed_last_weeks)
            for k in range(0, n, 2):
                h, a = int(order[k]), int(order[k + 1])
                home, away = teams[h], teams[a]
                game, hs, as_, h_backup, a_backup = _game(
                    rng, strength, teams, h, a, season, week, day, played, with_market
                )
                games.append(game)
                if not played:
                    continue
                for team, opp, pts, backup in ((home, away, hs, h_backup), (away, home, as_, a_backup)):
                    _box_rows(rng, season, week, team, opp, pts, backup, team_stats, player_stats)
    return SyntheticLeague(games, team_stats, player_stats)


def _game(
    rng: np.random.Generator, strength: np.ndarray, teams: tuple[str, ...], h: int, a: int,
    season: int, week: int, day: dt.date, played: bool, with_market: bool,
) -> tuple[Record, int, int, bool, bool]:  # fmt: skip
    """One scheduled game; the scores are drawn whether or not it is marked played (same draw order)."""
    home, away = teams[h], teams[a]
    h_backup, a_backup = rng.random() < 0.08, rng.random() < 0.08
    edge = strength[h] - strength[a] + 1.9 - 4.0 * h_backup + 4.0 * a_backup
    total_mu = 44.0 + rng.normal(0, 2.0)
    margin = edge + rng.normal(0, 13.0)
    total = max(10.0, total_mu + rng.normal(0, 10.0))
    hs = max(0, round((total + margin) / 2))
    as_ = max(0, round((total - margin) / 2))
    p = float(normal_cdf(edge / 13.0))
    game: Record = {
        "game_id": f"{season}_{week:02d}_{away}_{home}", "season": season, "game_type": "REG", "week": week,
        "gameday": day, "away_team": away, "home_team": home, "location": "Home",
        "home_score": hs if played else None, "away_score": as_ if played else None,
        "result": hs - as_ if played else None, "total": hs + as_ if played else None,
        "overtime": 0 if played else None, "home_rest": 7, "away_rest": 7,
        "home_moneyline": _american(p) if with_market else None,
        "away_moneyline": _american(1 - p) if with_market else None,
        "spread_line": round(edge * 2) / 2 if with_market else None,
        "total_line": round(total_mu * 2) / 2 if with_market else None,
        "home_spread_odds": -110, "away_spread_odds": -110, "over_odds": -110, "under_odds": -110,
        "div_game": int(h // 4 == a // 4), "roof": "outdoors", "temp": 60, "wind": int(rng.integers(0, 20)),
        "home_qb_id": f"QB-{home}-{int(h_backup)}", "away_qb_id": f"QB-{away}-{int(a_backup)}",
        "home_qb_name": f"{home} QB{int(h_backup) + 1}", "away_qb_name": f"{away} QB{int(a_backup) + 1}",
        "stadium_id": f"{home}00",
    }  # fmt: skip
    return game, hs, as_, h_backup, a_backup


def _box_rows(
    rng: np.random.Generator, season: int, week: int, team: str, opp: str, pts: int, backup: bool,
    team_stats: list[Record], player_stats: list[Record],
) -> None:  # fmt: skip
    """One side's weekly team-stat row and its six players' rows, consistent with its points."""
    plays = 60.0
    epa = (pts - 22.0) / 60.0 + rng.normal(0, 0.05)
    team_stats.append({
        "season": season, "week": week, "team": team, "season_type": "REG", "opponent_team": opp,
        "attempts": 34.0, "carries": 26.0, "sacks_suffered": float(rng.poisson(2.4)),
        "passing_epa": epa * plays * 0.6, "rushing_epa": epa * plays * 0.4,
        "passing_tds": float(rng.poisson(max(pts / 14.0, 0.1))), "passing_interceptions": float(rng.poisson(0.9)),
        "sack_fumbles_lost": 0.0, "rushing_fumbles_lost": float(rng.poisson(0.3)), "receiving_fumbles_lost": 0.0,
    })  # fmt: skip
    scale = max(pts, 3) / 22.0
    roster = [
        (f"QB-{team}-{int(backup)}", "QB", {"attempts": 34.0, "passing_yards": 230 * scale, "passing_tds": 1.5 * scale,
                                             "interceptions": 0.8, "rushing_yards": 12.0, "carries": 3.0}),
        (f"RB1-{team}", "RB", {"carries": 16.0, "rushing_yards": 70 * scale, "rushing_tds": 0.5 * scale,
                               "receptions": 2.0, "receiving_yards": 15.0, "targets": 3.0}),
        (f"RB2-{team}", "RB", {"carries": 7.0, "rushing_yards": 30 * scale, "receptions": 1.0, "targets": 1.0}),
        (f"WR1-{team}", "WR", {"receptions": 6.0, "receiving_yards": 85 * scale, "receiving_tds": 0.5, "targets": 9.0}),
        (f"WR2-{team}", "WR", {"receptions": 4.0, "receiving_yards": 55 * scale, "targets": 6.0}),
        (f"TE1-{team}", "TE", {"receptions": 3.0, "receiving_yards": 35 * scale, "targets": 4.0}),
    ]  # fmt: skip
    for pid, pos, stats in roster:
        row: Record = {"player_id": pid, "player_name": pid, "player_display_name": pid, "position": pos,
                       "recent_team": team, "season": season, "week": week, "opponent_team": opp}  # fmt: skip
        for key, mean in stats.items():
            row[key] = float(max(0.0, round(mean * float(rng.lognormal(0, 0.3)))))
        player_stats.append(row)
