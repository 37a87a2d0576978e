"""Tiers (L1 side) and health.report without Redis."""

from __future__ import annotations

import time

from nfl_predictor.cache import CacheConfig, codec, health
from nfl_predictor.cache.entries import EntryFactory
from nfl_predictor.cache.health import Stats
from nfl_predictor.cache.memory import MemoryTier
from nfl_predictor.cache.resolver import KeyResolver
from nfl_predictor.cache.stamps import NamespaceStamps
from nfl_predictor.cache.tiers import Tiers


def _tiers(l1: MemoryTier, stats: Stats, grace_s: float = 30.0) -> tuple[Tiers, KeyResolver]:
    resolver = KeyResolver(1)
    stamps = NamespaceStamps(None, resolver.stamp_key, refresh_s=1.0)
    return Tiers(
        l1, None, stamps, EntryFactory(CacheConfig()), resolver, stats, stale_grace_s=grace_s
    ), resolver


def test_l1_records_count_only_under_their_stamp() -> None:
    tiers, resolver = _tiers(MemoryTier(10, 10**6), Stats())
    res = resolver.resolve("teams", {"s": 1})
    now = time.time()
    stored = tiers.fill_l1(res, codec.build_entry(b"1", now, now + 60, "identity"), 5)
    assert stored.tier == "l1"
    assert tiers.l1_lookup(res, 5) == (stored, None)
    assert tiers.l1_lookup(res, 6) == (None, None)  # invalidated since


def test_expired_l1_record_is_a_stale_view_within_the_grace() -> None:
    tiers, resolver = _tiers(MemoryTier(10, 10**6), Stats())
    res = resolver.resolve("teams", {"s": 1})
    now = time.time()
    tiers.fill_l1(res, codec.build_entry(b"1", now - 10, now - 1, "identity"), 1)
    fresh, stale = tiers.l1_lookup(res, 1)
    assert fresh is None and stale is not None and stale.is_stale and stale.tier == "l1"


def test_fill_l1_needs_a_stamp_and_an_enabled_tier() -> None:
    l1 = MemoryTier(10, 10**6)
    tiers, resolver = _tiers(l1, Stats())
    res = resolver.resolve("teams", {"s": 1})
    now = time.time()
    entry = codec.build_entry(b"1", now, now + 60, "identity").with_view("redis", is_stale=False)
    assert tiers.fill_l1(res, entry, None) is entry and len(l1) == 0  # nothing to validate it against
    off, _ = _tiers(MemoryTier(0, 10**6), Stats())
    assert off.fill_l1(res, entry, 1) is entry


def test_decode_counts_foreign_bytes_and_needs_a_stamp() -> None:
    stats = Stats()
    tiers, _ = _tiers(MemoryTier(10, 10**6), stats)
    now = time.time()
    raw = codec.pack(codec.build_entry(b"1", now, now + 60, "identity"), 2)
    assert tiers.decode(raw, 2 << 20, now) is not None
    assert tiers.decode(raw, None, now) is None
    assert tiers.decode(b"not an entry", 2 << 20, now) is None and stats.decode_errors == 1


def test_health_report_without_redis() -> None:
    stats = Stats(l1_hits=3, l1_misses=1)
    l1 = MemoryTier(5, 10**6)
    report = health.report(stats, l1, None, CacheConfig())
    assert report["redis"] == {"configured": False}
    assert report["l1"]["hit_rate"] == 0.75 and report["l1"]["max_entries"] == 5
    assert report["counters"]["l1_hits"] == 3 and report["etag_algorithm"] == codec.ETAG_ALGORITHM
