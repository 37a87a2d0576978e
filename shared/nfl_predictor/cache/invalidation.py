"""``Invalidator``: drop a whole namespace, or exactly the entries whose params match.

A namespace is dropped with one stamp bump (O(1), see ``stamps``). Exact-params invalidation walks
the namespace with SCAN (never KEYS) and UNLINKs only entries whose params contain every wanted
``k=v`` pair as a whole pair, so ``week=1`` never takes ``week=10`` with it; hashed (long) keys are
matched on the params stored inside their entries.
"""

from __future__ import annotations

from typing import NamedTuple

from nfl_predictor.cache import codec, keys
from nfl_predictor.cache.memory import MemoryTier
from nfl_predictor.cache.redis_tier import UNAVAILABLE, RedisTier, RedisUnavailableError
from nfl_predictor.cache.resolver import KeyResolver
from nfl_predictor.cache.stamps import NamespaceStamps


class InvalidationResult(NamedTuple):
    l1_removed: int
    l2_removed: int
    l2_ok: bool  # False: Redis was unreachable (a namespace bump is retried on the next contact)


class Invalidator:
    def __init__(
        self, l1: MemoryTier, redis: RedisTier | None, stamps: NamespaceStamps, resolver: KeyResolver
    ) -> None:
        self._l1 = l1
        self._redis = redis
        self._stamps = stamps
        self._resolver = resolver

    def namespace(self, namespace: str) -> InvalidationResult:
        """Make every entry of ``namespace`` unreachable, in all processes, with one INCRBY."""
        prefix = self._resolver.namespace_prefix(namespace)
        l1_removed = self._l1.delete_where(lambda key, _record: key.startswith(prefix))
        return InvalidationResult(l1_removed, 0, l2_ok=self._stamps.bump_generation(namespace))

    def matching(self, namespace: str, match: keys.Params, *, batch: int) -> InvalidationResult:
        """Remove the entries whose params include every ``match`` pair exactly.

        Other processes drop this namespace's L1 records within ``stamp_refresh_s``.
        """
        wanted = keys.param_pairs(keys.normalise_params(match))
        if not wanted:
            raise ValueError("invalidate_matching needs at least one parameter; use invalidate_namespace")
        prefix = self._resolver.namespace_prefix(namespace)
        l1_removed = self._l1.delete_where(
            lambda key, record: key.startswith(prefix) and wanted <= keys.param_pairs(record.params)
        )
        redis = self._redis
        if redis is None:
            return InvalidationResult(l1_removed, 0, l2_ok=True)
        removed = 0
        try:
            for found in redis.scan(prefix + "*", count=batch):
                removed += self._unlink_matches(redis, prefix, wanted, found)
        except RedisUnavailableError:
            return InvalidationResult(l1_removed, removed, l2_ok=False)
        # After the UNLINKs: a process refilling L1 on the new epoch must not find the old values.
        return InvalidationResult(l1_removed, removed, l2_ok=self._stamps.bump_epoch(namespace))

    @staticmethod
    def _unlink_matches(redis: RedisTier, prefix: str, wanted: set[str], found: list[str]) -> int:
        """UNLINK the matches in one SCAN batch; raises ``RedisUnavailableError`` if Redis goes away."""
        doomed, hashed = [], []
        for key in found:
            tail = keys.key_params(key[len(prefix) :])  # without the hash tag
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
        got = redis.unlink(doomed)  # no round trip when nothing matched
        if got is UNAVAILABLE:
            raise RedisUnavailableError("UNLINK failed during invalidation")
        return got
