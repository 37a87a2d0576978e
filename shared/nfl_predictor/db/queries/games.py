"""League reads: games, schedules, upcoming weeks, team and player stat lines."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import cast

import orjson

from nfl_predictor.db.database import Database
from nfl_predictor.records import (
    GAME_FIELDS,
    PLAYER_STAT_NUMERIC,
    SCHEDULE_FIELDS,
    TEAM_STAT_NUMERIC,
    GameRecord,
    PlayerStatRecord,
    ScheduleGame,
    TeamStatRecord,
)

GAME_SELECT = ", ".join(GAME_FIELDS) + ", kickoff"


def game(db: Database, game_id: str) -> GameRecord | None:
    rows = db.fetch_dicts(f"SELECT {GAME_SELECT} FROM games WHERE game_id = :game_id", game_id=game_id)
    return cast(GameRecord, rows[0]) if rows else None


def week_games(db: Database, season: int, week: int) -> list[GameRecord]:
    rows = db.fetch_dicts(
        f"SELECT {GAME_SELECT} FROM games WHERE season = :season AND week = :week "
        "ORDER BY gameday, gametime, game_id",
        season=season, week=week,
    )  # fmt: skip
    return cast(list[GameRecord], rows)


def all_games(db: Database) -> list[GameRecord]:
    return cast(
        list[GameRecord], db.fetch_dicts(f"SELECT {GAME_SELECT} FROM games ORDER BY gameday, game_id")
    )


def any_games(db: Database) -> bool:
    return bool(db.fetch("SELECT 1 FROM games LIMIT 1"))


def schedule(db: Database, season: int, week: int | None) -> list[ScheduleGame]:
    """A season's games (one week's when ``week`` is given) in kickoff order."""
    rows = db.fetch_dicts(
        f"SELECT {', '.join(SCHEDULE_FIELDS)} FROM games "
        "WHERE season = :season AND (CAST(:week AS integer) IS NULL OR week = :week) "
        "ORDER BY week, gameday, gametime, game_id",
        season=season, week=week,
    )  # fmt: skip
    return cast(list[ScheduleGame], rows)


def upcoming_weeks(db: Database, *, limit: int = 1) -> list[tuple[int, int]]:
    """The next (season, week) pairs with unplayed games, soonest first."""
    rows = db.fetch(
        "SELECT season, week FROM games WHERE home_score IS NULL GROUP BY season, week "
        "ORDER BY min(gameday), season, week LIMIT :limit",
        limit=limit,
    )
    return [(int(season), int(week)) for season, week in rows]


def unplayed_weeks(db: Database) -> list[tuple[int, int]]:
    """Every (season, week) with an unplayed game, in (season, week) order."""
    rows = db.fetch("SELECT DISTINCT season, week FROM games WHERE home_score IS NULL ORDER BY 1, 2")
    return [(int(season), int(week)) for season, week in rows]


def unplayed_game_ids(db: Database) -> list[str]:
    rows = db.fetch("SELECT game_id FROM games WHERE home_score IS NULL ORDER BY gameday, game_id")
    return [str(row[0]) for row in rows]


def last_played_week(db: Database) -> tuple[int, int] | None:
    """The latest (season, week) with a result, or None before any game is played."""
    row = db.fetch_one(
        "SELECT season, week FROM games WHERE home_score IS NOT NULL ORDER BY season DESC, week DESC LIMIT 1"
    )
    return None if row is None else (int(row[0]), int(row[1]))


# -- stat lines ------------------------------------------------------------------------------


def team_stats(db: Database) -> list[TeamStatRecord]:
    """Every team-game stat line, (season, week, team) order; every numeric field present (None if unknown)."""
    rows = db.fetch("SELECT team, season, week, season_type, opponent_team, stats FROM team_game_stats "
                    "ORDER BY season, week, team")  # fmt: skip
    out = []
    for team, season, week, season_type, opponent, stats in rows:
        record = {"team": team, "season": season, "week": week, "season_type": season_type,
                  "opponent_team": opponent}  # fmt: skip
        record.update({name: stats.get(name) for name in TEAM_STAT_NUMERIC})
        out.append(record)
    return cast(list[TeamStatRecord], out)


def game_team_stats(db: Database, season: int, week: int, teams: Sequence[str]) -> list[TeamStatRecord]:
    """The given teams' stat lines of one week, as stored (the box score of their games)."""
    rows = db.fetch(
        "SELECT team, season, week, stats FROM team_game_stats "
        "WHERE season = :season AND week = :week AND team = ANY(:teams)",
        season=season, week=week, teams=list(teams),
    )  # fmt: skip
    return [cast(TeamStatRecord, {"team": team, "season": row_season, "week": row_week, **stats})
            for team, row_season, row_week, stats in rows]  # fmt: skip


# What grading reads of a game's box score.
_BOX_SCORE_STATS = ("attempts", "passing_yards", "rushing_yards", "receiving_yards", "interceptions", "sacks",
                    "passing_tds", "receptions")  # fmt: skip


def game_player_stats(db: Database, season: int, week: int, teams: Sequence[str]) -> list[PlayerStatRecord]:
    """The given teams' player box scores of one week (every position)."""
    rows = db.fetch_dicts(
        "SELECT s.player_id, s.team AS recent_team, s.season, s.week, p.position, "
        + ", ".join(f"s.{name}" for name in _BOX_SCORE_STATS)
        + " FROM player_game_stats s JOIN players p USING (player_id) "
        "WHERE s.season = :season AND s.week = :week AND s.team = ANY(:teams)",
        season=season, week=week, teams=list(teams),
    )  # fmt: skip
    return cast(list[PlayerStatRecord], rows)


@functools.lru_cache(maxsize=8)
def _player_stats_select(stats: tuple[str, ...]) -> str:
    """SELECT ... FROM box scores joined to players, of the stat columns ``stats`` (checked by name)."""
    unknown = set(stats) - set(PLAYER_STAT_NUMERIC)
    if unknown:
        raise ValueError(f"not player stat columns: {', '.join(sorted(unknown))}")
    return (
        "SELECT s.player_id, p.player_name, p.display_name AS player_display_name, p.position, "
        "s.team AS recent_team, s.season, s.week, "
        + ", ".join(f"s.{name}" for name in stats)
        + " FROM player_game_stats s JOIN players p USING (player_id) "
        "WHERE p.position IN ('QB', 'RB', 'WR', 'TE') "
    )


def _json_records(db: Database, select: str, order: str, stats: Sequence[str], **params: object
                  ) -> list[PlayerStatRecord]:  # fmt: skip
    """The rows of ``select`` as one JSON array built by the server: a week's ~1,800 box scores arrive
    as one value parsed in C (orjson) instead of ~20,000 fields decoded one by one (~70 ms). JSON
    writes a whole float8 like 250.0 as 250: the stat columns are put back to floats."""
    text = db.scalar(f"SELECT coalesce(json_agg(q ORDER BY {order}), '[]')::text FROM ({select}) q", **params)
    rows: list[dict[str, object]] = orjson.loads(text)
    for row in rows:
        for name in stats:
            value = row[name]
            if value is not None:
                row[name] = float(value)  # type: ignore[arg-type]
    return cast(list[PlayerStatRecord], rows)


def skill_player_stats(db: Database, teams: Sequence[str], *, since: tuple[int, int], before: tuple[int, int],
                       stats: Sequence[str]) -> list[PlayerStatRecord]:  # fmt: skip
    """Box scores of the teams' QBs, RBs, WRs and TEs from ``since`` up to (not including) ``before``
    (both (season, week)), oldest first; of the stat columns only ``stats``. One query, one value."""
    return _json_records(
        db, _player_stats_select(tuple(stats))
        + "AND s.team = ANY(:teams) AND (s.season, s.week) < (:before_season, :before_week) "
        "AND (s.season, s.week) >= (:since_season, :since_week)", "q.season, q.week, q.player_id", stats,
        teams=list(teams), since_season=since[0], since_week=since[1],
        before_season=before[0], before_week=before[1],
    )  # fmt: skip


def all_skill_player_stats(
    db: Database, *, since_season: int, stats: Sequence[str]
) -> list[PlayerStatRecord]:
    """Every QB, RB, WR and TE box score from ``since_season`` on, oldest first (what training reads)."""
    return _json_records(db, _player_stats_select(tuple(stats)) + "AND s.season >= :since_season",
                         "q.season, q.week, q.player_id", stats, since_season=since_season)  # fmt: skip
