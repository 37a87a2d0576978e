"""KeyResolver: memoised keys that are always exactly what keys.* would build."""

from __future__ import annotations

from nfl_predictor.cache import keys
from nfl_predictor.cache.resolver import KeyResolver


def _expected(namespace: str, params: keys.Params | None, schema: int = 1) -> str:
    return keys.key_from_normalised(keys.namespace_prefix(namespace, schema), keys.normalise_params(params))[
        0
    ]


def test_resolves_like_the_pure_functions() -> None:
    resolver = KeyResolver(3)
    params = {"week": 1, "season": 2024}
    res = resolver.resolve("predictions", params)
    assert res.key == _expected("predictions", params, 3) == "nflp:3:predictions:season=2024&week=1"
    assert res.params == "season=2024&week=1" and not res.hashed
    long = {"experts": [f"expert_{i}" for i in range(20)]}
    hashed = resolver.resolve("predictions", long)
    assert hashed.hashed and hashed.key == _expected("predictions", long, 3)
    assert hashed.params == keys.normalise_params(long)  # kept for exact-match invalidation


def test_memoises_only_params_seen_twice() -> None:
    resolver = KeyResolver(1)
    first = resolver.resolve("teams", {"season": 2024})
    assert not resolver._resolved  # a one-off key allocates no memo entry
    second = resolver.resolve("teams", {"season": 2024})
    assert second == first and len(resolver._resolved) == 1
    assert resolver.resolve("teams", {"season": 2024}) is second  # served from the memo


def test_memo_is_exact_across_namespaces_and_equal_values() -> None:
    resolver = KeyResolver(1)
    for _ in range(3):
        a = resolver.resolve("teams", {"week": 1})
        b = resolver.resolve("games", {"week": 1})
        c = resolver.resolve("teams", {"week": 1.0})  # equal value, same key
    assert a.key == "nflp:1:teams:week=1" and b.key == "nflp:1:games:week=1" and c.key == a.key


def test_unhashable_params_are_resolved_every_time() -> None:
    resolver = KeyResolver(1)
    for _ in range(3):
        res = resolver.resolve("teams", {"ids": ["KC", "BUF"]})
    assert res.key == "nflp:1:teams:ids=KC+BUF" and not resolver._resolved


def test_memo_is_bounded() -> None:
    resolver = KeyResolver(1)
    for round_ in range(2):
        for g in range(5000):
            assert resolver.resolve("games", {"g": g}).key == f"nflp:1:games:g={g}", round_
    assert len(resolver._seen) <= 4096 and len(resolver._resolved) <= 4096


def test_meta_keys() -> None:
    resolver = KeyResolver(2, prefix="x")
    assert resolver.stamp_key("predictions") == "x:2:~gen:predictions"
    key = resolver.resolve("predictions", {"week": 1}).key
    assert resolver.lock_key(key) == "x:2:~lock:{x:2:predictions:week=1}"
    assert resolver.namespace_prefix("predictions") == "x:2:predictions:"
