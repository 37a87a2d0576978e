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
from collections import OrderedDict
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


# Returns {granted, retry_ms, tokens_left}: up to ARGV[3] whole tokens, or none and how long until
# one refills. A bucket Redis does not hold (new, or lost in a Redis restart) starts from ARGV[4]:
# the caller's last known level for it, so a restart does not hand out a fresh burst.
_TAKE_LUA = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or math.min(capacity, tonumber(ARGV[4]) or capacity)
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
return {granted, retry_ms, math.floor(tokens)}
"""


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after_s: int
    backend: str  # "lease", "redis" or "local"
    limit: int = 0  # the bucket's size (RateLimit-Limit)
    remaining: int = 0  # tokens left, approximately (RateLimit-Remaining)
    reset_s: int = 0  # seconds until the bucket is full again (RateLimit-Reset)

    def headers(self) -> dict[str, str]:
        """The IETF RateLimit header fields for this decision."""
        return {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(max(0, self.remaining)),
                "RateLimit-Reset": str(max(0, self.reset_s))}  # fmt: skip


def _decision(allowed: bool, retry_after_s: int, backend: str, limit: Limit, remaining: float) -> Decision:
    # A lease held here plus what the bucket has refilled since can exceed the bucket's size: never
    # tell a client it has more left than the limit.
    left = max(0, min(limit.burst, int(remaining)))
    reset = math.ceil(max(0.0, limit.burst - remaining) / limit.per_second)
    return Decision(allowed, retry_after_s, backend, limit.burst, left, reset)


class LocalBuckets:
    """The fallback when Redis is unavailable: the same bucket, per process."""

    def __init__(self, max_buckets: int = 100_000) -> None:
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.max_buckets = max_buckets
        self._lock = threading.Lock()

    def level(self, key: str, limit: Limit) -> float | None:
        """The bucket's tokens now, if this process has seen it."""
        state = self._buckets.get(key)
        if state is None:
            return None
        return min(float(limit.burst), state[0] + (time.monotonic() - state[1]) * limit.per_second)

    def seed(self, key: str, tokens: float) -> None:
        """What Redis last said of this bucket: the starting point if Redis goes away."""
        with self._lock:
            self._buckets[key] = (tokens, time.monotonic())
            self._buckets.move_to_end(key)
            while len(self._buckets) > self.max_buckets:
                self._buckets.popitem(last=False)

    def take(self, key: str, limit: Limit) -> Decision:
        now = time.monotonic()
        with self._lock:
            tokens, ts = self._buckets.get(key, (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + (now - ts) * limit.per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return _decision(True, 0, "local", limit, tokens - 1.0)
            self._buckets[key] = (tokens, now)
        return _decision(False, max(1, math.ceil((1.0 - tokens) / limit.per_second)), "local", limit, tokens)


class RateLimiter:
    def __init__(self, redis_tier: RedisTier | None, limits: dict[str, Limit] | None = None,
                 prefix: str = "nflp:rl", max_leases: int = 100_000) -> None:  # fmt: skip
        self.redis = redis_tier
        self.limits = limits or tier_limits(DEFAULT_RATE_LIMITS)
        self.prefix = prefix
        self.max_leases = max_leases  # buckets with a lease held here (oldest dropped first)
        self.local = LocalBuckets()
        self._script = redis_tier.client.register_script(_TAKE_LUA) if redis_tier else None
        self._leases: dict[str, tuple[int, float]] = {}  # bucket -> (tokens left, expires at)
        self._lock = threading.Lock()

    def forget_leases(self) -> None:
        """Drop the tokens leased from Redis (after a SnapStart restore: every restored copy of the
        snapshot would otherwise spend the same lease)."""
        with self._lock:
            self._leases.clear()

    def limit_for(self, tier: str) -> Limit:
        return self.limits.get(tier) or min(self.limits.values(), key=lambda lim: lim.per_second)

    def _spend_lease(self, bucket: str) -> int | None:
        """Tokens left in this process's lease after taking one, or None when there is no lease."""
        with self._lock:
            left, expires = self._leases.get(bucket, (0, 0.0))
            if left > 0 and time.monotonic() < expires:
                self._leases[bucket] = (left - 1, expires)
                return left - 1
        return None

    def check(self, key_id: int, tier: str) -> Decision:
        limit = self.limit_for(tier)
        bucket = f"{self.prefix}:{key_id}"
        lease_left = self._spend_lease(bucket)
        if lease_left is not None:
            known = self.local.level(bucket, limit)
            return _decision(True, 0, "lease", limit, lease_left + (known or 0.0))
        if self.redis is not None and self._script is not None:
            script = self._script
            # Where this process last saw the bucket: Redis's starting point if it lost the bucket.
            known = self.local.level(bucket, limit)
            start = limit.burst if known is None else known
            reply = self.redis.run(lambda: script(keys=[bucket], args=[limit.per_second, limit.burst,
                                                                       limit.lease_size, start]))  # fmt: skip
            if reply is not UNAVAILABLE:
                granted, retry_ms, left = (int(v) for v in reply)
                self.local.seed(bucket, float(left))
                if granted < 1:
                    return _decision(False, max(1, math.ceil(retry_ms / 1000)), "redis", limit, left)
                with self._lock:
                    self._leases[bucket] = (granted - 1, time.monotonic() + LEASE_TTL_S)
                    while len(self._leases) > self.max_leases:
                        self._leases.pop(next(iter(self._leases)))
                return _decision(True, 0, "redis", limit, left + granted - 1)
        return self.local.take(bucket, limit)


class PreAuthLimiter:
    """Before the key check: how many lookups of keys this process does not know may reach the
    database, per client address and for the whole process (in-process token buckets).

    A flood of made-up keys therefore costs at most ``global`` lookups a second per process however
    many addresses send it, and one address at most its own share. The per-address table is LRU-bounded.
    """

    def __init__(self, per_client: tuple[float, int], overall: tuple[float, int],
                 max_clients: int = 10_000) -> None:  # fmt: skip
        self.per_client = Limit(*per_client)
        self.overall = Limit(*overall)
        self.max_clients = max_clients
        self._clients: OrderedDict[str, tuple[float, float]] = OrderedDict()  # address -> (tokens, ts)
        self._global = (float(self.overall.burst), time.monotonic())
        self._lock = threading.Lock()
        self.refused = 0

    @staticmethod
    def _refill(state: tuple[float, float], limit: Limit, now: float) -> float:
        tokens, ts = state
        return min(float(limit.burst), tokens + (now - ts) * limit.per_second)

    def check(self, client: str) -> Decision:
        now = time.monotonic()
        with self._lock:
            mine = self._refill(
                self._clients.get(client, (float(self.per_client.burst), now)), self.per_client, now
            )
            overall = self._refill(self._global, self.overall, now)
            if mine >= 1.0 and overall >= 1.0:
                self._clients[client] = (mine - 1.0, now)
                self._clients.move_to_end(client)
                while len(self._clients) > self.max_clients:
                    self._clients.popitem(last=False)
                self._global = (overall - 1.0, now)
                return Decision(True, 0, "local")
            self._clients[client] = (mine, now)
            self._global = (overall, now)
            self.refused += 1
        short = (
            (1.0 - mine) / self.per_client.per_second
            if mine < 1.0
            else (1.0 - overall) / self.overall.per_second
        )
        return Decision(False, max(1, math.ceil(short)), "local")
