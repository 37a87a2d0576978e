"""Walk-forward history, grading into the betting history, and the leaderboard built from it."""

from __future__ import annotations

import functools
import time
from typing import Any

import orjson
import pytest
from nfl_predictor.data.ingest import load_demo_league
from nfl_predictor.db import Database
from nfl_predictor.engine import ModelParams, fit
from nfl_predictor.records import untyped
from nfl_predictor.service import backfill, league
from nfl_predictor.service.backfill import backfill_season
from nfl_predictor.service.grading import grade_pending, leaderboard
from nfl_predictor.vectors.embedder import HashingEmbedder

# The model parameters each backfilled week's predictions were stored with, by model version
# (round-tripped through to_dict/from_dict, the form in which parameters are stored), and what each
# week's fit was given (games, team stats, cut-off), in order.
STORED_PARAMS: dict[str, ModelParams] = {}
FITS: list[tuple[list[Any], Any, Any]] = []


@pytest.fixture(scope="module")
def graded(db: Database) -> Database:
    load_demo_league(db)
    STORED_PARAMS.clear()
    FITS.clear()
    store, real_fit = backfill.store_predictions, backfill.fit

    def recorded_fit(games: list[Any], team_stats: Any = None, **options: Any) -> ModelParams:
        FITS.append((games, team_stats, options.get("through")))
        return real_fit(games, team_stats, **options)

    def keep_params(db: Database, params: ModelParams, games: list[Any],
                    payloads: list[dict[str, Any]]) -> dict[str, bytes]:  # fmt: skip
        STORED_PARAMS[params.model_version] = ModelParams.from_dict(
            orjson.loads(orjson.dumps(params.to_dict()))
        )
        return store(db, params, games, payloads)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(backfill, "store_predictions", keep_params)
        patch.setattr(backfill, "fit", recorded_fit)
        started = time.perf_counter()
        report = backfill_season(db, HashingEmbedder(), 2025, weeks=[10, 11])
        took = time.perf_counter() - started
    assert report["games_stored"] == report["games_graded"] > 0
    # Its own run to 0.01 s (rounded, so up to 5 ms past the outer clock): a bound, not a timing.
    assert 0 < report["seconds"] <= took + 0.005 and report["seconds"] == round(report["seconds"], 2)
    return db


def stored_form(params: ModelParams) -> dict[str, Any]:
    return ModelParams.from_dict(orjson.loads(orjson.dumps(params.to_dict()))).to_dict()


def test_each_week_is_predicted_by_a_model_that_had_not_seen_it(graded: Database) -> None:
    games, stats = league.all_games(graded), league.team_stats(graded)
    versions = graded.fetch("SELECT DISTINCT week, model_version FROM predictions ORDER BY 1")
    assert [w for w, _ in versions] == [10, 11]
    for week, version in versions:
        params = STORED_PARAMS[str(version)]  # the training cut-off comes from the parameters, not the name
        assert params.trained_through is not None and params.trained_through < (2025, week)
        assert params.trained_through == (2025, week - 1)  # everything played before the week, no more
        seen = graded.scalar("SELECT count(*) FROM games WHERE home_score IS NOT NULL AND away_score IS NOT NULL "
                             "AND (season, week) < (2025, :w)", w=week)  # fmt: skip
        assert params.games_trained == seen
        # The very model a fit on the games and team stats before the week gives (the week's own
        # results, and anything later, are not in it), and the fit was handed exactly those.
        earlier = [g for g in games if (int(g["season"]), int(g["week"])) < (2025, week)]
        assert stored_form(params) == stored_form(
            fit(untyped(earlier), untyped(stats), through=(2025, week - 1))
        )
        given_games, given_stats, given_through = FITS[week - 10]
        assert [g["game_id"] for g in given_games] == [g["game_id"] for g in earlier]
        assert given_stats == stats and given_stats is not None and given_through == (2025, week - 1)
        payload_versions = graded.fetch("SELECT DISTINCT payload->>'model_version' FROM predictions WHERE week = :w",
                                        w=week)  # fmt: skip
        assert payload_versions == [[version]]


def test_betting_history_rows_are_graded_consistently(graded: Database) -> None:
    game_id, payload_text = graded.fetch("SELECT game_id, payload::text FROM predictions LIMIT 1")[0]
    payload = orjson.loads(payload_text)
    bets = graded.fetch_dicts("SELECT * FROM expert_bets WHERE game_id = :g", g=game_id)
    assert len({b["expert_id"] for b in bets}) == 15
    assert {b["outcome"] for b in bets} <= {"win", "loss", "push", "graded"}
    # Only what could be graded is stored, and the box score (here from the demo league's player
    # stats) makes its categories gradeable: every expert has the same, full set.
    per_expert = {}
    for b in bets:
        per_expert.setdefault(b["expert_id"], set()).add(b["bet_type"])
    categories = next(iter(per_expert.values()))
    assert all(kinds == categories for kinds in per_expert.values())
    assert {
        "winner",
        "margin",
        "total_points",
        "home_qb_passing_yards",
        "away_rushing_leader_yards",
    } <= categories
    assert "graded" not in {b["outcome"] for b in bets}  # no row without an actual result
    home, away = graded.fetch_one(
        "SELECT home_score, away_score FROM games WHERE game_id = :g", g=game_id
    ) or (0, 0)
    for bet in bets:
        if bet["bet_type"] == "winner" and home != away:
            expected = payload["home_team"] if home > away else payload["away_team"]
            assert (bet["outcome"] == "win") == (bet["bet_value"]["value"] == expected)
        if bet["units"] is not None:
            assert bet["reasoning_embedding"] is not None  # wagers are searchable as "similar bets"
    # Idempotent: grading again finds nothing pending and changes nothing.
    before = graded.scalar("SELECT count(*) FROM expert_bets")
    assert grade_pending(graded, HashingEmbedder(), season=2025) == 0
    assert graded.scalar("SELECT count(*) FROM expert_bets") == before


def test_leaderboard_aggregates_per_expert_and_category(graded: Database) -> None:
    board = leaderboard(graded, 2025)
    assert len(board) == 15 and all(e["season"] == 2025 for e in board)
    accuracies = [e["accuracy"] for e in board]
    assert accuracies == sorted(accuracies, reverse=True)
    first = board[0]
    wins = graded.scalar(
        "SELECT count(*) FROM expert_bets WHERE expert_id = :x AND outcome = 'win'", x=first["expert"]
    )
    judged = graded.scalar("SELECT count(*) FROM expert_bets WHERE expert_id = :x AND outcome IN ('win', 'loss')",
                           x=first["expert"])  # fmt: skip
    assert first["accuracy"] == round(wins / judged, 4)
    stated = graded.scalar("SELECT avg(confidence) FROM expert_bets WHERE expert_id = :x AND outcome IN ('win', 'loss')",
                           x=first["expert"])  # fmt: skip
    assert first["confidence"] == pytest.approx(float(stated), abs=1e-4)
    brier = next(c for c in first["categories"] if c["category"] == "win_probability")
    assert brier["brier"] is not None and 0 <= brier["brier"] <= 1 and brier["mae"] is None
    assert leaderboard(graded, 1999) == []


def test_two_graders_at_once_leave_the_rows_one_grader_leaves(graded: Database, database_url: str) -> None:
    """Issue 15, item 2: graders racing on delete-then-insert crashed with 23505 on expert_bets."""
    from nfl_predictor.db import parse_database_url
    from nfl_predictor.db.database import make_database

    from tests.integration.api.test_warm_races import at_once

    count = "SELECT count(*), count(DISTINCT (expert_id, game_id, bet_type, model_version)) FROM expert_bets"
    expected = graded.fetch(count)
    for _ in range(3):
        graded.execute("DELETE FROM expert_bets WHERE season = 2025 AND week = 10")
        a, b = (make_database(parse_database_url(database_url), pooled=False) for _ in range(2))
        results = at_once(
            *(functools.partial(grade_pending, d, HashingEmbedder(), season=2025) for d in (a, b))
        )
        a.close()
        b.close()
        assert not any(isinstance(r, BaseException) for r in results), results
        assert graded.fetch(count) == expected


def test_the_chosen_weeks_are_predicted_in_order_with_progress_per_week(
    graded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only played weeks that were asked for are predicted (all played weeks when none are named); the
    progress callback sees each chosen week, then grading, then done, out of weeks + 1 steps."""
    predicted: list[tuple[int, int]] = []
    monkeypatch.setattr(backfill, "_predict_week",
                        lambda _db, _games, _stats, season, week: predicted.append((season, week)) or 1)  # fmt: skip
    calls: list[tuple[int, int, str]] = []
    report = backfill_season(graded, HashingEmbedder(), 2024, weeks=[3, 1, 40],
                             on_progress=lambda done, total, label: calls.append((done, total, label)))  # fmt: skip
    assert predicted == [(2024, 1), (2024, 3)]
    assert calls == [(0, 3, "week 1"), (1, 3, "week 3"), (2, 3, "grading"), (3, 3, "done")]
    assert {k: report[k] for k in ("season", "weeks", "games_stored", "games_graded")} == {
        "season": 2024,
        "weeks": [1, 3],
        "games_stored": 2,
        "games_graded": 0,
    }
    assert isinstance(report["seconds"], float)  # wall time: a figure for the CLI, not asserted on
    predicted.clear()
    assert backfill_season(graded, HashingEmbedder(), 2025)["weeks"] == list(range(1, 13))  # the played weeks
    assert predicted == [(2025, w) for w in range(1, 13)]
    assert backfill_season(graded, HashingEmbedder(), 2024, weeks=[])["weeks"] == []


def test_a_week_with_no_played_game_before_it_stores_nothing(graded: Database) -> None:
    before = graded.scalar("SELECT count(*) FROM predictions")
    games = backfill.league.all_games(graded)
    assert backfill._predict_week(graded, games, backfill.league.team_stats(graded), 2024, 1) == 0
    assert graded.scalar("SELECT count(*) FROM predictions") == before
