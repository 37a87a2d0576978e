"""CacheManager against a real (private) redis-server: tiers, TTLs, invalidation, codecs, health, TLS."""

from __future__ import annotations

import multiprocessing
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import redis
from nfl_predictor.cache import CacheConfig, CacheManager, codec, keys
from nfl_predictor.cache.health import summarise_info
from nfl_predictor.cache.redis_tier import make_client
from nfl_predictor_dev.local.redis_server import find_redis_server, free_port

BIG = orjson.dumps(
    [{"expert": f"e{i % 15}", "value": i / 3, "reasoning": "momentum " * 4} for i in range(300)]
)


@pytest.fixture
def raw(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


Make = Callable[..., CacheManager]


@pytest.fixture
def make(redis_url: str) -> Iterator[Make]:
    made: list[CacheManager] = []

    def factory(**kw: Any) -> CacheManager:
        manager = CacheManager(CacheConfig(redis_url, **kw))
        made.append(manager)
        return manager

    yield factory
    for manager in made:
        manager.close()


def test_l2_hit_fills_l1_and_stats_count_per_tier(make: Make, raw: redis.Redis) -> None:
    writer, reader = make(), make()
    writer.set("predictions", {"game": "2024_01_KC_BAL"}, BIG)
    first = reader.get("predictions", {"game": "2024_01_KC_BAL"})
    second = reader.get("predictions", {"game": "2024_01_KC_BAL"})
    assert first is not None and first.tier == "redis" and first.encoding == "gzip"
    assert second is not None and second.tier == "l1" and second.etag == first.etag
    assert first.identity_body() == BIG
    assert reader.get("predictions", {"game": "none"}) is None
    s = reader.stats
    assert (s.redis_hits, s.redis_misses, s.l1_hits, s.l1_misses) == (1, 1, 1, 2)


def test_get_or_compute_reads_through_l2_before_computing(make: Make) -> None:
    a, b = make(), make()
    a.get_or_compute("predictions", {"g": 1}, lambda: {"v": 1})

    def must_not_run() -> bytes:
        raise AssertionError("computed although Redis had the value")

    entry = b.get_or_compute("predictions", {"g": 1}, must_not_run)
    assert entry.tier == "redis" and orjson.loads(entry.identity_body()) == {"v": 1}


def test_redis_ttl_is_logical_ttl_plus_grace(make: Make, raw: redis.Redis) -> None:
    cache = make(default_ttl_s=100, ttl_jitter=0.1, stale_grace_s=60)
    entry = cache.set("teams", {"s": 2024}, b"[]")
    pttl = raw.pttl(cache.key("teams", {"s": 2024}))
    logical = entry.fresh_until - entry.created_at
    assert 90 <= logical <= 100
    assert abs(pttl / 1000 - (logical + 60)) < 2


def test_expiry_then_stale_window_then_gone(make: Make, raw: redis.Redis) -> None:
    writer = make(default_ttl_s=0.2, ttl_jitter=0.0, stale_grace_s=0.4)
    writer.set("teams", {"s": 1}, b'"v"')
    reader = make(l1_max_entries=0)
    assert reader.get("teams", {"s": 1}) is not None
    time.sleep(0.3)
    assert reader.get("teams", {"s": 1}) is None
    stale = reader.get("teams", {"s": 1}, allow_stale=True)
    assert stale is not None and stale.is_stale and stale.tier == "redis"
    time.sleep(0.45)
    assert reader.get("teams", {"s": 1}, allow_stale=True) is None
    assert not raw.exists(writer.key("teams", {"s": 1}))


def test_jittered_ttls_in_redis_are_spread_and_bounded(make: Make, raw: redis.Redis) -> None:
    cache = make(namespace_ttls={"predictions": 300}, ttl_jitter=0.1, stale_grace_s=60)
    for g in range(50):
        cache.set("predictions", {"g": g}, b"{}")
    ttls = [raw.pttl(cache.key("predictions", {"g": g})) / 1000 - 60 for g in range(50)]
    assert all(269 <= t <= 300.5 for t in ttls)
    assert max(ttls) - min(ttls) > 5


def test_namespace_invalidation_reaches_other_processes_within_the_refresh_bound(
    make: Make, raw: redis.Redis
) -> None:
    a = make(stamp_refresh_s=0.2)
    b = make(stamp_refresh_s=0.2)
    a.set("predictions", {"g": 1}, b'"v1"')
    a.set("teams", {"g": 1}, b'"t"')
    assert b.get("predictions", {"g": 1}) is not None  # now in b's L1
    keys_before = raw.dbsize()
    assert a.invalidate_namespace("predictions").l2_ok
    assert raw.dbsize() == keys_before  # O(1): nothing deleted, old keys just unreachable
    assert a.get("predictions", {"g": 1}) is None  # the invalidating process: at once
    time.sleep(0.25)
    assert b.get("predictions", {"g": 1}) is None  # others: within stamp_refresh_s
    assert b.get("teams", {"g": 1}) is not None  # other namespaces untouched
    a.set("predictions", {"g": 1}, b'"v2"')
    assert b.get("predictions", {"g": 1}).body == b'"v2"'  # type: ignore[union-attr]


def test_exact_match_invalidation_week_1_spares_weeks_10_to_18(make: Make, raw: redis.Redis) -> None:
    a = make(stamp_refresh_s=0.2)
    b = make(stamp_refresh_s=0.2)
    long_view = {"experts": [f"expert_{i}" for i in range(20)]}
    for week in range(1, 19):
        a.set("predictions", {"season": 2024, "week": week}, b"{}")
        a.set("predictions", {"season": 2024, "week": week, **long_view}, b"{}")  # hashed key
    assert a.key("predictions", {"season": 2024, "week": 1, **long_view}).startswith("nflp:1:predictions:#")
    b.get("predictions", {"season": 2024, "week": 1})  # in b's L1
    result = a.invalidate_matching("predictions", {"week": 1})
    assert result.l2_ok and result.l2_removed == 2
    assert not raw.exists(a.key("predictions", {"season": 2024, "week": 1}))
    assert not raw.exists(a.key("predictions", {"season": 2024, "week": 1, **long_view}))
    for week in range(10, 19):
        assert raw.exists(a.key("predictions", {"season": 2024, "week": week}))
        assert raw.exists(a.key("predictions", {"season": 2024, "week": week, **long_view}))
    assert a.get("predictions", {"season": 2024, "week": 1}) is None
    time.sleep(0.25)
    assert b.get("predictions", {"season": 2024, "week": 1}) is None  # b's L1 dropped it too
    assert b.get("predictions", {"season": 2024, "week": 10}) is not None


def test_pattern_invalidation_uses_scan_not_keys(make: Make, raw: redis.Redis) -> None:
    cache = make()
    for g in range(30):
        cache.set("predictions", {"g": g, "week": g % 3}, b"{}")
    raw.config_resetstat()
    cache.invalidate_matching("predictions", {"week": 0}, batch=7)
    stats = raw.info("commandstats")
    assert "cmdstat_keys" not in stats
    assert stats["cmdstat_scan"]["calls"] >= 1 and stats["cmdstat_unlink"]["calls"] >= 1


@pytest.mark.parametrize("codec_name", ["gzip", "zstd"])
def test_compression_round_trip_through_redis(make: Make, raw: redis.Redis, codec_name: str) -> None:
    writer = make(codec_name=codec_name, compress_threshold_bytes=1024)
    reader = make()
    writer.set("predictions", {"g": 1}, BIG)
    writer.set("predictions", {"g": 2}, b'{"small":true}')
    stored = raw.get(writer.key("predictions", {"g": 1}))
    assert stored is not None and len(stored) < len(BIG) / 3
    big = reader.get("predictions", {"g": 1})
    small = reader.get("predictions", {"g": 2})
    assert big is not None and big.encoding == codec_name and big.identity_body() == BIG
    assert small is not None and small.encoding == "identity"
    assert big.etag == codec.etag_of(BIG)
    if codec_name == "gzip":
        assert big.gzip_body() is big.body


def test_get_many_is_one_mget(make: Make, raw: redis.Redis) -> None:
    writer, reader = make(), make()
    for g in range(5):
        writer.set("predictions", {"g": g}, f'"{g}"'.encode())
    reader.get("predictions", {"g": 0})  # g=0 now in reader's L1
    raw.config_resetstat()
    got = reader.get_many("predictions", [{"g": g} for g in range(7)])
    stats = raw.info("commandstats")
    assert stats["cmdstat_mget"]["calls"] == 1
    assert "cmdstat_get" not in stats
    assert [e.body if e else None for e in got] == [b'"0"', b'"1"', b'"2"', b'"3"', b'"4"', None, None]
    assert got[0].tier == "l1" and got[1].tier == "redis"  # type: ignore[union-attr]


def test_lost_generation_key_never_resurrects_old_values(make: Make, raw: redis.Redis) -> None:
    cache = make(l1_max_entries=0)
    cache.set("predictions", {"g": 1}, b'"old"')
    cache.invalidate_namespace("predictions")
    # The stamp key is evicted (allkeys-lru) or Redis restarted: gen must not fall back to a value
    # under which the old entry was written.
    raw.delete("nflp:1:~gen:predictions")
    assert make(l1_max_entries=0).get("predictions", {"g": 1}) is None
    entry = cache.get_or_compute("predictions", {"g": 1}, lambda: b'"new"')
    assert entry.body == b'"new"'
    assert make(l1_max_entries=0).get("predictions", {"g": 1}).body == b'"new"'  # type: ignore[union-attr]


def test_foreign_value_under_a_key_is_a_miss(make: Make, raw: redis.Redis) -> None:
    cache = make()
    cache.set("predictions", {"g": 0}, b"{}")  # creates the stamp
    raw.set(cache.key("predictions", {"g": 1}), b'{"pickled":"no"}')
    assert cache.get("predictions", {"g": 1}) is None
    assert cache.stats.decode_errors == 1
    assert cache.get_or_compute("predictions", {"g": 1}, lambda: b"[1]").body == b"[1]"


def test_cross_process_stale_is_served_while_another_holds_the_lock(make: Make, raw: redis.Redis) -> None:
    writer = make(default_ttl_s=0.1, ttl_jitter=0.0, stale_grace_s=30)
    writer.set("predictions", {"g": 1}, b'"old"')
    time.sleep(0.15)
    key = writer.key("predictions", {"g": 1})
    raw.set("nflp:1:~lock:" + key.split(":", 2)[2], "other-process", px=5000)
    other = make(lock_wait_s=5)

    def must_not_run() -> bytes:
        raise AssertionError("refreshed although another process holds the lock")

    started = time.monotonic()
    served = other.get_or_compute("predictions", {"g": 1}, must_not_run)
    assert served.is_stale and served.body == b'"old"'
    assert time.monotonic() - started < 1.0  # no polling when stale is available


def test_waiter_gives_up_on_a_dead_lock_holder_and_computes(make: Make, raw: redis.Redis) -> None:
    cache = make(lock_wait_s=0.3)
    cache.set("predictions", {"g": 0}, b"{}")
    key = cache.key("predictions", {"g": 1})
    raw.set(keys.lock_key(key, 1), "crashed-process", px=60_000)  # the lock's own shape (same slot as key)
    started = time.monotonic()
    entry = cache.get_or_compute("predictions", {"g": 1}, lambda: b'"computed"')
    waited = time.monotonic() - started
    assert entry.body == b'"computed"'
    assert 0.25 <= waited < 3.0
    assert cache.stats.lock_wait_timeouts == 1


def test_health_reports_redis_info(make: Make) -> None:
    cache = make(clients_alert_threshold=10_000)
    cache.get_or_compute("predictions", {"g": 1}, lambda: b"1")
    report = cache.health()["redis"]
    assert report["configured"] and report["connected"]
    assert report["breaker"]["state"] == "closed"
    assert report["maxmemory"] == 256 * 1024 * 1024 and report["maxmemory_policy"] == "allkeys-lru"
    assert report["memory_alert"] is False and report["clients_alert"] is False
    assert report["connected_clients"] >= 1 and report["uptime_s"] >= 0 and report["latency_ms"] >= 0
    assert set(report["persistence"]) >= {"aof_enabled", "rdb_last_save_time"}
    assert report["tls"] is False


def test_info_alert_thresholds() -> None:
    info = {"used_memory": 850, "maxmemory": 1000, "connected_clients": 501, "maxmemory_policy": "noeviction"}
    digest = summarise_info(info, 0.5, clients_alert_threshold=500)
    assert digest["memory_ratio"] == 0.85 and digest["memory_alert"] and digest["clients_alert"]
    unlimited = summarise_info({"used_memory": 10**9, "maxmemory": 0, "connected_clients": 3}, 0.5, 500)
    assert (
        unlimited["memory_ratio"] is None and not unlimited["memory_alert"] and not unlimited["clients_alert"]
    )


def test_tls_and_auth_come_from_the_url() -> None:
    client = make_client("rediss://cacheuser:s%40cret@cache.example.com:6380/2", 0.25, 0.25)
    pool = client.connection_pool
    assert pool.connection_class is redis.SSLConnection
    assert pool.connection_kwargs["password"] == "s@cret"
    assert pool.connection_kwargs["username"] == "cacheuser"
    assert pool.connection_kwargs["db"] == 2
    assert pool.connection_kwargs["socket_timeout"] == 0.25
    plain = make_client("redis://:pw@localhost:6379/0", 0.25, 0.25)
    assert plain.connection_pool.connection_class is redis.Connection
    unreachable = CacheManager("rediss://cache.invalid:6380/0")  # constructing never connects
    assert unreachable.redis_configured
    unreachable.close()


def test_real_tls_with_password() -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not available to make a self-signed certificate")
    workdir = Path(tempfile.mkdtemp(prefix="nflp-tls-"))
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    port = free_port()
    proc = None
    candidates = [find_redis_server(), shutil.which("redis-server"), "/usr/bin/redis-server"]
    for binary in dict.fromkeys(c for c in candidates if c and Path(c).exists()):
        proc = subprocess.Popen(
            [binary, "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
             "--tls-cert-file", str(cert), "--tls-key-file", str(key), "--tls-ca-cert-file", str(cert),
             "--tls-auth-clients", "no", "--requirepass", "hunter2", "--save", "", "--appendonly", "no",
             "--dir", str(workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        if proc.poll() is None:
            break
        proc = None  # this binary was built without TLS
    if proc is None:
        shutil.rmtree(workdir, ignore_errors=True)
        pytest.skip("no redis-server here supports TLS")
    try:
        url = f"rediss://:hunter2@127.0.0.1:{port}/0?ssl_ca_certs={cert}"
        writer = CacheManager(CacheConfig(url, socket_timeout_s=2, connect_timeout_s=2))
        reader = CacheManager(CacheConfig(url, socket_timeout_s=2, connect_timeout_s=2))
        writer.set("predictions", {"g": 1}, BIG)
        entry = reader.get("predictions", {"g": 1})
        assert entry is not None and entry.tier == "redis" and entry.identity_body() == BIG
        report = reader.health()["redis"]
        assert report["tls"] and report["connected"] and report["breaker"]["state"] == "closed"
        wrong = CacheManager(
            CacheConfig(f"rediss://:wrong@127.0.0.1:{port}/0?ssl_ca_certs={cert}", socket_timeout_s=2)
        )
        assert wrong.get_or_compute("predictions", {"g": 1}, lambda: b'"local"').body == b'"local"'
        for manager in (writer, reader, wrong):
            manager.close()
    finally:
        proc.kill()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def _report_connection(cache: CacheManager, out: Any) -> None:
    entry = cache.get("predictions", {"g": 1})
    tier = cache.redis_tier
    assert tier is not None
    out.put((tier._thread_client().client_id(), entry.body if entry else None))


def test_forked_child_gets_its_own_connection(make: Make) -> None:
    cache = make(l1_max_entries=0)
    cache.set("predictions", {"g": 1}, b'"v"')
    tier = cache.redis_tier
    assert tier is not None
    parent_id = tier._thread_client().client_id()
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_report_connection, args=(cache, out))
    child.start()
    child_id, body = out.get(timeout=30)
    child.join(timeout=30)
    assert body == b'"v"'
    assert child_id != parent_id  # never the parent's socket
    assert tier._thread_client().client_id() == parent_id
    assert cache.get("predictions", {"g": 1}).body == b'"v"'  # type: ignore[union-attr]
