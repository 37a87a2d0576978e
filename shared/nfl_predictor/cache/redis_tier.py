"""L2: redis-py behind the circuit breaker. Every call either answers or returns ``UNAVAILABLE``.

Nothing here raises on a Redis problem: connection and timeout errors count toward the breaker and
come back as ``UNAVAILABLE``; other server errors (OOM under ``noeviction``, a read-only replica)
are counted as errors but prove the server is alive, so they do not open the breaker.

Client policy: short explicit socket/connect timeouts; no retry on timeouts (a hung server must cost
one timeout, not several); one immediate reconnect-and-retry on ``ConnectionError`` so a socket
killed while the Lambda environment was frozen, or by a Redis restart, costs no cache miss.

Each thread talks through its own ``single_connection_client`` on the shared pool: it keeps one
connection instead of checking one out of the pool per command, which skips the pool lock, a
readiness ``select()`` and event dispatch, about a third of redis-py's cost for a small GET. A
connection that errors is disconnected by redis-py and reconnects on the next command.
"""

from __future__ import annotations

import enum
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.exceptions import AuthenticationError, RedisError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from nfl_predictor.cache.breaker import CircuitBreaker

log = logging.getLogger(__name__)
T = TypeVar("T")

_OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)

# Compare-and-delete: only the holder's token releases the lock (an expired lock may have a new owner).
_RELEASE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class Unavailable(enum.Enum):
    UNAVAILABLE = 0


UNAVAILABLE = Unavailable.UNAVAILABLE


def make_client(
    url: str,
    socket_timeout_s: float,
    connect_timeout_s: float,
    health_check_interval_s: int = 30,
    **options: Any,
) -> redis.Redis:
    """A redis-py client for ``url`` (redis://, rediss:// for TLS, user:password@ for AUTH)."""
    return redis.Redis.from_url(
        url,
        socket_timeout=socket_timeout_s,
        socket_connect_timeout=connect_timeout_s,
        health_check_interval=health_check_interval_s,
        retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        **options,
    )


class RedisTier:
    def __init__(self, client: redis.Redis, breaker: CircuitBreaker) -> None:
        self.client = client  # owns the pool; pipelines, SCAN and INFO go through it
        self.breaker = breaker
        self.errors = 0
        self.skipped = 0  # calls not attempted because the breaker was open
        self._release = client.register_script(_RELEASE_LUA)
        self._was_open = False
        self._auth_logged = False
        self._local = threading.local()
        # Weak: a thread's client is released (its connection back to the pool) when the thread ends.
        self._thread_clients: weakref.WeakSet[redis.Redis] = weakref.WeakSet()
        _TIERS.add(self)

    def _forget_thread_clients(self) -> None:
        # In a forked child: the inherited sockets belong to the parent. Dropping the clients only
        # closes the child's copies (redis-py skips shutdown() when the pid differs).
        self._local = threading.local()
        self._thread_clients = weakref.WeakSet()

    def _thread_client(self) -> redis.Redis:
        try:
            return self._local.client
        except AttributeError:
            pass
        # Connects in the constructor, so this only runs inside ``run`` (errors are handled there).
        client = redis.Redis(connection_pool=self.client.connection_pool, single_connection_client=True)
        self._local.client = client
        self._thread_clients.add(client)
        return client

    @property
    def available(self) -> bool:
        """Would a call be attempted now? (Does not consume the half-open probe.)"""
        return self.breaker.state != "open"

    def new_call(self) -> None:
        """Start of a manager call on this thread: Redis may be tried again (see ``_call``)."""
        self._local.failed = False

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | Unavailable:
        """``fn(*args, **kwargs)`` if the breaker allows; ``UNAVAILABLE`` on any Redis error."""
        breaker = self.breaker
        if not breaker.allow():
            self.skipped += 1
            return UNAVAILABLE
        try:
            result = fn(*args, **kwargs)
        except _OUTAGE_ERRORS as exc:
            self._local.failed = True
            self.errors += 1
            breaker.failure(exc)
            if isinstance(exc, AuthenticationError) and not self._auth_logged:
                # A configuration problem, not a blip: say so at once (the message never holds the password).
                self._auth_logged = True
                log.error(
                    "redis refused our credentials (cache unavailable): %s: %s", type(exc).__name__, exc
                )
            if not self._was_open and breaker.state != "closed":
                self._was_open = True
                log.warning("redis unavailable, circuit breaker open: %s: %s", type(exc).__name__, exc)
            return UNAVAILABLE
        except RedisError as exc:
            self.errors += 1
            breaker.success()
            log.warning("redis error: %s: %s", type(exc).__name__, exc)
            return UNAVAILABLE
        breaker.success()
        if self._was_open:
            self._was_open = False
            log.warning("redis reachable again, circuit breaker closed")
        return result

    def _call(self, fn: Callable[..., T], *args: Any) -> T | Unavailable:
        # Once an operation failed, the rest of the same manager call skips Redis: one call must
        # never wait out the socket timeout twice, even before the breaker has opened.
        if self._local.__dict__.get("failed"):
            return UNAVAILABLE
        return self.run(fn, *args)

    # -- values ---------------------------------------------------------------------------------

    def mget(self, keys: Sequence[str]) -> list[bytes | None] | Unavailable:
        return self._call(self._mget, keys)

    def _mget(self, keys: Sequence[str]) -> list[bytes | None]:
        return self._thread_client().mget(keys)  # type: ignore[return-value]

    def get(self, key: str) -> bytes | Unavailable | None:
        return self._call(self._get, key)

    def _get(self, key: str) -> bytes | None:
        return self._thread_client().get(key)  # type: ignore[return-value]

    def set(self, key: str, raw: bytes, ttl_ms: int) -> bool | Unavailable:
        return self._call(self._set, key, raw, ttl_ms)

    def _set(self, key: str, raw: bytes, ttl_ms: int) -> bool:
        return bool(self._thread_client().set(key, raw, px=ttl_ms))

    def unlink(self, keys: Sequence[str]) -> int | Unavailable:
        if not keys:
            return 0
        return self._call(self._unlink, keys)

    def _unlink(self, keys: Sequence[str]) -> int:
        return int(self._thread_client().unlink(*keys))  # type: ignore[arg-type]

    # -- namespace stamps -----------------------------------------------------------------------

    def ensure_stamp(self, key: str, initial: int) -> int | Unavailable:
        """The stamp under ``key``, created as ``initial`` when missing (one round trip)."""
        return self._call(self._ensure_stamp, key, initial)

    def _ensure_stamp(self, key: str, initial: int) -> int:
        pipe = self.client.pipeline(transaction=False)
        pipe.set(key, initial, nx=True)
        pipe.get(key)
        _, value = pipe.execute()
        return int(value)

    def bump_stamp(self, key: str, increment: int, initial: int) -> int | Unavailable:
        """Add ``increment``, first creating the key as ``initial`` if it is missing (evicted, restart)."""
        return self._call(self._bump_stamp, key, increment, initial)

    def _bump_stamp(self, key: str, increment: int, initial: int) -> int:
        pipe = self.client.pipeline(transaction=True)
        pipe.set(key, initial, nx=True)
        pipe.incrby(key, increment)
        _, value = pipe.execute()
        return int(value)

    # -- cross-process lock ---------------------------------------------------------------------

    def release_lock(self, key: str, token: str) -> bool | Unavailable:
        return self._call(self._release_lock, key, token)

    def _release_lock(self, key: str, token: str) -> bool:
        return bool(self._release(keys=[key], args=[token]))

    def lock_and_read(
        self, lock: str, token: str, ttl_ms: int, keys: Sequence[str]
    ) -> tuple[bool, list[bytes | None]] | Unavailable:
        """Try the lock and read ``keys`` in one round trip. Commands run in order on the server, so
        a value written by the previous holder before it released the lock is always seen here."""
        return self._call(self._lock_and_read, lock, token, ttl_ms, keys)

    def _lock_and_read(
        self, lock: str, token: str, ttl_ms: int, keys: Sequence[str]
    ) -> tuple[bool, list[bytes | None]]:
        pipe = self.client.pipeline(transaction=False)
        pipe.set(lock, token, nx=True, px=ttl_ms)
        pipe.mget(keys)
        got, values = pipe.execute()
        return bool(got), values

    def set_and_release(self, key: str, raw: bytes, ttl_ms: int, lock: str, token: str) -> bool | Unavailable:
        """Write the value, then release the lock, in one round trip (value first: see lock_and_read)."""
        return self._call(self._set_and_release, key, raw, ttl_ms, lock, token)

    def _set_and_release(self, key: str, raw: bytes, ttl_ms: int, lock: str, token: str) -> bool:
        pipe = self.client.pipeline(transaction=False)
        pipe.set(key, raw, px=ttl_ms)
        # Plain EVAL: a Script object in a pipeline costs an extra SCRIPT EXISTS round trip.
        pipe.eval(_RELEASE_LUA, 1, lock, token)
        pipe.execute()
        return True

    # -- scanning, INFO -------------------------------------------------------------------------

    def scan(self, pattern: str, count: int = 500) -> Iterator[list[str]]:
        """Batches of keys matching ``pattern``; raises ``RedisUnavailableError`` if Redis goes away."""
        yield from self._scan_pages(self._scan, pattern, count)

    def _scan_pages(self, scan_page: Callable[[int, str, int], tuple[int, list[Any]]], pattern: str,
                    count: int) -> Iterator[list[str]]:  # fmt: skip
        """One SCAN cursor walked to its end through ``scan_page(cursor, pattern, count)``."""
        cursor = 0
        while True:
            page = self._call(scan_page, cursor, pattern, count)
            if page is UNAVAILABLE:
                raise RedisUnavailableError("SCAN interrupted: redis unavailable")
            cursor, keys = page
            if keys:
                yield [k.decode() if isinstance(k, bytes) else k for k in keys]
            if cursor == 0:
                return

    def _scan(self, cursor: int, pattern: str, count: int) -> tuple[int, list[Any]]:
        return self.client.scan(cursor, match=pattern, count=count)  # type: ignore[return-value]

    def info(self) -> tuple[dict[str, Any], float] | Unavailable:
        """(INFO, PING round trip in ms)."""
        return self._call(self._info)

    def _info(self) -> tuple[dict[str, Any], float]:
        start = time.perf_counter()
        self.client.ping()
        latency_ms = (time.perf_counter() - start) * 1000.0
        info: dict[str, Any] = self.client.info()  # type: ignore[assignment]
        return info, latency_ms

    def close(self) -> None:
        for client in list(self._thread_clients):
            client.close()
        self._local = threading.local()
        self.client.close()
        self.client.connection_pool.disconnect()


_TIERS: weakref.WeakSet[RedisTier] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for tier in list(_TIERS):
        tier._forget_thread_clients()


os.register_at_fork(after_in_child=_after_fork_in_child)


class RedisUnavailableError(RuntimeError):
    """An operation that must reach Redis (pattern invalidation) could not."""
