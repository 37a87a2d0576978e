"""Index maintenance against a real PostgreSQL: repairs, reindexes and analyzes while writes go on."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pg8000.native
import pytest
from nfl_predictor.config import ConfigError, Settings
from nfl_predictor.db import parse_database_url
from nfl_predictor.db.database import Database, make_database
from nfl_predictor.db.index_catalog import declared_indexes, estimate_pages
from nfl_predictor.db.indexes import MaintenanceOptions, run_maintenance, summary_metrics
from nfl_predictor.db.migrate import load_migrations

FAST = MaintenanceOptions(backoff_s=0.05)


@pytest.fixture(scope="module")
def maint_db(database_url: str) -> Iterator[Database]:
    database = make_database(parse_database_url(database_url), pooled=False)
    yield database
    database.close()


def connect(database_url: str) -> pg8000.native.Connection:
    return pg8000.native.Connection(**parse_database_url(database_url).connect_kwargs())


def index_state(db: Database, name: str) -> bool | None:
    row = db.fetch_one("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                       "WHERE c.relname = :n", n=name)  # fmt: skip
    return None if row is None else bool(row[0])


def invalid_indexes(db: Database) -> list[str]:
    rows = db.fetch(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT i.indisvalid"
    )
    return [r[0] for r in rows]


def wait_for_modified_rows(db: Database, table: str) -> None:
    """Table statistics reach pg_stat_user_tables when a backend goes idle (at most once a second)."""
    deadline = time.monotonic() + 10
    db.scalar("SELECT pg_stat_force_next_flush()")
    while not db.scalar("SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = :t", t=table):
        assert time.monotonic() < deadline, f"no statistics for {table}"
        time.sleep(0.05)


def make_invalid(db: Database, name: str, table: str, column: str) -> None:
    """A declared index left INVALID the way a failed CREATE INDEX CONCURRENTLY leaves it."""
    db.execute(f"DROP INDEX IF EXISTS {name}")
    with pytest.raises(pg8000.native.DatabaseError, match="division by zero"):
        db.execute(f"CREATE INDEX CONCURRENTLY {name} ON {table} ((1 / ({column} - {column})))")
    assert index_state(db, name) is False


def test_declared_indexes_are_every_migration_index_as_a_concurrent_idempotent_build() -> None:
    declared = declared_indexes(load_migrations())
    assert {"games_season_week_idx", "knowledge_base_embedding_hnsw", "api_keys_key_hash_idx"} <= set(
        declared
    )
    assert declared["api_keys_key_hash_idx"].create_sql.startswith(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS api_keys_key_hash_idx ON api_keys"
    )
    hnsw = declared["knowledge_base_embedding_hnsw"]
    assert hnsw.table == "knowledge_base" and "USING hnsw (embedding vector_cosine_ops)" in hnsw.create_sql
    assert all(d.create_sql.startswith(("CREATE INDEX CONCURRENTLY IF NOT EXISTS", "CREATE UNIQUE INDEX "
                                        "CONCURRENTLY IF NOT EXISTS")) for d in declared.values())  # fmt: skip


def test_an_index_dropped_by_a_later_migration_is_not_declared(tmp_path) -> None:
    from nfl_predictor.db.migrate import Migration

    def migration(version: int, sql: str) -> Migration:
        return Migration(version, f"m{version}", tmp_path / f"{version:03d}_m.sql", sql, "x")

    declared = declared_indexes([
        migration(1, "CREATE TABLE t (a int);\nCREATE INDEX t_a_idx ON t (a); -- comment; with a semicolon"),
        migration(2, "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\nDROP INDEX IF EXISTS t_a_idx;"),
    ])  # fmt: skip
    assert declared == {}


def test_a_healthy_schema_needs_nothing_and_a_second_run_changes_nothing(maint_db: Database) -> None:
    first = run_maintenance(maint_db, FAST)
    assert first["errors"] == [] and first["created"] == [] and first["rebuilt_invalid"] == []
    assert first["checked"] == len(declared_indexes(load_migrations()))
    assert first["reindexed"] == []  # nothing is bloated in a fresh schema
    second = run_maintenance(maint_db, FAST)
    assert (second["created"], second["rebuilt_invalid"], second["reindexed"], second["errors"]) == (
        [],
        [],
        [],
        [],
    )
    # The session settings it changed are restored on the reused connection.
    assert maint_db.scalar("SHOW lock_timeout") == "2s"


def test_a_missing_declared_index_is_created_concurrently(maint_db: Database) -> None:
    maint_db.execute("DROP INDEX news_articles_published_at_idx")
    summary = run_maintenance(maint_db, replace(FAST, tables=frozenset({"news_articles"})))
    assert summary["created"] == ["news_articles_published_at_idx"]
    assert index_state(maint_db, "news_articles_published_at_idx") is True


def test_writes_continue_while_an_invalid_index_is_rebuilt_and_bloated_ones_reindexed(
    maint_db: Database, database_url: str
) -> None:
    maint_db.execute("INSERT INTO knowledge_base (category, title, content) "
                     "SELECT 'seed', 'seed-' || g, 'x' FROM generate_series(1, 200) g")  # fmt: skip
    make_invalid(maint_db, "knowledge_base_created_at_idx", "knowledge_base", "trust_score")

    writer_db = make_database(parse_database_url(database_url), pooled=False)
    written: list[str] = []
    slowest = [0.0]
    failures: list[BaseException] = []
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            title = f"w-{n}"
            started = time.perf_counter()
            try:
                writer_db.execute("INSERT INTO knowledge_base (category, title, content) VALUES ('w', :t, 'x')",
                                  t=title)  # fmt: skip
            except BaseException as exc:  # pragma: no cover - reported by the assertion below
                failures.append(exc)
                return
            slowest[0] = max(slowest[0], time.perf_counter() - started)
            written.append(title)
            n += 1

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        time.sleep(0.2)
        options = replace(FAST, bloat_ratio=0.0, min_reindex_bytes=0, max_reindexes=10, analyze_min_changes=1,
                          tables=frozenset({"knowledge_base"}))  # fmt: skip
        summary = run_maintenance(maint_db, options)
        time.sleep(0.2)
    finally:
        stop.set()
        writer.join(timeout=30)
        writer_db.close()

    assert failures == []
    assert summary["errors"] == []
    assert summary["rebuilt_invalid"] == ["knowledge_base_created_at_idx"]
    reindexed = {r["index"] for r in summary["reindexed"]}
    assert {"knowledge_base_pkey", "knowledge_base_created_at_idx"} <= reindexed
    assert invalid_indexes(maint_db) == []
    definition = maint_db.scalar("SELECT pg_get_indexdef('knowledge_base_created_at_idx'::regclass)")
    assert definition.endswith("USING btree (created_at)")
    # Every write landed, and none waited behind the maintenance for long.
    assert len(written) > 20
    stored = maint_db.scalar("SELECT count(*) FROM knowledge_base WHERE category = 'w'")
    assert stored == len(written)
    assert slowest[0] < 3.0, f"an insert took {slowest[0]:.2f}s"


def test_lock_contention_is_waited_out_with_short_timeouts_and_retries(
    maint_db: Database, database_url: str
) -> None:
    maint_db.execute("DROP INDEX expert_research_created_at_idx")
    holder = connect(database_url)
    holder.run("BEGIN")
    holder.run("LOCK TABLE expert_research IN SHARE UPDATE EXCLUSIVE MODE")  # what CONCURRENTLY needs
    release = threading.Timer(0.6, lambda: holder.run("COMMIT"))
    release.start()
    try:
        options = replace(FAST, lock_timeout_ms=100, attempts=8, backoff_s=0.1,
                          tables=frozenset({"expert_research"}))  # fmt: skip
        summary = run_maintenance(maint_db, options)
    finally:
        release.join()
        holder.close()
    assert summary["errors"] == [] and summary["lock_retries"] >= 1
    assert summary["created"] == ["expert_research_created_at_idx"]
    assert invalid_indexes(maint_db) == []


def test_giving_up_on_a_lock_leaves_no_invalid_index_and_reports_the_error(
    maint_db: Database, database_url: str
) -> None:
    maint_db.execute("DROP INDEX expert_bets_game_idx")
    holder = connect(database_url)
    holder.run("BEGIN")
    holder.run("LOCK TABLE expert_bets IN SHARE UPDATE EXCLUSIVE MODE")
    try:
        options = replace(FAST, lock_timeout_ms=50, attempts=2, tables=frozenset({"expert_bets"}))
        summary = run_maintenance(maint_db, options)
    finally:
        holder.run("COMMIT")
        holder.close()
    assert summary["created"] == []
    assert summary["errors"][0]["step"] == "build expert_bets_game_idx"
    assert "lock timeout" in summary["errors"][0]["error"] and "55P03" in summary["errors"][0]["error"]
    assert index_state(maint_db, "expert_bets_game_idx") is None and invalid_indexes(maint_db) == []
    # The next run (the schedule's retry) finishes the job.
    assert run_maintenance(maint_db, replace(FAST, tables=frozenset({"expert_bets"})))["created"] == [
        "expert_bets_game_idx"
    ]


def test_bloat_heuristic_tracks_real_btree_sizes_and_reindex_shrinks_a_bloated_index(
    maint_db: Database,
) -> None:
    maint_db.execute("CREATE TABLE bloat_probe (id bigint PRIMARY KEY, note text)")
    maint_db.execute("INSERT INTO bloat_probe SELECT g, 'n' FROM generate_series(1, 30000) g")
    maint_db.execute("ANALYZE bloat_probe")
    only = replace(FAST, tables=frozenset({"bloat_probe"}), min_reindex_bytes=0, analyze_min_changes=1)
    fresh = run_maintenance(maint_db, replace(only, bloat_ratio=1.5))
    assert fresh["reindexed"] == []
    # Deleting 9 rows in 10 empties no page: the index keeps its size for a tenth of the keys.
    maint_db.execute("DELETE FROM bloat_probe WHERE id % 10 <> 0")
    wait_for_modified_rows(maint_db, "bloat_probe")
    summary = run_maintenance(maint_db, replace(only, bloat_ratio=3.0))
    assert [t["table"] for t in summary["analyzed"]] == ["bloat_probe"]
    [done] = summary["reindexed"]
    assert done["index"] == "bloat_probe_pkey" and done["ratio"] >= 5
    assert done["bytes_after"] < done["bytes"] / 4
    assert estimate_pages(1_000_000, 8) == pytest.approx(2745, rel=0.05)  # a real 1M-bigint B-tree


def test_report_lists_usage_and_unused_indexes_but_never_constraint_indexes(maint_db: Database) -> None:
    maint_db.execute("CREATE TABLE usage_probe (id bigint PRIMARY KEY, a int, b int UNIQUE)")
    maint_db.execute("CREATE INDEX usage_probe_a_idx ON usage_probe (a)")
    maint_db.execute("CREATE INDEX usage_probe_unused_idx ON usage_probe (b, a)")
    maint_db.execute("INSERT INTO usage_probe SELECT g, g, g FROM generate_series(1, 1000) g")
    with maint_db.transaction() as tx:
        tx.run("SET LOCAL enable_seqscan = off")
        tx.run("SET LOCAL enable_bitmapscan = off")
        tx.run("SELECT b FROM usage_probe WHERE a = 5")
    maint_db.scalar("SELECT pg_stat_force_next_flush()")
    deadline = time.monotonic() + 10
    while (
        maint_db.scalar("SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'usage_probe_a_idx'")
        == 0
    ):
        assert time.monotonic() < deadline, "index statistics never arrived"
        time.sleep(0.1)
    summary = run_maintenance(maint_db, replace(FAST, tables=frozenset({"usage_probe"})))
    usage = {u["index"]: u["scans"] for u in summary["usage"]}
    assert set(usage) == {
        "usage_probe_pkey",
        "usage_probe_b_key",
        "usage_probe_a_idx",
        "usage_probe_unused_idx",
    }
    assert usage["usage_probe_a_idx"] >= 1
    assert [u["index"] for u in summary["unused"]] == ["usage_probe_unused_idx"]
    assert summary["slow_statements"] == {"available": False,
                                          "reason": "pg_stat_statements is not in shared_preload_libraries"}  # fmt: skip
    metrics = summary_metrics(summary)
    assert metrics["UnusedIndexes"] == 1 and metrics["MaintenanceErrors"] == 0


def test_options_come_from_the_environment_and_manual_events() -> None:
    env = {"INDEX_LOCK_TIMEOUT_MS": "500", "INDEX_BLOAT_RATIO": "2.5", "ANALYZE_MIN_CHANGED_ROWS": ""}
    options = MaintenanceOptions.from_settings(Settings.from_env(env))
    assert (options.lock_timeout_ms, options.bloat_ratio, options.analyze_min_changes) == (500, 2.5, 1000)
    assert options.with_overrides({"bloat_ratio": 0}).bloat_ratio == 0
    with pytest.raises(ValueError, match="unknown maintenance option"):
        options.with_overrides({"drop_everything": True})
    with pytest.raises(ConfigError, match="INDEX_BLOAT_RATIO"):
        Settings.from_env({"INDEX_BLOAT_RATIO": "lots"})
    bounded = options.within(30)
    assert bounded.statement_timeout_ms == 30_000 and bounded.deadline is not None


def test_the_cli_prints_the_summary_as_json(database_url: str) -> None:
    import json
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "nfl_predictor.cli.main", "maintain-indexes", "--table", "news_articles"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "DATABASE_URL": database_url},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["errors"] == [] and summary["checked"] == 3  # news_articles' declared indexes
