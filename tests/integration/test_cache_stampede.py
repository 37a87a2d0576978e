"""Stampede control: one cold key, many concurrent callers, the producer runs exactly once.

Producer runs are counted with INCR on a separate Redis key, so the count spans processes.
"""

from __future__ import annotations

import multiprocessing
import threading
import time

import redis
from nfl_predictor.cache import CacheConfig, CacheManager

BODY = b'{"game":"2024_01_KC_BAL","predictions":[1,2,3]}'
COUNTER = "test:producer-runs"


def _hammer(url: str, threads: int, start_barrier: threading.Barrier | None = None) -> list[bytes]:
    """``threads`` concurrent get_or_compute calls for one cold key through one manager."""
    cache = CacheManager(CacheConfig(url, lock_wait_s=10.0))
    counter = redis.Redis.from_url(url)

    def produce() -> bytes:
        counter.incr(COUNTER)
        time.sleep(0.3)  # long enough that every caller arrives while it runs
        return BODY

    local_barrier = threading.Barrier(threads)
    bodies: list[bytes] = []

    def call() -> None:
        local_barrier.wait()
        bodies.append(cache.get_or_compute("predictions", {"game": "2024_01_KC_BAL"}, produce).body)

    workers = [threading.Thread(target=call) for _ in range(threads)]
    if start_barrier is not None:
        start_barrier.wait()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    cache.close()
    counter.close()
    return bodies


def _process_main(url: str, barrier: threading.Barrier, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    try:
        out.put(_hammer(url, 25, barrier))
    except BaseException as exc:  # surface child failures in the parent's assertion
        out.put(repr(exc))


def test_fifty_threads_one_process_compute_once(redis_url: str) -> None:
    bodies = _hammer(redis_url, 50)
    assert bodies == [BODY] * 50
    assert int(redis.Redis.from_url(redis_url).get(COUNTER) or 0) == 1


def test_four_processes_of_25_calls_compute_once(redis_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4)
    out = ctx.Queue()
    procs = [ctx.Process(target=_process_main, args=(redis_url, barrier, out)) for _ in range(4)]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    for result in results:
        assert result == [BODY] * 25, result
    assert int(redis.Redis.from_url(redis_url).get(COUNTER) or 0) == 1
