"""A cached entry together with where it came from (the X-Cache header) and its prediction count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from nfl_predictor.cache import CacheEntry, CacheManager
from nfl_predictor.service.cache_keys import CacheKey

Source = Literal["l1", "redis", "db", "miss"]


@dataclass
class Served:
    entry: CacheEntry
    source: Source
    prediction_count: int = 0


def tier_source(entry: CacheEntry) -> Source:
    return "l1" if entry.tier == "l1" else "redis"


class Produced(NamedTuple):
    """A producer's value together with where it came from, when that is not always the same."""

    value: Any
    source: Source


def read_through(cache: CacheManager, key: CacheKey, producer: Callable[[], Any], *,
                 produced: Source = "miss") -> Served:  # fmt: skip
    """get_or_compute, remembering whether this call ran the producer: then the source is ``produced``,
    or the one the producer named by returning ``Produced``."""
    ran: list[Source] = []

    def tracked() -> Any:
        value = producer()
        if isinstance(value, Produced):
            ran.append(value.source)
            return value.value
        ran.append(produced)
        return value

    entry = cache.get_or_compute(key.namespace, key.params, tracked)
    return Served(entry, ran[0] if ran else tier_source(entry))
