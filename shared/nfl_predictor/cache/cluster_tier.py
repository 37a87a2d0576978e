"""L2 on a Redis Cluster (ElastiCache cluster-mode groups and ElastiCache Serverless).

The same contract as ``RedisTier`` (every call answers or returns ``UNAVAILABLE``), over redis-py's
``RedisCluster``. What differs is only where keys live: a multi-key command must stay inside one
hash slot. The key shapes make what is read together share a slot (a week's games, a key and its
lock: see ``keys``); the namespace stamp has a slot of its own (one key per namespace keeps a
namespace invalidation O(1)), so a read of stamp plus values is one command per slot, sent in one
pipelined round trip to the nodes concerned (redis-py writes to every node before reading any).

The cluster client connects (reads the slot map) when it is built, so it is built on first use,
inside the breaker: a cluster that is down, or refuses our credentials, at cold start costs the
same as one that goes away later (L1 keeps serving), never a failed init.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.commands.core import Script
from redis.connection import Encoder
from redis.exceptions import ClusterDownError, RedisClusterException
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

from nfl_predictor.cache.breaker import CircuitBreaker
from nfl_predictor.cache.redis_tier import (
    _RELEASE_LUA,
    UNAVAILABLE,
    RedisTier,
    RedisUnavailableError,
)

# Write the value, then release the lock if we still hold it (value first: see RedisTier).
_SET_AND_RELEASE_LUA = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[3] then
    redis.call('DEL', KEYS[2])
end
return 1
"""


class LazyCluster:
    """A ``RedisCluster`` built on first use; scripts can be registered before (no I/O needed)."""

    def __init__(self, factory: Callable[[], RedisCluster]) -> None:
        self._factory = factory
        self._client: RedisCluster | None = None
        self._lock = threading.Lock()

    @property
    def built(self) -> RedisCluster:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    try:
                        self._client = self._factory()
                    except RedisClusterException as exc:  # "cannot be connected": an outage
                        raise RedisConnectionError(str(exc)) from exc
                client = self._client
        return client

    def get_encoder(self) -> Encoder:  # what Script needs to compute its SHA, before any connection
        return Encoder("utf-8", "strict", False)

    def register_script(self, script: str) -> Script:
        return Script(self, script)  # type: ignore[arg-type]

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def __getattr__(self, name: str) -> Any:
        # ``tier.client.ping`` may be looked up outside the breaker (routes/health.py): connect
        # only when the method is called, which happens inside ``tier.run``.
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(self.built, name)(*args, **kwargs)

        return call


def make_cluster_client(
    url: str,
    socket_timeout_s: float,
    connect_timeout_s: float,
    health_check_interval_s: int = 30,
    **options: Any,
) -> LazyCluster:
    """A lazily connecting cluster client for ``url`` (any node, or the configuration endpoint)."""

    # A cluster has only database 0, and redis-py refuses a "db" argument in cluster mode.
    url = url[: -len("/0")] if url.endswith("/0") else url

    def build() -> RedisCluster:
        return RedisCluster.from_url(
            url,
            socket_timeout=socket_timeout_s,
            socket_connect_timeout=connect_timeout_s,
            health_check_interval=health_check_interval_s,
            # One retry: a MOVED after a failover or resharding re-reads the slot map and succeeds;
            # a dead node costs one more connect at most (the breaker then stops trying).
            retry=Retry(NoBackoff(), 1),
            **options,
        )

    return LazyCluster(build)


class ClusterRedisTier(RedisTier):
    """``RedisTier`` over a Redis Cluster: the same methods, slot-aware where it matters."""

    # Cluster-side errors that mean "cannot serve now" (no quorum, slot map unusable).
    _CLUSTER_OUTAGE = (ClusterDownError, RedisClusterException)

    def __init__(self, client: LazyCluster, breaker: CircuitBreaker) -> None:
        super().__init__(client, breaker)  # type: ignore[arg-type]
        self.lazy = client
        self._set_release = client.register_script(_SET_AND_RELEASE_LUA)

    def _forget_thread_clients(self) -> None:
        pass  # no per-thread clients: RedisCluster's node pools are thread-safe and fork-aware

    def _thread_client(self) -> RedisCluster:  # type: ignore[override]
        return self.lazy.built

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        def guarded() -> Any:
            try:
                return fn(*args, **kwargs)
            except self._CLUSTER_OUTAGE as exc:
                raise RedisConnectionError(f"{type(exc).__name__}: {exc}") from exc

        return super().run(guarded)

    # -- values ---------------------------------------------------------------------------------

    def _mget(self, keys: Sequence[str]) -> list[bytes | None]:
        client = self.lazy.built
        if len({client.keyslot(k) for k in keys}) == 1:
            return client.mget(keys)  # type: ignore[return-value]
        # Stamp plus values (or keys found by SCAN): one MGET per slot, one pipelined round trip.
        return client.mget_nonatomic(keys)

    def _unlink(self, keys: Sequence[str]) -> int:
        return int(self.lazy.built.unlink(*keys))  # type: ignore[arg-type]  # split per slot by redis-py

    # -- namespace stamps (one key each) --------------------------------------------------------

    def _ensure_stamp(self, key: str, initial: int) -> int:
        pipe = self.lazy.built.pipeline(transaction=False)
        pipe.set(key, initial, nx=True)
        pipe.get(key)
        _, value = pipe.execute()
        return int(value)

    def _bump_stamp(self, key: str, increment: int, initial: int) -> int:
        pipe = self.lazy.built.pipeline(transaction=True)  # one key, one slot: MULTI works
        pipe.set(key, initial, nx=True)
        pipe.incrby(key, increment)
        _, value = pipe.execute()
        return int(value)

    # -- cross-process lock (the lock shares its key's slot, so order on the node is kept) -------

    def _release_lock(self, key: str, token: str) -> bool:
        return bool(self.lazy.built.eval(_RELEASE_LUA, 1, key, token))

    def _lock_and_read(
        self, lock: str, token: str, ttl_ms: int, keys: Sequence[str]
    ) -> tuple[bool, list[bytes | None]]:
        pipe = self.lazy.built.pipeline(transaction=False)
        pipe.set(lock, token, nx=True, px=ttl_ms)
        for key in keys:  # the stamp lives in another slot: one GET each, same round trip
            pipe.get(key)
        got, *values = pipe.execute()
        return bool(got), values

    def _set_and_release(self, key: str, raw: bytes, ttl_ms: int, lock: str, token: str) -> bool:
        # One script over two keys of one slot (redis-py's cluster pipeline has no EVAL).
        self._set_release(keys=[key, lock], args=[raw, ttl_ms, token])
        return True

    # -- scanning, INFO -------------------------------------------------------------------------

    def scan(self, pattern: str, count: int = 500) -> Iterator[list[str]]:
        """SCAN every primary in turn (each holds its own slots)."""
        primaries = self._call(lambda: self.lazy.built.get_primaries())
        if primaries is UNAVAILABLE:
            raise RedisUnavailableError("SCAN interrupted: redis unavailable")
        for node in primaries:
            yield from self._scan_pages(functools.partial(self._scan_node, node), pattern, count)

    def _scan_node(self, node: Any, cursor: int, pattern: str, count: int) -> tuple[int, list[Any]]:
        client = self.lazy.built
        return client.get_redis_connection(node).scan(cursor, match=pattern, count=count)  # type: ignore[return-value]

    def _info(self) -> tuple[dict[str, Any], float]:
        """The figures summed over the primaries (memory, clients, evictions), the rest from one."""
        client = self.lazy.built
        start = time.perf_counter()
        client.ping(target_nodes=RedisCluster.RANDOM)
        latency_ms = (time.perf_counter() - start) * 1000.0
        per_node: dict[str, dict[str, Any]] = client.info(target_nodes=RedisCluster.PRIMARIES)  # type: ignore[assignment]
        infos = list(per_node.values()) if _is_per_node(per_node) else [per_node]
        info = dict(infos[0])
        for name in ("used_memory", "maxmemory", "connected_clients", "evicted_keys"):
            values = [i.get(name) for i in infos if isinstance(i.get(name), int)]
            if values:
                info[name] = sum(values)
        info["cluster_primaries"] = len(infos)
        return info, latency_ms

    def close(self) -> None:
        self.lazy.close()


def _is_per_node(found: dict[str, Any]) -> bool:
    return bool(found) and all(isinstance(v, dict) for v in found.values())
