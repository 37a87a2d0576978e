"""One game's pre-game feature rows, read from a rating state.

Apart from ratings.py (which learns the state) because this is the only part inference runs: a
deployed model reads a stored state here and never walks history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from nfl_predictor.engine import features as fx

if TYPE_CHECKING:
    from nfl_predictor.engine.ratings import RatingState

Record = dict[str, Any]

FEATURE_NAMES = (
    "rating_diff",  # (team + starting QB) home minus away, points
    "home_field",  # running HFA estimate, 0 at neutral sites
    "qb_change_home",  # starter differs from the team's recent starter
    "qb_change_away",
    "rest_diff",  # days, clipped to +-7
    "travel_diff",  # (away km - home km) / 1000
    "tz_diff",  # away time-zone shift minus home
    "epa_diff",  # (home off - away def) - (away off - home def), EPA/play; 0 without stats
    "playoff",
    "div_game",
    "market_rating_diff",  # home minus away market rating + market home edge, points (earlier lines only)
)
TOTAL_FEATURE_NAMES = ("points_total", "wind", "cold", "indoors", "epa_sum", "playoff")


def pregame_rows(
    state: RatingState, game: Record, *, oracle: bool = False
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """(margin features, total features, extras) for a game of the state's own season (see RatingState.features)."""
    home, home_str, h_adj, h_chg = state.side(game, "home", oracle=oracle)
    away, away_str, a_adj, a_chg = state.side(game, "away", oracle=oracle)
    neutral = fx.is_neutral(game)
    hfa = 0.0 if neutral else state.hfa
    h_km, a_km, h_tz, a_tz = fx.travel(game)
    rest = max(-7, min(7, fx.rest_days(game, "home") - fx.rest_days(game, "away")))
    has_epa = home.epa_games > 0 and away.epa_games > 0
    epa = ((home.off_epa - away.def_epa) - (away.off_epa - home.def_epa)) if has_epa else 0.0
    epa_sum = ((home.off_epa + away.def_epa) + (away.off_epa + home.def_epa)) if has_epa else 0.0
    playoff = 1.0 if fx.is_playoff(game) else 0.0
    x = np.array(
        [
            home_str - away_str,
            hfa,
            float(h_chg),
            float(a_chg),
            float(rest),
            (a_km - h_km) / 1000.0,
            a_tz - h_tz,
            epa,
            playoff,
            float(game.get("div_game") or 0),
            state.market_diff(home, away, home_str, away_str, neutral),
        ]
    )
    home_pts = state.league_points + home.offense - away.defense + hfa / 2 + (h_adj - a_adj) / 2
    away_pts = state.league_points + away.offense - home.defense - hfa / 2 - (h_adj - a_adj) / 2
    indoors, temp, wind = fx.weather(game, observed=oracle)
    z = np.array([home_pts + away_pts, wind, max(0.0, 40.0 - temp), float(indoors), epa_sum, playoff])
    extras = {
        "home_points": home_pts,
        "away_points": away_pts,
        "home_rating": home_str,
        "away_rating": away_str,
        "home_qb_adj": h_adj,
        "away_qb_adj": a_adj,
        "home_rest": float(fx.rest_days(game, "home")),
        "away_rest": float(fx.rest_days(game, "away")),
        "away_km": a_km,
        "home_km": h_km,
        "home_off_epa": home.off_epa,
        "home_def_epa": home.def_epa,
        "away_off_epa": away.off_epa,
        "away_def_epa": away.def_epa,
        "has_epa": float(has_epa),
        "temp": temp,
        "wind": wind,
        "indoors": float(indoors),
        "hfa": hfa,
        "home_offense": home.offense,
        "home_defense": home.defense,
        "away_offense": away.offense,
        "away_defense": away.defense,
        "home_qb_value": state.qb_value(state.forecast_qb(game, "home", oracle=oracle)),
        "away_qb_value": state.qb_value(state.forecast_qb(game, "away", oracle=oracle)),
        "home_qb_changed": float(h_chg),
        "away_qb_changed": float(a_chg),
        "turnovers": (home.giveaways + away.takeaways + away.giveaways + home.takeaways) / 2,
        "sacks": (home.sacks_taken + away.sacks_made + away.sacks_taken + home.sacks_made) / 2,
        "pass_tds": home.pass_tds + away.pass_tds,
        "touchdowns": home.pass_tds + away.pass_tds + home.rush_tds + away.rush_tds,
        "field_goals": home.field_goals + away.field_goals,
        "travel_diff": (a_km - h_km) / 1000.0,
        "market_diff": float(x[-1]),
        "slow_market_diff": home.slow_market - away.slow_market + (0.0 if neutral else state.market_hfa),
        "form_diff": home.form - away.form,
        "ats_diff": home.ats - away.ats,
        "home_games": float(home.season_games),
        "away_games": float(away.season_games),
        "tz_diff": a_tz - h_tz,
    }
    return x, z, extras
