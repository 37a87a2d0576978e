"""pg8000 connections: one reused connection per Lambda environment, a small pool for local serving.

Both hand out ``pg8000.native.Connection`` objects with pgvector registered and statement/lock
timeouts applied. A connection that failed at the socket level is discarded, never reused; one
idle for longer than ``idle_reconnect_s`` is checked with a ping before use (NAT and the proxy drop
idle sockets silently while a Lambda environment is frozen).
"""

from __future__ import annotations

import contextlib
import queue
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
    conn = Connection(
        timeout=connect_timeout_s or None,
        startup_params={"options": " ".join(options)} if options else None,
        **kwargs,
    )
    if connect_timeout_s:
        # The connect timeout must not become the query timeout; statement_timeout bounds queries.
        conn._usock.settimeout(max(connect_timeout_s, (statement_timeout_ms or 0) / 1000 + 5))
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
