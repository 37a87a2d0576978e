"""The record types are declared once: the readers, the demo league and the queries agree with them."""

from __future__ import annotations

from nfl_predictor.data.demo import generate_demo_league
from nfl_predictor.data.nflverse import GAME_COLUMNS, PLAYER_STAT_COLUMNS, TEAM_STAT_COLUMNS
from nfl_predictor.records import (
    EXPERT_BET_FIELDS,
    GAME_FIELDS,
    PLAYER_STAT_NUMERIC,
    SCHEDULE_FIELDS,
    TEAM_STAT_NUMERIC,
    ExpertBetRow,
    GameRecord,
    PlayerRecord,
    PlayerStatRecord,
    TeamStatRecord,
    untyped,
    untyped_row,
)


def test_the_nflverse_columns_are_the_record_fields_in_order() -> None:
    assert tuple(GAME_COLUMNS) == GAME_FIELDS
    assert set(GAME_FIELDS) | {"kickoff"} == set(GameRecord.__annotations__)
    assert set(SCHEDULE_FIELDS) <= set(GameRecord.__annotations__)
    assert tuple(TEAM_STAT_COLUMNS)[-len(TEAM_STAT_NUMERIC) :] == TEAM_STAT_NUMERIC
    assert set(TEAM_STAT_COLUMNS) == set(TeamStatRecord.__annotations__)
    assert tuple(PLAYER_STAT_COLUMNS)[-len(PLAYER_STAT_NUMERIC) :] == PLAYER_STAT_NUMERIC
    assert set(PLAYER_STAT_COLUMNS) == set(PlayerStatRecord.__annotations__)
    assert EXPERT_BET_FIELDS == tuple(ExpertBetRow.__annotations__)


def test_the_demo_league_builds_complete_records() -> None:
    league = generate_demo_league((2025,), played_weeks=2)
    assert all(set(game) == set(GAME_FIELDS) for game in league.games)
    assert all(set(player) == set(PlayerRecord.__annotations__) for player in league.players)
    required = {"player_id", "recent_team", "season", "week", "position"}
    assert all(required <= set(row) and set(PLAYER_STAT_NUMERIC) <= set(row) for row in league.player_stats)


def test_untyped_is_the_identity() -> None:
    games = generate_demo_league((2025,), played_weeks=1).games[:2]
    assert untyped(games) is games
    assert untyped_row(games[0]) is games[0]
