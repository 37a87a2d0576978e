"""Walk-forward history: for each past week, fit on what was known before it, predict, store, grade.

This gives the betting history and leaderboard honest inputs: every stored prediction of a played
game comes from a model that had not seen that game (unlike re-predicting the past with today's
model). Used by ``nfl-predictor backfill`` and by ``serve`` on a fresh demo database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nfl_predictor.db import Database
from nfl_predictor.engine import fit
from nfl_predictor.records import GameRecord, TeamStatRecord, untyped
from nfl_predictor.service import league
from nfl_predictor.service.grading import grade_pending
from nfl_predictor.service.predictions import compute_payloads, store_predictions
from nfl_predictor.vectors.embedder import Embedder


def backfill_season(db: Database, embedder: Embedder, season: int, *, weeks: list[int] | None = None,
                    on_progress: Callable[[int, int, str], None] | None = None) -> dict[str, Any]:  # fmt: skip
    """``on_progress(done, total, label)`` after each week (the CLI draws a bar with it)."""
    started = time.perf_counter()
    games = league.all_games(db)
    stats = league.team_stats(db)
    played_weeks = sorted(
        {int(g["week"]) for g in games if g["season"] == season and g["home_score"] is not None}
    )
    chosen = [w for w in played_weeks if weeks is None or w in weeks]
    stored = 0
    report = on_progress or (lambda _done, _total, _label: None)
    for done, week in enumerate(chosen, 1):
        report(done - 1, len(chosen) + 1, f"week {week}")
        stored += _predict_week(db, games, stats, season, week)
    report(len(chosen), len(chosen) + 1, "grading")
    graded = _grade_all(db, embedder, season)
    report(len(chosen) + 1, len(chosen) + 1, "done")
    return {"season": season, "weeks": chosen, "games_stored": stored, "games_graded": graded,
            "seconds": round(time.perf_counter() - started, 2)}  # fmt: skip


def _predict_week(db: Database, games: list[GameRecord], stats: list[TeamStatRecord], season: int,
                  week: int) -> int:  # fmt: skip
    """Fit on every game before the week (never the week itself), predict and store it; games stored."""
    before = [g for g in games if (int(g["season"]), int(g["week"])) < (season, week)]
    if not any(g["home_score"] is not None for g in before):
        return 0  # nothing to learn from yet
    params = fit(untyped(before), untyped(stats), through=_last_played(before))
    week_games = [g for g in games if g["season"] == season and g["week"] == week]
    payloads = compute_payloads(db, params, week_games)
    return len(store_predictions(db, params, week_games, payloads))


def _grade_all(db: Database, embedder: Embedder, season: int) -> int:
    """Grade everything stored for the season, in bounded batches; returns games graded."""
    graded = 0
    while True:
        batch = grade_pending(db, embedder, season=season, limit=64)
        graded += batch
        if batch == 0:
            return graded


def _last_played(games: list[GameRecord]) -> tuple[int, int]:
    played = [(int(g["season"]), int(g["week"])) for g in games if g["home_score"] is not None]
    return max(played)
