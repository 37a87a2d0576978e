"""What a rating state is made of: the walk's hyperparameters and one team's running numbers.

Apart from ratings.py (which learns them) so the stored shapes read on their own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RatingConfig:
    """Hyperparameters. Rating gains, carries, cap and QB prior were tuned by coordinate search on
    the 2003-2014 walk-forward Brier only; EPA settings are untuned priors (team stats start in 2016)."""

    k_team: float = 0.06
    k_qb: float = 0.04
    team_carry: float = 0.5
    qb_carry: float = 0.85
    margin_cap: float = 17.0
    new_qb_prior: float = -3.0
    k_points: float = 0.05
    points_carry: float = 0.6
    k_hfa: float = 0.004  # not tuned: home edge is known to drift (it fell from ~3 to ~1.5 points)
    hfa_start: float = 2.8
    epa_alpha: float = 0.12
    epa_carry: float = 0.5
    k_league: float = 0.01
    k_early: float = 0.02  # extra gain early in a season, decaying with games played (Kalman-like)
    epa_margin_weight: float = 0.0  # share of the surprise taken from the EPA margin when stats exist
    epa_points: float = 1.0  # scale of EPA margin to points
    # Market rating: team strengths fitted, game by game, to earlier games' closing spreads (never the
    # predicted game's own line: a game's line is learned from only after it is played).
    k_market: float = 0.2
    market_carry: float = 0.7
    market_hfa_start: float = 2.5
    k_market_hfa: float = 0.005
    k_market_early: float = 0.2  # extra market gain early in a season, decaying with games played
    market_qb_weight: float = 0.5  # share of our QB values netted out of the line (starter changes move it)
    epa_stale_reset: bool = True  # drop last season's efficiency at a new season instead of carrying it


@dataclass
class TeamState:
    rating: float = 0.0
    offense: float = 0.0
    defense: float = 0.0
    starter: str | None = None
    candidate: str | None = None
    candidate_streak: int = 0
    last_game: str | None = None  # ISO date
    last_qb: str | None = None  # who started the team's most recent finished game
    off_epa: float = 0.0
    def_epa: float = 0.0
    epa_games: int = 0
    # Box-score rates (per game, EWMA) for the turnover / sack / passing-TD categories; league-typical start.
    giveaways: float = 1.4
    takeaways: float = 1.4
    sacks_taken: float = 2.4
    sacks_made: float = 2.4
    pass_tds: float = 1.5
    rush_tds: float = 1.0
    field_goals: float = 1.6
    season: int = 0
    season_games: int = 0
    market: float = 0.0  # points, from earlier games' closing spreads
    slow_market: float = 0.0  # the same, learned ten times slower: last season's view, regressed
    form: float = 0.0  # EWMA of the capped point differential, last few games
    ats: float = 0.0  # EWMA of the margin against the closing spread (covers), last few games
