"""CacheManager in the in-process-only mode (no REDIS_URL): everything but L2 must work."""

from __future__ import annotations

import threading
import time
from typing import Any

import orjson
import pytest
from nfl_predictor.cache import CacheConfig, CacheEntry, CacheManager
from nfl_predictor.config import Settings


def manager(**kw: Any) -> CacheManager:
    return CacheManager(CacheConfig(**kw))


def test_get_or_compute_computes_once_then_hits_l1() -> None:
    cache = manager()
    calls = []

    def produce() -> dict[str, object]:
        calls.append(1)
        return {"week": 1, "predictions": [1, 2, 3]}

    first = cache.get_or_compute("predictions", {"week": 1}, produce)
    second = cache.get_or_compute("predictions", {"week": 1}, produce)
    assert len(calls) == 1
    assert orjson.loads(first.identity_body()) == {"week": 1, "predictions": [1, 2, 3]}
    assert second.tier == "l1" and second.etag == first.etag and not second.is_stale
    assert cache.stats.l1_hits == 1 and cache.stats.computes == 1


def test_set_get_delete() -> None:
    cache = manager()
    assert cache.get("teams", {"season": 2024}) is None
    stored = cache.set("teams", {"season": 2024}, b'["KC"]')
    assert isinstance(stored, CacheEntry)
    got = cache.get("teams", {"season": 2024})
    assert got is not None and got.body == b'["KC"]' and got.encoding == "identity"
    assert cache.delete("teams", {"season": 2024})
    assert cache.get("teams", {"season": 2024}) is None
    assert not cache.delete("teams", {"season": 2024})


def test_ttl_expiry_and_stale_window() -> None:
    cache = manager(default_ttl_s=0.15, ttl_jitter=0.0, stale_grace_s=0.3)
    cache.set("teams", {"s": 1}, b"1")
    assert cache.get("teams", {"s": 1}) is not None
    time.sleep(0.2)
    assert cache.get("teams", {"s": 1}) is None  # expired
    stale = cache.get("teams", {"s": 1}, allow_stale=True)
    assert stale is not None and stale.is_stale
    time.sleep(0.35)
    assert cache.get("teams", {"s": 1}, allow_stale=True) is None  # past the grace window


def test_ttls_per_namespace_with_jitter_that_only_shortens() -> None:
    cache = manager(default_ttl_s=1800, namespace_ttls={"predictions": 300}, ttl_jitter=0.1)
    lifetimes = []
    for i in range(200):
        entry = cache.set("predictions", {"g": i}, b"{}")
        lifetimes.append(entry.fresh_until - entry.created_at)
    assert all(270 - 1e-6 <= t <= 300 + 1e-6 for t in lifetimes)
    assert max(lifetimes) - min(lifetimes) > 10  # keys written together do not expire together
    other = cache.set("teams", {}, b"{}")
    assert 1620 - 1e-6 <= other.fresh_until - other.created_at <= 1800 + 1e-6


def test_stale_while_revalidate_serves_stale_while_one_caller_refreshes() -> None:
    cache = manager(default_ttl_s=0.1, ttl_jitter=0.0, stale_grace_s=30)
    cache.set("predictions", {"g": 1}, b'"old"')
    time.sleep(0.15)
    started = threading.Event()
    release = threading.Event()
    refreshes = []

    def slow_refresh() -> bytes:
        refreshes.append(1)
        started.set()
        release.wait(5)
        return b'"new"'

    results: list[CacheEntry] = []
    leader = threading.Thread(
        target=lambda: results.append(cache.get_or_compute("predictions", {"g": 1}, slow_refresh))
    )
    leader.start()
    assert started.wait(5)
    others = [cache.get_or_compute("predictions", {"g": 1}, slow_refresh) for _ in range(5)]
    assert all(e.is_stale and e.body == b'"old"' for e in others)  # served at once, not blocked
    release.set()
    leader.join()
    assert results[0].body == b'"new"' and not results[0].is_stale
    assert len(refreshes) == 1
    assert cache.get("predictions", {"g": 1}).body == b'"new"'  # type: ignore[union-attr]


def test_failed_refresh_serves_stale_but_cold_failure_raises() -> None:
    cache = manager(default_ttl_s=0.05, ttl_jitter=0.0, stale_grace_s=30)
    cache.set("predictions", {"g": 1}, b'"old"')
    time.sleep(0.1)

    def broken() -> bytes:
        raise RuntimeError("database down")

    served = cache.get_or_compute("predictions", {"g": 1}, broken)
    assert served.body == b'"old"' and served.is_stale
    assert cache.stats.refresh_errors == 1
    with pytest.raises(RuntimeError):
        cache.get_or_compute("predictions", {"g": 2}, broken)


def test_fifty_threads_one_cold_key_compute_once() -> None:
    cache = manager()
    runs = 0
    lock = threading.Lock()
    barrier = threading.Barrier(50)

    def produce() -> bytes:
        nonlocal runs
        with lock:
            runs += 1
        time.sleep(0.2)
        return b'{"ok":true}'

    bodies: list[bytes] = []

    def call() -> None:
        barrier.wait()
        bodies.append(cache.get_or_compute("predictions", {"g": "cold"}, produce).body)

    threads = [threading.Thread(target=call) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert runs == 1
    assert bodies == [b'{"ok":true}'] * 50


def test_namespace_invalidation() -> None:
    cache = manager()
    cache.set("predictions", {"g": 1}, b"1")
    cache.set("teams", {"g": 1}, b"1")
    result = cache.invalidate_namespace("predictions")
    assert result.l2_ok and result.l1_removed == 1
    assert cache.get("predictions", {"g": 1}) is None
    assert cache.get("teams", {"g": 1}) is not None
    cache.set("predictions", {"g": 1}, b"2")
    assert cache.get("predictions", {"g": 1}).body == b"2"  # type: ignore[union-attr]


def test_exact_match_invalidation_in_l1() -> None:
    cache = manager()
    for week in (1, 10, 11):
        cache.set("predictions", {"season": 2024, "week": week}, b"x")
    result = cache.invalidate_matching("predictions", {"week": 1})
    assert result.l1_removed == 1
    assert cache.get("predictions", {"season": 2024, "week": 1}) is None
    assert cache.get("predictions", {"season": 2024, "week": 10}) is not None
    with pytest.raises(ValueError):
        cache.invalidate_matching("predictions", {})


def test_get_many() -> None:
    cache = manager()
    cache.set("predictions", {"g": 1}, b"1")
    got = cache.get_many("predictions", [{"g": 1}, {"g": 2}])
    assert got[0] is not None and got[0].body == b"1" and got[1] is None
    cache.set("predictions", {"g": 2}, {"g": 2})
    assert [e.body if e else None for e in cache.get_many("predictions", [{"g": 2}, {"g": 3}])] == [
        b'{"g":2}',
        None,
    ]
    assert cache.stats.l1_hits == 2 and cache.stats.l1_misses == 2


def test_large_l1_only_entries_stay_identity_and_gzip_on_demand() -> None:
    cache = manager(compress_threshold_bytes=100)
    body = orjson.dumps(list(range(1000)))
    entry = cache.set("predictions", {"g": 1}, body)
    assert entry.encoding == "identity"
    assert entry.gzip_body()[:2] == b"\x1f\x8b"


def test_health_without_redis() -> None:
    cache = manager()
    cache.get("predictions", {"g": 1})
    cache.set("predictions", {"g": 1}, b"1")
    cache.get("predictions", {"g": 1})
    report = cache.health()
    assert report["redis"] == {"configured": False}
    assert report["l1"]["hits"] == 1 and report["l1"]["misses"] == 1 and report["l1"]["hit_rate"] == 0.5
    assert report["l1"]["entries"] == 1


def test_from_settings() -> None:
    settings = Settings(cache_prediction_ttl_s=120, cache_default_ttl_s=900, l1_max_entries=7)
    cache = CacheManager.from_settings(settings)
    assert not cache.redis_configured and cache.redis_tier is None
    assert cache.ttl_for("predictions") == 120 and cache.ttl_for("teams") == 900
    # Everything derived from predictions expires with them.
    assert cache.ttl_for("prediction_views") == cache.ttl_for("week_predictions") == 120
    assert cache.health()["l1"]["max_entries"] == 7
    assert CacheManager.from_settings(settings, l1_max_entries=3).health()["l1"]["max_entries"] == 3


def test_namespace_ttls_exact_names_win_over_patterns() -> None:
    cache = manager(
        default_ttl_s=50, namespace_ttls={"*prediction*": 10, "week_predictions": 20, "sch?dule": 30}
    )
    assert cache.ttl_for("week_predictions") == 20
    assert cache.ttl_for("predictions") == 10
    assert cache.ttl_for("schedule") == 30
    assert cache.ttl_for("teams") == 50
    with pytest.raises(ValueError):
        manager(namespace_ttls={"Bad Name": 1})


def test_rejects_bad_configuration() -> None:
    with pytest.raises(ValueError):
        CacheConfig(codec_name="brotli")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        CacheConfig(ttl_jitter=1.5)


def test_a_url_or_none_is_shorthand_for_a_config() -> None:
    assert CacheManager().config == CacheManager(None).config == CacheConfig()
    remote = CacheManager("redis://127.0.0.1:1/0")  # constructing never connects
    assert remote.redis_configured and remote.config.redis_url == "redis://127.0.0.1:1/0"
    remote.close()
