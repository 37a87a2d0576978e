"""``EntryFactory``: how a computed value becomes an entry (TTL policy, jitter, compression) and
how it is put on the wire (generation, Redis TTL). Pure policy: no I/O."""

from __future__ import annotations

import math
import random
import time
from fnmatch import fnmatchcase
from typing import Any

from nfl_predictor.cache import codec
from nfl_predictor.cache.codec import CacheEntry
from nfl_predictor.cache.config import CacheConfig, is_pattern
from nfl_predictor.cache.resolver import Resolved
from nfl_predictor.cache.stamps import generation


class EntryFactory:
    def __init__(self, config: CacheConfig) -> None:
        self._default_ttl_s = config.default_ttl_s
        self._namespace_ttls = config.namespace_ttls
        self._ttl_jitter = config.ttl_jitter
        self._stale_grace_s = config.stale_grace_s
        self._compress_threshold = config.compress_threshold_bytes
        self._codec = config.codec_name
        self._ttls: dict[str, float] = {}  # namespace -> resolved TTL (patterns are matched once)

    def ttl_for(self, namespace: str) -> float:
        """Logical TTL (before jitter): an exact entry, else the first matching pattern, else default."""
        found = self._ttls.get(namespace)
        if found is None:
            found = self._namespace_ttls.get(namespace)
            if found is None:
                found = next(
                    (
                        t
                        for p, t in self._namespace_ttls.items()
                        if is_pattern(p) and fnmatchcase(namespace, p)
                    ),
                    self._default_ttl_s,
                )
            self._ttls[namespace] = found
        return found

    def build(self, namespace: str, value: Any, *, ttl_s: float | None, for_redis: bool) -> CacheEntry:
        identity = codec.to_body(value)
        ttl = self.ttl_for(namespace) if ttl_s is None else float(ttl_s)
        # Jitter only shortens: the configured TTL stays an upper bound on age.
        ttl *= 1.0 - self._ttl_jitter * random.random()
        now = time.time()
        # Compress only what goes to Redis (memory, network). L1-only entries (no Redis, breaker
        # open) stay identity; CacheEntry.gzip_body() compresses those once, on demand.
        compress = for_redis and len(identity) >= self._compress_threshold
        return codec.build_entry(identity, now, now + ttl, self._codec if compress else "identity")

    def redis_ttl_ms(self, entry: CacheEntry) -> int:
        """Redis keeps an entry through its stale grace, so stale-while-revalidate works across processes."""
        return max(1, math.ceil((entry.fresh_until - time.time() + self._stale_grace_s) * 1000))

    def pack(self, entry: CacheEntry, stamp: int, res: Resolved) -> bytes:
        # Hashed keys carry their params: exact-match invalidation cannot read them off the key.
        return codec.pack(entry, generation(stamp), res.params.encode() if res.hashed else b"")
