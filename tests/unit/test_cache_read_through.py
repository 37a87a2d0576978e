"""ReadThrough in-process: leaders, followers, stale-while-revalidate and errors."""

from __future__ import annotations

import threading
import time

import pytest
from nfl_predictor.cache import CacheConfig, CacheEntry, codec
from nfl_predictor.cache.entries import EntryFactory
from nfl_predictor.cache.health import Stats
from nfl_predictor.cache.memory import MemoryTier
from nfl_predictor.cache.read_through import ReadThrough
from nfl_predictor.cache.resolver import KeyResolver
from nfl_predictor.cache.stamps import NamespaceStamps
from nfl_predictor.cache.tiers import Tiers


def _read_through(stats: Stats) -> tuple[ReadThrough, KeyResolver]:
    l1 = MemoryTier(100, 10**6)
    resolver = KeyResolver(1)
    stamps = NamespaceStamps(None, resolver.stamp_key, refresh_s=1.0)
    entries = EntryFactory(CacheConfig())
    tiers = Tiers(l1, None, stamps, entries, resolver, stats, stale_grace_s=30)
    rt = ReadThrough(
        tiers, stamps, entries, resolver, None, stats, l1_enabled=True, lock_ttl_ms=1000, lock_wait_s=1
    )
    return rt, resolver


def _stale() -> CacheEntry:
    now = time.time()
    return codec.build_entry(b'"old"', now - 10, now - 1, "identity").with_view("l1", is_stale=True)


def test_a_follower_with_a_stale_value_does_not_wait() -> None:
    stats = Stats()
    rt, resolver = _read_through(stats)
    res = resolver.resolve("predictions", {"g": 1})
    started, release = threading.Event(), threading.Event()

    def slow() -> bytes:
        started.set()
        release.wait(5)
        return b'"new"'

    results: list[CacheEntry] = []
    leader = threading.Thread(
        target=lambda: results.append(rt.after_l1_miss("predictions", res, slow, ttl_s=None, stale=_stale()))
    )
    leader.start()
    assert started.wait(5)
    served = rt.after_l1_miss("predictions", res, slow, ttl_s=None, stale=_stale())
    assert served.body == b'"old"' and served.is_stale and stats.stale_served == 1
    release.set()
    leader.join()
    assert results[0].body == b'"new"' and stats.computes == 1


def test_a_cold_failure_reaches_every_waiter_and_frees_the_key() -> None:
    stats = Stats()
    rt, resolver = _read_through(stats)
    res = resolver.resolve("predictions", {"g": 1})
    started, release = threading.Event(), threading.Event()

    def broken() -> bytes:
        started.set()
        release.wait(5)
        raise RuntimeError("database down")

    errors: list[BaseException] = []

    def call() -> None:
        try:
            rt.after_l1_miss("predictions", res, broken, ttl_s=None, stale=None)
        except RuntimeError as exc:
            errors.append(exc)

    leader = threading.Thread(target=call)
    leader.start()
    assert started.wait(5)
    follower = threading.Thread(target=call)
    follower.start()
    time.sleep(0.05)
    release.set()
    leader.join()
    follower.join()
    assert len(errors) == 2 and stats.computes == 1
    assert rt.after_l1_miss("predictions", res, lambda: b"1", ttl_s=None, stale=None).body == b"1"


def test_a_failed_refresh_serves_the_stale_value() -> None:
    stats = Stats()
    rt, resolver = _read_through(stats)
    res = resolver.resolve("predictions", {"g": 1})

    def broken() -> bytes:
        raise RuntimeError("database down")

    served = rt.after_l1_miss("predictions", res, broken, ttl_s=None, stale=_stale())
    assert served.is_stale and stats.refresh_errors == 1 and stats.stale_served == 1
    with pytest.raises(RuntimeError):
        rt.after_l1_miss("predictions", res, broken, ttl_s=None, stale=None)


def test_the_leader_rechecks_l1_before_computing() -> None:
    stats = Stats()
    rt, resolver = _read_through(stats)
    res = resolver.resolve("predictions", {"g": 1})
    first = rt.after_l1_miss("predictions", res, lambda: b"1", ttl_s=None, stale=None)
    again = rt.after_l1_miss("predictions", res, lambda: b"2", ttl_s=None, stale=None)
    assert again.body == first.body == b"1" and stats.computes == 1
