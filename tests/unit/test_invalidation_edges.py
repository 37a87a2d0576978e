"""Invalidator edges on fake tiers (cache/invalidation.py): the refusals and failures a real Redis
rarely produces, the SCAN batch size, and a hashed key whose stored params are exactly the match."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from nfl_predictor.cache import codec, keys
from nfl_predictor.cache.invalidation import InvalidationResult, Invalidator
from nfl_predictor.cache.redis_tier import UNAVAILABLE, RedisUnavailableError

PREFIX = "nflp:v1:predictions:"


class L1:
    def delete_where(self, predicate: Callable[[str, Any], bool]) -> int:
        return 0


class Resolver:
    def namespace_prefix(self, namespace: str) -> str:
        return PREFIX


class Stamps:
    def bump_epoch(self, namespace: str) -> bool:
        return True


class Redis:
    def __init__(self, stored: dict[str, bytes], mget: Any = None, unlink: Any = None) -> None:
        self.stored = stored
        self.counts: list[int] = []
        self._mget = mget
        self._unlink = unlink

    def scan(self, pattern: str, count: int) -> Iterator[list[str]]:
        self.counts.append(count)
        yield [k for k in self.stored if k.startswith(pattern[:-1])]

    def mget(self, found: list[str]) -> Any:
        return self._mget if self._mget is not None else [self.stored.get(k) for k in found]

    def unlink(self, doomed: list[str]) -> Any:
        if self._unlink is not None:
            return self._unlink
        for key in doomed:
            del self.stored[key]
        return len(doomed)


def entry(params: str) -> bytes:
    return codec.pack(codec.build_entry(b"{}", 0.0, 1.0, "identity"), 0, params.encode())


def invalidator(redis: Redis | None) -> Invalidator:
    return Invalidator(L1(), redis, Stamps(), Resolver())  # type: ignore[arg-type]


def test_matching_nothing_is_refused_with_the_way_out() -> None:
    with pytest.raises(ValueError) as refused:
        invalidator(None).matching("predictions", {}, batch=10)
    assert str(refused.value) == "invalidate_matching needs at least one parameter; use invalidate_namespace"


def test_without_redis_only_l1_is_cleared_and_that_is_success() -> None:
    assert invalidator(None).matching("predictions", {"week": 1}, batch=10) == InvalidationResult(0, 0, True)


def test_the_scan_uses_the_batch_size_and_a_hashed_key_matching_exactly_goes() -> None:
    hashed = PREFIX + keys.HASHED_MARK + "abc"
    redis = Redis({hashed: entry("week=1"), PREFIX + "week=1": entry(""), PREFIX + "week=10": entry("")})
    result = invalidator(redis).matching("predictions", {"week": 1}, batch=7)
    assert redis.counts == [7]
    assert result == InvalidationResult(0, 2, True) and list(redis.stored) == [PREFIX + "week=10"]


def test_redis_failing_mid_walk_is_reported_by_its_step() -> None:
    hashed = [PREFIX + keys.HASHED_MARK + "abc"]
    with pytest.raises(RedisUnavailableError, match=r"^MGET failed during invalidation$"):
        Invalidator._unlink_matches(Redis({}, mget=UNAVAILABLE), PREFIX, {"week=1"}, hashed)  # type: ignore[arg-type]
    with pytest.raises(RedisUnavailableError, match=r"^UNLINK failed during invalidation$"):
        Invalidator._unlink_matches(Redis({}, unlink=UNAVAILABLE), PREFIX, {"week=1"}, [PREFIX + "week=1"])  # type: ignore[arg-type]
    assert invalidator(Redis({PREFIX + "week=1": b""}, unlink=UNAVAILABLE)).matching(
        "predictions", {"week": 1}, batch=1
    ) == InvalidationResult(0, 0, False)


def test_a_short_mget_reply_is_an_error_not_a_silent_skip() -> None:
    hashed = [PREFIX + keys.HASHED_MARK + "a", PREFIX + keys.HASHED_MARK + "b"]
    with pytest.raises(ValueError):
        Invalidator._unlink_matches(Redis({}, mget=[entry("week=1")]), PREFIX, {"week=1"}, hashed)  # type: ignore[arg-type]
