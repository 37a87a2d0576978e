"""Token buckets in a real Redis: shared across processes, leased in batches, local when Redis is down."""

from __future__ import annotations

from nfl_predictor.cache import CacheConfig, CacheManager
from nfl_predictor.service.ratelimit import Limit, RateLimiter
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
