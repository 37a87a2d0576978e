"""Token buckets in a real Redis: shared across processes, leased in batches, local when Redis is down."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from nfl_predictor.cache import CacheConfig, CacheManager
from nfl_predictor.service import ratelimit
from nfl_predictor.service.ratelimit import Decision, Limit, RateLimiter
from nfl_predictor_dev.local.redis_server import PrivateRedis


def limiter(url: str, limits: dict[str, Limit]) -> RateLimiter:
    cache = CacheManager(CacheConfig(url, breaker_cooldown_s=30))
    return RateLimiter(cache.redis_tier, limits)


def test_burst_is_shared_by_every_process(redis_url: str) -> None:
    limits = {"free": Limit(per_second=0.5, burst=10)}  # lease size 1: exact
    a, b = limiter(redis_url, limits), limiter(redis_url, limits)
    decisions = [(a if i % 2 else b).check(7, "free") for i in range(30)]
    assert sum(d.allowed for d in decisions) == 10
    refused = [d for d in decisions if not d.allowed]
    assert all(d.retry_after_s >= 1 and d.backend == "redis" for d in refused)


def test_busy_keys_lease_tokens_and_stay_within_one_lease_per_process(redis_url: str) -> None:
    limit = Limit(per_second=200.0, burst=100)  # lease size 20
    a, b = limiter(redis_url, {"pro": limit}), limiter(redis_url, {"pro": limit})
    decisions = [(a if i % 3 else b).check(9, "pro") for i in range(400)]
    allowed = sum(d.allowed for d in decisions)
    assert 100 <= allowed <= 100 + 2 * limit.lease_size  # refills during the loop add a little
    first_refusal = next(i for i, d in enumerate(decisions) if not d.allowed)
    round_trips = sum(d.backend == "redis" for d in decisions[:first_refusal])
    assert round_trips <= limit.burst // limit.lease_size + 2  # one Redis call per lease, not per request


def test_unknown_tier_gets_the_strictest_limit(redis_url: str) -> None:
    rl = limiter(redis_url, {"free": Limit(1.0, 2), "pro": Limit(50.0, 100)})
    assert [rl.check(3, "platinum").allowed for _ in range(3)] == [True, True, False]


def test_redis_down_falls_back_to_per_process_buckets(private_redis: PrivateRedis) -> None:
    rl = limiter(private_redis.url, {"free": Limit(per_second=0.5, burst=5)})
    assert rl.check(1, "free").backend == "redis"
    private_redis.stop()
    decisions = [rl.check(2, "free") for _ in range(8)]
    assert {d.backend for d in decisions} == {"local"}
    assert sum(d.allowed for d in decisions) == 5


def test_a_redis_restart_does_not_hand_out_a_fresh_burst(private_redis: PrivateRedis) -> None:
    """Issue 15, item 8: a bucket Redis lost in a restart restarts from this process's last known level."""
    import time

    cache = CacheManager(CacheConfig(private_redis.url, breaker_cooldown_s=0.05))
    rl = RateLimiter(cache.redis_tier, {"free": Limit(per_second=0.2, burst=5)})
    assert sum(rl.check(4, "free").allowed for _ in range(8)) == 5
    private_redis.stop()
    private_redis.start()  # empty, same port
    time.sleep(0.1)  # past the breaker's cool-down: the next call goes to the restarted Redis
    after = [rl.check(4, "free") for _ in range(5)]
    assert sum(d.allowed for d in after) <= 1  # at most the refill since, not a burst of 5
    cache.close()


# The figures below are pinned on a hand-moved clock for this process (the lease's expiry, the local
# level) while Redis's bucket runs on its own clock at rates so slow, or fast, that the few
# milliseconds between calls cannot change a whole token or a whole second.


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """service/ratelimit.py's monotonic clock, moved by hand. It starts below zero: the reference
    point of time.monotonic() is undefined, and nothing may read a lease into a clock value."""
    now = [-500.0]
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(monotonic=lambda: now[0]))
    return now


def seen(decision: Decision) -> tuple[bool, int, str, int, int, int]:
    """Everything a caller is told: allowed, Retry-After, the backend, RateLimit-Limit/-Remaining/-Reset."""
    return (decision.allowed, decision.retry_after_s, decision.backend, decision.limit, decision.remaining,
            decision.reset_s)  # fmt: skip


def test_a_lease_is_spent_here_one_token_a_request_then_redis_is_asked_again(
    redis_url: str, clock: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    monkeypatch.setattr(ratelimit, "LEASE_SECONDS", 1000.0)  # 5/s, burst 10: a lease is the whole burst
    limit = Limit(per_second=5.0, burst=10)
    assert limit.lease_size == 10
    rl = limiter(redis_url, {"pro": limit})
    # One Redis call takes all 10 tokens: this request spends one, 9 stay leased here; Redis has 0 left.
    assert seen(rl.check(42, "pro")) == (True, 0, "redis", 10, 9, 1)
    client = redis.Redis.from_url(redis_url)
    assert client.keys("*") == [b"nflp:rl:42"]  # the bucket's key: the default prefix and the key id
    assert float(client.hget("nflp:rl:42", "tokens") or -1) < 1.0
    client.close()
    # Spent here, no Redis call; Remaining counts the lease plus the bucket's level as last seen (0).
    assert seen(rl.check(42, "pro")) == (True, 0, "lease", 10, 8, 1)
    clock[0] += 0.9  # the bucket has refilled 4.5 tokens since; the lease (1 s) still holds
    # 7 leased + 4.5 refilled is more than the bucket holds: Remaining says the limit, Reset 0.
    assert seen(rl.check(42, "pro")) == (True, 0, "lease", 10, 10, 0)
    rest = [rl.check(42, "pro") for _ in range(7)]
    assert [(d.backend, d.remaining) for d in rest] == [("lease", 10), ("lease", 9), ("lease", 8), ("lease", 7),
                                                       ("lease", 6), ("lease", 5), ("lease", 4)]  # fmt: skip
    # The lease is spent (10 tokens, 10 requests): the next request asks Redis.
    assert rl.check(42, "pro").backend == "redis"


def test_a_lease_lapses_at_its_ttl(
    redis_url: str, clock: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "LEASE_SECONDS", 1000.0)
    rl = limiter(redis_url, {"pro": Limit(per_second=5.0, burst=10)})
    assert rl.check(43, "pro").backend == "redis"
    clock[0] += ratelimit.LEASE_TTL_S - 0.25
    assert rl.check(43, "pro").backend == "lease"
    clock[0] += 0.25  # exactly the lease's expiry: lapsed, so Redis is asked
    assert rl.check(43, "pro").backend == "redis"


def test_leases_are_held_for_at_most_max_leases_buckets(
    redis_url: str, clock: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "LEASE_SECONDS", 1000.0)
    cache = CacheManager(CacheConfig(redis_url, breaker_cooldown_s=30))
    rl = RateLimiter(cache.redis_tier, {"pro": Limit(per_second=5.0, burst=10)}, max_leases=2)
    assert [rl.check(key_id, "pro").backend for key_id in (1, 2, 3)] == ["redis"] * 3  # 1's lease dropped
    assert [rl.check(key_id, "pro").backend for key_id in (2, 3, 1)] == ["lease", "lease", "redis"]
    assert RateLimiter(None).max_leases == 100_000
    cache.close()


def test_a_refusal_from_redis_says_when_a_token_is_back(redis_url: str) -> None:
    # 1 token a second: just after the only token is taken, the next one is under a second away.
    rl = limiter(redis_url, {"free": Limit(per_second=1.0, burst=1)})
    assert seen(rl.check(44, "free")) == (True, 0, "redis", 1, 0, 1)
    assert seen(rl.check(44, "free")) == (False, 1, "redis", 1, 0, 1)
    # One token in 10,000 s: Retry-After is 10,000 s less the (sub-second) time since it was taken.
    slow = limiter(redis_url, {"free": Limit(per_second=0.0001, burst=1)})
    assert slow.check(45, "free").allowed
    refused = slow.check(45, "free")
    assert (refused.allowed, refused.backend, refused.remaining, refused.reset_s) == (False, "redis", 0, 10_000)  # fmt: skip
    assert 9_995 <= refused.retry_after_s <= 10_000
