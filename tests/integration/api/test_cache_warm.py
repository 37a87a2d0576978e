"""The cache-warm Lambda: stores predictions with research and embeddings, fills Redis, idempotent."""

from __future__ import annotations

import json

import pytest
from nfl_predictor.handlers.cache_warm import make_handler, parse_event
from nfl_predictor.service import cache_keys
from nfl_predictor.service.cache_keys import GAME_NS

from tests.integration.api.conftest import ApiStack, LambdaContext

pytestmark = pytest.mark.usefixtures("fresh_caches")


def snapshot(stack: ApiStack) -> list[list[object]]:
    return stack.db.fetch(
        "SELECT p.game_id, p.created_at, p.reasoning_embedding IS NOT NULL, "
        "(SELECT count(*) FROM expert_research r WHERE r.game_id = p.game_id) FROM predictions p ORDER BY 1"
    )


def test_scheduled_run_warms_the_next_week_and_a_second_run_changes_nothing(
    api_stack: ApiStack, capsys: pytest.CaptureFixture[str]
) -> None:
    season, week = api_stack.upcoming_week
    handler = make_handler(api_stack.runtime)
    first = handler({"source": "aws.scheduler"}, LambdaContext())
    assert (first["season"], first["week"]) == (season, week)
    assert first["games"] == first["computed"] == first["cached"] > 1 and first["skipped_fresh"] == 0
    assert first["research_notes"] == 15 * first["games"]
    stored = snapshot(api_stack)
    assert len(stored) == first["games"] and all(row[2] and row[3] == 15 for row in stored)

    cache = api_stack.runtime.cache
    version = api_stack.runtime.params.get().model_version
    games = [str(r[0]) for r in stored]
    assert all(e is not None for e in cache.get_many(GAME_NS, cache_keys.games(games, version)))
    assert cache.get(*cache_keys.week(season, week, version)) is not None

    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert any(m.get("Warm_computed") == [float(first["computed"])] for m in emf)

    second = handler({"source": "aws.scheduler"}, LambdaContext())
    assert second["computed"] == 0 and second["cached"] == 0 and second["skipped_fresh"] == first["games"]
    assert snapshot(api_stack) == stored  # same rows, same timestamps: nothing rewritten


def test_on_demand_week_and_force(api_stack: ApiStack) -> None:
    season, week = api_stack.upcoming_week
    handler = make_handler(api_stack.runtime)
    report = handler({"season": season, "week": week + 1}, LambdaContext())
    assert report["week"] == week + 1 and report["computed"] == report["games"]
    forced = handler({"season": season, "week": week + 1, "force": True}, LambdaContext())
    assert forced["computed"] == forced["games"] and forced["skipped_fresh"] == 0


@pytest.mark.parametrize(
    ("event", "message"),
    [({"season": 2025}, "together"), ({"season": "2025", "week": 3}, "season must be an integer"),
     ({"detail": [1]}, "JSON object")],
)  # fmt: skip
def test_bad_events_are_refused_clearly(event: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_event(event)


def test_unknown_week_is_a_clear_error(api_stack: ApiStack) -> None:
    with pytest.raises(LookupError, match="no games in season 2031 week 3"):
        make_handler(api_stack.runtime)({"season": 2031, "week": 3}, LambdaContext())
