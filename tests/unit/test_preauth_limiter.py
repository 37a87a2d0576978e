"""The pre-auth limiter's buckets on a fake clock (service/ratelimit.py: PreAuthLimiter)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from nfl_predictor.service import ratelimit
from nfl_predictor.service.ratelimit import PreAuthLimiter


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    clock = [500.0]
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    return clock


def test_defaults() -> None:
    limiter = PreAuthLimiter((1.0, 1), (1.0, 1))
    assert limiter.max_clients == 10_000 and limiter.refused == 0


def test_a_drained_bucket_refills_at_its_rate_up_to_its_burst(now: list[float]) -> None:
    limiter = PreAuthLimiter((2.0, 3), (100.0, 100))
    assert [limiter.check("a").allowed for _ in range(4)] == [True, True, True, False]
    assert limiter.refused == 1
    now[0] += 1.0  # two tokens back at 2/s
    assert [limiter.check("a").allowed for _ in range(3)] == [True, True, False]
    now[0] += 60.0  # never more than the burst
    assert [limiter.check("a").allowed for _ in range(4)] == [True, True, True, False]
    assert limiter.refused == 3


def test_the_overall_bucket_limits_every_address_together(now: list[float]) -> None:
    limiter = PreAuthLimiter((100.0, 100), (0.5, 2))
    assert [limiter.check(c).allowed for c in ("a", "b", "c")] == [True, True, False]
    refused = limiter.check("d")
    assert (refused.allowed, refused.retry_after_s, refused.backend) == (
        False,
        2,
        "local",
    )  # 1 token at 0.5/s
    now[0] += 2.0
    assert limiter.check("e").allowed and not limiter.check("f").allowed


def test_an_address_is_told_when_its_own_bucket_has_a_token(now: list[float]) -> None:
    limiter = PreAuthLimiter((0.25, 1), (100.0, 100))
    assert limiter.check("a") == ratelimit.Decision(True, 0, "local")
    assert limiter.check("a") == ratelimit.Decision(False, 4, "local")
    now[0] += 3.5
    assert limiter.check("a") == ratelimit.Decision(False, 1, "local")  # 0.875 tokens: ceil(0.5) = 1
    assert limiter.check("b").allowed  # another address has its own bucket


def test_the_address_table_is_lru_bounded(now: list[float]) -> None:
    limiter = PreAuthLimiter((0.001, 1), (100.0, 100), max_clients=2)
    assert limiter.check("a").allowed and limiter.check("b").allowed
    assert not limiter.check("a").allowed  # refused: a is still the older entry
    assert limiter.check("c").allowed  # a is dropped (the oldest), b and c remain
    assert list(limiter._clients) == ["b", "c"]
    assert limiter.check("a").allowed  # forgotten, so a fresh bucket; b goes
    assert list(limiter._clients) == ["c", "a"]


def test_an_address_with_a_token_is_told_when_the_overall_bucket_has_one(now: list[float]) -> None:
    limiter = PreAuthLimiter((1.0, 1), (0.25, 1))
    assert limiter.check("a").allowed  # the overall bucket is empty now
    now[0] += 2.0  # half a token back overall; a fresh address has exactly its one token
    assert limiter.check("b") == ratelimit.Decision(False, 2, "local")  # (1 - 0.5) / 0.25 s
