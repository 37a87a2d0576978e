"""Every cache-key shape the service uses, in one place.

A key is a namespace plus canonical parameters; if two call sites built the same key differently
the result would be silent cache misses (or, worse, one caller's body served to another), so every
reader and writer asks this module. Kept free of heavy imports so routes can name namespaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from nfl_predictor.cache.keys import SLOT_PARAM

GAME_NS = "predictions"  # a game's full payload
VIEW_NS = "prediction_views"  # include/experts/fields selections of it
WEEK_NS = "week_predictions"  # a whole week as one document (and filtered views of it)
SCHEDULE_NS = "schedule"
SIMILAR_NS = "similar"
SEARCH_NS = "search"
LEADERBOARD_NS = "leaderboard"

ALL = (GAME_NS, VIEW_NS, WEEK_NS, SCHEDULE_NS, SIMILAR_NS, SEARCH_NS, LEADERBOARD_NS)


_WEEK_OF_GAME = re.compile(r"(\d{4})_(\d{2})_").match


def week_slot(game_id: str) -> str:
    """The hash tag a game's entry shares with the rest of its week: ``2025_13`` for nflverse ids
    (``<season>_<week>_<away>_<home>``), so the whole-week MGET reads one hash slot on a Redis
    Cluster; any other id is its own slot (correct, just not grouped)."""
    found = _WEEK_OF_GAME(game_id)
    return found.group(0)[:-1] if found else game_id


class CacheKey(NamedTuple):
    namespace: str
    params: dict[str, Any]


def game(game_id: str, model: str) -> CacheKey:
    """A game's full payload; tagged with its week (read together: ``games``, one MGET)."""
    return CacheKey(GAME_NS, {"game": game_id, "model": model, SLOT_PARAM: week_slot(game_id)})


def games(game_ids: Iterable[str], model: str) -> list[dict[str, Any]]:
    """The parameters of several games' keys, for one MGET (``cache.get_many(GAME_NS, ...)``)."""
    return [game(game_id, model).params for game_id in game_ids]


def view(game_id: str, model: str, selection: dict[str, str]) -> CacheKey:
    """A filtered view of a game; ``selection`` is ``ViewSpec.key_params()`` (include/experts/fields)."""
    return CacheKey(VIEW_NS, {"game": game_id, "model": model, **selection})


def week(season: int, week_number: int, model: str, selection: dict[str, str] | None = None) -> CacheKey:
    """A whole week; ``selection`` (``ViewSpec.key_params()``) for a filtered view of every game in it.
    Views live in the week namespace too, so invalidating weeks drops them with the full documents."""
    return CacheKey(WEEK_NS, {"season": season, "week": week_number, "model": model, **(selection or {})})


def schedule(season: int, week_number: int | None) -> CacheKey:
    return CacheKey(SCHEDULE_NS, {"season": season, "week": week_number})


def similar(game_id: str, k: int, model: str) -> CacheKey:
    return CacheKey(SIMILAR_NS, {"game": game_id, "k": k, "model": model})


def search(text: str, source: str, k: int, threshold: float) -> CacheKey:
    # The exact text: the response echoes it, so two spellings must not share an entry.
    return CacheKey(SEARCH_NS, {"q": text, "source": source, "k": k, "threshold": threshold})


def leaderboard(season: int | None, query: dict[str, Any] | None = None) -> CacheKey:
    """``query``: ``LeaderboardQuery.key_params()`` (sort, order, category, page)."""
    return CacheKey(LEADERBOARD_NS, {"season": season, **(query or {})})
