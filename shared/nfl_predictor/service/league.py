"""League reads: games, schedules, recent player stats, team stats, in the engine's record shapes."""

from __future__ import annotations

from typing import Any

from nfl_predictor.data.nflverse import GAME_COLUMNS, TEAM_STAT_NUMERIC, Record
from nfl_predictor.db import Database
from nfl_predictor.engine.props import ROLE_STATS

GAME_SELECT = ", ".join(GAME_COLUMNS) + ", kickoff"
# Weeks of recent box scores the props need (the engine weights the latest most).
RECENT_WEEKS = 8


def get_game(db: Database, game_id: str) -> Record | None:
    rows = db.fetch_dicts(f"SELECT {GAME_SELECT} FROM games WHERE game_id = :g", g=game_id)
    return rows[0] if rows else None


def week_games(db: Database, season: int, week: int) -> list[Record]:
    return db.fetch_dicts(
        f"SELECT {GAME_SELECT} FROM games WHERE season = :s AND week = :w ORDER BY gameday, gametime, game_id",
        s=season, w=week,
    )  # fmt: skip


def all_games(db: Database) -> list[Record]:
    return db.fetch_dicts(f"SELECT {GAME_SELECT} FROM games ORDER BY gameday, game_id")


def upcoming_weeks(db: Database, *, limit: int = 1) -> list[tuple[int, int]]:
    """The next (season, week) pairs with unplayed games, soonest first."""
    rows = db.fetch(
        "SELECT season, week FROM games WHERE home_score IS NULL GROUP BY season, week "
        "ORDER BY min(gameday), season, week LIMIT :n",
        n=limit,
    )
    return [(int(s), int(w)) for s, w in rows]


# Only what props read (volumes that pick the players, and each role's stats): a week's worth of
# box scores is ~800 rows, and every column costs parse time on the way in.
_PROP_STATS = sorted({"attempts", "carries", "targets", *(s for stats in ROLE_STATS.values() for s in stats)})
_PLAYER_STATS = (
    "SELECT s.player_id, p.player_name, p.display_name AS player_display_name, p.position, "
    "s.team AS recent_team, s.season, s.week, "
    + ", ".join(f"s.{c}" for c in _PROP_STATS)
    + " FROM player_game_stats s JOIN players p USING (player_id) "
)


def recent_player_stats(db: Database, teams: list[str], season: int, week: int) -> list[Record]:
    """Box-score rows of skill players for ``teams`` from the weeks before (season, week): what props use."""
    return db.fetch_dicts(
        _PLAYER_STATS + "WHERE s.team = ANY(:teams) AND (s.season, s.week) < (:s, :w) "
        "AND (s.season, s.week) >= (:s0, :w0) AND p.position IN ('QB', 'RB', 'WR', 'TE') "
        "ORDER BY s.season, s.week",
        teams=teams, s=season, w=week, s0=season - 1 if week <= RECENT_WEEKS else season,
        w0=week - RECENT_WEEKS if week > RECENT_WEEKS else 1,
    )  # fmt: skip


def player_stats(db: Database, *, since_season: int | None = None) -> list[Record]:
    """Skill players' weekly rows (what props read), optionally from ``since_season`` on."""
    return db.fetch_dicts(
        _PLAYER_STATS
        + "WHERE p.position IN ('QB', 'RB', 'WR', 'TE') AND s.season >= :s ORDER BY s.season, s.week",
        s=since_season if since_season is not None else 0,
    )


def team_stats(db: Database) -> list[Record]:
    rows = db.fetch("SELECT team, season, week, season_type, opponent_team, stats FROM team_game_stats "
                    "ORDER BY season, week, team")  # fmt: skip
    out: list[Record] = []
    for team, season, week, season_type, opponent, stats in rows:
        record: dict[str, Any] = {"team": team, "season": season, "week": week, "season_type": season_type,
                                  "opponent_team": opponent}  # fmt: skip
        record.update({name: stats.get(name) for name in TEAM_STAT_NUMERIC})
        out.append(record)
    return out


def schedule(db: Database, season: int, week: int | None) -> list[Record]:
    """The public schedule view: teams, kickoff, result where played, closing lines."""
    return db.fetch_dicts(
        "SELECT game_id, season, week, game_type, gameday, gametime, kickoff, away_team, home_team, "
        "away_score, home_score, result, total, spread_line, total_line, roof, stadium "
        "FROM games WHERE season = :s AND (CAST(:w AS integer) IS NULL OR week = :w) "
        "ORDER BY week, gameday, gametime, game_id",
        s=season, w=week,
    )  # fmt: skip
