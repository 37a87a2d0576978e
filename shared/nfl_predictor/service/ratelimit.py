"""Per-key rate limits by tier: a token bucket in Redis, per-process buckets when Redis is down.

The Redis bucket is one Lua script (atomic read-refill-take) timed by the Redis server's clock, so
every Lambda environment draws from the same bucket without clock skew. When the circuit breaker
says Redis is unavailable, each process enforces the same limit on its own: looser across many
environments, but no request fails or waits because Redis is down.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from nfl_predictor.cache.redis_tier import UNAVAILABLE, RedisTier


@dataclass(frozen=True, slots=True)
class Limit:
    per_second: float
    burst: int


TIER_LIMITS = {
    "free": Limit(per_second=1.0, burst=30),
    "pro": Limit(per_second=20.0, burst=200),
    "enterprise": Limit(per_second=500.0, burst=5000),
}

_TOKEN_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate / 1000)
local retry_ms = 0
local allowed = 0
if tokens >= 1 then
    tokens = tokens - 1
    allowed = 1
else
    retry_ms = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
return {allowed, retry_ms}
"""


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after_s: int
    backend: str  # "redis" or "local"


class LocalBuckets:
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
    def __init__(self, redis_tier: RedisTier | None, prefix: str = "nflp:rl") -> None:
        self.redis = redis_tier
        self.prefix = prefix
        self.local = LocalBuckets()
        self._script = redis_tier.client.register_script(_TOKEN_BUCKET_LUA) if redis_tier else None

    def check(self, key_id: int, tier: str) -> Decision:
        limit = TIER_LIMITS.get(tier, TIER_LIMITS["free"])
        bucket = f"{self.prefix}:{key_id}"
        if self.redis is not None and self._script is not None:
            script = self._script
            reply = self.redis.run(lambda: script(keys=[bucket], args=[limit.per_second, limit.burst]))
            if reply is not UNAVAILABLE:
                allowed, retry_ms = (int(v) for v in reply)
                return Decision(bool(allowed), 0 if allowed else max(1, math.ceil(retry_ms / 1000)), "redis")
        return self.local.take(bucket, limit)
