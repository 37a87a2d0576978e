"""The cache on a local three-node Redis Cluster: read-through, the whole-week MGET, invalidation,
the stamps protocol, the cross-process lock and the rate-limit script, as on ElastiCache Serverless."""

from __future__ import annotations

import threading
import time
from typing import Any

import redis
from nfl_predictor.cache import CacheConfig, CacheManager
from nfl_predictor.cache.cluster_tier import ClusterRedisTier
from nfl_predictor.config import Settings
from nfl_predictor.service import cache_keys
from nfl_predictor.service.ratelimit import RateLimiter, tier_limits
from nfl_predictor_dev.local.redis_cluster import PrivateRedisCluster
from nfl_predictor_dev.local.redis_server import free_port

WEEK = [f"2025_13_A{i:02d}_H{i:02d}" for i in range(16)]
GAME = cache_keys.GAME_NS


def _manager(url: str, **kw: Any) -> CacheManager:
    return CacheManager(CacheConfig(url, cluster=True, stamp_refresh_s=0.2, **kw))


def _body(gid: str) -> bytes:
    return b'{"game":"' + gid.encode() + b'"}'


def _mget_calls(cluster: PrivateRedisCluster) -> dict[int, int]:
    """MGET commands each node has served (its own count, from INFO commandstats)."""
    calls = {}
    for port in cluster.ports:
        client = redis.Redis(host="127.0.0.1", port=port)
        stats = client.info("commandstats").get("cmdstat_mget", {})
        calls[port] = int(stats.get("calls", 0)) if isinstance(stats, dict) else 0
        client.close()
    return calls


def _node_keys(cluster: PrivateRedisCluster) -> dict[int, set[str]]:
    found = {}
    for port in cluster.ports:
        client = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
        found[port] = set(client.scan_iter("nflp:*"))
        client.close()
    return found


def test_settings_choose_the_cluster_tier(cluster_url: str) -> None:
    settings = Settings.from_env({"REDIS_URL": cluster_url, "REDIS_CLUSTER": "true"})
    with CacheManager.from_settings(settings) as cache:
        assert isinstance(cache.redis_tier, ClusterRedisTier)
        cache.set("schedule", {"season": 2025}, b"[1]")
        assert cache.health()["redis"]["connected"] is True
    with CacheManager.from_settings(Settings.from_env({"REDIS_URL": cluster_url})) as single:
        assert not isinstance(single.redis_tier, ClusterRedisTier)  # the single-node path as before


def test_week_mget_reads_one_slot_on_one_node(cluster_url: str, redis_cluster: PrivateRedisCluster) -> None:
    writer, reader = _manager(cluster_url), _manager(cluster_url)
    for gid in WEEK:
        writer.set(*cache_keys.game(gid, "v1"), _body(gid))
    other_week = "2025_14_A00_H00"
    writer.set(*cache_keys.game(other_week, "v1"), _body(other_week))

    holders = [port for port, found in _node_keys(redis_cluster).items()
               if any("{2025_13}" in k for k in found)]  # fmt: skip
    assert len(holders) == 1  # the whole week lives on one node

    before = _mget_calls(redis_cluster)
    got = reader.get_many(GAME, cache_keys.games(WEEK, "v1"))
    assert [e.body if e else None for e in got] == [_body(g) for g in WEEK]
    assert {e.tier for e in got if e} == {"redis"}
    after = _mget_calls(redis_cluster)
    # Two MGETs in one pipelined round trip: the 16 games on their node, the stamp on its own.
    assert sum(after.values()) - sum(before.values()) == 2
    assert after[holders[0]] > before[holders[0]]
    assert reader.stats.redis_hits == len(WEEK)
    writer.close()
    reader.close()


def test_read_through_computes_once_and_other_processes_read_it(cluster_url: str) -> None:
    first, second = _manager(cluster_url), _manager(cluster_url)
    computed = []
    for cache in (first, second, first):
        entry = cache.get_or_compute("schedule", {"season": 2025, "week": 1},
                                     lambda: computed.append(1) or b"[1,2]")  # fmt: skip
        assert entry.body == b"[1,2]"
    assert computed == [1]
    assert second.stats.redis_hits == 1 and first.stats.l1_hits == 1
    first.close()
    second.close()


def test_cross_process_lock_one_compute_across_managers(cluster_url: str) -> None:
    managers = [_manager(cluster_url) for _ in range(4)]
    gate = threading.Barrier(len(managers))
    computed: list[int] = []

    def produce() -> bytes:
        computed.append(1)
        time.sleep(0.2)
        return b'"once"'

    results: list[bytes] = []

    def run(cache: CacheManager) -> None:
        gate.wait(timeout=10)
        results.append(cache.get_or_compute(*cache_keys.game("2025_13_A00_H00", "v1"), produce).body)

    threads = [threading.Thread(target=run, args=(m,)) for m in managers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results == [b'"once"'] * len(managers)
    assert len(computed) == 1
    lock_keys = [k for found in _node_keys_of(cluster_url) for k in found if "~lock" in k]
    assert lock_keys == []  # released in the same script that wrote the value
    for m in managers:
        m.close()


def _node_keys_of(url: str) -> list[set[str]]:
    client = redis.RedisCluster.from_url(url, decode_responses=True)
    found = [set(client.get_redis_connection(n).scan_iter("nflp:*")) for n in client.get_primaries()]
    client.close()
    return found


def test_invalidate_matching_spans_every_node_and_matches_exactly(cluster_url: str) -> None:
    cache, other = _manager(cluster_url), _manager(cluster_url)
    for week in (1, 10, 11):
        for i in range(6):
            gid = f"2025_{week:02d}_A{i:02d}_H{i:02d}"
            cache.set(*cache_keys.game(gid, "v1"), _body(gid))
        cache.set(*cache_keys.week(2025, week, "v1"), b"{}")
    assert len([s for s in _node_keys_of(cluster_url) if s]) > 1  # spread over several nodes

    result = cache.invalidate_matching(cache_keys.WEEK_NS, {"week": 1})
    assert result.l2_ok and result.l2_removed == 1  # week=1, never week=10 or 11
    result = cache.invalidate_matching(GAME, {"slot": "2025_10"})
    assert result.l2_ok and result.l2_removed == 6
    other.clear_local()
    left = other.get_many(GAME, cache_keys.games([f"2025_{w:02d}_A00_H00" for w in (1, 10, 11)], "v1"))
    assert [e is not None for e in left] == [True, False, True]
    assert other.get(*cache_keys.week(2025, 10, "v1")) is not None
    cache.close()
    other.close()


def test_namespace_stamps_protocol_on_the_cluster(
    cluster_url: str, redis_cluster: PrivateRedisCluster
) -> None:
    a, b = _manager(cluster_url), _manager(cluster_url)
    key = cache_keys.game("2025_13_A00_H00", "v1")
    a.set(*key, b'"old"')
    assert b.get(*key) is not None and b.get(*key).body == b'"old"'  # type: ignore[union-attr]
    assert a.invalidate_namespace(GAME).l2_ok
    deadline = time.monotonic() + 5
    while b.get(*key) is not None:  # b's L1 record is dropped within stamp_refresh_s
        assert time.monotonic() < deadline, "the other process never saw the namespace bump"
        time.sleep(0.05)
    assert a.get_many(GAME, [key.params]) == [None]

    a.set(*key, b'"new"')
    redis_cluster.flush()  # the stamp evicted with everything else (a restart)
    time.sleep(0.25)  # past stamp_refresh_s: b learns the stamp is gone
    b.clear_local()
    assert b.get(*key) is None
    b.set(*key, b'"after"')  # re-creates the stamp and writes under it
    time.sleep(0.25)
    a.clear_local()
    assert a.get(*key).body == b'"after"'  # type: ignore[union-attr]
    a.close()
    b.close()


def test_rate_limit_script_runs_on_the_cluster(cluster_url: str) -> None:
    cache = _manager(cluster_url)
    limiter = RateLimiter(cache.redis_tier, tier_limits("free=0.01:3"))
    decisions = [limiter.check(7, "free") for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert "redis" in {d.backend for d in decisions}
    assert cache.redis_tier is not None and cache.redis_tier.errors == 0
    cache.close()


def test_cluster_down_at_start_serves_from_l1() -> None:
    closed = f"redis://127.0.0.1:{free_port()}"  # nothing listens: refused at once
    cache = _manager(closed, breaker_cooldown_s=60)
    computed = [cache.get_or_compute("schedule", {"season": 2025}, lambda: b"[1]").body for _ in range(5)]
    assert computed == [b"[1]"] * 5  # computed once, then L1
    assert cache.stats.computes == 1
    assert cache.health()["redis"]["connected"] is False
    assert cache.breaker.snapshot()["last_error"] == "ConnectionError"  # "cannot be connected"
    cache.close()
