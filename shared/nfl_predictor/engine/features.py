"""Static game context: franchises, stadium locations, travel, rest and weather.

Everything here is a pure function of one game record (nflverse shape); nothing is learned.
The ratings walk (ratings.py) adds the learned, time-dependent features.
"""

from __future__ import annotations

import math
from typing import Any

Record = dict[str, Any]

# Franchise continuity across relocations: ratings follow the franchise, not the abbreviation.
FRANCHISE = {"STL": "LA", "LAR": "LA", "SD": "LAC", "OAK": "LV"}

# Home stadium (lat, lon, standard UTC offset) per abbreviation as it appears in that season.
STADIUMS: dict[str, tuple[float, float, int]] = {
    "ARI": (33.53, -112.26, -7), "ATL": (33.76, -84.40, -5), "BAL": (39.28, -76.62, -5),
    "BUF": (42.77, -78.79, -5), "CAR": (35.23, -80.85, -5), "CHI": (41.86, -87.62, -6),
    "CIN": (39.10, -84.52, -5), "CLE": (41.51, -81.70, -5), "DAL": (32.75, -97.09, -6),
    "DEN": (39.74, -105.02, -7), "DET": (42.34, -83.05, -5), "GB": (44.50, -88.06, -6),
    "HOU": (29.68, -95.41, -6), "IND": (39.76, -86.16, -5), "JAX": (30.32, -81.64, -5),
    "KC": (39.05, -94.48, -6), "LA": (34.01, -118.34, -8), "LAR": (34.01, -118.34, -8),
    "STL": (38.63, -90.19, -6), "LAC": (33.95, -118.34, -8), "SD": (32.78, -117.12, -8),
    "LV": (36.09, -115.18, -8), "OAK": (37.75, -122.20, -8), "MIA": (25.96, -80.24, -5),
    "MIN": (44.97, -93.26, -6), "NE": (42.09, -71.26, -5), "NO": (29.95, -90.08, -6),
    "NYG": (40.81, -74.07, -5), "NYJ": (40.81, -74.07, -5), "PHI": (39.90, -75.17, -5),
    "PIT": (40.45, -80.02, -5), "SEA": (47.60, -122.33, -8), "SF": (37.40, -121.97, -8),
    "TB": (27.98, -82.50, -5), "TEN": (36.17, -86.77, -6), "WAS": (38.91, -76.86, -5),
}  # fmt: skip

# Neutral sites abroad, by the stadium_id prefix nflverse uses (US neutral sites fall back to the home team).
NEUTRAL_SITES: dict[str, tuple[float, float, int]] = {
    "LON": (51.56, -0.28, 0), "MEX": (19.30, -99.15, -6), "GER": (48.22, 11.62, 1),
    "FRA": (50.07, 8.65, 1), "SAO": (-23.55, -46.63, -3), "BUF01": (43.64, -79.39, -5),
}  # fmt: skip

ALTITUDE_TEAMS = frozenset({"DEN"})
DOME_ROOFS = frozenset({"dome", "closed"})


def franchise(team: str) -> str:
    return FRANCHISE.get(team, team)


def _site(game: Record) -> tuple[float, float, int] | None:
    stadium = str(game.get("stadium_id") or "")
    if game.get("location") == "Neutral":
        for key in (stadium, stadium[:3]):
            if key in NEUTRAL_SITES:
                return NEUTRAL_SITES[key]
    return STADIUMS.get(game["home_team"])


def _distance_km(a: tuple[float, float, int], b: tuple[float, float, int]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def travel(game: Record) -> tuple[float, float, float, float]:
    """(home km, away km, home time-zone shift, away time-zone shift) to the game site; 0 when unknown."""
    site = _site(game)
    out = []
    for side in ("home_team", "away_team"):
        base = STADIUMS.get(game[side])
        if site is None or base is None:
            out.append((0.0, 0.0))
        else:
            out.append((_distance_km(base, site), float(abs(site[2] - base[2]))))
    return out[0][0], out[1][0], out[0][1], out[1][1]


def is_neutral(game: Record) -> bool:
    return game.get("location") == "Neutral"


def is_playoff(game: Record) -> bool:
    return game.get("game_type", "REG") != "REG"


def rest_days(game: Record, side: str, default: int = 7) -> int:
    value = game.get(f"{side}_rest")
    return default if value is None else int(value)


def weather(game: Record, *, observed: bool = False) -> tuple[bool, float, float]:
    """(indoors, temperature F, wind mph) as known before kickoff; mild defaults when unknown.

    The roof is known in advance. Temperature and wind come from a supplied forecast
    (``forecast_temp`` / ``forecast_wind``) only: nflverse's ``temp`` / ``wind`` are observed at the
    game, so they are read only with ``observed=True`` (the oracle comparison)."""
    roof = str(game.get("roof") or "outdoors")
    indoors = roof in DOME_ROOFS
    temp = game.get("temp") if observed else game.get("forecast_temp")
    wind = game.get("wind") if observed else game.get("forecast_wind")
    return (
        indoors,
        70.0 if indoors or temp is None else float(temp),
        0.0 if indoors or wind is None else float(wind),
    )
