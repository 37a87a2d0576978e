"""update-data / the data function's work: fetch (loopback HTTP, local files), ingest in one
transaction, skip what was loaded, retrain only when results changed; a bad download changes nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nfl_predictor.config import Settings
from nfl_predictor.data.download import DownloadError
from nfl_predictor.data.ingest import DataSourceConflict, load_demo_league
from nfl_predictor.data.nflverse import NflverseFormatError
from nfl_predictor.db import Database, parse_database_url
from nfl_predictor.db.database import make_database
from nfl_predictor.service.data_refresh import Source, default_sources, refresh
from nfl_predictor.vectors.embedder import make_embedder
from nfl_predictor_dev.local.redis_server import free_port

from tests.conftest import fresh_database_url
from tests.data_files import FileServer, subset

SETTINGS = Settings.from_env({"DATA_DOWNLOAD_TIMEOUT_SECONDS": "5", "DATA_DOWNLOAD_DEADLINE_SECONDS": "20"})
SEASONS = {2023, 2024}


@pytest.fixture
def fresh_db(pg_server: Any, template_database: str) -> Iterator[Database]:
    database = make_database(parse_database_url(fresh_database_url(pg_server, template_database)), pooled=True,
                             pool_size=3)  # fmt: skip
    yield database
    database.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("nflverse")
    return {
        "games": subset("games", SEASONS, root / "games.csv"),
        "team-stats": subset("team-stats", SEASONS, root / "stats_team_week.csv"),
        "player-stats": subset("player-stats", {2023}, root / "player_stats.csv.gz", compress=True),
    }


def state(db: Database) -> tuple[Any, ...]:
    """Everything a refresh may change: rows, scores, models, what was recorded as loaded."""
    return (
        db.scalar("SELECT count(*) FROM games"), db.scalar("SELECT count(*) FROM team_game_stats"),
        db.scalar("SELECT count(*) FROM player_game_stats"), db.scalar("SELECT count(*) FROM model_params"),
        db.scalar("SELECT count(*) FROM data_loads"),
        db.scalar("SELECT md5(string_agg(game_id || coalesce(home_score::text, '-'), ',' ORDER BY game_id)) "
                  "FROM games"),
    )  # fmt: skip


def run(db: Database, sources: list[Source]) -> dict[str, Any]:
    return refresh(db, make_embedder("hashing"), sources, SETTINGS)


def test_local_files_load_atomically_then_the_same_files_are_a_no_op(fresh_db: Database,
                                                                      files: dict[str, Path]) -> None:  # fmt: skip
    first = run(fresh_db, [Source(str(p)) for p in files.values()])  # kinds read from each header
    assert first["status"] == "loaded" and {f["kind"] for f in first["files"]} == set(files)
    assert first["results_changed"] and first["retrained"] and first["graded"] == 0
    assert fresh_db.scalar("SELECT count(*) FROM games") == 570  # 2023 and 2024, REG + POST
    assert (
        fresh_db.scalar("SELECT display_name FROM players WHERE player_id = '00-0033873'")
        == "Patrick Mahomes"
    )
    before = state(fresh_db)
    again = run(fresh_db, [Source(str(p)) for p in files.values()])
    assert again["status"] == "unchanged" and len(again["skipped"]) == 3 and again["retrained"] is None
    assert state(fresh_db) == before


def test_a_changed_line_reloads_without_retraining_and_a_new_result_retrains(
    fresh_db: Database, files: dict[str, Path], tmp_path: Path
) -> None:
    run(fresh_db, [Source(str(files["games"]), "games")])
    models = fresh_db.scalar("SELECT count(*) FROM model_params")
    text = files["games"].read_text()
    lines = text.splitlines()
    header = lines[0].split(",")
    moved = lines[1].split(",")
    moved[header.index("total_line")] = "99.5"  # a line moves: no result changed
    (tmp_path / "lines.csv").write_text("\n".join([lines[0], ",".join(moved)]) + "\n")
    report = run(fresh_db, [Source(str(tmp_path / "lines.csv"), "games")])
    assert (
        report["files"][0]["updated"] == 1 and not report["results_changed"] and report["retrained"] is None
    )
    older = lines[1].split(",")
    for column in ("home_score", "away_score", "result", "total", "overtime"):
        older[header.index(column)] = ""  # the same game from a file made before it was played
    older[header.index("total_line")] = "30.5"
    (tmp_path / "older.csv").write_text("\n".join([lines[0], ",".join(older)]) + "\n")
    report = run(fresh_db, [Source(str(tmp_path / "older.csv"), "games")])
    assert report["files"][0]["updated"] == 0 and not report["results_changed"]
    assert fresh_db.scalar("SELECT total_line FROM games WHERE game_id = :g", g=older[0]) == 99.5
    corrected = lines[1].split(",")
    corrected[header.index("home_score")] = str(int(corrected[header.index("home_score")]) + 1)
    (tmp_path / "result.csv").write_text("\n".join([lines[0], ",".join(corrected)]) + "\n")
    report = run(fresh_db, [Source(str(tmp_path / "result.csv"), "games")])
    assert report["results_changed"] and report["retrained"]
    # Same games, same config: the same version name, its parameters refitted in place.
    assert fresh_db.scalar("SELECT count(*) FROM model_params") == models


def test_loopback_http_good_truncated_malformed_404_and_closed_port(fresh_db: Database,
                                                                    files: dict[str, Path]) -> None:  # fmt: skip
    good = files["games"].read_bytes()
    malformed = good.replace(b",REG,", b",PRE,", 1)
    served = {"/games.csv": good, "/team.csv": files["team-stats"].read_bytes(), "/bad.csv": malformed,
              "/player.csv.gz": files["player-stats"].read_bytes()}  # fmt: skip
    with FileServer(served).running() as server:
        empty = state(fresh_db)
        cases: list[tuple[str, type[Exception], str]] = [
            (f"{server.url}/truncated/games.csv", DownloadError, "truncated"),
            (f"{server.url}/bad.csv", NflverseFormatError, "game_type 'PRE'"),
            (f"{server.url}/missing.csv", DownloadError, "HTTP 404"),
            (f"http://127.0.0.1:{free_port()}/games.csv", DownloadError, "refused"),
        ]
        for url, error, message in cases:
            # The good team-stats file comes first in the same refresh: it is not written either.
            with pytest.raises(error, match=message):
                run(fresh_db, [Source(f"{server.url}/team.csv", "team-stats"), Source(url, "games")])
            assert state(fresh_db) == empty, url
        report = run(fresh_db, [Source(f"{server.url}/games.csv", "games"), Source(f"{server.url}/team.csv"),
                                Source(f"{server.url}/player.csv.gz")])  # fmt: skip
        assert report["status"] == "loaded" and len(report["files"]) == 3 and report["retrained"]


def test_default_sources_name_the_season_in_the_settings_urls() -> None:
    settings = Settings.from_env({"NFLVERSE_TEAM_STATS_URL": "https://example.invalid/team_{season}.csv"})
    sources = default_sources(settings, 2031)
    assert [s.kind for s in sources] == ["games", "team-stats", "player-stats"]
    assert sources[1].location == "https://example.invalid/team_2031.csv" and "2031" in sources[2].location


def test_two_refreshes_at_once_load_and_train_once(fresh_db: Database, files: dict[str, Path]) -> None:
    reports: list[dict[str, Any]] = []
    sources = [Source(str(p)) for p in files.values()]
    threads = [threading.Thread(target=lambda: reports.append(run(fresh_db, sources))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert len(reports) == 2
    assert sorted(r["status"] for r in reports) in (["busy", "loaded"], ["loaded", "unchanged"])
    assert fresh_db.scalar("SELECT count(*) FROM model_params") == 1
    assert fresh_db.scalar("SELECT count(*) FROM data_loads") == 3
    assert fresh_db.scalar("SELECT count(*) FROM games") == 570


def test_real_data_is_refused_in_a_demo_database_and_demo_in_a_real_one(fresh_db: Database, files: dict[str, Path],
                                                                         pg_server: Any, template_database: str
                                                                         ) -> None:  # fmt: skip
    load_demo_league(fresh_db)
    before = state(fresh_db)
    with pytest.raises(DataSourceConflict, match="holds the synthetic demo league"):
        run(fresh_db, [Source(str(files["games"]), "games")])
    assert state(fresh_db) == before
    real = make_database(parse_database_url(fresh_database_url(pg_server, template_database)), pooled=False)
    try:
        run(real, [Source(str(files["games"]), "games")])
        with pytest.raises(DataSourceConflict, match="holds real nflverse data"):
            load_demo_league(real)
    finally:
        real.close()
