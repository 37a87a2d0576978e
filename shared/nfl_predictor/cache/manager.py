"""``CacheManager``: the read-through two-tier cache every function uses.

A thin front over the helpers that do the work: ``resolver`` (params -> key), ``stamps`` (the
namespace invalidation protocol), ``tiers`` (L1/L2 reads and fills), ``entries`` (TTL, compression,
wire form), ``read_through`` (single-flight, cross-process lock, stale-while-revalidate),
``invalidation`` and ``health``.

Read path: L1 (in-process LRU) -> L2 (Redis, one round trip: GET of the value when the namespace
stamp was read within ``stamp_refresh_s``, else MGET of stamp and value) -> compute under
in-process single-flight plus a short cross-process Redis lock. The cached read paths (``get``,
``get_or_compute`` up to the L1 lookup) are written out here, calling the helpers' methods
directly: an extra delegating frame (or a stored bound method, which CPython 3.11 calls ~30 ns
slower than ``obj.method()``) would be a measurable share of a ~2 us L1 hit.

Redis trouble never fails a call: the breaker skips Redis while it is open, L1 keeps serving,
misses compute locally, and within one call Redis is not retried after it failed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nfl_predictor.cache import health, keys
from nfl_predictor.cache.breaker import CircuitBreaker
from nfl_predictor.cache.codec import CacheEntry
from nfl_predictor.cache.config import CacheConfig
from nfl_predictor.cache.entries import EntryFactory
from nfl_predictor.cache.health import Stats
from nfl_predictor.cache.invalidation import InvalidationResult, Invalidator
from nfl_predictor.cache.memory import MemoryTier
from nfl_predictor.cache.read_through import Producer, ReadThrough
from nfl_predictor.cache.redis_tier import UNAVAILABLE, RedisTier, make_client
from nfl_predictor.cache.resolver import KeyResolver
from nfl_predictor.cache.stamps import NamespaceStamps
from nfl_predictor.cache.tiers import Tiers

if TYPE_CHECKING:
    import redis

    from nfl_predictor.config.settings import Settings


def _connect(config: CacheConfig, client: redis.Redis | None, breaker: CircuitBreaker) -> RedisTier | None:
    if client is None and config.redis_url and config.cluster:
        from nfl_predictor.cache.cluster_tier import ClusterRedisTier, make_cluster_client

        lazy = make_cluster_client(
            config.redis_url,
            config.socket_timeout_s,
            config.connect_timeout_s,
            config.health_check_interval_s,
            **config.redis_options,
        )
        return ClusterRedisTier(lazy, breaker)
    if client is None and config.redis_url:
        client = make_client(
            config.redis_url,
            config.socket_timeout_s,
            config.connect_timeout_s,
            config.health_check_interval_s,
            **config.redis_options,
        )
    return RedisTier(client, breaker) if client is not None else None


class CacheManager:
    def __init__(
        self, config: CacheConfig | str | None = None, *, redis_client: redis.Redis | None = None
    ) -> None:
        """``config`` may be a Redis URL, or None (in-process only), as shorthand for the defaults."""
        if not isinstance(config, CacheConfig):
            config = CacheConfig(redis_url=config)
        self.config = config
        self.stats = Stats()
        self.breaker = CircuitBreaker(config.breaker_failure_threshold, config.breaker_cooldown_s)
        self._l1 = MemoryTier(config.l1_max_entries, config.l1_max_bytes)
        self._l1_on = self._l1.enabled
        self._redis = redis = _connect(config, redis_client, self.breaker)
        self._resolver = resolver = KeyResolver(config.schema_version, config.prefix)
        self._stamps = stamps = NamespaceStamps(redis, resolver.stamp_key, refresh_s=config.stamp_refresh_s)
        self._entries = entries = EntryFactory(config)
        self._tiers = tiers = Tiers(
            self._l1, redis, stamps, entries, resolver, self.stats, stale_grace_s=config.stale_grace_s
        )
        self._read_through = ReadThrough(
            tiers,
            stamps,
            entries,
            resolver,
            redis,
            self.stats,
            l1_enabled=self._l1_on,
            lock_ttl_ms=config.lock_ttl_ms,
            lock_wait_s=config.lock_wait_s,
        )
        self._invalidator = Invalidator(self._l1, redis, stamps, resolver)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> CacheManager:
        """The manager for a deployment; ``redis_url`` None gives the in-process-only mode.

        ``overrides`` are ``CacheConfig`` fields.
        """
        return cls(CacheConfig.from_settings(settings, **overrides))

    def _new_call(self) -> None:
        """Start of a public call: Redis may be tried again (see ``RedisTier.new_call``)."""
        if self._redis is not None:
            self._redis.new_call()

    @property
    def redis_configured(self) -> bool:
        return self._redis is not None

    @property
    def redis_tier(self) -> RedisTier | None:
        """The breaker-guarded Redis tier, for other Redis users (rate limits) to share."""
        return self._redis

    def ttl_for(self, namespace: str) -> float:
        """Logical TTL (before jitter): an exact entry, else the first matching pattern, else default."""
        return self._entries.ttl_for(namespace)

    def key(self, namespace: str, params: keys.Params | None = None) -> str:
        return self._resolver.resolve(namespace, params).key

    # -- reads and writes -------------------------------------------------------------------------

    def get(
        self, namespace: str, params: keys.Params | None = None, *, allow_stale: bool = False
    ) -> CacheEntry | None:
        """The cached entry, or None. Stale entries (within the grace window) only if ``allow_stale``."""
        redis = self._redis
        if redis is not None:
            redis.new_call()  # _new_call() inlined: one frame less on the hottest path
        res = self._resolver.resolve(namespace, params)
        stamp = self._stamps.current(namespace)
        stale = None
        if self._l1_on:
            fresh, stale = self._tiers.l1_lookup(res, stamp)
            if fresh is not None:
                self.stats.l1_hits += 1
                return fresh
        self.stats.l1_misses += 1
        if redis is not None:
            read = self._tiers.read_l2(namespace, res.key)
            if read is not None:
                entry, l2_stamp = read
                if entry is not None and not entry.is_stale:
                    self.stats.redis_hits += 1
                    if self._l1_on:
                        self._tiers.fill_l1(res, entry, l2_stamp)
                    return entry
                self.stats.redis_misses += 1
                if stale is None and entry is not None:
                    stale = entry
        return stale if allow_stale else None

    def get_many(
        self, namespace: str, params_list: Sequence[keys.Params | None], *, allow_stale: bool = False
    ) -> list[CacheEntry | None]:
        """Entries in order (None for misses); all L1 misses are read with a single MGET."""
        self._new_call()
        resolved = [self._resolver.resolve(namespace, p) for p in params_list]
        return self._tiers.get_many(
            namespace, resolved, self._stamps.current(namespace), allow_stale=allow_stale
        )

    def set(
        self, namespace: str, params: keys.Params | None, value: Any, *, ttl_s: float | None = None
    ) -> CacheEntry:
        """Store ``value`` (JSON bytes or a JSON-able object) in both tiers; returns the L1 entry."""
        self._new_call()
        res = self._resolver.resolve(namespace, params)
        stamp, to_redis = self._stamps.write_stamp(namespace)
        entry = self._entries.build(namespace, value, ttl_s=ttl_s, for_redis=to_redis)
        if to_redis:
            self._tiers.write_l2(res, entry, stamp)
        return self._tiers.fill_l1(res, entry, stamp)

    def delete(self, namespace: str, params: keys.Params | None = None) -> bool:
        """Remove one key from both tiers; True if either tier had it."""
        self._new_call()
        res = self._resolver.resolve(namespace, params)
        removed = self._l1.delete(res.key)
        if self._redis is not None:
            got = self._redis.unlink([res.key])
            removed = removed or (got is not UNAVAILABLE and bool(got))
        return removed

    def get_or_compute(
        self,
        namespace: str,
        params: keys.Params | None,
        producer: Producer,
        *,
        ttl_s: float | None = None,
    ) -> CacheEntry:
        """The cached entry, else ``producer()`` computed once across threads and processes.

        A stale entry (within the grace window) is served while exactly one caller refreshes it,
        synchronously. If that refresh raises, the stale entry is served and the error counted.
        """
        redis = self._redis
        if redis is not None:
            redis.new_call()  # _new_call() inlined, as in get
        res = self._resolver.resolve(namespace, params)
        fresh, stale = self._tiers.l1_lookup(res, self._stamps.current(namespace))
        if fresh is not None:
            self.stats.l1_hits += 1
            return fresh
        self.stats.l1_misses += 1
        return self._read_through.after_l1_miss(namespace, res, producer, ttl_s=ttl_s, stale=stale)

    # -- invalidation -----------------------------------------------------------------------------

    def invalidate_namespace(self, namespace: str) -> InvalidationResult:
        """Make every entry of ``namespace`` unreachable, in all processes, with one INCRBY."""
        self._new_call()
        return self._invalidator.namespace(namespace)

    def invalidate_matching(
        self, namespace: str, match: keys.Params, *, batch: int = 500
    ) -> InvalidationResult:
        """Remove the entries whose params include every ``match`` pair exactly (week=1 is not week=10).

        SCAN + UNLINK in batches, never KEYS. Other processes drop this namespace's L1 records
        within ``stamp_refresh_s``.
        """
        self._new_call()
        return self._invalidator.matching(namespace, match, batch=batch)

    def clear_local(self) -> None:
        """Drop this process's L1 (tests, benchmarks, memory pressure)."""
        self._l1.clear()

    # -- health and lifetime ----------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """Per-tier hits/misses/hit rate, breaker state and a digest of Redis INFO (if reachable)."""
        self._new_call()
        return health.report(self.stats, self._l1, self._redis, self.config)

    def close(self) -> None:
        """Close the Redis sockets; the client reconnects on its next command."""
        if self._redis is not None:
            self._redis.close()

    def forget_local_state(self) -> None:
        """After a SnapStart restore: L1 and the namespace stamps were read before the snapshot,
        however long ago that was (the stamps' monotonic clock does not count the wait)."""
        self._l1.clear()
        self._stamps.forget()

    def __enter__(self) -> CacheManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
