"""The migration runner against a real PostgreSQL with pgvector."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nfl_predictor
import pytest
from nfl_predictor.db import parse_database_url
from nfl_predictor.db.database import Database, make_database
from nfl_predictor.db.index_catalog import declared_indexes
from nfl_predictor.db.migrate import (
    PACKAGED_MIGRATIONS,
    MigrationError,
    MigrationRunner,
    apply_migrations,
    default_migrations_dir,
    describe_pg_error,
    load_migrations,
)
from pg8000.exceptions import DatabaseError

# The package's own folder (shared/nfl_predictor here; mutants/src/nfl_predictor in a mutation run).
PACKAGE = Path(nfl_predictor.__file__).resolve().parent

EXPECTED_TABLES = {
    "teams", "games", "players", "player_game_stats", "team_game_stats", "model_params", "predictions",
    "game_embeddings", "expert_research", "expert_bets", "knowledge_base", "news_articles", "users",
    "api_keys", "subscriptions", "schema_migrations",
}  # fmt: skip
EMBEDDING_COLUMNS = {
    ("predictions", "analysis_embedding"), ("predictions", "reasoning_embedding"),
    ("game_embeddings", "embedding"), ("expert_research", "embedding"),
    ("expert_bets", "reasoning_embedding"), ("knowledge_base", "embedding"), ("news_articles", "embedding"),
}  # fmt: skip


@pytest.fixture
def empty_db(empty_database_url: str):
    database = make_database(parse_database_url(empty_database_url), pooled=False)
    yield database
    database.close()


def copy_migrations(tmp_path: Path) -> Path:
    target = tmp_path / "migrations"
    shutil.copytree(PACKAGE / "migrations", target)
    return target


def test_applies_on_empty_database_then_reapplies_as_noop(empty_db: Database) -> None:
    applied = apply_migrations(empty_db)
    assert [m.version for m in applied] == [m.version for m in load_migrations()]
    tables = {r[0] for r in empty_db.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert EXPECTED_TABLES <= tables
    recorded = empty_db.fetch("SELECT version, checksum FROM schema_migrations ORDER BY version")
    assert [(v, c) for v, c in recorded] == [(m.version, m.checksum) for m in load_migrations()]

    assert apply_migrations(empty_db) == []
    assert empty_db.scalar("SELECT count(*) FROM schema_migrations") == len(recorded)


def test_every_embedding_column_has_an_hnsw_cosine_index(db: Database) -> None:
    rows = db.fetch(
        "SELECT t.relname, a.attname, am.amname, i.indexrelid::regclass::text, "
        "pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_am am ON am.oid = c.relam "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey)"
    )
    hnsw = {(table, col): definition for table, col, am, _name, definition in rows if am == "hnsw"}
    assert set(hnsw) == EMBEDDING_COLUMNS
    for definition in hnsw.values():
        assert "vector_cosine_ops" in definition
        assert "m='16'" in definition and "ef_construction='64'" in definition


def test_performance_indexes_exist_and_are_valid(db: Database) -> None:
    names = {r[0] for r in db.fetch("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                                    "WHERE i.indisvalid")}  # fmt: skip
    # Every index the migrations declare and no later one drops (013 drops the payload GIN).
    assert set(declared_indexes(load_migrations())) <= names
    assert "predictions_season_week_type_idx" in names and "api_keys_key_hash_idx" in names


def test_each_migrations_recorded_duration_is_its_own_time_in_milliseconds(
    empty_db: Database, tmp_path: Path
) -> None:
    folder = copy_migrations(tmp_path)
    (folder / "900_slow.sql").write_text("SELECT pg_sleep(0.2);\n")
    started = time.perf_counter()
    apply_migrations(empty_db, folder)
    whole_ms = (time.perf_counter() - started) * 1000
    durations = dict(empty_db.fetch("SELECT version, duration_ms FROM schema_migrations"))
    # The server slept 200 ms inside the file, and the file ran inside the call: bounds, not a timing.
    assert 200 <= durations[900] <= whole_ms
    assert all(0 <= ms <= whole_ms for ms in durations.values())
    assert sum(durations.values()) <= whole_ms


def test_edited_applied_migration_is_refused(empty_db: Database, tmp_path: Path) -> None:
    folder = copy_migrations(tmp_path)
    apply_migrations(empty_db, folder)
    edited = folder / "002_league.sql"
    edited.write_text(edited.read_text() + "\n-- a harmless looking edit\n")
    with pytest.raises(MigrationError, match=r"002_league\.sql: already applied with checksum"):
        apply_migrations(empty_db, folder)


def test_failing_transactional_migration_leaves_nothing(empty_db: Database, tmp_path: Path) -> None:
    folder = copy_migrations(tmp_path)
    (folder / "900_broken.sql").write_text(
        "CREATE TABLE half_done (id int);\nINSERT INTO half_done VALUES (1);\nSELECT no_such_function();\n"
    )
    with pytest.raises(
        MigrationError, match=r"900_broken\.sql: function no_such_function\(\) does not exist"
    ):
        apply_migrations(empty_db, folder)
    assert empty_db.scalar("SELECT to_regclass('half_done')") is None
    assert empty_db.scalar("SELECT count(*) FROM schema_migrations WHERE version = 900") == 0
    # Everything before the broken file is applied and recorded.
    assert empty_db.scalar("SELECT max(version) FROM schema_migrations") == load_migrations()[-1].version


def test_failing_concurrent_migration_drops_its_indexes(empty_db: Database, tmp_path: Path) -> None:
    folder = copy_migrations(tmp_path)
    apply_migrations(empty_db, folder)
    empty_db.execute("INSERT INTO users (name, email) VALUES ('a', 'x@example.com'), ('b', 'x2@example.com')")
    (folder / "901_concurrent.sql").write_text(
        "-- nflp:no-transaction\n"
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_created_idx ON users (created_at);\n"
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_name_len_idx ON users (length(name));\n"
    )
    with pytest.raises(MigrationError, match=r"901_concurrent\.sql: could not create unique index"):
        apply_migrations(empty_db, folder)
    left = {r[0] for r in empty_db.fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'users'")}
    assert "users_created_idx" not in left and "users_name_len_idx" not in left
    assert empty_db.scalar("SELECT count(*) FROM schema_migrations WHERE version = 901") == 0

    # Fix the data, re-run: applies cleanly.
    empty_db.execute("DELETE FROM users WHERE name = 'b'")
    assert [m.version for m in apply_migrations(empty_db, folder)] == [901]


def test_status_reports_pending(empty_db: Database) -> None:
    runner = MigrationRunner(empty_db)
    assert not any(row["applied"] for row in runner.status())
    runner.apply()
    assert all(row["applied"] and row["checksum_ok"] for row in runner.status())


def test_bad_filename_is_refused(tmp_path: Path) -> None:
    folder = copy_migrations(tmp_path)
    (folder / "7_bad name.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNN_snake_case"):
        load_migrations(folder)


def test_concurrent_runners_take_turns_and_both_succeed(empty_database_url: str) -> None:
    """Issue 15, item 1: two runners on a fresh database. A runner queued on pg_advisory_lock made the
    lock holder's CREATE INDEX CONCURRENTLY deadlock (40P01); now the second polls, then finds nothing."""
    import threading

    results: dict[str, object] = {}
    databases = {name: make_database(parse_database_url(empty_database_url), pooled=False) for name in "ab"}
    start = threading.Barrier(2)

    def run(name: str) -> None:
        start.wait(timeout=30)
        try:
            results[name] = [m.version for m in apply_migrations(databases[name])]
        except Exception as exc:  # recorded, asserted below
            results[name] = exc

    threads = [threading.Thread(target=run, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    for database in databases.values():
        database.close()
    assert not any(isinstance(result, Exception) for result in results.values()), results
    applied = sorted((results["a"], results["b"]), key=len)  # type: ignore[arg-type]
    assert applied[0] == [] and applied[1] == [m.version for m in load_migrations()]


def test_a_failure_is_one_migration_error(empty_db: Database) -> None:
    from nfl_predictor.db.migrate import _ADVISORY_LOCK_KEY

    logged: list[str] = []
    runner = MigrationRunner(empty_db, lock_wait_s=0.5, log=logged.append)
    other = make_database(empty_db.target, pooled=False)
    try:
        with other.raw_connection() as holder:
            holder.run("SELECT pg_advisory_lock(:key)", key=_ADVISORY_LOCK_KEY)  # held by another runner
            with pytest.raises(MigrationError) as info:
                runner.apply()
    finally:
        other.close()
    assert str(info.value) == "another migration runner held the lock for over 0.5s"
    assert logged == ["another migration runner is busy; waiting for it"]  # said once, however long the wait


def test_two_migrate_commands_at_once_both_exit_zero(empty_database_url: str) -> None:
    """Issue 15, item 1, as operators hit it: two `nfl-predictor migrate` on a fresh database."""
    import os
    import subprocess
    import sys

    command = [sys.executable, "-m", "nfl_predictor.cli.main", "migrate"]
    env = {**os.environ, "DATABASE_URL": empty_database_url}
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]  # fmt: skip
    outcomes = [(run.wait(timeout=300), *run.communicate(timeout=10)) for run in runs]
    for code, _out, err in outcomes:
        assert code == 0, err
        assert "Traceback" not in err


def test_status_rows_pending_applied_and_edited(empty_db: Database, tmp_path: Path) -> None:
    folder = copy_migrations(tmp_path)
    files = load_migrations(folder)
    runner = MigrationRunner(empty_db, folder)
    assert runner.status() == [
        {"version": m.version, "name": m.name, "applied": False, "checksum_ok": True} for m in files
    ]
    runner.apply()
    assert runner.status() == [
        {"version": m.version, "name": m.name, "applied": True, "checksum_ok": True} for m in files
    ]
    edited = sorted(folder.glob("*.sql"))[-1]
    edited.write_text(edited.read_text() + "\n-- edited after it was applied\n")
    rows = MigrationRunner(empty_db, folder).status()
    assert [row["checksum_ok"] for row in rows] == [True] * (len(files) - 1) + [False]
    assert all(row["applied"] for row in rows)


def test_describe_pg_error() -> None:
    assert (
        describe_pg_error(DatabaseError({"M": "boom", "C": "42P01", "S": "ERROR"})) == "boom (SQLSTATE 42P01)"
    )
    assert describe_pg_error(DatabaseError({})) == "error (SQLSTATE ?)"
    assert describe_pg_error(DatabaseError("plain")) == "plain"
    assert describe_pg_error(ValueError({"M": "not from postgres"})) == "{'M': 'not from postgres'}"
    assert describe_pg_error(RuntimeError("x")) == "x"
    assert describe_pg_error(RuntimeError()) == "RuntimeError"


def test_the_migrations_ship_inside_the_package() -> None:
    # tests-17 configured the folder with NFLP_MIGRATIONS_DIR; main ships the files in the package.
    assert default_migrations_dir() == PACKAGED_MIGRATIONS
    assert PACKAGED_MIGRATIONS == PACKAGE / "migrations"
    assert (default_migrations_dir() / "001_extensions.sql").is_file()


def test_the_session_statement_timeout_is_set_on_the_connection_migrations_run_on(empty_db: Database) -> None:
    from nfl_predictor.db.migrate import set_session_statement_timeout

    set_session_statement_timeout(empty_db, 4321)
    with empty_db.raw_connection() as conn:
        assert conn.run("SHOW statement_timeout") == [["4321ms"]]


def test_an_edited_migration_is_named_with_both_checksums(empty_db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "small"
    folder.mkdir()
    first = folder / "001_one.sql"
    first.write_text("CREATE TABLE one (id integer);\n")
    logged: list[str] = []
    assert [m.filename for m in apply_migrations(empty_db, folder, log=logged.append)] == ["001_one.sql"]
    assert len(logged) == 1 and logged[0].startswith("applied 001_one.sql in ") and logged[0].endswith("s")
    recorded = load_migrations(folder)[0].checksum
    first.write_text("CREATE TABLE one (id bigint);\n")
    now = load_migrations(folder)[0].checksum
    with pytest.raises(MigrationError) as info:
        apply_migrations(empty_db, folder)
    assert str(info.value) == (
        f"001_one.sql: already applied with checksum {recorded[:12]}, but the file now has {now[:12]}; "
        "never edit an applied migration, add a new one"
    )


def test_a_no_transaction_file_is_split_on_semicolons_without_its_comments() -> None:
    from nfl_predictor.db.migrate import split_statements

    sql = "-- nflp:no-transaction\nCREATE INDEX CONCURRENTLY a ON t (x); -- one -- two\n\nSELECT 1 -- x;\n;\n"
    assert split_statements(sql) == ["CREATE INDEX CONCURRENTLY a ON t (x)", "SELECT 1"]
    with pytest.raises(MigrationError) as info:
        split_statements("-- nflp:no-transaction\nDO $$ BEGIN END $$;\n")
    assert str(info.value) == "no-transaction migrations may not contain $$-quoted bodies"


def test_a_no_transaction_file_with_a_dollar_quoted_body_is_refused_whole(
    empty_db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "dollars"
    folder.mkdir()
    (folder / "001_body.sql").write_text("-- nflp:no-transaction\nCREATE TABLE body (id integer);\n"
                                         "DO $$ BEGIN PERFORM 1; END $$;\n")  # fmt: skip
    with pytest.raises(MigrationError) as info:
        apply_migrations(empty_db, folder)
    assert str(info.value) == "001_body.sql: no-transaction migrations may not contain $$-quoted bodies"
    assert empty_db.scalar("SELECT to_regclass('body') IS NULL") is True


def test_a_failed_migration_releases_the_runners_lock(empty_db: Database, empty_database_url: str,
                                                      tmp_path: Path) -> None:  # fmt: skip
    """The failed file's transaction is rolled back before the lock is released: another runner can
    take its turn at once (instead of waiting out LOCK_WAIT_S for this connection to close)."""
    from nfl_predictor.db.migrate import _ADVISORY_LOCK_KEY

    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "001_broken.sql").write_text("CREATE TABLE half_done (id int);\nSELECT no_such_function();\n")
    with pytest.raises(MigrationError, match=r"001_broken\.sql: function no_such_function"):
        apply_migrations(empty_db, folder)
    other = make_database(parse_database_url(empty_database_url), pooled=False)
    try:
        with other.raw_connection() as conn:
            assert conn.run("SELECT pg_try_advisory_lock(:key)", key=_ADVISORY_LOCK_KEY) == [[True]]
            conn.run("SELECT pg_advisory_unlock(:key)", key=_ADVISORY_LOCK_KEY)
    finally:
        other.close()
    assert empty_db.scalar("SELECT to_regclass('half_done')") is None


def test_a_failing_concurrent_migration_keeps_the_indexes_that_were_there_before_it(
    empty_db: Database, tmp_path: Path
) -> None:
    """All-or-nothing undoes only this run's indexes: one the file declares with IF NOT EXISTS but that
    existed before it ran (built by an earlier file) stays, valid."""
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "001_table.sql").write_text(
        "CREATE TABLE t (x integer, y integer);\nCREATE INDEX t_x_idx ON t (x);\nINSERT INTO t VALUES (1, 1), (2, 1);\n"
    )
    apply_migrations(empty_db, folder)
    (folder / "002_concurrent.sql").write_text(
        "-- nflp:no-transaction\n"
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_x_idx ON t (x);\n"
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_xy_idx ON t (x, y);\n"
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_y_idx ON t (y);\n"
    )
    with pytest.raises(MigrationError, match=r"002_concurrent\.sql: could not create unique index"):
        apply_migrations(empty_db, folder)
    left = empty_db.fetch("SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                          "WHERE i.indrelid = 't'::regclass ORDER BY 1")  # fmt: skip
    assert left == [["t_x_idx", True]]


def test_a_database_error_outside_any_file_is_one_migration_error(empty_db: Database, tmp_path: Path) -> None:
    """A schema_migrations table of another shape (not this runner's) fails before any file runs: one
    line naming what PostgreSQL said."""
    empty_db.execute("CREATE TABLE schema_migrations (version integer PRIMARY KEY)")
    with pytest.raises(MigrationError) as info:
        apply_migrations(empty_db)
    assert str(info.value) == 'migrations: column "checksum" does not exist (SQLSTATE 42703)'


def test_an_invalid_index_the_file_declares_is_rebuilt_and_others_are_left_alone(
    empty_db: Database, tmp_path: Path
) -> None:
    """An interrupted CREATE INDEX CONCURRENTLY leaves an INVALID index that IF NOT EXISTS would keep:
    before a no-transaction file runs, the INVALID indexes it declares (and only those) are dropped."""
    from nfl_predictor.db.migrate import invalid_indexes

    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "001_table.sql").write_text(
        "CREATE TABLE t (x integer, y integer);\nINSERT INTO t VALUES (1, 1), (2, 1);\n"
    )
    apply_migrations(empty_db, folder)
    with empty_db.raw_connection() as conn:
        for name, column in (("t_y_idx", "y"), ("t_other_idx", "y")):  # both fail on the duplicate y: INVALID
            with pytest.raises(DatabaseError):
                conn.run(f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON t ({column})")
        assert sorted(invalid_indexes(conn)) == ["t_other_idx", "t_y_idx"]
        assert invalid_indexes(conn, ["t_y_idx", "nope"]) == ["t_y_idx"]
    (folder / "002_index.sql").write_text(
        "-- nflp:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_y_idx ON t (y);\n"
    )
    assert [m.version for m in apply_migrations(empty_db, folder)] == [2]
    left = empty_db.fetch("SELECT c.relname, i.indisvalid, i.indisunique FROM pg_index i "
                          "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 't'::regclass ORDER BY 1")  # fmt: skip
    assert left == [["t_other_idx", False, True], ["t_y_idx", True, False]]


def test_a_missing_folder_and_a_reused_version_are_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(MigrationError) as info:
        load_migrations(missing)
    assert str(info.value) == f"{missing}: migrations folder not found"
    (tmp_path / "001_a.sql").write_text("SELECT 1;\n")
    (tmp_path / "001_b.sql").write_text("SELECT 2;\n")
    with pytest.raises(MigrationError) as info:
        load_migrations(tmp_path)
    assert str(info.value) == "001_b.sql: version 1 also used by 001_a.sql"
