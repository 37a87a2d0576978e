"""The record shapes that cross layers: games, stat lines, players, stored predictions, analogs.

TypedDicts, declared once here: at run time they are plain dicts (no conversion on the hot path,
orjson serialises them as they are), to mypy they are checked shapes. Field names are nflverse's
column names; the column tuples below are derived from the declarations, so a field is added in
one place. This module sits under every other layer but config, so the engine may import it too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict, cast


class GameRecord(TypedDict):
    """One game: a row of nflverse's games file, or of the ``games`` table (which adds ``kickoff``)."""

    game_id: str
    season: int
    game_type: str
    week: int
    gameday: dt.date
    weekday: str | None
    gametime: str | None
    away_team: str
    away_score: int | None
    home_team: str
    home_score: int | None
    location: str | None
    result: int | None
    total: int | None
    overtime: int | None
    away_rest: int | None
    home_rest: int | None
    away_moneyline: int | None
    home_moneyline: int | None
    spread_line: float | None
    away_spread_odds: int | None
    home_spread_odds: int | None
    total_line: float | None
    under_odds: int | None
    over_odds: int | None
    div_game: int | None
    roof: str | None
    surface: str | None
    temp: int | None
    wind: int | None
    away_qb_id: str | None
    home_qb_id: str | None
    away_qb_name: str | None
    home_qb_name: str | None
    away_coach: str | None
    home_coach: str | None
    referee: str | None
    stadium_id: str | None
    stadium: str | None
    kickoff: NotRequired[dt.datetime | None]  # computed by the database from gameday + gametime (ET)


class ScheduleGame(TypedDict):
    """The public schedule view of a game: teams, kickoff, result where played, closing lines."""

    game_id: str
    season: int
    week: int
    game_type: str
    gameday: dt.date
    gametime: str | None
    kickoff: dt.datetime | None
    away_team: str
    home_team: str
    away_score: int | None
    home_score: int | None
    result: int | None
    total: int | None
    spread_line: float | None
    total_line: float | None
    roof: str | None
    stadium: str | None


class TeamStatLine(TypedDict, total=False):
    """A team's numbers in one game (``team_game_stats.stats``); absent or None when not recorded."""

    completions: float | None
    attempts: float | None
    passing_yards: float | None
    passing_tds: float | None
    passing_interceptions: float | None
    sacks_suffered: float | None
    passing_epa: float | None
    carries: float | None
    rushing_yards: float | None
    rushing_tds: float | None
    rushing_epa: float | None
    receiving_epa: float | None
    def_sacks: float | None
    def_interceptions: float | None
    def_fumbles_forced: float | None
    penalties: float | None
    penalty_yards: float | None
    sack_fumbles_lost: float | None
    rushing_fumbles_lost: float | None
    receiving_fumbles_lost: float | None
    fg_made: float | None
    fg_att: float | None


class TeamStatRecord(TeamStatLine):
    team: str
    season: int
    week: int
    season_type: NotRequired[str | None]
    opponent_team: NotRequired[str | None]


class PlayerStatLine(TypedDict, total=False):
    """A player's box score in one game; a query selects only the columns its caller reads."""

    completions: float | None
    attempts: float | None
    passing_yards: float | None
    passing_tds: float | None
    interceptions: float | None
    sacks: float | None
    sack_yards: float | None
    carries: float | None
    rushing_yards: float | None
    rushing_tds: float | None
    receptions: float | None
    targets: float | None
    receiving_yards: float | None
    receiving_tds: float | None
    fantasy_points: float | None
    fantasy_points_ppr: float | None


class PlayerStatRecord(PlayerStatLine):
    player_id: str
    recent_team: str  # nflverse's name for the team the player played this game for
    season: int
    week: int
    position: str | None
    player_name: NotRequired[str | None]
    player_display_name: NotRequired[str | None]
    position_group: NotRequired[str | None]
    season_type: NotRequired[str | None]
    opponent_team: NotRequired[str | None]


class PlayerRecord(TypedDict):
    """A row of the ``players`` table."""

    player_id: str
    player_name: str | None
    display_name: str | None
    position: str | None
    position_group: str | None
    team: str | None


class PredictionRow(TypedDict):
    """A game's stored prediction, as written to ``predictions`` (payload is its JSON text)."""

    game_id: str
    season: int
    week: int
    prediction_type: str
    payload: str
    prediction_count: int
    reasoning_text: str
    analysis_embedding: str  # a pgvector literal, '[0.1,0.2,...]'
    model_version: str
    expires_at: dt.datetime | None  # None once the game is played: final


class PendingGrade(TypedDict):
    """A stored prediction of a finished game that has no betting-history rows yet."""

    game_id: str
    model_version: str
    payload_text: str


class ExpertBetRow(TypedDict):
    """One graded expert prediction, as written to the betting history (``expert_bets``)."""

    expert_id: str
    game_id: str
    season: int
    week: int
    bet_type: str  # the prediction category
    bet_value: dict[str, Any]  # {value, actual, line}
    confidence: float
    reasoning: str
    reasoning_embedding: str | None  # a pgvector literal; only wagers (rows with units) have one
    outcome: str  # win / loss / push / graded
    error: float | None
    units: float | None
    model_version: str


class AnalogRecord(TypedDict):
    """A past game near another by matchup vector (``search_similar_matchups``), with its outcome."""

    game_id: str
    season: int
    week: int
    home_team: str
    away_team: str
    home_score: int | None
    away_score: int | None
    spread_line: float | None
    total_line: float | None
    similarity: float


class ApiKeyRow(TypedDict):
    """An unrevoked API key with its user's deciding subscription (None when the user has none)."""

    key_id: int
    user_id: int
    scopes: list[str] | None
    tier: str | None
    status: str | None
    expires_at: dt.datetime | None


GAME_FIELDS: tuple[str, ...] = tuple(k for k in GameRecord.__annotations__ if k != "kickoff")
EXPERT_BET_FIELDS: tuple[str, ...] = tuple(ExpertBetRow.__annotations__)
SCHEDULE_FIELDS: tuple[str, ...] = tuple(ScheduleGame.__annotations__)
TEAM_STAT_NUMERIC: tuple[str, ...] = tuple(TeamStatLine.__annotations__)
PLAYER_STAT_NUMERIC: tuple[str, ...] = tuple(PlayerStatLine.__annotations__)


def untyped(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """No-op at run time: the engine's signatures still take ``dict[str, Any]`` records until its
    aliases switch to the types above; every call into it with typed records goes through here."""
    return cast(list[dict[str, Any]], rows)


def untyped_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """``untyped`` for one record."""
    return cast(dict[str, Any], row)


def untyped_groups(groups: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """``untyped`` for records grouped by key (analogs by game_id)."""
    return cast(dict[str, list[dict[str, Any]]], groups)
