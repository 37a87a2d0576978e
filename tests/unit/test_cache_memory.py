from __future__ import annotations

import threading
import time

from nfl_predictor.cache.codec import CacheEntry
from nfl_predictor.cache.memory import MemoryTier


def _entry(size: int = 10) -> CacheEntry:
    return CacheEntry(b"x" * size, "identity", "e", 0.0, time.time() + 60)


def test_lru_evicts_by_entry_count() -> None:
    tier = MemoryTier(max_entries=2, max_bytes=10**6)
    far = time.time() + 60
    tier.put("a", _entry(), 0, far, "")
    tier.put("b", _entry(), 0, far, "")
    assert tier.get("a") is not None  # a is now most recent
    tier.put("c", _entry(), 0, far, "")
    assert tier.get("b") is None
    assert tier.get("a") is not None and tier.get("c") is not None
    assert tier.evictions == 1


def test_lru_evicts_by_bytes_and_skips_giant_values() -> None:
    tier = MemoryTier(max_entries=100, max_bytes=3000)
    far = time.time() + 60
    for key in "abcd":
        tier.put(key, _entry(1000), 0, far, "")
    assert tier.bytes_used <= 3000
    assert tier.get("a") is None and tier.get("d") is not None
    tier.put("huge", _entry(5000), 0, far, "")
    assert tier.get("huge") is None and tier.get("d") is not None


def test_records_past_hard_expiry_are_dropped() -> None:
    tier = MemoryTier(max_entries=10, max_bytes=10**6)
    tier.put("old", _entry(), 0, time.time() - 1, "")
    assert tier.get("old") is None
    assert len(tier) == 0 and tier.bytes_used == 0


def test_replace_keeps_byte_accounting_exact() -> None:
    tier = MemoryTier(max_entries=10, max_bytes=10**6)
    far = time.time() + 60
    tier.put("k", _entry(100), 0, far, "")
    used = tier.bytes_used
    tier.put("k", _entry(100), 1, far, "")
    assert tier.bytes_used == used
    record = tier.get("k")
    assert record is not None and record.stamp == 1


def test_delete_where_and_clear() -> None:
    tier = MemoryTier(max_entries=10, max_bytes=10**6)
    far = time.time() + 60
    tier.put("p:week=1", _entry(), 0, far, "week=1")
    tier.put("p:week=10", _entry(), 0, far, "week=10")
    assert tier.delete_where(lambda _key, record: record.params == "week=1") == 1
    assert len(tier) == 1 and tier.get("p:week=1") is None and tier.get("p:week=10") is not None
    tier.clear()
    assert len(tier) == 0 and tier.bytes_used == 0


def test_disabled_tier_stores_nothing() -> None:
    tier = MemoryTier(max_entries=0, max_bytes=10**6)
    assert not tier.enabled
    tier.put("k", _entry(), 0, time.time() + 60, "")
    assert tier.get("k") is None


def test_concurrent_puts_and_gets_keep_bounds() -> None:
    tier = MemoryTier(max_entries=50, max_bytes=10**6)
    far = time.time() + 60

    def worker(offset: int) -> None:
        for i in range(2000):
            tier.put(f"k{(i * 7 + offset) % 200}", _entry(), 0, far, "")
            tier.get(f"k{(i * 3 + offset) % 200}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tier) <= 50
    assert tier.bytes_used == sum(r.size for r in tier._data.values())
