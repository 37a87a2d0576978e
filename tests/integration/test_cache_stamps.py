"""NamespaceStamps against a real Redis: local caching for refresh_s, bumps, loss and replay."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from nfl_predictor.cache.breaker import CircuitBreaker
from nfl_predictor.cache.redis_tier import RedisTier, make_client
from nfl_predictor.cache.resolver import KeyResolver
from nfl_predictor.cache.stamps import EPOCH_STEP, GENERATION_STEP, NamespaceStamps
from nfl_predictor_dev.local.redis_server import PrivateRedis, free_port

STAMP = "nflp:1:~gen:predictions"


@pytest.fixture
def tier(redis_url: str) -> Iterator[RedisTier]:
    tier = RedisTier(make_client(redis_url, 1.0, 1.0), CircuitBreaker(3, 5.0))
    yield tier
    tier.close()


def _stamps(tier: RedisTier, refresh_s: float = 0.2) -> NamespaceStamps:
    return NamespaceStamps(tier, KeyResolver(1).stamp_key, refresh_s=refresh_s)


def test_stamp_is_read_once_per_refresh_interval(tier: RedisTier, redis_url: str) -> None:
    raw = redis.Redis.from_url(redis_url)
    raw.set(STAMP, 5 << 20)
    stamps = _stamps(tier)
    assert stamps.current("predictions") == 5 << 20 and stamps.verified("predictions") == 5 << 20
    raw.set(STAMP, 6 << 20)  # another process invalidated
    assert stamps.current("predictions") == 5 << 20  # within refresh_s: the local copy
    time.sleep(0.25)
    assert stamps.verified("predictions") is None
    assert stamps.current("predictions") == 6 << 20
    raw.close()


def test_first_write_creates_the_stamp_and_bumps_are_seen_at_once(tier: RedisTier, redis_url: str) -> None:
    raw = redis.Redis.from_url(redis_url)
    stamps = _stamps(tier, refresh_s=60)
    assert stamps.current("predictions") == 0 and raw.get(STAMP) is None  # reading creates nothing
    created = stamps.write_stamp("predictions")
    assert created.to_redis and int(raw.get(STAMP)) == created.stamp  # type: ignore[arg-type]
    assert stamps.bump_generation("predictions")
    assert stamps.current("predictions") == created.stamp + GENERATION_STEP  # no refresh needed
    assert stamps.bump_epoch("predictions")
    assert (
        stamps.current("predictions") == int(raw.get(STAMP)) == created.stamp + GENERATION_STEP + EPOCH_STEP
    )  # type: ignore[arg-type]
    raw.close()


def test_a_lost_stamp_is_recreated_above_every_old_generation(tier: RedisTier, redis_url: str) -> None:
    raw = redis.Redis.from_url(redis_url)
    stamps = _stamps(tier, refresh_s=60)
    old = stamps.write_stamp("predictions").stamp
    raw.delete(STAMP)  # evicted, or Redis restarted empty
    assert stamps.seen("predictions", None) is None
    assert stamps.verified("predictions") is None  # un-verified: the next write re-creates it
    renewed = stamps.write_stamp("predictions").stamp
    assert renewed >= old and int(raw.get(STAMP)) == renewed  # type: ignore[arg-type]
    raw.close()


def test_unreachable_redis_keeps_the_local_stamp() -> None:
    tier = RedisTier(make_client(f"redis://127.0.0.1:{free_port()}/0", 0.2, 0.2), CircuitBreaker(1, 60.0))
    stamps = _stamps(tier, refresh_s=0.0)
    tier.new_call()
    assert stamps.current("predictions") == 0
    assert stamps.write_stamp("predictions") == (0, False)  # L1 only
    tier.new_call()
    assert not stamps.bump_generation("predictions")
    assert stamps.current("predictions") == GENERATION_STEP  # this process sees its own bump at once
    tier.close()


def test_a_bump_made_during_an_outage_is_replayed(private_redis: PrivateRedis) -> None:
    tier = RedisTier(make_client(private_redis.url, 0.3, 0.3), CircuitBreaker(3, 0.1))
    stamps = _stamps(tier, refresh_s=0.05)
    tier.new_call()
    before = stamps.write_stamp("predictions").stamp
    private_redis.stop()
    tier.new_call()
    assert not stamps.bump_generation("predictions")
    private_redis.start()  # empty: the stamp is gone too
    raw = redis.Redis.from_url(private_redis.url)
    raw.set(STAMP, before)  # as if it had survived
    deadline = time.monotonic() + 5
    while int(raw.get(STAMP) or 0) == before and time.monotonic() < deadline:  # type: ignore[arg-type]
        tier.new_call()
        stamps.current("predictions")  # the refresh that reaches Redis replays the bump
        time.sleep(0.05)
    assert int(raw.get(STAMP)) == before + GENERATION_STEP  # type: ignore[arg-type]
    raw.close()
    tier.close()
