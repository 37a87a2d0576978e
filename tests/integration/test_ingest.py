"""Ingest of nflverse files: idempotent upserts, file:line errors, nothing committed from a bad file."""

from __future__ import annotations

from pathlib import Path

import pytest
from nfl_predictor.data.ingest import ingest_games, ingest_player_stats, ingest_team_stats
from nfl_predictor.data.nflverse import NflverseFormatError
from nfl_predictor.db import Database

GAMES_HEADER = (
    "game_id,season,game_type,week,gameday,weekday,gametime,away_team,away_score,home_team,home_score,location,"
    "result,total,overtime,old_game_id,gsis,nfl_detail_id,pfr,pff,espn,ftn,away_rest,home_rest,away_moneyline,"
    "home_moneyline,spread_line,away_spread_odds,home_spread_odds,total_line,under_odds,over_odds,div_game,roof,"
    "surface,temp,wind,away_qb_id,home_qb_id,away_qb_name,home_qb_name,away_coach,home_coach,referee,stadium_id,"
    "stadium"
)
GAME_ROW = (
    "2024_01_BAL_KC,2024,REG,1,2024-09-05,Thursday,20:20,BAL,20,KC,27,Home,7,47,0,2024090500,,,,,,,7,7,150,-175,"
    "3,-110,-110,46,-110,-110,0,outdoors,grass,79,9,00-0034796,00-0033873,Lamar Jackson,Patrick Mahomes,"
    "John Harbaugh,Andy Reid,Shawn Hochuli,KAN00,GEHA Field at Arrowhead Stadium"
)


def write(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def count_games(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM games"))


def test_small_file_round_trip_with_types_and_kickoff(db: Database, tmp_path: Path) -> None:
    report = ingest_games(db, write(tmp_path, "g.csv", GAMES_HEADER, GAME_ROW))
    assert (report.rows, report.inserted, report.updated) == (1, 1, 0)
    row = db.fetch_dicts("SELECT * FROM games WHERE game_id = '2024_01_BAL_KC'")[0]
    assert row["home_score"] == 27 and row["spread_line"] == 3.0 and row["home_moneyline"] == -175
    assert row["kickoff"].isoformat() == "2024-09-06T00:20:00+00:00"  # 20:20 US Eastern (EDT)
    again = ingest_games(db, write(tmp_path, "g.csv", GAMES_HEADER, GAME_ROW))
    assert (again.inserted, again.updated) == (0, 0)  # the same row again writes nothing
    assert db.scalar("SELECT count(*) FROM teams") == 32


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (GAME_ROW.replace(",KC,27,", ",BAL,27,"), "home_team and away_team are the same"),
        (GAME_ROW.replace("2024-09-05", "2024-13-05"), "gameday: cannot read"),
        (GAME_ROW.replace(",REG,", ",PRE,"), "game_type 'PRE'"),
        (GAME_ROW.replace(",20:20,", ",8pm,"), "gametime '8pm' is not HH:MM"),
        (GAME_ROW.rsplit(",", 3)[0], "expected 46 fields"),
    ],
)
def test_bad_row_names_file_and_line_and_commits_nothing(db: Database, tmp_path: Path, bad_row: str,
                                                         message: str) -> None:  # fmt: skip
    before = count_games(db)
    good = (
        GAME_ROW.replace("2024_01_BAL_KC", "2024_01_NYJ_SF").replace(",BAL,", ",NYJ,").replace(",KC,", ",SF,")
    )
    path = write(tmp_path, "bad.csv", GAMES_HEADER, good, bad_row)
    with pytest.raises(NflverseFormatError) as info:
        ingest_games(db, path)
    assert str(info.value).startswith(f"{path}:3: ") and message in str(info.value)
    assert count_games(db) == before
    assert db.scalar("SELECT count(*) FROM games WHERE game_id = '2024_01_NYJ_SF'") == 0


def test_missing_column_is_reported_on_line_1(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "nohome.csv", GAMES_HEADER.replace("home_team,", "home_side,"), GAME_ROW)
    with pytest.raises(NflverseFormatError, match=r"nohome\.csv:1: missing column\(s\): home_team"):
        ingest_games(db, path)


def test_real_games_file_twice_then_truncated_copy(db: Database, nflverse_dir: Path, tmp_path: Path) -> None:
    db.execute("DELETE FROM games")
    first = ingest_games(db, nflverse_dir / "games.csv")
    assert first.rows == 7263 and count_games(db) == 7263
    second = ingest_games(db, nflverse_dir / "games.csv")
    assert (second.inserted, second.updated) == (0, 0) and count_games(db) == 7263  # a no-op
    checksum = db.scalar("SELECT md5(string_agg(game_id || coalesce(result::text, '-'), ',' ORDER BY game_id)) "
                         "FROM games")  # fmt: skip

    lines = (nflverse_dir / "games.csv").read_text().splitlines()
    truncated = tmp_path / "games_truncated.csv"
    cut = lines[-1][: len(lines[-1]) // 2]
    truncated.write_text("\n".join([*lines[:-1], cut]) + "\n")
    db.execute("DELETE FROM games WHERE season = 2025")
    remaining = count_games(db)
    with pytest.raises(NflverseFormatError, match=rf"games_truncated\.csv:{len(lines)}: "):
        ingest_games(db, truncated)
    assert count_games(db) == remaining  # nothing from the bad file, not even its good rows
    ingest_games(db, nflverse_dir / "games.csv")
    assert db.scalar("SELECT md5(string_agg(game_id || coalesce(result::text, '-'), ',' ORDER BY game_id)) "
                     "FROM games") == checksum  # fmt: skip


def test_real_player_and_team_stats(db: Database, nflverse_dir: Path) -> None:
    players = ingest_player_stats(db, nflverse_dir / "player_stats_week_2023.csv")
    assert players.rows == db.scalar("SELECT count(*) FROM player_game_stats WHERE season = 2023")
    assert ingest_player_stats(db, nflverse_dir / "player_stats_week_2023.csv").inserted == 0
    mahomes = db.fetch_dicts("SELECT sum(passing_yards) AS yards FROM player_game_stats s JOIN players p "
                             "USING (player_id) WHERE p.display_name = 'Patrick Mahomes' AND s.season = 2023 "
                             "AND s.season_type = 'REG'")  # fmt: skip
    assert mahomes[0]["yards"] == 4183  # his 2023 regular-season passing yards
    teams = ingest_team_stats(db, nflverse_dir / "stats_team_week_2024.csv")
    assert teams.rows == 570
    epa = db.scalar("SELECT (stats->>'passing_epa')::float FROM team_game_stats "
                    "WHERE team = 'ARI' AND season = 2024 AND week = 1")  # fmt: skip
    assert epa == pytest.approx(-1.18484973521212)
