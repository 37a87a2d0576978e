"""Warming is safe to overlap and repairs what a crash left (issue 15, items 2 and 3).

Before: two warms of one week at once stored every research note twice (390 rows for 195 pairs)
and search returned duplicates; a warm that died after storing predictions left them without
research notes or reasoning embeddings, and later warms reported them fresh (``skipped_fresh``).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.api.conftest import ApiStack, runtime_on

pytestmark = pytest.mark.usefixtures("fresh_caches")


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each one's result, or the exception it raised."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        start.wait(timeout=30)
        try:
            results[index] = calls[index]()
        except BaseException as exc:  # returned to the caller, who asserts on it
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def week_rows(stack: ApiStack, season: int, week: int) -> dict[str, Any]:
    games = [str(r[0]) for r in stack.db.fetch("SELECT game_id FROM games WHERE season = :s AND week = :w",
                                               s=season, w=week)]  # fmt: skip
    research = stack.db.fetch(
        "SELECT count(*), count(DISTINCT (game_id, expert_id)) FROM expert_research "
        "WHERE game_id = ANY(:g) AND research_type = 'game_preview'", g=games)[0]  # fmt: skip
    predictions = stack.db.fetch(
        "SELECT count(*), count(reasoning_embedding) FROM predictions WHERE game_id = ANY(:g)", g=games)[0]  # fmt: skip
    return {"games": len(games), "research": list(research), "predictions": list(predictions)}


def test_two_warms_at_once_store_what_one_warm_stores(api_stack: ApiStack) -> None:
    season, week = api_stack.upcoming_week
    for _ in range(3):
        api_stack.db.execute("DELETE FROM expert_research")
        api_stack.db.execute("DELETE FROM predictions")
        a, b = (runtime_on(api_stack.database_url, api_stack.redis.url) for _ in range(2))
        reports = at_once(
            *(functools.partial(r.predictions.warm_week, season, week, force=True) for r in (a, b))
        )
        for runtime in (a, b):
            runtime.close()
        assert not any(isinstance(r, BaseException) for r in reports), reports
        rows = week_rows(api_stack, season, week)
        assert rows["research"] == [15 * rows["games"], 15 * rows["games"]], rows
        assert rows["predictions"] == [rows["games"], rows["games"]], rows


def test_a_warm_after_a_crash_finishes_the_job_without_force(api_stack: ApiStack) -> None:
    season, week = api_stack.upcoming_week
    runtime = api_stack.runtime
    first = runtime.predictions.warm_week(season, week)
    assert first["computed"] == first["games"] > 1
    games = [str(r[0]) for r in api_stack.db.fetch("SELECT game_id FROM predictions ORDER BY game_id")]
    broken = games[: len(games) // 2]
    # What a warm killed between storing predictions and storing research leaves behind.
    api_stack.db.execute("DELETE FROM expert_research WHERE game_id = ANY(:g)", g=broken)
    api_stack.db.execute(
        "UPDATE predictions SET reasoning_embedding = NULL WHERE game_id = ANY(:g)", g=broken
    )
    second = runtime.predictions.warm_week(season, week)
    assert second["repaired"] == len(broken) and second["computed"] == 0
    assert second["skipped_fresh"] == first["games"] - len(broken)
    rows = week_rows(api_stack, season, week)
    assert rows["research"] == [15 * rows["games"]] * 2 and rows["predictions"] == [rows["games"]] * 2
    third = runtime.predictions.warm_week(season, week)
    assert third["repaired"] == 0 and third["skipped_fresh"] == first["games"]
