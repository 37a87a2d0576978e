"""Invalidation against a real Redis: exact params never touch neighbours; outages are reported."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from nfl_predictor.cache import CacheConfig, CacheManager
from nfl_predictor_dev.local.redis_server import free_port

LONG = {"experts": [f"expert_{i}" for i in range(20)]}


@pytest.fixture
def cache(redis_url: str) -> Iterator[CacheManager]:
    manager = CacheManager(CacheConfig(redis_url, stamp_refresh_s=60))
    yield manager
    manager.close()


def test_exact_params_spare_every_neighbour(cache: CacheManager, redis_url: str) -> None:
    raw = redis.Redis.from_url(redis_url)
    kept = [
        ("predictions", {"season": 2024, "week": 10}),
        ("predictions", {"season": 2024, "week": 11}),
        ("predictions", {"season": 2023, "week": 21}),
        ("predictions", {"season": 2024, "week": 10, **LONG}),  # hashed
        ("prediction_views", {"season": 2024, "week": 1}),  # another namespace, same params
        ("predictions", {"season": 2024}),  # no week at all
    ]
    doomed = [
        ("predictions", {"season": 2024, "week": 1}),
        ("predictions", {"season": 2023, "week": 1}),
        ("predictions", {"season": 2024, "week": 1, **LONG}),  # hashed
    ]
    for namespace, params in kept + doomed:
        cache.set(namespace, params, b"{}")
    result = cache.invalidate_matching("predictions", {"week": 1}, batch=2)
    assert result.l2_ok and result.l2_removed == 3 and result.l1_removed == 3
    for namespace, params in kept:
        assert raw.exists(cache.key(namespace, params)), params
        assert cache.get(namespace, params) is not None
    for namespace, params in doomed:
        assert not raw.exists(cache.key(namespace, params)), params
        assert cache.get(namespace, params) is None
    assert raw.exists("nflp:1:~gen:predictions")  # meta keys are outside the SCAN
    raw.close()


def test_several_params_must_all_match(cache: CacheManager, redis_url: str) -> None:
    cache.set("predictions", {"season": 2024, "week": 1}, b"{}")
    cache.set("predictions", {"season": 2023, "week": 1}, b"{}")
    result = cache.invalidate_matching("predictions", {"season": 2024, "week": 1})
    assert result.l2_removed == 1
    assert cache.get("predictions", {"season": 2023, "week": 1}) is not None


def test_namespace_bump_deletes_nothing_and_spares_other_namespaces(
    cache: CacheManager, redis_url: str
) -> None:
    raw = redis.Redis.from_url(redis_url)
    cache.set("predictions", {"g": 1}, b"1")
    cache.set("teams", {"g": 1}, b"1")
    keys_before = raw.dbsize()
    result = cache.invalidate_namespace("predictions")
    assert result == (1, 0, True) and raw.dbsize() == keys_before
    assert cache.get("predictions", {"g": 1}) is None and cache.get("teams", {"g": 1}) is not None
    raw.close()


def test_unreachable_redis_is_reported_and_l1_still_cleared() -> None:
    cache = CacheManager(CacheConfig(f"redis://127.0.0.1:{free_port()}/0", socket_timeout_s=0.2))
    cache.set("predictions", {"week": 1}, b"1")  # L1 only
    result = cache.invalidate_matching("predictions", {"week": 1})
    assert result == (1, 0, False)
    assert cache.get("predictions", {"week": 1}) is None
    with pytest.raises(ValueError):
        cache.invalidate_matching("predictions", {"week": None})  # None params are dropped: nothing to match
    cache.close()
