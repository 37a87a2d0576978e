"""``ReadThrough``: what ``get_or_compute`` does after an L1 miss.

Stampede control at two levels: in-process single-flight (one thread per key computes, the others
wait for it, or return a stale value at once), then a short cross-process Redis lock
(``~lock:<key>``): one holder computes, other processes poll for its value, or serve their stale
value. A refresh that raises serves the stale value instead (stale-while-revalidate); only a cold
miss propagates the producer's error.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from nfl_predictor.cache.codec import CacheEntry
from nfl_predictor.cache.entries import EntryFactory
from nfl_predictor.cache.health import Stats
from nfl_predictor.cache.redis_tier import UNAVAILABLE, RedisTier
from nfl_predictor.cache.resolver import KeyResolver, Resolved
from nfl_predictor.cache.singleflight import SingleFlight
from nfl_predictor.cache.stamps import NamespaceStamps
from nfl_predictor.cache.tiers import HeldLock, Tiers

Producer = Callable[[], Any]

_POLL_FIRST_S = 0.005
_POLL_MAX_S = 0.05


class _Job:
    """One leader's computation; ``stale`` may be upgraded to an older L2 entry on the way."""

    __slots__ = ("namespace", "producer", "res", "stale", "ttl_s")

    def __init__(
        self,
        namespace: str,
        res: Resolved,
        producer: Producer,
        ttl_s: float | None,
        stale: CacheEntry | None,
    ) -> None:
        self.namespace = namespace
        self.res = res
        self.producer = producer
        self.ttl_s = ttl_s
        self.stale = stale


class ReadThrough:
    def __init__(
        self,
        tiers: Tiers,
        stamps: NamespaceStamps,
        entries: EntryFactory,
        resolver: KeyResolver,
        redis: RedisTier | None,
        stats: Stats,
        *,
        l1_enabled: bool,
        lock_ttl_ms: int,
        lock_wait_s: float,
    ) -> None:
        self._tiers = tiers
        self._stamps = stamps
        self._entries = entries
        self._resolver = resolver
        self._redis = redis
        self._stats = stats
        self._l1_enabled = l1_enabled
        self._lock_ttl_ms = lock_ttl_ms
        self._lock_wait_s = lock_wait_s
        self._flight: SingleFlight[CacheEntry] = SingleFlight()

    def after_l1_miss(
        self,
        namespace: str,
        res: Resolved,
        producer: Producer,
        *,
        ttl_s: float | None,
        stale: CacheEntry | None,
    ) -> CacheEntry:
        """Load or compute the entry once per process; followers holding ``stale`` return it."""
        flight, leader = self._flight.begin(res.key)
        if not leader:
            if stale is not None:
                self._stats.stale_served += 1
                return stale
            return flight.wait()
        try:
            entry = self._load(_Job(namespace, res, producer, ttl_s, stale))
        except BaseException as exc:
            self._flight.finish(res.key, flight, error=exc)
            raise
        self._flight.finish(res.key, flight, result=entry)
        return entry

    def _load(self, job: _Job) -> CacheEntry:
        stamp = self._stamps.current(job.namespace)
        if self._l1_enabled:
            # The previous leader may have filled L1 between our lookup and begin().
            fresh, _ = self._tiers.l1_lookup(job.res, stamp)
            if fresh is not None:
                return fresh
        redis = self._redis
        if redis is None or not redis.available:  # no Redis, or breaker open: compute, L1 only
            return self._compute(job, stamp=stamp, to_redis=False)
        read = self._tiers.read_l2(job.namespace, job.res.key)
        if read is None:
            return self._compute(job, stamp=stamp, to_redis=False)
        entry, l2_stamp = read
        if entry is not None and not entry.is_stale:
            self._stats.redis_hits += 1
            self._tiers.fill_l1(job.res, entry, l2_stamp)
            return entry
        self._stats.redis_misses += 1
        if job.stale is None:
            job.stale = entry
        return self._compute_locked(job)

    def _compute_locked(self, job: _Job) -> CacheEntry:
        """Cross-process stampede control: one holder of ``~lock:<key>`` computes, others poll."""
        redis = self._redis
        assert redis is not None
        lock = HeldLock(self._resolver.lock_key(job.res.key), os.urandom(12).hex())
        read_keys = [self._resolver.stamp_key(job.namespace), job.res.key]
        deadline = time.monotonic() + self._lock_wait_s
        delay = _POLL_FIRST_S
        while True:
            got = redis.lock_and_read(lock.key, lock.token, self._lock_ttl_ms, read_keys)
            if got is UNAVAILABLE:
                return self._compute(job, stamp=self._stamps.current(job.namespace), to_redis=False)
            held, (raw_stamp, raw) = got
            stamp = self._stamps.seen(job.namespace, raw_stamp)
            entry = self._tiers.decode(raw, stamp, time.time())
            if entry is not None and not entry.is_stale:
                if held:
                    redis.release_lock(lock.key, lock.token)
                self._tiers.fill_l1(job.res, entry, stamp)
                return entry
            if held:
                return self._compute(job, stamp=stamp, to_redis=True, lock=lock)
            if job.stale is not None:
                self._stats.stale_served += 1
                return job.stale  # the holder refreshes it
            if time.monotonic() >= deadline:
                self._stats.lock_wait_timeouts += 1
                return self._compute(job, stamp=stamp, to_redis=True)
            self._stats.lock_waits += 1
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, _POLL_MAX_S)

    def _compute(
        self, job: _Job, *, stamp: int | None, to_redis: bool, lock: HeldLock | None = None
    ) -> CacheEntry:
        """Run the producer and store its value; ``stamp`` None means "not known yet" (Redis lost it)."""
        self._stats.computes += 1
        redis = self._redis if to_redis else None
        try:
            value = job.producer()
        except Exception:
            if lock is not None and redis is not None:
                redis.release_lock(lock.key, lock.token)
            if job.stale is None:
                raise
            self._stats.refresh_errors += 1
            self._stats.stale_served += 1
            return job.stale
        if redis is not None and stamp is None:
            stamp = self._stamps.for_write(job.namespace)
            if stamp is None:
                redis = None
        entry = self._entries.build(
            job.namespace, value, ttl_s=job.ttl_s, for_redis=redis is not None and redis.available
        )
        if stamp is None:
            stamp = self._stamps.current(job.namespace)
        if redis is not None:
            self._tiers.write_l2(job.res, entry, stamp, lock=lock)
        return self._tiers.fill_l1(job.res, entry, stamp)
