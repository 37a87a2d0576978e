from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from nfl_predictor.cache.singleflight import SingleFlight


def _do(flight: SingleFlight[int], key: str, fn: Callable[[], int]) -> int:
    """The protocol read-through follows: the leader computes and finishes, followers wait."""
    call, leader = flight.begin(key)
    if not leader:
        return call.wait()
    try:
        result = fn()
    except BaseException as exc:
        flight.finish(key, call, error=exc)
        raise
    flight.finish(key, call, result=result)
    return result


def test_concurrent_callers_share_one_computation() -> None:
    flight: SingleFlight[int] = SingleFlight()
    runs = 0
    lock = threading.Lock()
    barrier = threading.Barrier(20)
    results: list[int] = []

    def compute() -> int:
        nonlocal runs
        with lock:
            runs += 1
        time.sleep(0.1)
        return 42

    def call() -> None:
        barrier.wait()
        results.append(_do(flight, "k", compute))

    threads = [threading.Thread(target=call) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert runs == 1
    assert results == [42] * 20
    assert flight.begin("k")[1]  # the key was freed: the next caller leads


def test_errors_reach_every_waiter_and_the_key_is_freed() -> None:
    flight: SingleFlight[int] = SingleFlight()
    leader, is_leader = flight.begin("k")
    follower, is_follower_leader = flight.begin("k")
    assert is_leader and not is_follower_leader and follower is leader
    flight.finish("k", leader, error=ValueError("nope"))
    with pytest.raises(ValueError):
        follower.wait()
    assert _do(flight, "k", lambda: 7) == 7  # the key was freed: this caller led and computed


def test_wait_timeout() -> None:
    flight: SingleFlight[int] = SingleFlight()
    call, _ = flight.begin("k")
    with pytest.raises(TimeoutError):
        call.wait(timeout=0.01)
    flight.finish("k", call, result=1)
    assert call.wait(timeout=0.01) == 1
    assert call.wait() == 1  # the latch stays open for late waiters
