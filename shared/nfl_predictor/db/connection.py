"""pg8000 connections: one reused connection per Lambda environment, a small pool for local serving.

Both hand out ``pg8000.native.Connection`` objects (``TimedConnection``) with pgvector registered
and statement/lock timeouts applied. The socket timeout follows the statement timeout in force on
that connection: API reads keep a short one, and a job that raises ``statement_timeout`` (a
migration, an index build) gets a socket timeout just past it, so its long statement is not cut
while a hung server still fails it within the job's own budget. A connection that failed at the socket level is discarded, never reused; one
idle for longer than ``idle_reconnect_s`` is checked with a ping before use (NAT and the proxy drop
idle sockets silently while a Lambda environment is frozen).
"""

from __future__ import annotations

import contextlib
import queue
import re
import threading
import time
from collections.abc import Iterator
from typing import Any, Protocol

from pg8000.exceptions import DatabaseError, InterfaceError
from pg8000.native import Connection

from nfl_predictor.db.url import PgTarget


class ConnectionSource(Protocol):
    def connection(self) -> contextlib.AbstractContextManager[Connection]: ...

    def close(self) -> None: ...


def is_connection_error(exc: BaseException) -> bool:
    """True when the socket is unusable (as opposed to an SQL error on a healthy connection)."""
    if isinstance(exc, InterfaceError | OSError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, DatabaseError) and exc.args and isinstance(exc.args[0], dict):
        # 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 08xxx connection errors
        code = str(exc.args[0].get("C", ""))
        return code.startswith("08") or code in {"57P01", "57P02", "57P03"}
    return False


# The socket gives up this long after the statement timeout would have (the server's own error is
# the better one; the margin covers the round trip and the cancel).
SOCKET_MARGIN_S = 5.0
# Statements that change the session's statement_timeout: SET [SESSION|LOCAL] / RESET / set_config().
_TIMEOUT_CHANGE = re.compile(
    r"^\s*(?:set|reset)\b[^;]*\bstatement_timeout\b|\bset_config\s*\(\s*'statement_timeout'", re.I
)


def socket_timeout_for(connect_timeout_s: float, statement_timeout_ms: int | None) -> float | None:
    """The socket timeout for a statement timeout: just past it, never under the connect timeout.

    ``None`` (no socket timeout) when there is no connect timeout, or when ``statement_timeout`` is
    0 (unlimited, which only a job with its own deadline sets); an unknown statement timeout (None:
    e.g. behind the proxy, whose InitQuery sets it) counts as 0 ms, i.e. the short default.
    """
    if not connect_timeout_s:
        return None
    if statement_timeout_ms == 0:
        return None
    return max(connect_timeout_s, (statement_timeout_ms or 0) / 1000 + SOCKET_MARGIN_S)


class TimedConnection(Connection):
    """A pg8000 connection whose socket timeout follows its session's ``statement_timeout``."""

    connect_timeout_s: float = 0.0
    statement_timeout_ms: int | None = None

    def follow_statement_timeout(self, statement_timeout_ms: int | None) -> None:
        self.statement_timeout_ms = statement_timeout_ms
        if self._usock is not None:
            self._usock.settimeout(socket_timeout_for(self.connect_timeout_s, statement_timeout_ms))

    def run(self, sql: str, stream: Any = None, types: Any = None, **params: Any) -> Any:
        rows = super().run(sql, stream=stream, types=types, **params)
        if _TIMEOUT_CHANGE.search(sql):
            # Ask the server rather than parse the SQL: units, SET LOCAL, RESET and set_config all count.
            [[setting]] = super().run("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
            self.follow_statement_timeout(int(setting))
        return rows


def open_connection(
    target: PgTarget,
    *,
    connect_timeout_s: float = 5.0,
    statement_timeout_ms: int | None = 5000,
    lock_timeout_ms: int | None = 2000,
    via_proxy: bool = False,
) -> Connection:
    """Open one connection, register pgvector, apply timeouts.

    Behind RDS Proxy the timeouts come from the proxy's InitQuery instead: a plain SET (and some
    startup options) would pin the proxy session and defeat multiplexing.
    """
    options = []
    if not via_proxy:
        if statement_timeout_ms:
            options.append(f"-c statement_timeout={int(statement_timeout_ms)}")
        if lock_timeout_ms:
            options.append(f"-c lock_timeout={int(lock_timeout_ms)}")
    kwargs: dict[str, Any] = target.connect_kwargs()
    conn = TimedConnection(
        timeout=connect_timeout_s or None,
        startup_params={"options": " ".join(options)} if options else None,
        **kwargs,
    )
    # The connect timeout must not become the query timeout; statement_timeout bounds queries (and
    # the socket follows it when a job changes it: TimedConnection.run).
    conn.connect_timeout_s = connect_timeout_s
    conn.follow_statement_timeout(statement_timeout_ms)
    register_vector_type(conn)
    return conn


def register_vector_type(conn: Connection) -> None:
    """pgvector adapters, when the extension exists (it may not yet, before the first migration)."""
    from pgvector.pg8000 import register_vector

    try:
        register_vector(conn)
    except Exception:
        # The extension is created by migration 001; until then there is no vector type to register.
        if conn.run("SELECT 1 FROM pg_type WHERE typname = 'vector'"):
            raise


def in_transaction(conn: Connection) -> bool:
    """pg8000 tracks the server's ReadyForQuery status byte; T/E mean an open (or failed) transaction."""
    return conn._transaction_status in (b"T", b"E")


class SingleConnection:
    """The Lambda shape: one connection per process, reused across invocations."""

    def __init__(self, target: PgTarget, *, idle_reconnect_s: float = 300.0, **open_kwargs: Any) -> None:
        self.target = target
        self.idle_reconnect_s = idle_reconnect_s
        self._open_kwargs = open_kwargs
        self._conn: Connection | None = None
        self._last_used = 0.0
        self._lock = threading.Lock()
        self.opened = 0

    def _fresh(self) -> Connection:
        conn = self._conn
        if conn is not None and time.monotonic() - self._last_used > self.idle_reconnect_s:
            try:
                conn.run("SELECT 1")
            except Exception:
                self._discard()
                conn = None
        if conn is None:
            conn = open_connection(self.target, **self._open_kwargs)
            self._conn = conn
            self.opened += 1
        return conn

    def _discard(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
        self._conn = None

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        with self._lock:
            conn = self._fresh()
            try:
                yield conn
            except BaseException as exc:
                if is_connection_error(exc):
                    self._discard()
                elif in_transaction(conn):
                    with contextlib.suppress(Exception):
                        conn.run("ROLLBACK")
                raise
            finally:
                self._last_used = time.monotonic()

    def close(self) -> None:
        with self._lock:
            self._discard()


class ConnectionPool:
    """A small bounded pool for the local multi-threaded server; connections open lazily."""

    def __init__(self, target: PgTarget, *, size: int = 4, acquire_timeout_s: float = 10.0,
                 idle_reconnect_s: float = 300.0, **open_kwargs: Any) -> None:  # fmt: skip
        self.target = target
        self.size = size
        self.acquire_timeout_s = acquire_timeout_s
        self._slots: queue.LifoQueue[SingleConnection] = queue.LifoQueue()
        for _ in range(size):
            self._slots.put(SingleConnection(target, idle_reconnect_s=idle_reconnect_s, **open_kwargs))
        self._all = list(self._slots.queue)

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        try:
            slot = self._slots.get(timeout=self.acquire_timeout_s)
        except queue.Empty:
            raise TimeoutError(f"no database connection free within {self.acquire_timeout_s}s") from None
        try:
            with slot.connection() as conn:
                yield conn
        finally:
            self._slots.put(slot)

    @property
    def opened(self) -> int:
        return sum(slot.opened for slot in self._all)

    def close(self) -> None:
        for slot in self._all:
            slot.close()
