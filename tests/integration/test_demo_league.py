"""The demo league: deterministic, realistic, loadable twice with the same rows."""

from __future__ import annotations

from collections import Counter

import numpy as np
from nfl_predictor.data.demo import generate_demo_league
from nfl_predictor.data.ingest import load_demo_league
from nfl_predictor.data.teams import TEAM_ABBRS
from nfl_predictor.db import Database, parse_database_url
from nfl_predictor.db.database import make_database
from nfl_predictor_dev.local.postgres import EmbeddedPostgres

from tests.conftest import fresh_database_url


def test_same_seed_same_league_other_seed_other_league() -> None:
    assert generate_demo_league(seed=3).games == generate_demo_league(seed=3).games
    assert generate_demo_league(seed=3).games != generate_demo_league(seed=4).games


def test_schedule_shape() -> None:
    league = generate_demo_league(seasons=(2024,), played_weeks=18)
    assert len(league.games) == 272
    per_team = Counter(t for g in league.games for t in (g["home_team"], g["away_team"]))
    assert set(per_team) == set(TEAM_ABBRS) and set(per_team.values()) == {17}
    for week in range(1, 19):
        teams = [t for g in league.games if g["week"] == week for t in (g["home_team"], g["away_team"])]
        assert len(teams) == len(set(teams))  # nobody plays twice in a week
    pairs = Counter(frozenset((g["home_team"], g["away_team"])) for g in league.games)
    assert max(pairs.values()) == 1


def test_score_distribution_matches_the_nfl() -> None:
    margins, totals = [], []
    for seed in range(6):
        for game in generate_demo_league(seasons=(2024,), played_weeks=18, seed=seed).games:
            margins.append(game["result"])
            totals.append(game["total"])
    assert 1.0 <= np.mean(margins) <= 2.8  # home edge ~1.9 (SE ~0.3 over 1,632 games)
    assert 11.5 <= np.std(margins) <= 14.5
    assert 42.0 <= np.mean(totals) <= 46.5
    assert 1 not in totals and all(t >= 0 for t in totals)


def test_last_season_has_upcoming_games_with_lines() -> None:
    league = generate_demo_league(played_weeks=12)
    upcoming = [g for g in league.games if g["season"] == 2025 and g["week"] > 12]
    assert upcoming and all(g["home_score"] is None and g["spread_line"] is not None for g in upcoming)
    assert all(g["home_score"] is not None for g in league.games if g["season"] == 2024)
    assert not any(s["season"] == 2025 and s["week"] > 12 for s in league.player_stats)


def test_load_twice_is_idempotent(db: Database) -> None:
    first = load_demo_league(db)
    snapshot = db.fetch("SELECT game_id, home_score, away_score FROM games ORDER BY game_id")
    stats = db.scalar("SELECT count(*) FROM player_game_stats")
    second = load_demo_league(db)
    assert first.rows == second.rows == 544 and second.inserted == 0
    assert db.fetch("SELECT game_id, home_score, away_score FROM games ORDER BY game_id") == snapshot
    assert db.scalar("SELECT count(*) FROM player_game_stats") == stats > 0


def test_the_seed_asked_for_is_the_league_stored(pg_server: EmbeddedPostgres, template_database: str) -> None:
    database = make_database(
        parse_database_url(fresh_database_url(pg_server, template_database)), pooled=False
    )
    try:
        report = load_demo_league(database, seasons=(2024,), played_weeks=4, seed=3)
        stored = [
            tuple(r) for r in database.fetch("SELECT game_id, home_score, away_score FROM games ORDER BY 1")
        ]
    finally:
        database.close()

    def rows(seed: int) -> list[tuple[object, ...]]:
        league = generate_demo_league(seasons=(2024,), played_weeks=4, seed=seed)
        return sorted((g["game_id"], g["home_score"], g["away_score"]) for g in league.games)

    assert stored == rows(3) != rows(2025)  # seed 3's scores, not the default seed's
    assert (report.source, report.rows, report.inserted, report.updated) == (
        "demo league seed=3",
        272,
        272,
        0,
    )
