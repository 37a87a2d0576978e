"""The one database handle the rest of the code uses: queries, transactions, query counting."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from nfl_predictor.db.connection import (
    Connection,
    ConnectionPool,
    ConnectionSource,
    SingleConnection,
    in_transaction,
    is_connection_error,
)
from nfl_predictor.db.url import PgTarget


@dataclass
class QueryStats:
    """Counters read by /v1/performance and the benchmarks (query count, time in the database)."""

    queries: int = 0
    seconds: float = 0.0

    def snapshot(self) -> dict[str, float]:
        return {"queries": self.queries, "seconds": self.seconds}


class Database:
    def __init__(self, source: ConnectionSource, target: PgTarget) -> None:
        self.source = source
        self.target = target
        self.stats = QueryStats()
        self._stats_lock = threading.Lock()

    def _count(self, started: float) -> None:
        with self._stats_lock:
            self.stats.queries += 1
            self.stats.seconds += time.perf_counter() - started

    def _read(self, sql: str, params: dict[str, Any]) -> tuple[list[list[Any]], list[str]]:
        """A read, retried once on a fresh connection when the socket turned out to be dead.

        Safe because it is a read outside any transaction; writes are never retried (a write on a
        broken socket may or may not have committed).
        """
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                with self.source.connection() as conn:
                    rows = conn.run(sql, **params) or []
                    names = [col["name"] for col in conn.columns or []]
                break
            except Exception as exc:
                if attempt == 2 or not is_connection_error(exc):
                    raise
        self._count(started)
        return rows, names

    def fetch(self, sql: str, **params: Any) -> list[list[Any]]:
        """Rows as lists; parameters are bound server-side (``:name`` placeholders), never interpolated."""
        return self._read(sql, params)[0]

    def fetch_dicts(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        rows, names = self._read(sql, params)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def fetch_one(self, sql: str, **params: Any) -> list[Any] | None:
        rows = self.fetch(sql, **params)
        return rows[0] if rows else None

    def scalar(self, sql: str, **params: Any) -> Any:
        row = self.fetch_one(sql, **params)
        return row[0] if row else None

    def execute(self, sql: str, **params: Any) -> int:
        started = time.perf_counter()
        with self.source.connection() as conn:
            conn.run(sql, **params)
            count = conn.row_count
        self._count(started)
        return int(count or 0)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """All-or-nothing: commits on success, rolls back on any exception."""
        with self.source.connection() as conn:
            conn.run("BEGIN")
            try:
                yield Transaction(conn, self)
            except BaseException:
                if in_transaction(conn):
                    with contextlib.suppress(Exception):
                        conn.run("ROLLBACK")
                raise
            conn.run("COMMIT")

    @contextlib.contextmanager
    def raw_connection(self) -> Iterator[Connection]:
        """Autocommit connection for statements that cannot run in a transaction (CONCURRENTLY)."""
        with self.source.connection() as conn:
            yield conn

    def close(self) -> None:
        """Close the open connection(s); the next query opens a new one."""
        self.source.close()

    def retarget(self, target: PgTarget) -> None:
        """Connect to ``target`` from the next connection on (fresh credentials after a restore)."""
        self.target = target
        source: Any = getattr(self.source, "inner", self.source)  # under the breaker's GuardedSource
        for single in getattr(source, "_all", [source]):  # a pool's slots, or the one connection
            single.target = target
        if hasattr(source, "target"):
            source.target = target


class Transaction:
    def __init__(self, conn: Connection, db: Database) -> None:
        self.conn = conn
        self._db = db

    def run(self, sql: str, **params: Any) -> list[list[Any]]:
        started = time.perf_counter()
        rows = self.conn.run(sql, **params)
        self._db._count(started)
        return rows or []

    def run_many(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        """One prepared statement executed per row: parse once, bind many."""
        if not rows:
            return
        started = time.perf_counter()
        statement = self.conn.prepare(sql)
        try:
            for params in rows:
                statement.run(**params)
        finally:
            statement.close()
        self._db._count(started)


def make_database(target: PgTarget, *, pooled: bool, pool_size: int = 4, **open_kwargs: Any) -> Database:
    source: ConnectionSource
    if pooled:
        source = ConnectionPool(target, size=pool_size, **open_kwargs)
    else:
        source = SingleConnection(target, **open_kwargs)
    return Database(source, target)
