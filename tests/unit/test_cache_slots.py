"""Hash slots: what one MGET, pipeline or script reads together must live in one Redis Cluster slot."""

from __future__ import annotations

import pytest
from nfl_predictor.cache import keys
from nfl_predictor.cache.resolver import KeyResolver
from nfl_predictor.service import cache_keys
from redis.crc import key_slot

WEEK = [f"2025_13_{away}_{home}" for away, home in
        (("ARI", "DET"), ("BUF", "KC"), ("CHI", "GB"), ("DAL", "NYG"), ("LV", "DEN"), ("MIA", "NE"),
         ("PIT", "CLE"), ("SEA", "SF"), ("TB", "NO"), ("TEN", "JAX"), ("WAS", "PHI"), ("LAC", "LAR"))]  # fmt: skip


def _slot(key: str) -> int:
    return int(key_slot(key.encode()))


def _keys(resolver: KeyResolver, ids: list[str], model: str = "v1") -> list[str]:
    return [resolver.resolve(cache_keys.GAME_NS, p).key for p in cache_keys.games(ids, model)]


def test_a_weeks_game_keys_share_one_slot() -> None:
    found = _keys(KeyResolver(1), WEEK)
    assert len(set(found)) == len(WEEK)
    assert {_slot(k) for k in found} == {_slot(found[0])}
    assert all("{2025_13}" in k for k in found)


def test_without_the_tag_a_week_spreads_over_slots() -> None:
    # The guard on the guard: the same params without the slot pair land in many slots.
    resolver = KeyResolver(1)
    untagged = [resolver.resolve(cache_keys.GAME_NS, {k: v for k, v in p.items() if k != keys.SLOT_PARAM}).key
                for p in cache_keys.games(WEEK, "v1")]  # fmt: skip
    assert len({_slot(k) for k in untagged}) > 1


def test_weeks_and_models_spread_over_slots() -> None:
    resolver = KeyResolver(1)
    slots = {_slot(_keys(resolver, [f"{season}_{week:02d}_ARI_DET"])[0])
             for season in (2023, 2024, 2025) for week in range(1, 19)}  # fmt: skip
    assert len(slots) > 40  # 54 weeks: the cluster still shards by week


def test_week_slot_of_game_ids() -> None:
    assert cache_keys.week_slot("2025_13_ARI_DET") == "2025_13"
    assert cache_keys.week_slot("odd-id") == "odd-id"


@pytest.mark.parametrize("params", [{"game": "2025_13_ARI_DET", "model": "v1", "slot": "2025_13"},
                                    {"season": 2025, "week": 13}, {"q": "x" * 300}])  # fmt: skip
def test_a_lock_shares_its_keys_slot(params: dict[str, object]) -> None:
    resolver = KeyResolver(1)
    key = resolver.resolve("predictions", params).key
    assert _slot(resolver.lock_key(key)) == _slot(key)


def test_hashed_keys_keep_their_tag() -> None:
    resolver = KeyResolver(1)
    long_model = "m" * 120
    short = resolver.resolve("predictions", {"game": "2025_13_ARI_DET", "slot": "2025_13"})
    hashed = resolver.resolve(
        "predictions", {"game": "2025_13_ARI_DET", "model": long_model, "slot": "2025_13"}
    )
    assert hashed.hashed and hashed.key.startswith("nflp:1:predictions:{2025_13}:#")
    assert _slot(hashed.key) == _slot(short.key)


def test_params_never_inject_a_tag() -> None:
    key = KeyResolver(1).resolve("search", {"q": "{evil}"}).key
    assert "{" not in key and "}" not in key
    tagged = KeyResolver(1).resolve("predictions", {"slot": "{x}"}).key
    assert tagged.count("{") == 1 and tagged.count("}") == 1


def test_key_params_strips_the_tag() -> None:
    assert keys.key_params("{2025_13}:game=a&slot=2025_13") == "game=a&slot=2025_13"
    assert keys.key_params("season=2025") == "season=2025"
