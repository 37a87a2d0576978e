"""A cached entry together with where it came from (the X-Cache header) and its prediction count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from nfl_predictor.cache import CacheEntry, CacheManager

Source = Literal["l1", "redis", "db", "miss"]


@dataclass
class Served:
    entry: CacheEntry
    source: Source
    prediction_count: int = 0


def tier_source(entry: CacheEntry) -> Source:
    return "l1" if entry.tier == "l1" else "redis"


def read_through(cache: CacheManager, namespace: str, params: dict[str, Any], producer: Callable[[], Any],
                 *, produced: Source = "miss") -> Served:  # fmt: skip
    """get_or_compute, remembering whether this call ran the producer (then the source is ``produced``)."""
    ran: list[bool] = []

    def tracked() -> Any:
        ran.append(True)
        return producer()

    entry = cache.get_or_compute(namespace, params, tracked)
    return Served(entry, produced if ran else tier_source(entry))
