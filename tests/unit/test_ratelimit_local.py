"""The per-process fallback bucket (used while Redis is unavailable), on a clock moved by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from nfl_predictor.service import ratelimit
from nfl_predictor.service.ratelimit import Decision, Limit, LocalBuckets


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(monotonic=lambda: now[0]))
    return now


def verdict(decision: Decision) -> tuple[bool, int, str]:
    """What the caller is told: allowed, Retry-After, and which bucket said so."""
    return decision.allowed, decision.retry_after_s, decision.backend


ALLOWED = (True, 0, "local")


def refused(retry_after_s: int) -> tuple[bool, int, str]:
    return False, retry_after_s, "local"


def test_burst_then_refill_at_the_tier_rate(clock: list[float]) -> None:
    buckets, limit = LocalBuckets(), Limit(per_second=0.5, burst=2)
    assert [verdict(buckets.take("k", limit)) for _ in range(3)] == [ALLOWED, ALLOWED, refused(2)]
    clock[0] += 1  # half a token back
    assert verdict(buckets.take("k", limit)) == refused(1)
    clock[0] += 1  # exactly one token
    assert verdict(buckets.take("k", limit)) == ALLOWED
    assert verdict(buckets.take("k", limit)) == refused(2)
    clock[0] += 100  # refills up to the burst, no further
    assert [verdict(buckets.take("k", limit)) for _ in range(3)] == [ALLOWED, ALLOWED, refused(2)]


def test_retry_after_is_at_least_a_second(clock: list[float]) -> None:
    buckets, limit = LocalBuckets(), Limit(per_second=4.0, burst=1)
    assert verdict(buckets.take("k", limit)) == ALLOWED
    assert verdict(buckets.take("k", limit)) == refused(1)


def test_buckets_are_per_key(clock: list[float]) -> None:
    buckets, limit = LocalBuckets(), Limit(per_second=0.1, burst=1)
    assert verdict(buckets.take("a", limit)) == ALLOWED
    assert verdict(buckets.take("b", limit)) == ALLOWED
    assert verdict(buckets.take("a", limit)) == refused(10)


def test_lease_size_is_a_tenth_of_a_second_within_one_and_the_burst() -> None:
    assert Limit(per_second=200.0, burst=100).lease_size == 20
    assert Limit(per_second=200.0, burst=5).lease_size == 5
    assert Limit(per_second=0.5, burst=10).lease_size == 1
    assert Limit(per_second=15.0, burst=100).lease_size == 1


def test_decisions_carry_the_ratelimit_header_fields(clock: list[float]) -> None:
    buckets, limit = LocalBuckets(), Limit(per_second=0.5, burst=2)
    first = buckets.take("k", limit)
    assert (first.limit, first.remaining, first.reset_s) == (2, 1, 2)
    assert first.headers() == {"RateLimit-Limit": "2", "RateLimit-Remaining": "1", "RateLimit-Reset": "2"}
    buckets.take("k", limit)
    empty = buckets.take("k", limit)
    assert (empty.limit, empty.remaining, empty.reset_s) == (2, 0, 4)


def test_the_level_refills_at_the_tier_rate_up_to_the_burst(clock: list[float]) -> None:
    buckets, limit = LocalBuckets(), Limit(per_second=4.0, burst=10)
    assert buckets.level("k", limit) is None  # never seen
    buckets.seed("k", 1.5)
    assert buckets.level("k", limit) == 1.5
    clock[0] += 0.5
    assert buckets.level("k", limit) == 3.5
    clock[0] += 100
    assert buckets.level("k", limit) == 10.0


def test_seeded_buckets_are_lru_bounded(clock: list[float]) -> None:
    buckets, limit = LocalBuckets(max_buckets=2), Limit(per_second=1.0, burst=5)
    buckets.seed("a", 1.0)
    buckets.seed("b", 2.0)
    assert (buckets.level("a", limit), buckets.level("b", limit)) == (1.0, 2.0)  # at the bound: both kept
    buckets.seed("a", 3.0)  # seen again: now the newest
    buckets.seed("c", 4.0)  # over the bound: the oldest (b) goes
    assert [buckets.level(key, limit) for key in ("a", "b", "c")] == [3.0, None, 4.0]
    assert LocalBuckets().max_buckets == 100_000
