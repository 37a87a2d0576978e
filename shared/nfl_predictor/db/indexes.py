"""Index maintenance that never blocks traffic: ensure, repair, reindex, analyze, report.

One run, in order:

1. every index the applied migrations declare exists and is valid: a missing one is built with
   ``CREATE INDEX CONCURRENTLY IF NOT EXISTS``; an INVALID leftover of a failed concurrent build is
   dropped (``DROP INDEX CONCURRENTLY``) and rebuilt; ``*_ccnew``/``*_ccold`` leftovers of a failed
   ``REINDEX CONCURRENTLY`` are dropped;
2. ``ANALYZE`` on tables with more than ``analyze_min_changes`` rows modified since their last analyze;
3. ``REINDEX INDEX CONCURRENTLY`` on B-tree indexes whose size is ``bloat_ratio`` times an estimate of a
   freshly built one (see ``estimate_pages``), at most ``max_reindexes`` per run;
4. a report: index usage, unused indexes, the slowest statements when pg_stat_statements is there.

Every statement runs on an autocommit connection with a short ``lock_timeout``: a statement that
cannot get its lock within it gives up (instead of queueing writers behind it) and is retried with
backoff. Nothing here drops a table, a column or a valid index: data is never touched. Running twice
does nothing the second time. The result is a JSON-able summary.
"""

from __future__ import annotations

import contextlib
import functools
import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from pg8000.exceptions import DatabaseError

from nfl_predictor.config import Settings
from nfl_predictor.db.connection import Connection
from nfl_predictor.db.database import Database
from nfl_predictor.db.index_catalog import (
    REINDEX_LEFTOVER,
    DeclaredIndex,
    declared_indexes,
    estimate_pages,
    quote_ident,
)
from nfl_predictor.db.migrate import Migration, describe_pg_error, load_migrations

# 55P03 lock_not_available (lock_timeout), 40P01 deadlock_detected: both mean "try again later".
RETRYABLE_SQLSTATES = {"55P03", "40P01"}


@dataclass(frozen=True, slots=True)
class MaintenanceOptions:
    lock_timeout_ms: int = 2000
    # Concurrent builds on big tables take minutes; the proxy's InitQuery sets 5 s for requests.
    statement_timeout_ms: int = 600_000
    attempts: int = 4
    backoff_s: float = 0.5
    bloat_ratio: float = 2.0
    min_reindex_bytes: int = 8 * 1024 * 1024  # small indexes are cheap to scan, bloated or not
    max_reindexes: int = 5
    analyze_min_changes: int = 1000
    report_limit: int = 50
    slow_statement_limit: int = 10
    tables: frozenset[str] | None = None  # limit the work to these tables (None: every table)
    migrations_dir: Path | None = None
    deadline: float | None = None  # time.monotonic() after which no new step starts

    @classmethod
    def from_settings(cls, settings: Settings) -> MaintenanceOptions:
        """The Lambda's thresholds (template parameters, read and validated by Settings)."""
        return cls(
            lock_timeout_ms=settings.index_lock_timeout_ms,
            attempts=settings.index_lock_attempts,
            bloat_ratio=settings.index_bloat_ratio,
            min_reindex_bytes=settings.index_min_reindex_bytes,
            max_reindexes=settings.index_max_reindexes,
            analyze_min_changes=settings.analyze_min_changed_rows,
            migrations_dir=Path(settings.migrations_dir) if settings.migrations_dir else None,
        )

    def within(self, seconds: float) -> MaintenanceOptions:
        """No new step after ``seconds`` from now, and no statement outliving them."""
        budget_ms = max(1000, int(seconds * 1000))
        return replace(self, deadline=time.monotonic() + seconds,
                       statement_timeout_ms=min(self.statement_timeout_ms, budget_ms))  # fmt: skip

    def with_overrides(self, overrides: Mapping[str, Any] | None) -> MaintenanceOptions:
        """Options from a manual invocation's event, e.g. ``{"bloat_ratio": 0}``; unknown keys refused."""
        if not overrides:
            return self
        allowed = {"lock_timeout_ms", "attempts", "bloat_ratio", "min_reindex_bytes", "max_reindexes",
                   "analyze_min_changes", "report_limit", "slow_statement_limit"}  # fmt: skip
        unknown = set(overrides) - allowed
        if unknown:
            raise ValueError(f"unknown maintenance option(s): {', '.join(sorted(unknown))}")
        return replace(self, **dict(overrides))


@dataclass
class Summary:
    checked: int = 0
    created: list[str] = field(default_factory=list)
    rebuilt_invalid: list[str] = field(default_factory=list)
    dropped_leftovers: list[str] = field(default_factory=list)
    analyzed: list[dict[str, Any]] = field(default_factory=list)
    reindexed: list[dict[str, Any]] = field(default_factory=list)
    bloat_candidates: list[dict[str, Any]] = field(default_factory=list)
    usage: list[dict[str, Any]] = field(default_factory=list)
    unused: list[dict[str, Any]] = field(default_factory=list)
    slow_statements: dict[str, Any] = field(default_factory=dict)
    lock_retries: int = 0
    skipped: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    duration_ms: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sqlstate(exc: BaseException) -> str | None:
    if isinstance(exc, DatabaseError) and exc.args and isinstance(exc.args[0], dict):
        return str(exc.args[0].get("C", "")) or None
    return None


class Maintenance:
    """One maintenance run on one autocommit connection; ``run()`` returns the summary."""

    def __init__(self, conn: Connection, options: MaintenanceOptions,
                 sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.conn = conn
        self.options = options
        self.summary = Summary()
        self._sleep = sleep

    # -- plumbing -----------------------------------------------------------------------------

    def _in_scope(self, table: str) -> bool:
        return self.options.tables is None or table in self.options.tables

    def _out_of_time(self, step: str) -> bool:
        if self.options.deadline is not None and time.monotonic() > self.options.deadline:
            self.summary.skipped.append(step)
            return True
        return False

    def _retrying(self, what: str, action: Callable[[], object]) -> bool:
        """Run an idempotent action; on a lock timeout back off and try again. False when it gave up."""
        for attempt in range(1, self.options.attempts + 1):
            try:
                action()
                return True
            except DatabaseError as exc:
                if sqlstate(exc) not in RETRYABLE_SQLSTATES or attempt == self.options.attempts:
                    self.summary.errors.append({"step": what, "error": describe_pg_error(exc)})
                    return False
                self.summary.lock_retries += 1
                self._sleep(self.options.backoff_s * 2 ** (attempt - 1))
        return False

    @contextlib.contextmanager
    def _session(self) -> Iterator[None]:
        """Short lock_timeout, long statement_timeout; restored afterwards (the connection is reused).

        A session SET pins an RDS Proxy session: acceptable for a nightly job holding one connection.
        """
        saved = {name: self.conn.run(f"SHOW {name}")[0][0] for name in ("lock_timeout", "statement_timeout")}
        self.conn.run(f"SET lock_timeout = {int(self.options.lock_timeout_ms)}")
        self.conn.run(f"SET statement_timeout = {int(self.options.statement_timeout_ms)}")
        try:
            yield
        finally:
            for name, value in saved.items():
                with contextlib.suppress(Exception):
                    self.conn.run(f"SELECT set_config('{name}', :value, false)", value=value)

    # -- steps --------------------------------------------------------------------------------

    def run(self, declared: dict[str, DeclaredIndex]) -> Summary:
        started = time.perf_counter()
        with self._session():
            self.drop_reindex_leftovers()
            self.ensure_declared(declared)
            self.analyze_changed_tables()
            self.reindex_bloated()
            self.report_usage()
            self.report_slow_statements()
        self.summary.duration_ms = int((time.perf_counter() - started) * 1000)
        return self.summary

    def _index_validity(self, name: str) -> bool | None:
        """True valid, False INVALID, None missing."""
        rows = self.conn.run(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = :name AND n.nspname = current_schema()",
            name=name,
        )
        return bool(rows[0][0]) if rows else None

    def _reindex_leftovers(self) -> list[str]:
        rows = self.conn.run(
            "SELECT c.relname, t.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT i.indisvalid AND n.nspname = current_schema()"
        )
        return [name for name, table in rows if REINDEX_LEFTOVER.search(name) and self._in_scope(table)]

    def drop_reindex_leftovers(self) -> None:
        """INVALID ``*_ccnew``/``*_ccold`` copies left by an interrupted REINDEX CONCURRENTLY."""
        for name in self._reindex_leftovers():
            sql = f"DROP INDEX CONCURRENTLY IF EXISTS {quote_ident(name)}"
            if self._retrying(f"drop {name}", functools.partial(self.conn.run, sql)):
                self.summary.dropped_leftovers.append(name)

    def ensure_declared(self, declared: dict[str, DeclaredIndex]) -> None:
        for index in declared.values():
            if not self._in_scope(index.table) or self._out_of_time(f"ensure {index.name}"):
                continue
            self.summary.checked += 1
            before = self._index_validity(index.name)
            if before:
                continue

            def build(index: DeclaredIndex = index) -> None:
                # A build that timed out on a lock leaves an INVALID index: drop it before each try.
                if self._index_validity(index.name) is False:
                    self.conn.run(f"DROP INDEX CONCURRENTLY IF EXISTS {quote_ident(index.name)}")
                self.conn.run(index.create_sql)

            if self._retrying(f"build {index.name}", build):
                (self.summary.created if before is None else self.summary.rebuilt_invalid).append(index.name)
            elif self._index_validity(index.name) is False:
                # Gave up: leave nothing half-built behind (the next run starts clean).
                with contextlib.suppress(Exception):
                    self.conn.run(f"DROP INDEX CONCURRENTLY IF EXISTS {quote_ident(index.name)}")

    def analyze_changed_tables(self) -> None:
        rows = self.conn.run(
            "SELECT relname, n_mod_since_analyze FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND n_mod_since_analyze >= :threshold "
            "ORDER BY n_mod_since_analyze DESC",
            threshold=self.options.analyze_min_changes,
        )
        for table, changed in rows:
            if not self._in_scope(table) or self._out_of_time(f"analyze {table}"):
                continue
            sql = f"ANALYZE {quote_ident(table)}"
            if self._retrying(f"analyze {table}", functools.partial(self.conn.run, sql)):
                self.summary.analyzed.append({"table": table, "modified_rows": int(changed)})

    def reindex_bloated(self) -> None:
        candidates = [c for c in self.bloat_estimates() if self._in_scope(c["table"])]
        bloated = [
            c for c in candidates
            if c["bytes"] >= self.options.min_reindex_bytes and c["ratio"] >= self.options.bloat_ratio
        ]  # fmt: skip
        bloated.sort(key=lambda c: c["bytes"], reverse=True)
        self.summary.bloat_candidates = bloated[: self.options.report_limit]
        for candidate in bloated[: self.options.max_reindexes]:
            name = candidate["index"]
            if self._out_of_time(f"reindex {name}"):
                continue

            def reindex(name: str = name) -> None:
                # An attempt that timed out on a lock leaves an INVALID *_ccnew copy: clear it first.
                for leftover in self._reindex_leftovers():
                    self.conn.run(f"DROP INDEX CONCURRENTLY IF EXISTS {quote_ident(leftover)}")
                self.conn.run(f"REINDEX INDEX CONCURRENTLY {quote_ident(name)}")

            if self._retrying(f"reindex {name}", reindex):
                after = self.conn.run(
                    "SELECT pg_relation_size(CAST(:name AS regclass))", name=quote_ident(name)
                )
                self.summary.reindexed.append({**candidate, "bytes_after": int(after[0][0])})
            else:
                self.drop_reindex_leftovers()

    def bloat_estimates(self) -> list[dict[str, Any]]:
        """Valid B-tree indexes with their size against an estimate of a fresh build (``estimate_pages``)."""
        rows = self.conn.run(
            "SELECT c.relname, t.relname, c.relpages, greatest(c.reltuples, 0), pg_relation_size(c.oid), "
            " coalesce((SELECT option_value::int FROM pg_options_to_table(c.reloptions) "
            "           WHERE option_name = 'fillfactor'), 90), "
            " (SELECT coalesce(sum(coalesce(s.avg_width, 8)), 0) FROM unnest(i.indkey::int2[]) AS k(attnum) "
            "  LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
            "  LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = t.relname "
            "   AND s.attname = a.attname), "
            " current_setting('block_size')::int "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE am.amname = 'btree' AND i.indisvalid AND n.nspname = current_schema()"
        )
        estimates = []
        for index, table, pages, tuples, size, fillfactor, key_width, block_size in rows:
            expected = estimate_pages(float(tuples), int(key_width), int(fillfactor), int(block_size))
            actual = max(int(pages), math.ceil(int(size) / int(block_size)))
            estimates.append({"index": index, "table": table, "bytes": int(size),
                              "estimated_bytes": expected * int(block_size),
                              "ratio": round(actual / expected, 2)})  # fmt: skip
        return estimates

    def report_usage(self) -> None:
        rows = self.conn.run(
            "SELECT s.indexrelname, s.relname, s.idx_scan, pg_relation_size(s.indexrelid), "
            " i.indisunique OR i.indisprimary "
            "FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid "
            "WHERE s.schemaname = current_schema() ORDER BY pg_relation_size(s.indexrelid) DESC, 1"
        )
        usage = [{"index": name, "table": table, "scans": int(scans), "bytes": int(size)}
                 for name, table, scans, size, _ in rows if self._in_scope(table)]  # fmt: skip
        self.summary.usage = usage[: self.options.report_limit]
        # Unique and primary-key indexes enforce constraints: never "unused", whatever their scans.
        self.summary.unused = [
            {"index": name, "table": table, "bytes": int(size)}
            for name, table, scans, size, constraint in rows
            if int(scans) == 0 and not constraint and self._in_scope(table)
        ][: self.options.report_limit]

    def report_slow_statements(self) -> None:
        preloaded = "pg_stat_statements" in str(self.conn.run("SHOW shared_preload_libraries")[0][0])
        if not preloaded:
            self.summary.slow_statements = {"available": False,
                                            "reason": "pg_stat_statements is not in shared_preload_libraries"}  # fmt: skip
            return
        installed = self.conn.run("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
        if not installed:
            # Preloaded by the RDS parameter group; the views need the extension in this database.
            try:
                self.conn.run("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            except DatabaseError as exc:
                self.summary.slow_statements = {"available": False, "reason": describe_pg_error(exc)}
                return
        rows = self.conn.run(
            "SELECT queryid::text, calls, round(mean_exec_time::numeric, 2)::float8, "
            " round(total_exec_time::numeric, 2)::float8, rows, left(query, 300) FROM pg_stat_statements "
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "ORDER BY mean_exec_time DESC LIMIT :limit",
            limit=self.options.slow_statement_limit,
        )
        self.summary.slow_statements = {"available": True, "statements": [
            {"queryid": q, "calls": int(calls), "mean_ms": mean, "total_ms": total, "rows": int(n), "query": text}
            for q, calls, mean, total, n, text in rows
        ]}  # fmt: skip


def run_maintenance(db: Database, options: MaintenanceOptions | None = None,
                    migrations: list[Migration] | None = None) -> dict[str, Any]:  # fmt: skip
    """Maintain the indexes of the migrations applied to ``db``; returns the summary as a dict."""
    options = options or MaintenanceOptions()
    migrations = migrations if migrations is not None else load_migrations(options.migrations_dir)
    with db.raw_connection() as conn:
        applied = {int(row[0]) for row in conn.run("SELECT version FROM schema_migrations")}
        declared = declared_indexes([m for m in migrations if m.version in applied])
        summary = Maintenance(conn, options).run(declared)
    return summary.as_dict()


def summary_metrics(summary: Mapping[str, Any]) -> dict[str, float]:
    """The counts the Lambda publishes as CloudWatch metrics (EMF), keyed by metric name."""
    return {
        "IndexesChecked": summary["checked"],
        "IndexesCreated": len(summary["created"]),
        "InvalidIndexesRebuilt": len(summary["rebuilt_invalid"]),
        "IndexesReindexed": len(summary["reindexed"]),
        "BloatedIndexes": len(summary["bloat_candidates"]),
        "TablesAnalyzed": len(summary["analyzed"]),
        "UnusedIndexes": len(summary["unused"]),
        "LockRetries": summary["lock_retries"],
        "MaintenanceErrors": len(summary["errors"]),
        "MaintenanceDurationMs": summary["duration_ms"],
    }
