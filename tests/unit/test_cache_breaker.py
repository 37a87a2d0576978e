from __future__ import annotations

import threading

from nfl_predictor.cache.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_only() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, cooldown_s=5.0, clock=clock)
    breaker.failure()
    breaker.failure()
    breaker.success()  # not consecutive any more
    breaker.failure()
    breaker.failure()
    assert breaker.state == "closed" and breaker.allow()
    breaker.failure(RuntimeError("boom"))
    assert breaker.state == "open"
    assert not breaker.allow()
    assert breaker.times_opened == 1
    assert breaker.snapshot()["last_error"] == "RuntimeError"  # the type only: messages name hosts


def test_half_open_lets_exactly_one_probe_through() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, cooldown_s=5.0, clock=clock)
    breaker.failure()
    clock.now += 5.0
    assert breaker.state == "half_open"
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # everyone else keeps skipping while it runs
    breaker.success()
    assert breaker.state == "closed" and breaker.allow()


def test_failed_probe_reopens_for_another_cooldown() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, cooldown_s=5.0, clock=clock)
    breaker.failure()
    clock.now += 5.0
    assert breaker.allow()
    breaker.failure()
    assert breaker.state == "open"
    clock.now += 4.9
    assert not breaker.allow()
    clock.now += 0.2
    assert breaker.allow()
    assert breaker.times_opened == 1  # one outage, however many probes failed


def test_lost_probe_does_not_wedge_the_breaker() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, cooldown_s=2.0, clock=clock)
    breaker.failure()
    clock.now += 2.0
    assert breaker.allow()  # probe granted, never reports back
    clock.now += 1.0
    assert not breaker.allow()
    clock.now += 1.5
    assert breaker.allow()


def test_only_one_probe_under_concurrency() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, cooldown_s=1.0, clock=clock)
    breaker.failure()
    clock.now += 1.0
    granted: list[bool] = []
    barrier = threading.Barrier(16)

    def attempt() -> None:
        barrier.wait()
        granted.append(breaker.allow())

    threads = [threading.Thread(target=attempt) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert granted.count(True) == 1
