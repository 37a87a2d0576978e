"""Reading weekly team-stat rows and ordering games: the inputs the ratings walk learns from.

Apart from ratings.py because grading and calibration read the same rows without any rating state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from nfl_predictor.engine import features as fx

Record = dict[str, Any]


def epa_margin(game: Record, stats: dict[str, Record] | None) -> float | None:
    """Home offence EPA minus away offence EPA in this game: the margin without most of the luck."""
    if not stats:
        return None
    h, a = stats.get(fx.franchise(game["home_team"])), stats.get(fx.franchise(game["away_team"]))
    if h is None or a is None:
        return None
    raw = [row.get(k) for row in (h, a) for k in ("passing_epa", "rushing_epa")]
    if any(v is None for v in raw):
        return None
    parts = [float(v) for v in raw if v is not None]
    return parts[0] + parts[1] - parts[2] - parts[3]


GIVEAWAY_COLUMNS = (
    "passing_interceptions",
    "sack_fumbles_lost",
    "rushing_fumbles_lost",
    "receiving_fumbles_lost",
)


def giveaways(row: Record) -> float:
    return sum(float(row.get(k) or 0.0) for k in GIVEAWAY_COLUMNS)


def epa_per_play(row: Record) -> float | None:
    plays = sum(float(row.get(k) or 0.0) for k in ("attempts", "sacks_suffered", "carries"))
    if plays <= 0 or row.get("passing_epa") is None or row.get("rushing_epa") is None:
        return None
    return (float(row["passing_epa"]) + float(row["rushing_epa"])) / plays


def iso_date(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def game_sort_key(game: Record) -> tuple[str, str]:
    return (iso_date(game.get("gameday")) or "", str(game["game_id"]))


def index_team_stats(team_stats: list[Record]) -> dict[tuple[int, int], dict[str, Record]]:
    """(season, week) -> franchise -> row, for the walk's post-game efficiency update.

    Keyed by franchise (features.franchise) because the stats files name relocated teams by their
    current code (LA, LAC, LV) while the schedules keep the code of the day (STL, SD, OAK)."""
    out: dict[tuple[int, int], dict[str, Record]] = {}
    for row in team_stats:
        out.setdefault((int(row["season"]), int(row["week"])), {})[fx.franchise(str(row["team"]))] = row
    return out
