"""Namespace stamps: the O(1) invalidation protocol shared by every process using one Redis.

Each namespace has a *stamp* in Redis (``nflp:<v>:~gen:<ns>``): ``generation << 20 | epoch``.

* A namespace invalidation adds ``1 << 20``. Every stored entry carries the generation it was
  written under and is compared with the stamp on read, so an entry from an older generation is a
  miss (no KEYS, nothing deleted); it is overwritten or ages out by TTL.
* An exact-params invalidation adds 1 (the epoch) after its UNLINKs, so other processes drop that
  namespace's L1 records (and refill them from L2).
* L1 records carry the stamp they were validated under. A process re-reads a namespace's stamp
  once per ``refresh_s`` (and with every MGET), so an invalidation made by another process is
  visible here within ``refresh_s``; one made by this process is visible at once. (Reading the
  stamp on every GET would cost ~25% on the L2 hit.)
* A missing stamp (evicted, Redis restarted empty) is created from the clock (seconds since 2023,
  shifted), which is larger than any generation used before, so old entries never come back.
* A namespace bump that cannot reach Redis is kept and replayed on the next stamp refresh that
  does, so an invalidation made during an outage is not lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

from nfl_predictor.cache.redis_tier import UNAVAILABLE, RedisTier

EPOCH_BITS = 20
GENERATION_STEP = 1 << EPOCH_BITS
EPOCH_STEP = 1
_STAMP_BASE_EPOCH_S = 1_672_531_200  # 2023-01-01: keeps stamps < 2**53 (safe anywhere, even Lua)
_FOREVER = float("inf")


def generation(stamp: int) -> int:
    """The part of a stamp stored in entries (epoch bumps must not orphan L2 entries)."""
    return stamp >> EPOCH_BITS


def initial_stamp() -> int:
    return max(1, int(time.time()) - _STAMP_BASE_EPOCH_S) << EPOCH_BITS


class _NsState(NamedTuple):
    stamp: int
    refresh_at: float  # monotonic
    verified: bool = False  # read from Redis (not a local guess made while it was unreachable)


class WriteStamp(NamedTuple):
    stamp: int
    to_redis: bool  # False: Redis unusable, the entry goes to L1 only


class NamespaceStamps:
    def __init__(self, redis: RedisTier | None, stamp_key: Callable[[str], str], *, refresh_s: float) -> None:
        self._redis = redis
        self._stamp_key = stamp_key
        self._refresh_s = refresh_s
        self._states: dict[str, _NsState] = {}
        self._pending_bumps: set[str] = set()

    def forget(self) -> None:
        """Drop what was read (the next read asks Redis): after a SnapStart restore, the monotonic
        clock has not moved while the snapshot waited, so "checked a second ago" may be days old."""
        self._states.clear()

    # -- reading ----------------------------------------------------------------------------------

    def current(self, namespace: str) -> int:
        """The stamp L1 records must carry to be valid (at most ``refresh_s`` old)."""
        state = self._states.get(namespace)
        if state is not None and time.monotonic() < state.refresh_at:
            return state.stamp
        return self._refresh(namespace, state)

    def _refresh(self, namespace: str, state: _NsState | None) -> int:
        stamp = state.stamp if state is not None else 0
        redis = self._redis
        if redis is None:
            self._states[namespace] = _NsState(stamp, _FOREVER)
            return stamp
        if namespace in self._pending_bumps:
            self._retry_bump(namespace)
            state = self._states.get(namespace, state)
            stamp = state.stamp if state is not None else 0
        raw = redis.get(self._stamp_key(namespace))
        verified = raw is not UNAVAILABLE and raw is not None
        if verified:
            stamp = int(raw)  # type: ignore[arg-type]
        # Missing ("no news") or unreachable: keep what we knew, so L1 keeps serving.
        self._states[namespace] = _NsState(stamp, time.monotonic() + self._refresh_s, verified=verified)
        return stamp

    def verified(self, namespace: str) -> int | None:
        """The stamp if it was read from Redis within ``refresh_s``: L2 may then skip re-reading it."""
        state = self._states.get(namespace)
        if state is not None and state.verified and time.monotonic() < state.refresh_at:
            return state.stamp
        return None

    def observe(self, namespace: str, stamp: int) -> None:
        self._states[namespace] = _NsState(stamp, time.monotonic() + self._refresh_s, verified=True)

    def seen(self, namespace: str, raw: bytes | None) -> int | None:
        """Record a stamp read from Redis; a missing one (evicted, restart) un-verifies ours, so the
        next write re-creates it instead of writing under a generation nobody can read."""
        if raw is not None:
            stamp = int(raw)
            self.observe(namespace, stamp)
            return stamp
        state = self._states.get(namespace)
        if state is not None and state.verified:
            self._states[namespace] = state._replace(verified=False)
        return None

    # -- writing ----------------------------------------------------------------------------------

    def for_write(self, namespace: str) -> int | None:
        """The stamp to write under, creating it in Redis if needed; None when Redis is unusable."""
        redis = self._redis
        if redis is None:
            return self.current(namespace)
        stamp = self.verified(namespace)
        if stamp is not None:
            return stamp  # at most refresh_s old; a race loses the write, never resurrects
        got = redis.ensure_stamp(self._stamp_key(namespace), initial_stamp())
        if got is UNAVAILABLE:
            return None
        self.observe(namespace, got)
        return got

    def write_stamp(self, namespace: str) -> WriteStamp:
        """Where a plain write goes: both tiers when Redis is usable, else L1 only."""
        redis = self._redis
        if redis is not None and redis.available:
            stamp = self.for_write(namespace)
            if stamp is not None:
                return WriteStamp(stamp, to_redis=True)
        return WriteStamp(self.current(namespace), to_redis=False)

    # -- invalidating -----------------------------------------------------------------------------

    def bump_generation(self, namespace: str) -> bool:
        """Start a new generation of ``namespace``; False if Redis was unreachable (replayed later)."""
        redis = self._redis
        if redis is None:
            self._states[namespace] = _NsState(self.current(namespace) + GENERATION_STEP, _FOREVER)
            return True
        got = redis.bump_stamp(self._stamp_key(namespace), GENERATION_STEP, initial_stamp())
        if got is UNAVAILABLE:
            # Not lost: retried on this process's next stamp refresh that reaches Redis.
            self._pending_bumps.add(namespace)
            self._states[namespace] = _NsState(self.current(namespace) + GENERATION_STEP, time.monotonic())
            return False
        self._pending_bumps.discard(namespace)
        self.observe(namespace, got)
        return True

    def bump_epoch(self, namespace: str) -> bool:
        """Tell other processes to drop their L1 records of ``namespace`` (its L2 entries stay)."""
        if self._redis is None:
            return True
        got = self._redis.bump_stamp(self._stamp_key(namespace), EPOCH_STEP, initial_stamp())
        if got is UNAVAILABLE:
            return False
        self.observe(namespace, got)
        return True

    def _retry_bump(self, namespace: str) -> None:
        assert self._redis is not None
        got = self._redis.bump_stamp(self._stamp_key(namespace), GENERATION_STEP, initial_stamp())
        if got is not UNAVAILABLE:
            self._pending_bumps.discard(namespace)
            self.observe(namespace, got)
