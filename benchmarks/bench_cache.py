"""Cache benchmark: the three hit-path targets of the two-tier cache, each next to a same-run reference.

1. L2 hit through the manager (L1 disabled, so every call reads Redis) vs a raw redis-py GET of the
   same stored bytes, through a client with the same socket timeouts: median ratio <= 1.3.
2. L1 hit: median <= 5 us (absolute target).
3. Redis killed, breaker open: get_or_compute of cold keys (so every call runs the producer, builds
   the entry and stores it in L1) vs a plain call of the same producer: p99 overhead <= 50 us.

The payload is a ~23.5 KB prediction document (240 predictions: 15 experts x 16 categories, each
with expert/category/value/confidence/reasoning; 375 such dicts would be ~36 KB). Uses
a private redis-server unless REDIS_URL is set; the outage scenario always kills a private one.
Run: python benchmarks/bench_cache.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import redis

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nfl_predictor.cache import CacheManager
from nfl_predictor.cache.codec import ETAG_ALGORITHM
from nfl_predictor.local.redis_server import PrivateRedis

from benchmarks.common import (
    compare_line,
    describe,
    per_round_percentile,
    pooled,
    sample_interleaved,
    summarise,
)

TARGET_L2_RATIO = 1.3
TARGET_L1_MEDIAN_US = 5.0
TARGET_BREAKER_P99_OVERHEAD_US = 50.0
NAMESPACE = "predictions"
GAME = {"game": "2024_01_KC_BAL", "model": "v2024.09"}


def prediction_document(seed: int = 2024) -> dict[str, Any]:
    """240 predictions shaped like the API's game payload (~23.5 KB as JSON)."""
    rng = random.Random(seed)
    experts = [f"expert_{i:02d}" for i in range(15)]
    categories = [f"cat_{i:02d}" for i in range(16)]
    predictions = [
        {
            "expert": expert,
            "category": category,
            "value": round(rng.uniform(-14, 14), 2),
            "confidence": round(rng.random(), 3),
            "reasoning": rng.choice(["recent form", "rest", "travel", "matchup", "weather"]),
        }
        for expert in experts
        for category in categories
    ]
    return {"game_id": GAME["game"], "model": GAME["model"], "predictions": predictions}


def _result(
    name: str, project: float, reference: float, target: str, ok: bool, line: str, **details: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "project_us": round(project, 3),
        "reference_us": round(reference, 3),
        "ratio": round(project / reference, 4) if reference else None,
        "target": target,
        "pass": ok,
        "line": line,
        **details,
    }


def bench_l2_hit(url: str, body: bytes, rounds: int, per_round: int) -> dict[str, Any]:
    cache = CacheManager(url, l1_max_entries=0)  # L1 off: every get is a Redis round trip
    cache.set(NAMESPACE, GAME, body)
    key = cache.key(NAMESPACE, GAME)
    timeouts = {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}
    raw = redis.Redis.from_url(url, **timeouts)  # same connection settings as the manager
    raw_default = redis.Redis.from_url(url)  # info: redis-py defaults (no socket timeouts)
    # info: the leanest redis-py path, a dedicated connection (what the manager uses per thread)
    raw_single = redis.Redis(connection_pool=raw.connection_pool, single_connection_client=True)
    stored = raw.get(key)
    entry = cache.get(NAMESPACE, {**GAME})
    assert stored is not None and entry is not None and entry.tier == "redis"
    samples = sample_interleaved(
        {
            "manager": lambda: cache.get(NAMESPACE, {"game": "2024_01_KC_BAL", "model": "v2024.09"}),
            "raw_get": lambda: raw.get(key),
            "raw_get_default_client": lambda: raw_default.get(key),
            "raw_get_single_connection": lambda: raw_single.get(key),
        },
        rounds,
        per_round,
        warmup=2000,
    )
    project = summarise("L2 hit via manager (L1 disabled)", pooled(samples["manager"]))
    reference = summarise("raw redis-py GET, same socket timeouts", pooled(samples["raw_get"]))
    default = summarise("raw redis-py GET, default client", pooled(samples["raw_get_default_client"]))
    single = summarise(
        "raw redis-py GET, single-connection client", pooled(samples["raw_get_single_connection"])
    )
    ratio = project.median_us / reference.median_us
    ok = ratio <= TARGET_L2_RATIO
    line = compare_line(
        "L2 hit median (manager vs raw GET of the same bytes)",
        project.median_us,
        reference.median_us,
        target=f"ratio <= {TARGET_L2_RATIO}",
        ok=ok,
        reference_label="raw GET",
    )
    cache.close()
    raw_single.close()
    raw.close()
    raw_default.close()
    return _result(
        "l2_hit",
        project.median_us,
        reference.median_us,
        f"ratio <= {TARGET_L2_RATIO}",
        ok,
        line,
        stored_bytes=len(stored),
        encoding=entry.encoding,
        info=[describe(project), describe(reference), describe(default), describe(single)],
        summaries=[project.as_dict(), reference.as_dict(), default.as_dict(), single.as_dict()],
    )


def bench_l1_hit(url: str, body: bytes, rounds: int, per_round: int) -> dict[str, Any]:
    cache = CacheManager(url)
    cache.set(NAMESPACE, GAME, body)
    entry = cache.get(NAMESPACE, {**GAME})
    assert entry is not None and entry.tier == "l1"
    samples = sample_interleaved(
        {"manager": lambda: cache.get(NAMESPACE, {"game": "2024_01_KC_BAL", "model": "v2024.09"})},
        rounds,
        per_round,
        warmup=5000,
    )
    project = summarise("L1 hit via manager", pooled(samples["manager"]))
    ok = project.median_us <= TARGET_L1_MEDIAN_US
    line = compare_line(
        "L1 hit median",
        project.median_us,
        TARGET_L1_MEDIAN_US,
        target=f"median <= {TARGET_L1_MEDIAN_US:g} us",
        ok=ok,
        reference_label="target",
    )
    cache.close()
    return _result(
        "l1_hit",
        project.median_us,
        TARGET_L1_MEDIAN_US,
        f"median <= {TARGET_L1_MEDIAN_US:g} us",
        ok,
        line,
        info=[describe(project)],
        summaries=[project.as_dict()],
    )


def bench_breaker_open(document: dict[str, Any], rounds: int, per_round: int) -> dict[str, Any]:
    """Redis killed mid-use; get_or_compute on cold keys vs the bare producer."""
    server = PrivateRedis().start()  # always our own: this one gets killed
    try:
        cache = CacheManager(server.url, breaker_cooldown_s=3600.0)  # stays open while we measure

        def producer() -> bytes:
            return orjson.dumps(document)  # what a real producer does last: serialise the payload

        cache.get_or_compute(NAMESPACE, {"warm": 1}, producer)
        server.stop()
        opened_in = []
        while cache.breaker.state != "open":
            started = time.perf_counter()
            cache.get_or_compute(NAMESPACE, {"opening": len(opened_in)}, producer)
            opened_in.append(time.perf_counter() - started)
        counter = itertools.count()
        in_producer: list[int] = []
        clock = time.perf_counter_ns

        def timed_producer() -> bytes:
            start = clock()
            body = producer()
            in_producer.append(clock() - start)
            return body

        def cold_call() -> None:
            cache.get_or_compute(NAMESPACE, {"game": next(counter), "model": "v"}, timed_producer)

        samples = sample_interleaved(
            {"manager": cold_call, "producer": producer}, rounds, per_round, warmup=3000
        )
        hot = sample_interleaved(
            {"hit": lambda: cache.get_or_compute(NAMESPACE, {"warm": 1}, producer)}, 3, per_round, warmup=1000
        )
        assert cache.breaker.state == "open" and cache.stats.computes >= rounds * per_round
        manager_p99 = per_round_percentile(samples["manager"], 99)
        producer_p99 = per_round_percentile(samples["producer"], 99)
        overhead_p99 = manager_p99 - producer_p99
        ok = overhead_p99 <= TARGET_BREAKER_P99_OVERHEAD_US
        project = summarise("get_or_compute, breaker open, cold key", pooled(samples["manager"]))
        reference = summarise("plain producer call", pooled(samples["producer"]))
        hit = summarise("get_or_compute, breaker open, L1 hit", pooled(hot["hit"]))
        # Per call: time spent in get_or_compute outside the producer (the producer timed itself).
        overhead_each = [
            total - inner
            for total, inner in zip(
                pooled(samples["manager"]), in_producer[-len(pooled(samples["manager"])) :], strict=True
            )
        ]
        per_call = summarise("per-call overhead (total - producer)", overhead_each)
        line = (
            f"breaker-open get_or_compute p99 overhead: project {manager_p99:.2f} us | plain producer "
            f"{producer_p99:.2f} us | ratio {manager_p99 / producer_p99:.3f} | overhead {overhead_p99:.2f} us | "
            f"target overhead <= {TARGET_BREAKER_P99_OVERHEAD_US:g} us | {'PASS' if ok else 'FAIL'}"
        )
        cache.close()
        return _result(
            "breaker_open_overhead",
            manager_p99,
            producer_p99,
            f"p99 overhead <= {TARGET_BREAKER_P99_OVERHEAD_US:g} us",
            ok,
            line,
            overhead_p99_us=round(overhead_p99, 3),
            breaker_opened_after_calls=len(opened_in) + 1,
            slowest_opening_call_ms=round(max(opened_in, default=0.0) * 1000, 3),
            info=[describe(project), describe(reference), describe(per_call), describe(hit)],
            summaries=[project.as_dict(), reference.as_dict(), per_call.as_dict(), hit.as_dict()],
        )
    finally:
        server.close()


def run(quick: bool = False, redis_url: str | None = None) -> list[dict[str, Any]]:
    """Run all three measurements; returns one dict per target (figures, reference, pass, details)."""
    rounds, per_round = (6, 1000) if quick else (15, 2000)
    document = prediction_document()
    body = orjson.dumps(document)
    url = redis_url or os.environ.get("REDIS_URL")
    server = None
    if not url:
        server = PrivateRedis().start()
        url = server.url
    try:
        results = [
            bench_l2_hit(url, body, rounds, per_round),
            bench_l1_hit(url, body, rounds, per_round),
            bench_breaker_open(document, rounds, per_round),
        ]
    finally:
        if server is not None:
            server.close()
    for result in results:
        result["payload_bytes"] = len(body)
        result["etag_algorithm"] = ETAG_ALGORITHM
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (smoke run)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = run(quick=args.quick)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    body_len = results[0]["payload_bytes"]
    print(f"cache benchmark: payload {body_len} bytes ({body_len / 1000:.1f} KB), stored as "
          f"{results[0]['encoding']} ({results[0]['stored_bytes']} bytes in Redis), "
          f"ETag {ETAG_ALGORITHM}")  # fmt: skip
    for result in results:
        print(result["line"])
        for info in result["info"]:
            print(f"    {info}")
    failed = [r["name"] for r in results if not r["pass"]]
    print("ALL TARGETS PASS" if not failed else f"FAILED: {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
