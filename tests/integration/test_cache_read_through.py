"""Read-through's cross-process lock against a real Redis: always released, never left behind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from nfl_predictor.cache import CacheConfig, CacheManager

Make = Callable[..., CacheManager]


@pytest.fixture
def make(redis_url: str) -> Iterator[Make]:
    made: list[CacheManager] = []

    def factory(**kw: Any) -> CacheManager:
        made.append(CacheManager(CacheConfig(redis_url, **kw)))
        return made[-1]

    yield factory
    for manager in made:
        manager.close()


def _locks(redis_url: str) -> list[bytes]:
    raw = redis.Redis.from_url(redis_url)
    found = list(raw.scan_iter("nflp:1:~lock:*"))
    raw.close()
    return found  # type: ignore[return-value]


def test_the_lock_is_released_with_the_write(make: Make, redis_url: str) -> None:
    cache = make()
    assert cache.get_or_compute("predictions", {"g": 1}, lambda: b"1").body == b"1"
    assert _locks(redis_url) == []
    assert make(l1_max_entries=0).get("predictions", {"g": 1}).body == b"1"  # type: ignore[union-attr]


def test_a_failing_producer_releases_the_lock(make: Make, redis_url: str) -> None:
    cache = make(lock_wait_s=5)

    def broken() -> bytes:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        cache.get_or_compute("predictions", {"g": 1}, broken)
    assert _locks(redis_url) == []
    other = make(lock_wait_s=5)
    assert other.get_or_compute("predictions", {"g": 1}, lambda: b"2").body == b"2"
    assert other.stats.lock_waits == 0  # nobody polls a lock its holder gave up


def test_an_unverified_stamp_is_read_again_with_the_value(make: Make, redis_url: str) -> None:
    writer, reader = make(), make(stamp_refresh_s=60)
    reader.get("predictions", {"g": 0})  # reader found no stamp: its local one (0) is a guess
    writer.set("predictions", {"g": 1}, b'"stored"')

    def must_not_run() -> bytes:
        raise AssertionError("computed although Redis had the value")

    assert reader.get_or_compute("predictions", {"g": 1}, must_not_run).body == b'"stored"'
    assert reader.stats.computes == 0 and _locks(redis_url) == []
