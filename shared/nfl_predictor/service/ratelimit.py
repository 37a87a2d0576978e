"""Per-key rate limits by tier: a token bucket in Redis, leased out in small batches.

The bucket lives in Redis (one Lua script: atomic refill-and-take, timed by the Redis server's
clock, so every Lambda environment draws from the same bucket without clock skew). A process takes
a *lease* of up to a tenth of a second's worth of tokens at once and spends it locally, so a busy
key costs one Redis round trip per lease rather than per request; an unspent lease lapses after a
second, so the global limit holds to within one lease per process. Low-rate tiers lease one token
at a time, which is exact. When the circuit breaker says Redis is unavailable, each process
enforces the same limit on its own (looser across many environments, but no request fails or
waits because Redis is down).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from nfl_predictor.cache.redis_tier import UNAVAILABLE, RedisTier
from nfl_predictor.config.settings import DEFAULT_RATE_LIMITS, parse_rate_limits

LEASE_SECONDS = 0.1  # tokens taken per Redis call: this many seconds' worth of the tier's rate
LEASE_TTL_S = 1.0  # an unspent lease is dropped after this long


@dataclass(frozen=True, slots=True)
class Limit:
    per_second: float
    burst: int

    @property
    def lease_size(self) -> int:
        return max(1, min(self.burst, int(self.per_second * LEASE_SECONDS)))


def tier_limits(spec: str) -> dict[str, Limit]:
    return {tier: Limit(rate, burst) for tier, (rate, burst) in parse_rate_limits(spec).items()}


# Returns {granted, retry_ms}: up to ARGV[3] whole tokens, or none and how long until one refills.
_TAKE_LUA = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate / 1000)
local granted = math.min(want, math.floor(tokens))
local retry_ms = 0
if granted >= 1 then
    tokens = tokens - granted
else
    granted = 0
    retry_ms = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
return {granted, retry_ms}
"""


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after_s: int
    backend: str  # "lease", "redis" or "local"


class LocalBuckets:
    """The fallback when Redis is unavailable: the same bucket, per process."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, limit: Limit) -> Decision:
        now = time.monotonic()
        with self._lock:
            tokens, ts = self._buckets.get(key, (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + (now - ts) * limit.per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return Decision(True, 0, "local")
            self._buckets[key] = (tokens, now)
        return Decision(False, max(1, math.ceil((1.0 - tokens) / limit.per_second)), "local")


class RateLimiter:
    def __init__(self, redis_tier: RedisTier | None, limits: dict[str, Limit] | None = None,
                 prefix: str = "nflp:rl") -> None:  # fmt: skip
        self.redis = redis_tier
        self.limits = limits or tier_limits(DEFAULT_RATE_LIMITS)
        self.prefix = prefix
        self.local = LocalBuckets()
        self._script = redis_tier.client.register_script(_TAKE_LUA) if redis_tier else None
        self._leases: dict[str, tuple[int, float]] = {}  # bucket -> (tokens left, expires at)
        self._lock = threading.Lock()

    def limit_for(self, tier: str) -> Limit:
        return self.limits.get(tier) or min(self.limits.values(), key=lambda lim: lim.per_second)

    def _spend_lease(self, bucket: str) -> bool:
        with self._lock:
            left, expires = self._leases.get(bucket, (0, 0.0))
            if left > 0 and time.monotonic() < expires:
                self._leases[bucket] = (left - 1, expires)
                return True
        return False

    def check(self, key_id: int, tier: str) -> Decision:
        limit = self.limit_for(tier)
        bucket = f"{self.prefix}:{key_id}"
        if self._spend_lease(bucket):
            return Decision(True, 0, "lease")
        if self.redis is not None and self._script is not None:
            script = self._script
            reply = self.redis.run(lambda: script(keys=[bucket], args=[limit.per_second, limit.burst,
                                                                       limit.lease_size]))  # fmt: skip
            if reply is not UNAVAILABLE:
                granted, retry_ms = (int(v) for v in reply)
                if granted < 1:
                    return Decision(False, max(1, math.ceil(retry_ms / 1000)), "redis")
                with self._lock:
                    self._leases[bucket] = (granted - 1, time.monotonic() + LEASE_TTL_S)
                return Decision(True, 0, "redis")
        return self.local.take(bucket, limit)
