"""League reads: games, schedules, recent player stats, team stats, as typed records."""

from __future__ import annotations

from typing import Any

from nfl_predictor.db import Database
from nfl_predictor.db.queries import games as game_queries
from nfl_predictor.engine.props import ROLE_STATS
from nfl_predictor.records import GameRecord, ScheduleGame, TeamStatRecord, untyped

# Weeks of recent box scores the props need (the engine weights the latest most).
RECENT_WEEKS = 8

# Only what props read (volumes that pick the players, and each role's stats): a week's worth of
# box scores is ~800 rows, and every column costs parse time on the way in.
_PROP_STATS = tuple(
    sorted({"attempts", "carries", "targets", *(s for stats in ROLE_STATS.values() for s in stats)})
)


def get_game(db: Database, game_id: str) -> GameRecord | None:
    return game_queries.game(db, game_id)


def week_games(db: Database, season: int, week: int) -> list[GameRecord]:
    return game_queries.week_games(db, season, week)


def all_games(db: Database) -> list[GameRecord]:
    return game_queries.all_games(db)


def upcoming_weeks(db: Database, *, limit: int = 1) -> list[tuple[int, int]]:
    """The next (season, week) pairs with unplayed games, soonest first."""
    return game_queries.upcoming_weeks(db, limit=limit)


def recent_player_stats(db: Database, teams: list[str], season: int, week: int) -> list[dict[str, Any]]:
    """Box-score rows (PlayerStatRecords) of skill players for ``teams`` from the weeks before (season,
    week): what props use, typed as the engine's input (nothing else reads them)."""
    # The last RECENT_WEEKS weeks of this season; early in a season, from the start of the last one.
    since = (season, week - RECENT_WEEKS) if week > RECENT_WEEKS else (season - 1, 1)
    rows = game_queries.skill_player_stats(db, teams, since=since, before=(season, week), stats=_PROP_STATS)
    return untyped(rows)


def team_stats(db: Database) -> list[TeamStatRecord]:
    return game_queries.team_stats(db)


def player_stats(db: Database, *, since_season: int | None = None) -> list[dict[str, Any]]:
    """Skill players' weekly rows (what props read), optionally from ``since_season`` on."""
    rows = game_queries.all_skill_player_stats(db, since_season=since_season or 0, stats=_PROP_STATS)
    return untyped(rows)


def schedule(db: Database, season: int, week: int | None) -> list[ScheduleGame]:
    """The public schedule view: teams, kickoff, result where played, closing lines."""
    return game_queries.schedule(db, season, week)
