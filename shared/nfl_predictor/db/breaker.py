"""A circuit breaker for the database, so a hung or unreachable Postgres costs callers milliseconds.

``GuardedSource`` wraps a connection source (the single connection or the pool): while the breaker
is open, asking for a connection raises ``DatabaseUnavailable`` at once (a ``ConnectionError``, so
every caller that already maps connection errors to 503 keeps doing so); connection-level failures
count towards opening it; any success closes it. It also remembers when each in-flight database
call started, so the API's per-request deadline can tell "the database is hung" (trip the breaker
and answer 503) from "the engine is still computing" (keep waiting).

closed -> open after ``threshold`` consecutive connection failures, or at once when a request's
deadline expires with a database call stuck; open -> half-open after ``cooldown_s``, letting one
probe through; the probe's success closes it, its failure re-opens it.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal

from nfl_predictor.db.connection import Connection, ConnectionSource, is_connection_error

State = Literal["closed", "open", "half_open"]


class DatabaseUnavailable(ConnectionError):
    """The breaker is open: the database was failing or hung a moment ago."""


class DatabaseBreaker:
    def __init__(self, threshold: int = 3, cooldown_s: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.threshold = max(1, threshold)
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until = 0.0  # 0.0: closed (the hot path is one float comparison)
        self._probe_started = 0.0
        self.times_opened = 0
        self.probes = 0
        self.last_error: str | None = None  # the exception's type only: never hosts or addresses

    def allow(self) -> bool:
        if self._open_until == 0.0:
            return True
        now = self._clock()
        if now < self._open_until:
            return False
        with self._lock:
            if self._open_until == 0.0:
                return True
            if self._probe_started and now - self._probe_started < max(self.cooldown_s, 1.0):
                return False
            self._probe_started = now
            self.probes += 1
            return True

    def success(self) -> None:
        if self._failures or self._open_until:
            with self._lock:
                self._failures = 0
                self._open_until = 0.0
                self._probe_started = 0.0

    def failure(self, error: BaseException | None = None) -> None:
        with self._lock:
            self._failures += 1
            if error is not None:
                self.last_error = type(error).__name__
            if self._probe_started or self._failures >= self.threshold:
                self._open(self._clock())

    def trip(self, reason: str = "deadline") -> None:
        """Open now: a request's deadline expired with a database call stuck."""
        with self._lock:
            self.last_error = reason
            self._open(self._clock())

    def _open(self, now: float) -> None:
        if self._open_until == 0.0:
            self.times_opened += 1
        self._open_until = now + self.cooldown_s
        self._probe_started = 0.0

    @property
    def state(self) -> State:
        if self._open_until == 0.0:
            return "closed"
        if self._clock() < self._open_until:
            return "open"
        return "half_open"

    def retry_after_ms(self) -> int:
        return max(1, int((self._open_until - self._clock()) * 1000)) if self._open_until else 0

    def snapshot(self) -> dict[str, object]:
        return {"state": self.state, "consecutive_failures": self._failures, "times_opened": self.times_opened,
                "threshold": self.threshold, "cooldown_s": self.cooldown_s, "last_error": self.last_error}  # fmt: skip


class GuardedSource:
    """A connection source behind a ``DatabaseBreaker`` that tracks its in-flight calls."""

    def __init__(self, inner: ConnectionSource, breaker: DatabaseBreaker) -> None:
        self.inner = inner
        self.breaker = breaker
        self._inflight: dict[int, float] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()

    def stuck_for(self) -> float:
        """Seconds the oldest in-flight database call has been running (0.0 when none is)."""
        with self._lock:
            oldest = min(self._inflight.values(), default=0.0)
        return time.monotonic() - oldest if oldest else 0.0

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        if not self.breaker.allow():
            raise DatabaseUnavailable("database circuit breaker open")
        call = next(self._ids)
        with self._lock:
            self._inflight[call] = time.monotonic()
        failed = False
        try:
            with self.inner.connection() as conn:
                try:
                    yield conn
                except BaseException as exc:
                    # An SQL error on a healthy connection is the caller's problem, not the database's.
                    failed = is_connection_error(exc)
                    raise
        except BaseException as exc:
            if failed or is_connection_error(exc):
                self.breaker.failure(exc)
            raise
        else:
            self.breaker.success()
        finally:
            with self._lock:
                self._inflight.pop(call, None)

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:  # opened, size, target...: whatever the inner source has
        return getattr(self.inner, name)
