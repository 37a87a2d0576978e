"""Player and team weekly stats: small synthetic files in the nflverse layout (no real data needed),
upserted idempotently, players keeping their latest team and names, nothing committed from a bad file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from nfl_predictor.data import ingest
from nfl_predictor.data.ingest import database_is_empty, ingest_games, ingest_player_stats, ingest_team_stats
from nfl_predictor.data.nflverse import (
    PLAYER_STAT_COLUMNS,
    PLAYER_STAT_NUMERIC,
    TEAM_STAT_COLUMNS,
    TEAM_STAT_NUMERIC,
    NflverseFormatError,
    read_player_stats,
    read_team_stats,
)
from nfl_predictor.db import Database
from nfl_predictor.db.queries import ingest as ingest_queries

GAMES = Path(__file__).resolve().parents[1] / "data" / "games_synthetic.csv"


def write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def player_row(player: str, week: int, team: str, yards: float, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"player_id": player, "player_name": f"P.{player}", "player_display_name": f"Player {player}",
                           "position": "QB", "position_group": "QB", "recent_team": team, "season": 2030,
                           "week": week, "season_type": "REG", "opponent_team": "KC"}  # fmt: skip
    row.update({name: i + 1 for i, name in enumerate(PLAYER_STAT_NUMERIC)})
    row["passing_yards"] = yards
    row.update(extra)
    return row


def team_row(team: str, week: int, epa: float, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "season": 2030,
        "week": week,
        "team": team,
        "season_type": "REG",
        "opponent_team": "KC",
    }
    row.update({name: float(i) for i, name in enumerate(TEAM_STAT_NUMERIC)})
    row["passing_epa"] = epa
    row.update(extra)
    return row


@pytest.fixture
def clean(db: Database) -> Database:
    db.execute("DELETE FROM player_game_stats WHERE season = 2030")
    db.execute("DELETE FROM players WHERE player_id LIKE 'syn-%'")
    db.execute("DELETE FROM team_game_stats WHERE season = 2030")
    return db


def stats_of(db: Database) -> dict[tuple[str, int], tuple[Any, ...]]:
    rows = db.fetch("SELECT player_id, week, team, season_type, passing_yards, sacks FROM player_game_stats "
                    "WHERE season = 2030")  # fmt: skip
    return {(p, w): (t, st, y, s) for p, w, t, st, y, s in rows}


def test_player_stats_round_trip_and_latest_team(
    clean: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    columns = list(PLAYER_STAT_COLUMNS)
    rows = [
        player_row("syn-1", 2, "BUF", 250.5),
        player_row("syn-1", 3, "BUF", 300.0, player_display_name="Renamed One"),
        player_row("syn-2", 1, "SF", 75.0, season_type=""),
        player_row("syn-3", 1, "PHI", 10.0, player_display_name="Third One"),
        player_row("syn-1", 1, "KC", 100.0),  # an older week, last in the file
    ]
    path = write_csv(tmp_path / "player_stats_week_2030.csv", columns, rows)
    assert len(read_player_stats(path)) == 5
    progress: list[tuple[int, str]] = []
    monkeypatch.setattr(ingest, "_progress", lambda total, label: progress.append((total, label)) or None)
    report = ingest_player_stats(clean, path)
    assert progress == [(5, "player stats")]
    assert (report.source, report.rows, report.inserted, report.updated) == (str(path), 5, 5, 0)
    assert report.line() == f"{path}: 5 rows (5 new, 0 updated)"
    stats = stats_of(clean)
    assert stats[("syn-1", 1)] == ("KC", "REG", 100.0, 6.0)
    assert stats[("syn-1", 3)] == ("BUF", "REG", 300.0, 6.0)
    assert stats[("syn-2", 1)][1] == "REG"  # a blank season_type is the regular season
    players = {p: (n, d, pos, g, t) for p, n, d, pos, g, t in clean.fetch(
        "SELECT player_id, player_name, display_name, position, position_group, team FROM players "
        "WHERE player_id LIKE 'syn-%'")}  # fmt: skip
    # A player's row follows their latest week, wherever it is in the file.
    assert players["syn-1"] == ("P.syn-1", "Renamed One", "QB", "QB", "BUF")
    assert players["syn-3"][1] == "Third One" and players["syn-2"][4] == "SF"
    again = ingest_player_stats(clean, path)
    assert (again.rows, again.inserted, again.updated) == (5, 0, 0)  # unchanged rows are not rewritten
    assert stats_of(clean) == stats


def test_the_latest_week_wins_even_when_it_comes_first(clean: Database, tmp_path: Path) -> None:
    rows = [player_row("syn-9", 5, "NYJ", 1.0), player_row("syn-9", 4, "MIA", 2.0),
            player_row("syn-9", 5, "LV", 3.0, season_type="POST", player_name="Later")]  # fmt: skip
    path = write_csv(tmp_path / "p.csv", list(PLAYER_STAT_COLUMNS), rows)
    ingest_player_stats(clean, path)
    # Same (season, week) twice: the later line wins (>=), so the player is on LV.
    assert clean.fetch_one("SELECT player_name, team FROM players WHERE player_id = 'syn-9'") == [
        "Later",
        "LV",
    ]


def test_a_bad_player_stats_line_commits_nothing(clean: Database, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(ingest_queries, "BATCH_ROWS", 1)
    rows = [player_row("syn-1", 1, "KC", 100.0), player_row("syn-2", 1, "SF", 50.0),
            player_row("syn-4", 2, "SF", 0.0, passing_yards="lots")]  # fmt: skip
    path = write_csv(tmp_path / "bad.csv", list(PLAYER_STAT_COLUMNS), rows)
    with pytest.raises(NflverseFormatError, match=r"bad\.csv:4: passing_yards: cannot read 'lots'") as info:
        ingest_player_stats(clean, path)
    assert (info.value.source, info.value.line) == (str(path), 4)
    assert stats_of(clean) == {}
    assert clean.scalar("SELECT count(*) FROM players WHERE player_id LIKE 'syn-%'") == 0


def test_an_empty_player_stats_file_writes_nothing(clean: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "empty.csv", list(PLAYER_STAT_COLUMNS), [])
    report = ingest_player_stats(clean, path)
    assert (report.rows, report.inserted, report.updated) == (0, 0, 0)


def test_team_stats_round_trip_keep_every_other_column_as_stats(clean: Database, tmp_path: Path) -> None:
    rows = [team_row("KC", 1, 0.25), team_row("BUF", 1, -1.5, season_type="", opponent_team="NA"),
            team_row("KC", 2, 3.0, fg_made="")]  # fmt: skip
    path = write_csv(tmp_path / "stats_team_week_2030.csv", list(TEAM_STAT_COLUMNS), rows)
    assert len(read_team_stats(path)) == 3
    report = ingest_team_stats(clean, path)
    assert (report.source, report.rows, report.inserted, report.updated) == (str(path), 3, 3, 0)
    stored = {(t, w): (st, o, s) for t, w, st, o, s in clean.fetch(
        "SELECT team, week, season_type, opponent_team, stats FROM team_game_stats WHERE season = 2030")}  # fmt: skip
    assert set(stored) == {("KC", 1), ("BUF", 1), ("KC", 2)}
    season_type, opponent, stats = stored[("BUF", 1)]
    assert season_type == "REG" and opponent is None
    assert set(stats) == set(TEAM_STAT_NUMERIC)  # the key columns are not repeated inside stats
    assert stats["passing_epa"] == -1.5 and stats["completions"] == 0.0
    assert stored[("KC", 1)][1] == "KC" and stored[("KC", 2)][2]["fg_made"] is None
    again = ingest_team_stats(clean, write_csv(tmp_path / "again.csv", list(TEAM_STAT_COLUMNS),
                                               [team_row("KC", 1, 9.0)]))  # fmt: skip
    assert (again.rows, again.inserted, again.updated) == (1, 0, 1)
    assert clean.scalar("SELECT (stats->>'passing_epa')::float FROM team_game_stats "
                        "WHERE team = 'KC' AND season = 2030 AND week = 1") == 9.0  # fmt: skip


def test_a_bad_team_stats_line_commits_nothing(clean: Database, tmp_path: Path) -> None:
    rows = [team_row("KC", 1, 0.25), {**team_row("BUF", 1, 0.5), "week": ""}]
    path = write_csv(tmp_path / "bad_team.csv", list(TEAM_STAT_COLUMNS), rows)
    with pytest.raises(NflverseFormatError, match=r"bad_team\.csv:3: week is empty"):
        ingest_team_stats(clean, path)
    assert clean.scalar("SELECT count(*) FROM team_game_stats WHERE season = 2030") == 0


def test_database_is_empty_until_a_game_is_stored(empty_database_url: str) -> None:
    from nfl_predictor.db import parse_database_url
    from nfl_predictor.db.database import make_database
    from nfl_predictor.db.migrate import apply_migrations

    db = make_database(parse_database_url(empty_database_url), pooled=False)
    try:
        apply_migrations(db)
        assert database_is_empty(db) is True
        ingest_games(db, GAMES)
        assert database_is_empty(db) is False
    finally:
        db.close()


def test_the_demo_league_is_stored_whole_once_and_never_mixed_with_nflverse_data(
    pg_server: Any, template_database: str
) -> None:
    """``load_demo_league()`` with its defaults stores exactly ``generate_demo_league()``'s rows (two
    seasons, the last played through week 12, seed 2025); a second load writes nothing; the database is
    then claimed by the demo league, so an nflverse file is refused and leaves nothing behind."""
    from nfl_predictor.data.demo import generate_demo_league
    from nfl_predictor.data.ingest import DataSourceConflict, load_demo_league
    from nfl_predictor.db import parse_database_url
    from nfl_predictor.db.database import make_database

    from tests.conftest import fresh_database_url

    league = generate_demo_league((2024, 2025), 12, 2025)
    db = make_database(parse_database_url(fresh_database_url(pg_server, template_database)), pooled=False)
    try:
        report = load_demo_league(db)
        assert report == ingest.IngestReport("demo league seed=2025", len(league.games), len(league.games), 0)
        games = db.fetch("SELECT game_id, season, week, home_score, away_score, kickoff IS NOT NULL FROM games "
                         "ORDER BY game_id")  # fmt: skip
        assert games == sorted(
            [
                g["game_id"],
                g["season"],
                g["week"],
                g["home_score"],
                g["away_score"],
                g["gametime"] is not None,
            ]
            for g in league.games
        )
        played = db.fetch(
            "SELECT season, max(week) FROM games WHERE home_score IS NOT NULL GROUP BY 1 ORDER BY 1"
        )
        assert played == [[2024, 18], [2025, 12]]
        assert db.scalar("SELECT count(*) FROM teams") == 32
        players = db.fetch("SELECT player_id, team FROM players ORDER BY 1")
        assert players == sorted([p["player_id"], p["team"]] for p in league.players)
        stats = db.fetch("SELECT player_id, season, week, season_type, team, passing_yards FROM player_game_stats "
                         "ORDER BY 1, 2, 3")  # fmt: skip
        assert stats == sorted(
            [s["player_id"], s["season"], s["week"], s["season_type"], s["recent_team"], s["passing_yards"]]
            for s in league.player_stats
        )
        assert load_demo_league(db) == ingest.IngestReport("demo league seed=2025", len(league.games), 0, 0)
        with pytest.raises(DataSourceConflict, match="holds the synthetic demo league"):
            ingest_games(db, GAMES)
        assert db.scalar("SELECT count(*) FROM games WHERE season = 2030") == 0
    finally:
        db.close()


def test_each_kind_reports_progress_per_batch_under_its_own_label(
    clean: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The progress bar (a terminal only) is told each file's row count and label, then every batch."""
    calls: list[tuple[int, str]] = []
    batches: list[tuple[str, int]] = []

    def progress(total: int, label: str) -> Any:
        calls.append((total, label))
        return lambda n: batches.append((label, n))

    monkeypatch.setattr(ingest, "_progress", progress)
    monkeypatch.setattr(ingest_queries, "BATCH_ROWS", 2)
    players = [
        player_row("syn-a", 1, "KC", 10.0),
        player_row("syn-b", 1, "KC", 20.0),
        player_row("syn-a", 2, "KC", 30.0),
    ]
    ingest_player_stats(clean, write_csv(tmp_path / "p.csv", list(PLAYER_STAT_COLUMNS), players))
    teams = [team_row("KC", 1, 0.5), team_row("BUF", 1, 1.5), team_row("KC", 2, 2.5)]
    ingest_team_stats(clean, write_csv(tmp_path / "t.csv", list(TEAM_STAT_COLUMNS), teams))
    ingest_games(clean, GAMES)
    assert calls == [(3, "player stats"), (3, "team stats"), (10, "games")]
    assert batches == [("player stats", 2), ("player stats", 1), ("team stats", 2), ("team stats", 1),
                       ("games", 2), ("games", 2), ("games", 2), ("games", 2), ("games", 2)]  # fmt: skip
