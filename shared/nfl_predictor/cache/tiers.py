"""``Tiers``: reading and filling L1 and L2 under the namespace stamps.

Shared by the plain API (get, get_many, set) and by read-through, so both apply the same validity
rules: an L1 record counts only under the current stamp, an L2 entry only under the current
generation, and a stale entry only within the grace window.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import NamedTuple

from nfl_predictor.cache import codec
from nfl_predictor.cache.codec import CacheEntry, EntryFormatError
from nfl_predictor.cache.entries import EntryFactory
from nfl_predictor.cache.health import Stats
from nfl_predictor.cache.memory import MemoryTier
from nfl_predictor.cache.redis_tier import UNAVAILABLE, RedisTier
from nfl_predictor.cache.resolver import KeyResolver, Resolved
from nfl_predictor.cache.stamps import EPOCH_BITS, NamespaceStamps


class HeldLock(NamedTuple):
    """A cross-process compute lock this process holds: only its token may release it."""

    key: str
    token: str


class Tiers:
    def __init__(
        self,
        l1: MemoryTier,
        redis: RedisTier | None,
        stamps: NamespaceStamps,
        entries: EntryFactory,
        resolver: KeyResolver,
        stats: Stats,
        *,
        stale_grace_s: float,
    ) -> None:
        self._l1 = l1
        self._redis = redis
        self._stamps = stamps
        self._entries = entries
        self._stamp_key = resolver.stamp_key
        self._stats = stats
        self._stale_grace_s = stale_grace_s

    # -- L1 ---------------------------------------------------------------------------------------

    def l1_lookup(self, res: Resolved, stamp: int) -> tuple[CacheEntry | None, CacheEntry | None]:
        """(fresh, stale) from L1."""
        record = self._l1.get(res.key)
        if record is None or record.stamp != stamp:
            return None, None
        entry = record.entry
        if time.time() < entry.fresh_until:
            return entry, None
        return None, entry.with_view("l1", is_stale=True)

    def fill_l1(self, res: Resolved, entry: CacheEntry, stamp: int | None) -> CacheEntry:
        """The entry as L1 serves it (stored when there is a stamp to validate it against)."""
        if stamp is None or not self._l1.enabled:
            return entry
        local = entry if entry.tier == "l1" and not entry.is_stale else entry.with_view("l1", is_stale=False)
        self._l1.put(res.key, local, stamp, entry.fresh_until + self._stale_grace_s, res.params)
        return local

    # -- L2 ---------------------------------------------------------------------------------------

    def decode(self, raw: bytes | None, stamp: int | None, now: float) -> CacheEntry | None:
        """A usable (fresh or stale-within-grace) entry from L2 bytes, else None."""
        if raw is None or stamp is None:
            return None  # without the namespace stamp nothing can be vouched for
        try:
            return codec.decode(raw, stamp >> EPOCH_BITS, now, self._stale_grace_s)  # generation(), inlined
        except EntryFormatError:
            self._stats.decode_errors += 1
            return None

    def read_l2(self, namespace: str, key: str) -> tuple[CacheEntry | None, int | None] | None:
        """(entry or None, namespace stamp or None) in one round trip; None when Redis is unusable.

        With a stamp verified within ``stamp_refresh_s`` this is a plain GET: MGET with the stamp
        key costs ~25% more than GET in redis-py's parser, more than the whole hit-path budget.
        """
        redis = self._redis
        assert redis is not None
        stamp = self._stamps.verified(namespace)
        if stamp is not None:
            raw_value = redis.get(key)
            if raw_value is UNAVAILABLE:
                return None
            return self.decode(raw_value, stamp, time.time()), stamp
        got = redis.mget([self._stamp_key(namespace), key])
        if got is UNAVAILABLE:
            return None
        raw_stamp, raw = got
        l2_stamp = self._stamps.seen(namespace, raw_stamp)
        return self.decode(raw, l2_stamp, time.time()), l2_stamp

    def get_many(
        self, namespace: str, resolved: Sequence[Resolved], stamp: int, *, allow_stale: bool
    ) -> list[CacheEntry | None]:
        """Entries in order (None for misses); all L1 misses are read with a single MGET."""
        stats = self._stats
        out: list[CacheEntry | None] = [None] * len(resolved)
        missing: list[int] = []
        for i, res in enumerate(resolved):
            fresh, stale = self.l1_lookup(res, stamp)
            if fresh is not None:
                stats.l1_hits += 1
                out[i] = fresh
            else:
                stats.l1_misses += 1
                out[i] = stale if allow_stale else None
                missing.append(i)
        if missing and self._redis is not None:
            self._read_many_l2(namespace, resolved, missing, out, allow_stale=allow_stale)
        return out

    def _read_many_l2(
        self,
        namespace: str,
        resolved: Sequence[Resolved],
        missing: list[int],
        out: list[CacheEntry | None],
        *,
        allow_stale: bool,
    ) -> None:
        assert self._redis is not None
        got = self._redis.mget([self._stamp_key(namespace)] + [resolved[i].key for i in missing])
        if got is UNAVAILABLE:
            return
        raw_stamp, *raws = got
        l2_stamp = self._stamps.seen(namespace, raw_stamp)
        now = time.time()
        for i, raw in zip(missing, raws, strict=True):
            entry = self.decode(raw, l2_stamp, now)
            if entry is None or entry.is_stale:
                self._stats.redis_misses += 1
                if entry is not None and allow_stale and out[i] is None:
                    out[i] = entry
                continue
            self._stats.redis_hits += 1
            self.fill_l1(resolved[i], entry, l2_stamp)
            out[i] = entry

    def write_l2(self, res: Resolved, entry: CacheEntry, stamp: int, *, lock: HeldLock | None = None) -> None:
        """Store in Redis; with ``lock`` the lock is released in the same round trip."""
        redis = self._redis
        assert redis is not None
        raw = self._entries.pack(entry, stamp, res)
        ttl_ms = self._entries.redis_ttl_ms(entry)
        if lock is not None:
            redis.set_and_release(res.key, raw, ttl_ms, lock.key, lock.token)
        else:
            redis.set(res.key, raw, ttl_ms)
