"""Grading stored predictions once results are in, into the betting history (expert_bets).

Each expert prediction becomes one row per (expert, game, category, model version): its value and
line, the actual result, the outcome (win/loss/push), the error for numeric categories and the
units won at the market price. Re-grading a game replaces its rows, so grading is idempotent.
"""

from __future__ import annotations

from typing import Any

import orjson

from nfl_predictor.db import Database
from nfl_predictor.db.queries import games as game_queries
from nfl_predictor.db.queries import grading as grading_queries
from nfl_predictor.engine import box_score_from_stats, grade
from nfl_predictor.records import ExpertBetRow, GameRecord, untyped, untyped_row
from nfl_predictor.service import league
from nfl_predictor.service.documents import with_expert_rows
from nfl_predictor.vectors.embedder import Embedder


def _outcome(row: dict[str, Any]) -> str:
    if row["correct"] is True:
        return "win"
    if row["correct"] is False:
        return "loss"
    return "push" if row["actual"] is not None else "graded"


def grade_pending(db: Database, embedder: Embedder, *, season: int | None = None, limit: int = 64) -> int:
    """Grade finished games whose stored predictions have no betting-history rows yet; returns games graded."""
    pending = grading_queries.pending_grades(db, season=season, limit=limit)
    for stored in pending:
        game = league.get_game(db, stored["game_id"])
        if game is None:  # pragma: no cover - FK makes this impossible
            continue
        payload = with_expert_rows(orjson.loads(stored["payload_text"]))  # documents.py: grouped by expert
        sides = [game["home_team"], game["away_team"]]
        stats = game_queries.game_player_stats(db, game["season"], game["week"], sides)
        teams = game_queries.game_team_stats(db, game["season"], game["week"], sides)
        box = (
            box_score_from_stats(untyped_row(game), untyped(teams), untyped(stats))
            if stats or teams
            else None
        )
        graded = [row for row in grade(payload, untyped_row(game), box) if row["actual"] is not None]
        store_graded(db, game, stored["model_version"], payload, graded, embedder)
    return len(pending)


def store_graded(db: Database, game: GameRecord, version: str, payload: dict[str, Any],
                 graded: list[dict[str, Any]], embedder: Embedder) -> None:  # fmt: skip
    """Replace the game's betting-history rows in one statement.

    Only wagers (rows with units at a market price) get a reasoning embedding: they are what "similar
    bets" searches, and embedding all 375 rows per game into an HNSW index would make grading a
    season take minutes instead of seconds.
    """
    by_key = {(p["expert"], p["category"]): p for p in payload["experts"]}
    wagers = [i for i, r in enumerate(graded) if r["units"] is not None]
    reasons = [by_key[(r["expert"], r["category"])].get("reasoning", "") for r in graded]
    vectors = dict(zip(wagers, embedder.embed([reasons[i] for i in wagers]), strict=True))
    rows: list[ExpertBetRow] = []
    for i, r in enumerate(graded):
        source = by_key[(r["expert"], r["category"])]
        vector = vectors.get(i)
        rows.append({
            "expert_id": r["expert"], "game_id": game["game_id"], "season": game["season"], "week": game["week"],
            "bet_type": r["category"], "bet_value": {"value": r["value"], "actual": r["actual"],
                                                     "line": source.get("line")},
            "confidence": min(1.0, max(0.0, float(source.get("confidence", 0.5)))), "reasoning": reasons[i],
            "reasoning_embedding": None if vector is None else "[" + ",".join(f"{v:.6g}" for v in vector) + "]",
            "outcome": _outcome(r), "error": r["error"], "units": r["units"], "model_version": version,
        })  # fmt: skip
    with db.transaction() as tx:
        grading_queries.replace_expert_bets(tx, game_id=game["game_id"], model_version=version, rows=rows)


def leaderboard(db: Database, season: int | None) -> list[dict[str, Any]]:
    """Per expert (best accuracy first): overall figures and one row per category, per season.

    ``confidence`` beside ``accuracy`` is the mean confidence the expert stated on the same graded
    bets: for a calibrated expert the two match."""
    experts: dict[tuple[int, str], dict[str, Any]] = {}
    for row in grading_queries.leaderboard_rows(db, season):
        key = (row["season"], row["expert_id"])
        expert = experts.setdefault(key, {"season": row["season"], "expert": row["expert_id"], "n": 0,
                                          "wins": 0, "judged": 0, "conf": 0.0, "units": 0.0, "bets": 0,
                                          "categories": []})  # fmt: skip
        category = {k: (float(v) if v is not None and k not in ("n", "bets", "bet_type") else v)
                    for k, v in row.items() if k not in ("season", "expert_id", "wins", "judged")}  # fmt: skip
        category["category"] = category.pop("bet_type")
        expert["categories"].append(category)
        expert["n"] += row["n"]
        expert["wins"] += row["wins"]
        expert["judged"] += row["judged"]
        expert["conf"] += float(row["confidence"] or 0.0) * row["judged"]
        expert["units"] += float(row["units"] or 0.0)
        expert["bets"] += row["bets"]
    out = []
    for expert in experts.values():
        judged = expert.pop("judged")
        wins = expert.pop("wins")
        conf = expert.pop("conf")
        expert["accuracy"] = round(wins / judged, 4) if judged else None
        # Calibration next to accuracy: the mean confidence stated on the same graded bets.
        expert["confidence"] = round(conf / judged, 4) if judged else None
        expert["units"] = round(expert["units"], 2)
        out.append(expert)
    out.sort(key=lambda e: (e["season"], -(e["accuracy"] or 0.0), e["expert"]))
    return out
