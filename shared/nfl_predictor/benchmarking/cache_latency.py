"""Cache category: the two-tier cache's hit paths and its behaviour with Redis gone.

1. L2 hit through the manager (L1 off, so every call reads Redis) vs a raw redis-py GET of the same
   stored bytes, through a client with the same socket timeouts: median ratio <= 1.3.
2. L1 hit: median <= 5 us (absolute); beside it a plain dict lookup, the floor for any in-process tier.
3. Outage: Redis unreachable, breaker open; get_or_compute of cold keys (so every call runs the
   producer, builds the entry, stores it in L1) vs the bare producer: p99 overhead <= 50 us.

The payload is a ~23.5 KB prediction document (15 experts x 16 categories with value, confidence and
reasoning). Keys live in a namespace of their own and are deleted afterwards, so running this against
a shared Redis (the benchmark Lambda's ElastiCache) leaves nothing behind.
"""

from __future__ import annotations

import itertools
import random
import socket
import time
from typing import Any

import orjson

from nfl_predictor.benchmarking.context import BenchContext, profile_calls
from nfl_predictor.benchmarking.result import Measurement, Reference
from nfl_predictor.benchmarking.stats import from_ns
from nfl_predictor.benchmarking.timing import (
    describe,
    per_round_percentile,
    pooled,
    sample_interleaved,
    summarise,
)
from nfl_predictor.cache import CacheConfig, CacheManager
from nfl_predictor.cache.codec import ETAG_ALGORITHM

TARGET_L2_RATIO = 1.3
TARGET_L1_MEDIAN_US = 5.0
TARGET_BREAKER_P99_OVERHEAD_US = 50.0
NAMESPACE = "bench"
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


def _rounds(ctx: BenchContext) -> tuple[int, int]:
    return ctx.pick((15, 2000), (6, 1000), (3, 100))


def l2_hit(ctx: BenchContext, url: str, body: bytes) -> Measurement:
    import redis

    rounds, per_round = _rounds(ctx)
    cache = CacheManager(CacheConfig(url, l1_max_entries=0))  # L1 off: every get is a Redis round trip
    cache.set(NAMESPACE, GAME, body)
    key = cache.key(NAMESPACE, GAME)
    timeouts = {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}
    raw = redis.Redis.from_url(url, **timeouts)  # same connection settings as the manager
    raw_default = redis.Redis.from_url(url)  # info: redis-py defaults (no socket timeouts)
    # info: the leanest redis-py path, a dedicated connection (what the manager uses per thread)
    raw_single = redis.Redis(connection_pool=raw.connection_pool, single_connection_client=True)
    try:
        stored: bytes | None = raw.get(key)  # type: ignore[assignment]  # redis-py types every reply as maybe-awaitable
        entry = cache.get(NAMESPACE, {**GAME})
        assert stored is not None and entry is not None and entry.tier == "redis"

        def manager_get() -> object:
            return cache.get(NAMESPACE, {"game": "2024_01_KC_BAL", "model": "v2024.09"})

        samples = sample_interleaved(
            {"manager": manager_get, "raw_get": lambda: raw.get(key),
             "raw_get_default_client": lambda: raw_default.get(key),
             "raw_get_single_connection": lambda: raw_single.get(key)},
            rounds, per_round, warmup=ctx.pick(2000, 2000, 200), on_round=ctx.progress.rounds,
        )  # fmt: skip
        peak, _ = profile_calls(manager_get, calls=50)
        info = [
            describe(summarise("L2 hit via manager (L1 disabled)", pooled(samples["manager"]))),
            describe(summarise("raw redis-py GET, same socket timeouts", pooled(samples["raw_get"]))),
            describe(summarise("raw redis-py GET, default client", pooled(samples["raw_get_default_client"]))),
            describe(summarise("raw redis-py GET, single-connection client",
                               pooled(samples["raw_get_single_connection"]))),
        ]  # fmt: skip
        encoding = entry.encoding
    finally:
        cache.delete(NAMESPACE, GAME)
        for client in (raw_single, raw, raw_default):
            client.close()
        cache.close()
    m = Measurement(
        "cache.l2_hit", "L2 hit (manager vs raw GET of the same bytes)", "us",
        from_ns(pooled(samples["manager"]), "us"),
        Reference("raw GET", from_ns(pooled(samples["raw_get"]), "us")),
        target=f"ratio <= {TARGET_L2_RATIO}", peak_memory_bytes=peak,
        details={"stored_bytes": len(stored or b""), "encoding": encoding, "info": info},
    )  # fmt: skip
    m.ok = (m.ratio or 0) <= TARGET_L2_RATIO
    return m


def l1_hit(ctx: BenchContext, body: bytes) -> Measurement:
    rounds, per_round = _rounds(ctx)
    cache = CacheManager(None)
    cache.set(NAMESPACE, GAME, body)
    entry = cache.get(NAMESPACE, {**GAME})
    assert entry is not None and entry.tier == "l1"
    plain = {cache.key(NAMESPACE, GAME): body}
    key = cache.key(NAMESPACE, GAME)

    def manager_get() -> object:
        return cache.get(NAMESPACE, {"game": "2024_01_KC_BAL", "model": "v2024.09"})

    samples = sample_interleaved({"manager": manager_get, "dict": lambda: plain.get(key)}, rounds, per_round,
                                 warmup=ctx.pick(5000, 5000, 500), on_round=ctx.progress.rounds)  # fmt: skip
    peak, _ = profile_calls(manager_get, calls=50)
    cache.close()
    m = Measurement(
        "cache.l1_hit", "L1 hit", "us", from_ns(pooled(samples["manager"]), "us"),
        Reference("dict lookup", from_ns(pooled(samples["dict"]), "us")),
        target=f"median <= {TARGET_L1_MEDIAN_US:g} us", peak_memory_bytes=peak,
        details={"info": [describe(summarise("L1 hit via manager", pooled(samples["manager"])))]},
    )  # fmt: skip
    m.ok = m.value <= TARGET_L1_MEDIAN_US
    return m


def _unreachable_url() -> str:
    """A loopback port nobody listens on: connections are refused at once, as with a killed server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    return f"redis://127.0.0.1:{port}/0"


def breaker_open(ctx: BenchContext, document: dict[str, Any]) -> Measurement:
    """Redis unreachable; get_or_compute on cold keys vs the bare producer."""
    rounds, per_round = _rounds(ctx)
    cache = CacheManager(
        CacheConfig(_unreachable_url(), breaker_cooldown_s=3600.0)
    )  # stays open while we measure

    def producer() -> bytes:
        return orjson.dumps(document)  # what a real producer does last: serialise the payload

    opened_in: list[float] = []
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

    samples = sample_interleaved({"manager": cold_call, "producer": producer}, rounds, per_round,
                                 warmup=ctx.pick(3000, 3000, 300), on_round=ctx.progress.rounds)  # fmt: skip
    hot = sample_interleaved({"hit": lambda: cache.get_or_compute(NAMESPACE, {"opening": 0}, producer)},
                             3, per_round, warmup=ctx.pick(1000, 1000, 100))  # fmt: skip
    assert cache.breaker.state == "open" and cache.stats.computes >= rounds * per_round
    manager = pooled(samples["manager"])
    # Per call: time spent in get_or_compute outside the producer (the producer timed itself).
    overhead_each = [
        total - inner for total, inner in zip(manager, in_producer[-len(manager) :], strict=True)
    ]
    peak, _ = profile_calls(cold_call, calls=50)
    cache.close()
    manager_p99 = per_round_percentile(samples["manager"], 99)
    producer_p99 = per_round_percentile(samples["producer"], 99)
    overhead_p99 = manager_p99 - producer_p99
    return Measurement(
        "cache.breaker_open_overhead", "outage: breaker-open get_or_compute, cold key", "us",
        from_ns(manager, "us"), Reference("plain producer", from_ns(pooled(samples["producer"]), "us")),
        figure="p99", project_figure=round(manager_p99, 4), reference_figure=round(producer_p99, 4),
        note=f"overhead {overhead_p99:.2f} us", target=f"p99 overhead <= {TARGET_BREAKER_P99_OVERHEAD_US:g} us",
        ok=overhead_p99 <= TARGET_BREAKER_P99_OVERHEAD_US, peak_memory_bytes=peak,
        # A cold-key compute of a few microseconds behind an open breaker: between two runs a minute
        # apart on a quiet machine it moved x1.39 against a reference x1.10. Its target is still
        # checked in every run; validate shows it without judging it.
        judged=False,
        details={"overhead_p99_us": round(overhead_p99, 3), "breaker_opened_after_calls": len(opened_in),
                 "slowest_opening_call_ms": round(max(opened_in, default=0.0) * 1000, 3),
                 "info": [describe(summarise("per-call overhead (total - producer)", overhead_each)),
                          describe(summarise("get_or_compute, breaker open, L1 hit", pooled(hot["hit"])))]},
    )  # fmt: skip


def run(ctx: BenchContext, redis_url: str | None = None) -> list[Measurement]:
    """Against ``redis_url``, else the stack's Redis (the local harness starts one when there is none)."""
    document = prediction_document()
    body = orjson.dumps(document)
    url = redis_url or (ctx.stack.redis_url if ctx.stack is not None else None)
    if not url:
        raise ValueError("the cache category needs a Redis URL (the stack's REDIS_URL)")
    results = []
    for label, bench in (("cache.l2_hit", lambda: l2_hit(ctx, url, body)),
                         ("cache.l1_hit", lambda: l1_hit(ctx, body)),
                         ("cache.breaker_open_overhead", lambda: breaker_open(ctx, document))):  # fmt: skip
        ctx.progress.begin(label)
        results.append(bench())
        ctx.progress.end()
    for m in results:
        m.details.update(payload_bytes=len(body), etag_algorithm=ETAG_ALGORITHM)
    return results
