"""Edges of the cache-key rules: aware datetimes in UTC whatever the machine's zone, what is refused
(and the message naming the type), and the key prefix."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Iterator

import numpy as np
import pytest
from nfl_predictor.cache import keys
from nfl_predictor.cache.keys import key_from_normalised, namespace_prefix, normalise_params, param_pairs


def make_key(
    namespace: str, params: dict[str, object], schema_version: int = 1, prefix: str = keys.PREFIX
) -> str:
    """A key as the cache builds it (cache/resolver.py): the namespace's prefix, then the params."""
    return key_from_normalised(namespace_prefix(namespace, schema_version, prefix), normalise_params(params))[
        0
    ]


@pytest.fixture
def new_york_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_aware_datetimes_are_rendered_in_utc_not_the_local_zone(new_york_local_time: None) -> None:
    berlin = dt.timezone(dt.timedelta(hours=2))
    kickoff = dt.datetime(2025, 9, 7, 19, 0, tzinfo=berlin)
    assert normalise_params({"at": kickoff}) == "at=2025-09-07T17%3A00%3A00%2B00%3A00"
    assert normalise_params({"at": kickoff}) == normalise_params({"at": kickoff.astimezone(dt.UTC)})


class ShapeOnly:
    shape = ()


class ItemOnly:
    def item(self) -> int:
        return 1


@pytest.mark.parametrize(
    ("value", "name"),
    [({"a": 1}, "dict"), (object(), "object"), (ShapeOnly(), "ShapeOnly"), (ItemOnly(), "ItemOnly"),
     (np.array([1, 2]), "ndarray"), (b"bytes", "bytes")],
)  # fmt: skip
def test_anything_but_a_scalar_is_refused_by_type(value: object, name: str) -> None:
    with pytest.raises(
        TypeError, match=rf"^cache key params must be scalars or sequences of scalars, not {name}$"
    ):
        normalise_params({"x": value})


def test_numpy_scalars_are_their_python_values() -> None:
    assert normalise_params({"x": np.array(3)}) == normalise_params({"x": 3}) == "x=3"
    assert normalise_params({"x": np.float64(0.25)}) == "x=0.25"


def test_the_prefix_and_schema_version_lead_the_key() -> None:
    assert make_key("games", {"week": 1}, schema_version=4, prefix="other") == "other:4:games:week=1"
    assert make_key("games", {"week": 1}) == f"{keys.PREFIX}:1:games:week=1" and keys.PREFIX == "nflp"


def test_the_encoding_keeps_pairs_splittable() -> None:
    # tests-17 decoded the params back (decode_params); main splits them into exact pairs instead.
    normalised = normalise_params({"q": "a=b&c", "week": 1, "name with space": "x"})
    assert normalised == "name%20with%20space=x&q=a%3Db%26c&week=1"
    assert param_pairs(normalised) == {"q=a%3Db%26c", "week=1", "name%20with%20space=x"}
    assert param_pairs("") == set()


def test_names_and_values_never_seen_before_are_encoded_too() -> None:
    # Encodings are memoised; fresh strings take the path a warm process rarely does.
    fresh = uuid.uuid4().hex
    assert normalise_params({f"n{fresh}": f"v {fresh}/&"}) == f"n{fresh}=v%20{fresh}%2F%26"
    assert normalise_params({f"n{fresh}": f"v {fresh}/&"}) == f"n{fresh}=v%20{fresh}%2F%26"  # now memoised
    with pytest.raises(TypeError, match=r"^cache key param names must be str, not int$"):
        normalise_params({1: "x"})  # type: ignore[dict-item]


def test_keys_longer_than_the_limit_are_hashed() -> None:
    prefix = keys.namespace_prefix("games", 1)
    at_limit = "x=" + "a" * (keys.MAX_KEY_LENGTH - len(prefix) - 2)
    assert keys.key_from_normalised(prefix, at_limit) == (prefix + at_limit, False)
    key, hashed = keys.key_from_normalised(prefix, at_limit + "a")
    assert hashed is True and key == prefix + keys.HASHED_MARK + key[-32:] and len(key) == len(prefix) + 33
    assert key[-32:] == hashlib.sha256((at_limit + "a").encode()).hexdigest()[:32]
