"""Cached-week read on a three-node Redis Cluster beside a single redis-server, same run.

The whole-week read (``PredictionService._week_bodies``: ``cache.get_many`` of a week's games) with
L1 off, so every read is the Redis round trip: on a single node one MGET of stamp + 16 games; on
the cluster the 16 games are one single-slot MGET (hash tag ``{<season>_<week>}``) and the stamp a
second command in the same pipelined round trip. Both servers are private, on loopback, started
here; reads alternate between the two so machine noise hits both alike. Prints p50/p99 of each and
the cluster/single ratio (no target: the figure is for the operator choosing ``CacheMode``).

Run (after ``pip install -e ".[local]"``): python benchmarks/bench_cache_cluster.py [--reads N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any

from nfl_predictor.cache import CacheConfig, CacheManager
from nfl_predictor.service import cache_keys
from nfl_predictor_dev.local.redis_cluster import PrivateRedisCluster
from nfl_predictor_dev.local.redis_server import PrivateRedis

GAMES = [f"2025_13_A{i:02d}_H{i:02d}" for i in range(16)]
MODEL = "bench"


def _body(game_id: str, size: int) -> bytes:
    # Incompressible-ish filler of about a real game document's stored (gzip) size.
    filler = os.urandom(size // 2).hex()
    return b'{"game":"' + game_id.encode() + b'","pad":"' + filler.encode() + b'"}'


def _manager(url: str, cluster: bool) -> CacheManager:
    return CacheManager(CacheConfig(url, cluster=cluster, l1_max_entries=0, stamp_refresh_s=3600))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(reads: int = 2000, body_bytes: int = 6000) -> dict[str, Any]:
    params = cache_keys.games(GAMES, MODEL)
    with PrivateRedis() as single, PrivateRedisCluster(nodes=3) as cluster:
        caches = {"single": _manager(single.url, False), "cluster": _manager(cluster.url, True)}
        for cache in caches.values():
            for gid in GAMES:
                cache.set(*cache_keys.game(gid, MODEL), _body(gid, body_bytes))
            for _ in range(50):  # warm connections and the slot map
                assert all(e is not None for e in cache.get_many(cache_keys.GAME_NS, params))
        timings: dict[str, list[float]] = {name: [] for name in caches}
        for _ in range(reads):
            for name, cache in caches.items():
                started = time.perf_counter()
                got = cache.get_many(cache_keys.GAME_NS, params)
                timings[name].append((time.perf_counter() - started) * 1e6)
                assert got[-1] is not None and got[-1].tier == "redis"
        for cache in caches.values():
            cache.close()
    out: dict[str, Any] = {"games": len(GAMES), "reads": reads, "body_bytes": body_bytes}
    for name, values in timings.items():
        out[name] = {"p50_us": round(statistics.median(values), 1), "p99_us": round(_pct(values, 0.99), 1)}
    out["ratio_p50"] = round(out["cluster"]["p50_us"] / out["single"]["p50_us"], 3)
    out["ratio_p99"] = round(out["cluster"]["p99_us"] / out["single"]["p99_us"], 3)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.reads)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"cached-week read ({result['games']} games, L1 off, {result['reads']} reads each, interleaved)")
    for name in ("single", "cluster"):
        print(f"  {name:8s} p50 {result[name]['p50_us']:8.1f} us   p99 {result[name]['p99_us']:8.1f} us")
    print(f"  cluster / single: p50 x{result['ratio_p50']}, p99 x{result['ratio_p99']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
