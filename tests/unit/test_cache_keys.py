from __future__ import annotations

import datetime as dt
import enum
from urllib.parse import unquote

import numpy as np
import pytest
from nfl_predictor.cache import keys, normalise_params
from nfl_predictor.cache.resolver import KeyResolver


def make_key(namespace: str, params: keys.Params | None = None, *, schema_version: int = 1) -> str:
    return KeyResolver(schema_version).resolve(namespace, params).key


def test_key_layout_and_param_order_does_not_matter() -> None:
    a = make_key("predictions", {"week": 1, "season": 2024}, schema_version=3)
    b = make_key("predictions", {"season": 2024, "week": 1}, schema_version=3)
    assert a == b == "nflp:3:predictions:season=2024&week=1"


def test_none_params_are_dropped_and_empty_params_allowed() -> None:
    assert make_key("teams", {"season": 2024, "conference": None}) == "nflp:1:teams:season=2024"
    assert make_key("teams") == make_key("teams", {}) == "nflp:1:teams:"


def test_equal_values_share_a_key() -> None:
    # 1 == 1.0 == True == numpy 1: the key cache in the manager relies on this.
    expected = normalise_params({"week": 1})
    for value in (1.0, True, np.int64(1), np.float32(1.0)):
        assert normalise_params({"week": value}) == expected
    assert normalise_params({"flag": False}) == "flag=0"
    assert normalise_params({"x": 0.5}) == "x=0.5"


def test_aware_datetimes_render_in_utc() -> None:
    utc = dt.datetime(2024, 9, 8, 17, 0, tzinfo=dt.UTC)
    east = utc.astimezone(dt.timezone(dt.timedelta(hours=-4)))
    assert utc == east
    assert normalise_params({"at": utc}) == normalise_params({"at": east})
    assert normalise_params({"day": dt.date(2024, 9, 8)}) == "day=2024-09-08"


def test_enums_sequences_and_sets() -> None:
    class Team(enum.Enum):
        KC = "KC"

    assert normalise_params({"team": Team.KC}) == "team=KC"
    assert normalise_params({"experts": ["b", "a"]}) == "experts=b+a"  # order kept for lists
    assert normalise_params({"experts": {"b", "a"}}) == "experts=a+b"  # sets sorted


def test_reserved_characters_are_escaped_so_pairs_split_exactly() -> None:
    text = normalise_params({"q": "a&b=c:d*e?[f]+g h#", "k&=": "v"})
    pairs = keys.param_pairs(text)
    assert len(pairs) == 2
    for pair in pairs:
        name, value = pair.split("=")  # exactly one '=' per pair
        for ch in "&:*?[]+ #":
            assert ch not in name + value
    decoded = {unquote(name): unquote(value) for name, value in (p.split("=") for p in pairs)}
    assert decoded == {"q": "a&b=c:d*e?[f]+g h#", "k&=": "v"}


def test_unsupported_values_raise() -> None:
    with pytest.raises(TypeError):
        normalise_params({"obj": object()})
    with pytest.raises(TypeError):
        normalise_params({1: "x"})  # type: ignore[dict-item]


@pytest.mark.parametrize("namespace", ["", "Predictions", "a:b", "x" * 65, "~gen", "a b"])
def test_invalid_namespaces_are_rejected(namespace: str) -> None:
    with pytest.raises(ValueError):
        make_key(namespace, {"a": 1})


def test_long_keys_are_hashed_deterministically() -> None:
    params = {"experts": [f"expert_{i}" for i in range(20)], "game": "2024_01_KC_BAL"}
    key = make_key("prediction_views", params)
    assert len(key) <= keys.MAX_KEY_LENGTH
    assert key.startswith("nflp:1:prediction_views:#")
    assert key == make_key("prediction_views", dict(reversed(list(params.items()))))
    other = make_key("prediction_views", {**params, "game": "2024_01_KC_BUF"})
    assert other != key


def test_exact_pair_matching() -> None:
    week1 = normalise_params({"season": 2024, "week": 1})
    week10 = normalise_params({"season": 2024, "week": 10})
    wanted = keys.param_pairs(normalise_params({"week": 1}))
    assert wanted <= keys.param_pairs(week1)
    assert not wanted <= keys.param_pairs(week10)


def test_meta_and_lock_keys_are_outside_every_namespace() -> None:
    key = make_key("predictions", {"week": 1})
    assert keys.lock_key(key, 1) == "nflp:1:~lock:{nflp:1:predictions:week=1}"  # the key is its tag
    assert keys.meta_key("gen", "predictions", 1) == "nflp:1:~gen:predictions"
    assert not keys.meta_key("gen", "predictions", 1).startswith(keys.namespace_prefix("predictions", 1))
