"""``CacheManager``: the read-through two-tier cache every function uses.

Read path: L1 (in-process LRU) -> L2 (Redis, one round trip: GET of the value when the namespace
stamp was read within ``stamp_refresh_s``, else MGET of stamp and value) -> compute under
in-process single-flight plus a short cross-process Redis lock.

Invalidation. Each namespace has a *stamp* in Redis (``nflp:<v>:~gen:<ns>``):
``generation << 20 | epoch``.

* ``invalidate_namespace`` adds ``1 << 20`` (O(1)). Every stored entry carries the generation it was
  written under and is compared with the stamp on read, so an entry from an older generation is a
  miss (no KEYS, nothing deleted); it is overwritten or ages out by TTL.
* ``invalidate_matching`` SCANs the namespace, UNLINKs exact matches, then adds 1 (the epoch), so
  other processes drop that namespace's L1 records (and refill them from L2).
* L1 records carry the stamp they were validated under. A process re-reads a namespace's stamp
  once per ``stamp_refresh_s`` (default 1 s), and with every MGET. So an invalidation made by
  another process is visible here, in both tiers, within ``stamp_refresh_s``; one made by this
  process is visible at once. (Reading the stamp on every GET would cost ~25% on the L2 hit.)
* A missing stamp (evicted, Redis restarted empty) is created from the clock (seconds since 2023,
  shifted), which is larger than any generation used before, so old entries never come back.

Redis trouble never fails a call: the breaker skips Redis while it is open, L1 keeps serving,
misses compute locally, and within one call Redis is not retried after it failed once.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from nfl_predictor.cache import codec, keys
from nfl_predictor.cache.breaker import CircuitBreaker
from nfl_predictor.cache.codec import CacheEntry, EntryFormatError
from nfl_predictor.cache.health import Stats, hit_rate, summarise_info
from nfl_predictor.cache.memory import MemoryTier
from nfl_predictor.cache.redis_tier import UNAVAILABLE, RedisTier, RedisUnavailableError, make_client
from nfl_predictor.cache.singleflight import SingleFlight

if TYPE_CHECKING:
    import redis

    from nfl_predictor.config.settings import Settings

EPOCH_BITS = 20
_GEN_STEP = 1 << EPOCH_BITS
_STAMP_BASE_EPOCH_S = 1_672_531_200  # 2023-01-01: keeps stamps < 2**53 (safe anywhere, even Lua)
_FOREVER = float("inf")
_RESOLVED_MAX = 4096

Producer = Callable[[], Any]
Codec = Literal["gzip", "zstd"]


class _NsState(NamedTuple):
    stamp: int
    refresh_at: float  # monotonic
    verified: bool = False  # read from Redis (not a local guess made while it was unreachable)


class Resolved(NamedTuple):
    key: str
    params: str  # normalised
    hashed: bool


class InvalidationResult(NamedTuple):
    l1_removed: int
    l2_removed: int
    l2_ok: bool  # False: Redis was unreachable (a namespace bump is retried on the next contact)


def _is_pattern(name: str) -> bool:
    return any(ch in name for ch in "*?[")


def _initial_stamp() -> int:
    return max(1, int(time.time()) - _STAMP_BASE_EPOCH_S) << EPOCH_BITS


class CacheManager:
    def __init__(
        self,
        redis_url: str | None = None,
        *,
        schema_version: int = 1,
        default_ttl_s: float = 1800,
        namespace_ttls: Mapping[str, float] | None = None,
        ttl_jitter: float = 0.1,
        stale_grace_s: float = 60,
        compress_threshold_bytes: int = 4096,
        codec_name: Codec = "gzip",
        l1_max_entries: int = 2048,
        l1_max_bytes: int = 64 * 1024 * 1024,
        socket_timeout_s: float = 0.25,
        connect_timeout_s: float = 0.25,
        health_check_interval_s: int = 30,
        breaker_failure_threshold: int = 3,
        breaker_cooldown_s: float = 5.0,
        clients_alert_threshold: int = 500,
        memory_alert_ratio: float = 0.8,
        stamp_refresh_s: float = 1.0,
        lock_ttl_s: float = 10.0,
        lock_wait_s: float = 2.0,
        redis_client: redis.Redis | None = None,
        redis_options: Mapping[str, Any] | None = None,
        prefix: str = keys.PREFIX,
    ) -> None:
        if codec_name not in ("gzip", "zstd"):
            raise ValueError("codec_name must be 'gzip' or 'zstd'")
        if not 0.0 <= ttl_jitter < 1.0:
            raise ValueError("ttl_jitter must be in [0, 1)")
        self.schema_version = schema_version
        self.prefix = prefix
        self.default_ttl_s = float(default_ttl_s)
        # Exact namespace names, or fnmatch patterns ("*prediction*") tried in order after them.
        self.namespace_ttls = {
            (ns if _is_pattern(ns) else keys.check_namespace(ns)): float(t)
            for ns, t in (namespace_ttls or {}).items()
        }
        self._ttls: dict[str, float] = {}
        self.ttl_jitter = ttl_jitter
        self.stale_grace_s = float(stale_grace_s)
        self.compress_threshold_bytes = compress_threshold_bytes
        self.codec: Codec = codec_name
        self.clients_alert_threshold = clients_alert_threshold
        self.memory_alert_ratio = memory_alert_ratio
        self.stamp_refresh_s = stamp_refresh_s
        self.lock_ttl_ms = max(1, int(lock_ttl_s * 1000))
        self.lock_wait_s = lock_wait_s
        self.stats = Stats()
        self.breaker = CircuitBreaker(breaker_failure_threshold, breaker_cooldown_s)
        self._l1 = MemoryTier(l1_max_entries, l1_max_bytes)
        self._l1_on = self._l1.enabled
        self._flight: SingleFlight[CacheEntry] = SingleFlight()
        self._ns: dict[str, _NsState] = {}
        self._prefixes: dict[str, str] = {}
        self._stamp_keys: dict[str, str] = {}
        self._resolved: dict[int, tuple[str, tuple[tuple[str, Any], ...], Resolved]] = {}
        self._seen: dict[int, None] = {}
        self._pending_bumps: set[str] = set()
        self._redis: RedisTier | None = None
        self._redis_url = redis_url
        if redis_client is None and redis_url:
            redis_client = make_client(
                redis_url,
                socket_timeout_s,
                connect_timeout_s,
                health_check_interval_s,
                **(redis_options or {}),
            )
        if redis_client is not None:
            self._redis = RedisTier(redis_client, self.breaker)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> CacheManager:
        """The manager for a deployment; ``redis_url`` None gives the in-process-only mode."""
        options: dict[str, Any] = {
            "redis_url": settings.redis_url,
            "schema_version": settings.cache_schema_version,
            "default_ttl_s": settings.cache_default_ttl_s,
            # predictions, prediction_views, week_predictions: everything derived from predictions
            "namespace_ttls": {"*prediction*": settings.cache_prediction_ttl_s},
            "ttl_jitter": settings.cache_ttl_jitter,
            "stale_grace_s": settings.cache_stale_grace_s,
            "compress_threshold_bytes": settings.cache_compress_threshold_bytes,
            "l1_max_entries": settings.l1_max_entries,
            "l1_max_bytes": settings.l1_max_bytes,
            "socket_timeout_s": settings.redis_socket_timeout_s,
            "connect_timeout_s": settings.redis_connect_timeout_s,
            "breaker_failure_threshold": settings.breaker_failure_threshold,
            "breaker_cooldown_s": settings.breaker_cooldown_s,
            "clients_alert_threshold": settings.redis_clients_alert_threshold,
            "codec_name": settings.cache_codec,
            "stamp_refresh_s": settings.cache_stamp_refresh_s,
            "lock_ttl_s": settings.cache_lock_ttl_s,
            "lock_wait_s": settings.cache_lock_wait_s,
            "health_check_interval_s": settings.redis_health_check_interval_s,
            "memory_alert_ratio": settings.cache_memory_alert_ratio,
        }
        options.update(overrides)
        return cls(**options)

    # -- keys and namespace stamps ----------------------------------------------------------------

    @property
    def redis_configured(self) -> bool:
        return self._redis is not None

    @property
    def redis_tier(self) -> RedisTier | None:
        """The breaker-guarded Redis tier, for other Redis users (rate limits) to share."""
        return self._redis

    def ttl_for(self, namespace: str) -> float:
        """Logical TTL (before jitter): an exact entry, else the first matching pattern, else default."""
        found = self._ttls.get(namespace)
        if found is None:
            found = self.namespace_ttls.get(namespace)
            if found is None:
                found = next(
                    (
                        t
                        for p, t in self.namespace_ttls.items()
                        if _is_pattern(p) and fnmatchcase(namespace, p)
                    ),
                    self.default_ttl_s,
                )
            self._ttls[namespace] = found
        return found

    def _ns_prefix(self, namespace: str) -> str:
        found = self._prefixes.get(namespace)
        if found is None:
            found = keys.namespace_prefix(namespace, self.schema_version, self.prefix)
            self._prefixes[namespace] = found
        return found

    def resolve(self, namespace: str, params: keys.Params | None) -> Resolved:
        """Key, normalised params and whether the key is hashed, for ``params`` in ``namespace``.

        Memoised on (namespace, params items), which is exact because equal params always
        normalise equally (see keys). Only params seen twice are memoised: a memo entry is a
        handful of GC-tracked tuples, and admitting every one-off key (a miss storm) would trigger
        a young-generation collection every ~100 calls, which shows up in the p99.
        """
        items: tuple[tuple[str, Any], ...] = tuple(params.items()) if params else ()
        try:
            fingerprint: int | None = hash((namespace, items))
        except TypeError:  # unhashable values (lists): normalise every time
            fingerprint = None
        if fingerprint is not None:
            memo = self._resolved.get(fingerprint)
            if memo is not None and memo[1] == items and memo[0] == namespace:
                return memo[2]
        normalised = keys.normalise_params(params)
        key, hashed = keys.key_from_normalised(self._ns_prefix(namespace), normalised)
        found = Resolved(key, normalised, hashed)
        if fingerprint is not None:
            # Keyed by the int fingerprint (not GC-tracked); the stored items make a hit exact.
            seen = self._seen
            if fingerprint in seen:
                if len(self._resolved) >= _RESOLVED_MAX:
                    self._resolved.clear()
                self._resolved[fingerprint] = (namespace, items, found)
            else:
                if len(seen) >= _RESOLVED_MAX:
                    seen.clear()
                seen[fingerprint] = None
        return found

    def key(self, namespace: str, params: keys.Params | None = None) -> str:
        return self.resolve(namespace, params).key

    def _new_call(self) -> None:
        if self._redis is not None:
            self._redis.new_call()

    def _stamp_key(self, namespace: str) -> str:
        found = self._stamp_keys.get(namespace)
        if found is None:
            found = keys.meta_key("gen", namespace, self.schema_version, self.prefix)
            self._stamp_keys[namespace] = found
        return found

    def _stamp(self, namespace: str) -> int:
        state = self._ns.get(namespace)
        if state is not None and time.monotonic() < state.refresh_at:
            return state.stamp
        return self._refresh_stamp(namespace, state)

    def _refresh_stamp(self, namespace: str, state: _NsState | None) -> int:
        stamp = state.stamp if state is not None else 0
        redis = self._redis
        if redis is None:
            self._ns[namespace] = _NsState(stamp, _FOREVER)
            return stamp
        if namespace in self._pending_bumps:
            self._retry_bump(namespace)
            state = self._ns.get(namespace, state)
            stamp = state.stamp if state is not None else 0
        raw = redis.get(self._stamp_key(namespace))
        verified = raw is not UNAVAILABLE and raw is not None
        if verified:
            stamp = int(raw)  # type: ignore[arg-type]
        # Missing ("no news") or unreachable: keep what we knew, so L1 keeps serving.
        self._ns[namespace] = _NsState(stamp, time.monotonic() + self.stamp_refresh_s, verified)
        return stamp

    def _observe_stamp(self, namespace: str, stamp: int) -> None:
        self._ns[namespace] = _NsState(stamp, time.monotonic() + self.stamp_refresh_s, True)

    def _seen_stamp(self, namespace: str, raw: bytes | None) -> int | None:
        """Record a stamp read from Redis; a missing one (evicted, restart) un-verifies ours, so the
        next write re-creates it instead of writing under a generation nobody can read."""
        if raw is not None:
            stamp = int(raw)
            self._observe_stamp(namespace, stamp)
            return stamp
        state = self._ns.get(namespace)
        if state is not None and state.verified:
            self._ns[namespace] = state._replace(verified=False)
        return None

    def _write_stamp(self, namespace: str) -> int | None:
        """The stamp to write under, creating it in Redis if needed; None when Redis is unusable."""
        redis = self._redis
        if redis is None:
            return self._stamp(namespace)
        state = self._ns.get(namespace)
        if state is not None and state.verified and time.monotonic() < state.refresh_at:
            return state.stamp  # at most stamp_refresh_s old; a race loses the write, never resurrects
        got = redis.ensure_stamp(self._stamp_key(namespace), _initial_stamp())
        if got is UNAVAILABLE:
            return None
        self._observe_stamp(namespace, got)
        return got

    def _stamp_for_write(self, namespace: str) -> tuple[int, bool]:
        """(stamp to write under, whether the write goes to Redis too)."""
        redis = self._redis
        if redis is not None and redis.available:
            stamp = self._write_stamp(namespace)
            if stamp is not None:
                return stamp, True
        return self._stamp(namespace), False

    # -- entries ----------------------------------------------------------------------------------

    def _build(self, namespace: str, value: Any, ttl_s: float | None, for_redis: bool) -> CacheEntry:
        identity = codec.to_body(value)
        ttl = self.ttl_for(namespace) if ttl_s is None else float(ttl_s)
        # Jitter only shortens: the configured TTL stays an upper bound on age.
        ttl *= 1.0 - self.ttl_jitter * random.random()
        now = time.time()
        # Compress only what goes to Redis (memory, network). L1-only entries (no Redis, breaker
        # open) stay identity; CacheEntry.gzip_body() compresses those once, on demand.
        compress = for_redis and len(identity) >= self.compress_threshold_bytes
        return codec.build_entry(identity, now, now + ttl, self.codec if compress else "identity")

    def _redis_ttl_ms(self, entry: CacheEntry) -> int:
        return max(1, math.ceil((entry.fresh_until - time.time() + self.stale_grace_s) * 1000))

    def _pack(self, entry: CacheEntry, stamp: int, res: Resolved) -> bytes:
        return codec.pack(entry, stamp >> EPOCH_BITS, res.params.encode() if res.hashed else b"")

    def _fill_l1(self, res: Resolved, entry: CacheEntry, stamp: int | None) -> CacheEntry:
        if stamp is None or not self._l1.enabled:
            return entry
        local = entry if entry.tier == "l1" and not entry.is_stale else entry.with_view("l1", False)
        self._l1.put(res.key, local, stamp, entry.fresh_until + self.stale_grace_s, res.params)
        return local

    def _decode(self, raw: bytes | None, stamp: int | None, now: float) -> CacheEntry | None:
        """A usable (fresh or stale-within-grace) entry from L2 bytes, else None."""
        if raw is None or stamp is None:
            return None  # without the namespace stamp nothing can be vouched for
        try:
            return codec.decode(raw, stamp >> EPOCH_BITS, now, self.stale_grace_s)
        except EntryFormatError:
            self.stats.decode_errors += 1
            return None

    def _l1_lookup(self, res: Resolved, stamp: int) -> tuple[CacheEntry | None, CacheEntry | None]:
        """(fresh, stale) from L1."""
        record = self._l1.get(res.key)
        if record is None or record.stamp != stamp:
            return None, None
        entry = record.entry
        if time.time() < entry.fresh_until:
            return entry, None
        return None, entry.with_view("l1", True)

    def _read_l2(self, namespace: str, key: str) -> tuple[CacheEntry | None, int | None] | None:
        """(entry or None, namespace stamp or None) in one round trip; None when Redis is unusable.

        With a stamp verified within ``stamp_refresh_s`` this is a plain GET: MGET with the stamp
        key costs ~25% more than GET in redis-py's parser, more than the whole hit-path budget.
        """
        redis = self._redis
        assert redis is not None
        state = self._ns.get(namespace)
        if state is not None and state.verified and time.monotonic() < state.refresh_at:
            raw_value = redis.get(key)
            if raw_value is UNAVAILABLE:
                return None
            return self._decode(raw_value, state.stamp, time.time()), state.stamp
        got = redis.mget([self._stamp_key(namespace), key])
        if got is UNAVAILABLE:
            return None
        raw_stamp, raw = got
        stamp = self._seen_stamp(namespace, raw_stamp)
        return self._decode(raw, stamp, time.time()), stamp

    # -- public read/write API --------------------------------------------------------------------

    def get(
        self, namespace: str, params: keys.Params | None = None, *, allow_stale: bool = False
    ) -> CacheEntry | None:
        """The cached entry, or None. Stale entries (within the grace window) only if ``allow_stale``."""
        self._new_call()
        res = self.resolve(namespace, params)
        stamp = self._stamp(namespace)
        stale = None
        if self._l1_on:
            fresh, stale = self._l1_lookup(res, stamp)
            if fresh is not None:
                self.stats.l1_hits += 1
                return fresh
        self.stats.l1_misses += 1
        if self._redis is not None:
            read = self._read_l2(namespace, res.key)
            if read is not None:
                entry, l2_stamp = read
                if entry is not None and not entry.is_stale:
                    self.stats.redis_hits += 1
                    if self._l1_on:
                        self._fill_l1(res, entry, l2_stamp)
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
        resolved = [self.resolve(namespace, p) for p in params_list]
        stamp = self._stamp(namespace)
        out: list[CacheEntry | None] = [None] * len(resolved)
        missing: list[int] = []
        for i, res in enumerate(resolved):
            fresh, stale = self._l1_lookup(res, stamp)
            if fresh is not None:
                self.stats.l1_hits += 1
                out[i] = fresh
            else:
                self.stats.l1_misses += 1
                out[i] = stale if allow_stale else None
                missing.append(i)
        if not missing or self._redis is None:
            return out
        got = self._redis.mget([self._stamp_key(namespace)] + [resolved[i].key for i in missing])
        if got is UNAVAILABLE:
            return out
        raw_stamp, *raws = got
        l2_stamp = self._seen_stamp(namespace, raw_stamp)
        now = time.time()
        for i, raw in zip(missing, raws, strict=True):
            entry = self._decode(raw, l2_stamp, now)
            if entry is None or entry.is_stale:
                self.stats.redis_misses += 1
                if entry is not None and allow_stale and out[i] is None:
                    out[i] = entry
                continue
            self.stats.redis_hits += 1
            self._fill_l1(resolved[i], entry, l2_stamp)
            out[i] = entry
        return out

    def set(
        self, namespace: str, params: keys.Params | None, value: Any, *, ttl_s: float | None = None
    ) -> CacheEntry:
        """Store ``value`` (JSON bytes or a JSON-able object) in both tiers; returns the L1 entry."""
        self._new_call()
        res = self.resolve(namespace, params)
        stamp, to_redis = self._stamp_for_write(namespace)
        entry = self._build(namespace, value, ttl_s, for_redis=to_redis)
        if to_redis and self._redis is not None:
            self._redis.set(res.key, self._pack(entry, stamp, res), self._redis_ttl_ms(entry))
        return self._fill_l1(res, entry, stamp)

    def delete(self, namespace: str, params: keys.Params | None = None) -> bool:
        """Remove one key from both tiers; True if either tier had it."""
        self._new_call()
        res = self.resolve(namespace, params)
        removed = self._l1.delete(res.key)
        if self._redis is not None:
            got = self._redis.unlink([res.key])
            removed = removed or (got is not UNAVAILABLE and bool(got))
        return removed

    # -- read-through -----------------------------------------------------------------------------

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
        self._new_call()
        res = self.resolve(namespace, params)
        stamp = self._stamp(namespace)
        fresh, stale = self._l1_lookup(res, stamp)
        if fresh is not None:
            self.stats.l1_hits += 1
            return fresh
        self.stats.l1_misses += 1
        flight, leader = self._flight.begin(res.key)
        if not leader:
            if stale is not None:
                self.stats.stale_served += 1
                return stale
            return flight.wait()
        try:
            entry = self._load(namespace, res, producer, ttl_s, stale)
        except BaseException as exc:
            self._flight.finish(res.key, flight, error=exc)
            raise
        self._flight.finish(res.key, flight, result=entry)
        return entry

    def _load(
        self,
        namespace: str,
        res: Resolved,
        producer: Producer,
        ttl_s: float | None,
        stale: CacheEntry | None,
    ) -> CacheEntry:
        stamp = self._stamp(namespace)
        if self._l1_on:
            # The previous leader may have filled L1 between our lookup and begin().
            fresh, _ = self._l1_lookup(res, stamp)
            if fresh is not None:
                return fresh
        redis = self._redis
        if redis is None or not redis.available:  # no Redis, or breaker open: compute, L1 only
            return self._compute(namespace, res, producer, ttl_s, stale, stamp, False)
        read = self._read_l2(namespace, res.key)
        if read is None:
            return self._compute(namespace, res, producer, ttl_s, stale, stamp, False)
        entry, l2_stamp = read
        if entry is not None and not entry.is_stale:
            self.stats.redis_hits += 1
            self._fill_l1(res, entry, l2_stamp)
            return entry
        self.stats.redis_misses += 1
        if stale is None:
            stale = entry
        return self._compute_locked(namespace, res, producer, ttl_s, stale, l2_stamp)

    def _compute_locked(
        self,
        namespace: str,
        res: Resolved,
        producer: Producer,
        ttl_s: float | None,
        stale: CacheEntry | None,
        stamp: int | None,
    ) -> CacheEntry:
        """Cross-process stampede control: one holder of ``~lock:<key>`` computes, others poll."""
        assert self._redis is not None
        lock = keys.lock_key(res.key, self.schema_version, self.prefix)
        token = os.urandom(12).hex()
        read_keys = [self._stamp_key(namespace), res.key]
        deadline = time.monotonic() + self.lock_wait_s
        delay = 0.005
        while True:
            got = self._redis.lock_and_read(lock, token, self.lock_ttl_ms, read_keys)
            if got is UNAVAILABLE:
                return self._compute(namespace, res, producer, ttl_s, stale, self._stamp(namespace), False)
            held, (raw_stamp, raw) = got
            stamp = self._seen_stamp(namespace, raw_stamp)
            entry = self._decode(raw, stamp, time.time())
            if entry is not None and not entry.is_stale:
                if held:
                    self._redis.release_lock(lock, token)
                self._fill_l1(res, entry, stamp)
                return entry
            if held:
                return self._compute(namespace, res, producer, ttl_s, stale, stamp, True, (lock, token))
            if stale is not None:
                self.stats.stale_served += 1
                return stale  # the holder refreshes it
            if time.monotonic() >= deadline:
                self.stats.lock_wait_timeouts += 1
                return self._compute(namespace, res, producer, ttl_s, stale, stamp, True)
            self.stats.lock_waits += 1
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 0.05)

    def _compute(
        self,
        namespace: str,
        res: Resolved,
        producer: Producer,
        ttl_s: float | None,
        stale: CacheEntry | None,
        stamp: int | None,
        use_redis: bool,
        lock: tuple[str, str] | None = None,
    ) -> CacheEntry:
        self.stats.computes += 1
        redis = self._redis if use_redis else None
        try:
            value = producer()
        except Exception:
            if lock is not None and redis is not None:
                redis.release_lock(*lock)
            if stale is None:
                raise
            self.stats.refresh_errors += 1
            self.stats.stale_served += 1
            return stale
        if redis is not None and stamp is None:
            stamp = self._write_stamp(namespace)
            if stamp is None:
                redis = None
        entry = self._build(namespace, value, ttl_s, for_redis=redis is not None and redis.available)
        if stamp is None:
            stamp = self._stamp(namespace)
        if redis is not None:
            raw = self._pack(entry, stamp, res)
            ttl_ms = self._redis_ttl_ms(entry)
            if lock is not None:
                redis.set_and_release(res.key, raw, ttl_ms, *lock)
            else:
                redis.set(res.key, raw, ttl_ms)
        return self._fill_l1(res, entry, stamp)

    def warm(
        self,
        namespace: str,
        params_list: Iterable[keys.Params | None],
        producer: Callable[[keys.Params | None], Any],
        *,
        ttl_s: float | None = None,
        force: bool = False,
    ) -> int:
        """Compute and store entries that are missing or stale (all of them with ``force``).

        Writes go to Redis in one pipeline. Returns how many entries were computed.
        """
        self._new_call()
        wanted = list(params_list)
        if not force:
            current = self.get_many(namespace, wanted)
            wanted = [p for p, entry in zip(wanted, current, strict=True) if entry is None]
        if not wanted:
            return 0
        stamp, to_redis = self._stamp_for_write(namespace)
        writes: list[tuple[str, bytes, int]] = []
        for params in wanted:
            res = self.resolve(namespace, params)
            entry = self._build(namespace, producer(params), ttl_s, to_redis)
            self.stats.computes += 1
            if to_redis:
                writes.append((res.key, self._pack(entry, stamp, res), self._redis_ttl_ms(entry)))
            self._fill_l1(res, entry, stamp)
        if writes and self._redis is not None:
            self._redis.set_many(writes)
        return len(wanted)

    # -- invalidation -----------------------------------------------------------------------------

    def invalidate_namespace(self, namespace: str) -> InvalidationResult:
        """Make every entry of ``namespace`` unreachable, in all processes, with one INCRBY."""
        self._new_call()
        prefix = self._ns_prefix(namespace)
        l1_removed = self._l1.delete_where(lambda key, _record: key.startswith(prefix))
        if self._redis is None:
            self._ns[namespace] = _NsState(self._stamp(namespace) + _GEN_STEP, _FOREVER)
            return InvalidationResult(l1_removed, 0, True)
        got = self._redis.bump_stamp(self._stamp_key(namespace), _GEN_STEP, _initial_stamp())
        if got is UNAVAILABLE:
            # Not lost: retried on this process's next stamp refresh that reaches Redis.
            self._pending_bumps.add(namespace)
            self._ns[namespace] = _NsState(self._stamp(namespace) + _GEN_STEP, time.monotonic())
            return InvalidationResult(l1_removed, 0, False)
        self._pending_bumps.discard(namespace)
        self._observe_stamp(namespace, got)
        return InvalidationResult(l1_removed, 0, True)

    def _retry_bump(self, namespace: str) -> None:
        assert self._redis is not None
        got = self._redis.bump_stamp(self._stamp_key(namespace), _GEN_STEP, _initial_stamp())
        if got is not UNAVAILABLE:
            self._pending_bumps.discard(namespace)
            self._observe_stamp(namespace, got)

    def invalidate_matching(
        self, namespace: str, match: keys.Params, *, batch: int = 500
    ) -> InvalidationResult:
        """Remove the entries whose params include every ``match`` pair exactly (week=1 is not week=10).

        SCAN + UNLINK in batches, never KEYS. Hashed (long) keys are matched on the params stored in
        their entries. Other processes drop this namespace's L1 records within ``stamp_refresh_s``.
        """
        self._new_call()
        wanted = keys.param_pairs(keys.normalise_params(match))
        if not wanted:
            raise ValueError("invalidate_matching needs at least one parameter; use invalidate_namespace")
        prefix = self._ns_prefix(namespace)
        l1_removed = self._l1.delete_where(
            lambda key, record: key.startswith(prefix) and wanted <= keys.param_pairs(record.params)
        )
        redis = self._redis
        if redis is None:
            return InvalidationResult(l1_removed, 0, True)
        removed = 0
        try:
            for found in redis.scan(prefix + "*", count=batch):
                doomed, hashed = [], []
                for key in found:
                    tail = key[len(prefix) :]
                    if tail.startswith(keys.HASHED_MARK):
                        hashed.append(key)
                    elif wanted <= keys.param_pairs(tail):
                        doomed.append(key)
                if hashed:
                    raws = redis.mget(hashed)
                    if raws is UNAVAILABLE:
                        raise RedisUnavailableError("MGET failed during invalidation")
                    for key, raw in zip(hashed, raws, strict=True):
                        if raw is not None and wanted <= keys.param_pairs(codec.unpack_params(raw)):
                            doomed.append(key)
                if doomed:
                    got = redis.unlink(doomed)
                    if got is UNAVAILABLE:
                        raise RedisUnavailableError("UNLINK failed during invalidation")
                    removed += got
        except RedisUnavailableError:
            return InvalidationResult(l1_removed, removed, False)
        # After the UNLINKs: a process refilling L1 on the new epoch must not find the old values.
        bumped = redis.bump_stamp(self._stamp_key(namespace), 1, _initial_stamp())
        if bumped is UNAVAILABLE:
            return InvalidationResult(l1_removed, removed, False)
        self._observe_stamp(namespace, bumped)
        return InvalidationResult(l1_removed, removed, True)

    def clear_local(self) -> None:
        """Drop this process's L1 (tests, benchmarks, memory pressure)."""
        self._l1.clear()

    # -- health -----------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """Per-tier hits/misses/hit rate, breaker state and a digest of Redis INFO (if reachable)."""
        self._new_call()
        s = self.stats
        report: dict[str, Any] = {
            "l1": {
                "hits": s.l1_hits,
                "misses": s.l1_misses,
                "hit_rate": hit_rate(s.l1_hits, s.l1_misses),
                "entries": len(self._l1),
                "bytes": self._l1.bytes_used,
                "max_entries": self._l1.max_entries,
                "max_bytes": self._l1.max_bytes,
                "evictions": self._l1.evictions,
            },
            "redis": {"configured": self._redis is not None},
            "counters": s.snapshot(),
            "etag_algorithm": codec.ETAG_ALGORITHM,
        }
        redis = self._redis
        if redis is None:
            return report
        section: dict[str, Any] = {
            "configured": True,
            "tls": bool(self._redis_url and self._redis_url.startswith("rediss://")),
            "hits": s.redis_hits,
            "misses": s.redis_misses,
            "hit_rate": hit_rate(s.redis_hits, s.redis_misses),
            "errors": redis.errors,
            "skipped_breaker_open": redis.skipped,
            "breaker": self.breaker.snapshot(),
            "connected": False,
        }
        got = redis.info()
        if got is not UNAVAILABLE:
            info, latency_ms = got
            section.update(
                summarise_info(info, latency_ms, self.clients_alert_threshold, self.memory_alert_ratio)
            )
        section["breaker"] = self.breaker.snapshot()
        report["redis"] = section
        return report

    def close(self) -> None:
        if self._redis is not None:
            self._redis.close()

    def __enter__(self) -> CacheManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@lru_cache(maxsize=1)
def get_cache() -> CacheManager:
    """The process-wide manager (one per Lambda environment), built from ``get_settings()``."""
    from nfl_predictor.config.settings import get_settings

    return CacheManager.from_settings(get_settings())
