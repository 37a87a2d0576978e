"""The betting history written by grading and the leaderboard read from it, on hand-made rows (no
backfill needed): outcomes, clamped confidence, wager-only embeddings, idempotent re-grading, and the
per-expert figures with their rounding and order. ``store_graded`` takes the flat expert rows
(``documents.with_expert_rows`` turns a stored document back into them before grading)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from nfl_predictor.data.ingest import ingest_games
from nfl_predictor.db import Database
from nfl_predictor.service.grading import leaderboard, store_graded
from nfl_predictor.vectors.embedder import HashingEmbedder

GAMES = Path(__file__).resolve().parents[1] / "data" / "games_synthetic.csv"
GAME = {"game_id": "2030_01_BAL_KC", "season": 2030, "week": 1}


@pytest.fixture(scope="module")
def games(db: Database) -> Database:
    ingest_games(db, GAMES)
    return db


@pytest.fixture
def bets(games: Database) -> Database:
    games.execute("DELETE FROM expert_bets")
    return games


PAYLOAD = {"experts": [
    {"expert": "sharp", "category": "winner", "reasoning": "home rest edge", "confidence": 0.7, "line": None},
    {"expert": "sharp", "category": "spread_pick", "reasoning": "cover at home", "confidence": 1.5, "line": -3.0},
    {"expert": "fade", "category": "winner", "reasoning": "road dog value", "confidence": -0.2},
    {"expert": "fade", "category": "total", "reasoning": "pace"},
]}  # fmt: skip
GRADED = [
    {"expert": "sharp", "category": "winner", "value": "KC", "actual": "KC", "correct": True, "error": None,
     "units": 0.5},
    {"expert": "sharp", "category": "spread_pick", "value": "KC", "actual": "push", "correct": None, "error": None,
     "units": 0.0},
    {"expert": "fade", "category": "winner", "value": "BAL", "actual": "KC", "correct": False, "error": None,
     "units": -1.0},
    {"expert": "fade", "category": "total", "value": 44.5, "actual": None, "correct": None, "error": 2.5,
     "units": None},
]  # fmt: skip


def stored(db: Database) -> dict[tuple[str, str], dict[str, Any]]:
    rows = db.fetch_dicts("SELECT expert_id, bet_type, bet_value, confidence, reasoning, outcome, error, units, "
                          "model_version, season, week, reasoning_embedding IS NOT NULL AS embedded, graded_at "
                          "FROM expert_bets")  # fmt: skip
    return {(r["expert_id"], r["bet_type"]): r for r in rows}


def test_store_graded_writes_one_row_per_graded_prediction(bets: Database) -> None:
    store_graded(bets, GAME, "m1", PAYLOAD, GRADED, HashingEmbedder())
    rows = stored(bets)
    assert set(rows) == {("sharp", "winner"), ("sharp", "spread_pick"), ("fade", "winner"), ("fade", "total")}
    win, push, loss, graded = (rows[k] for k in [("sharp", "winner"), ("sharp", "spread_pick"),
                                                 ("fade", "winner"), ("fade", "total")])  # fmt: skip
    assert [win["outcome"], push["outcome"], loss["outcome"], graded["outcome"]] == [
        "win",
        "push",
        "loss",
        "graded",
    ]
    assert [win["confidence"], push["confidence"], loss["confidence"], graded["confidence"]] == [
        0.7,
        1.0,
        0.0,
        0.5,
    ]
    assert push["bet_value"] == {"value": "KC", "actual": "push", "line": -3.0}
    assert graded["bet_value"] == {"value": 44.5, "actual": None, "line": None}
    assert (win["units"], loss["units"], graded["units"], graded["error"]) == (0.5, -1.0, None, 2.5)
    assert [win["embedded"], push["embedded"], loss["embedded"], graded["embedded"]] == [
        True,
        True,
        True,
        False,
    ]
    assert win["reasoning"] == "home rest edge" and graded["reasoning"] == "pace"
    assert all(r["model_version"] == "m1" and (r["season"], r["week"]) == (2030, 1) and r["graded_at"]
               for r in rows.values())  # fmt: skip


def test_regrading_replaces_the_games_rows_for_that_model_only(bets: Database) -> None:
    store_graded(bets, GAME, "m1", PAYLOAD, GRADED, HashingEmbedder())
    store_graded(bets, GAME, "m2", PAYLOAD, GRADED[:1], HashingEmbedder())
    store_graded(bets, GAME, "m1", PAYLOAD, GRADED[2:3], HashingEmbedder())
    versions = bets.fetch("SELECT model_version, expert_id, bet_type FROM expert_bets ORDER BY 1, 2, 3")
    assert versions == [["m1", "fade", "winner"], ["m2", "sharp", "winner"]]
    store_graded(bets, GAME, "m1", PAYLOAD, [], HashingEmbedder())  # nothing gradable: the game's rows go
    assert bets.fetch("SELECT model_version FROM expert_bets") == [["m2"]]


def bet(expert: str, bet_type: str, outcome: str, *, game: str = "2030_01_BAL_KC", season: int = 2030,
        error: float | None = None, units: float | None = None, confidence: float = 0.5) -> dict[str, Any]:  # fmt: skip
    return {"expert_id": expert, "game_id": game, "season": season, "week": 1, "bet_type": bet_type,
            "bet_value": orjson.dumps({"value": 1}).decode(), "confidence": confidence, "outcome": outcome,
            "error": error, "units": units, "model_version": f"v-{game}"}  # fmt: skip


def insert(db: Database, *rows: dict[str, Any]) -> None:
    for r in rows:
        db.execute(
            "INSERT INTO expert_bets (expert_id, game_id, season, week, bet_type, bet_value, confidence, outcome, "
            "error, units, model_version) VALUES (:expert_id, :game_id, :season, :week, :bet_type, "
            "CAST(:bet_value AS jsonb), :confidence, :outcome, :error, :units, :model_version)",
            **r,
        )  # fmt: skip


def test_leaderboard_figures_rounding_and_order(bets: Database) -> None:
    g1, g2, g3 = "2030_01_BAL_KC", "2030_01_NYJ_SF", "2030_01_GB_PHI"
    insert(
        bets,
        bet("a", "winner", "win", game=g1, units=0.909091), bet("a", "winner", "loss", game=g2, units=-1.0),
        bet("a", "winner", "win", game=g3, units=0.5),
        bet("a", "win_probability", "graded", game=g1, error=0.25), bet("a", "total", "push", game=g1, error=3.0),
        bet("a", "total", "win", game=g2, error=5.0),
        bet("b", "winner", "win", game=g1), bet("b", "win_probability", "graded", game=g1, error=0.5),
        bet("c", "winner", "loss", game=g1, units=-1.0), bet("c", "total", "win", game=g1, units=0.25),
        bet("c", "total", "win", game=g2, units=0.3),
        bet("z", "winner", "win", game=g1, season=2031),
    )  # fmt: skip
    board = leaderboard(bets, 2030)
    assert [(e["expert"], e["accuracy"]) for e in board] == [("b", 1.0), ("a", 0.75), ("c", 0.6667)]
    c = board[2]  # units and bets summed over its categories (total, then winner)
    assert (c["n"], c["bets"], c["units"]) == (3, 3, -0.45)
    assert [(x["category"], x["bets"], x["units"]) for x in c["categories"]] == [
        ("total", 2, 0.55),
        ("winner", 1, -1.0),
    ]
    assert all(isinstance(x["bets"], int) and isinstance(x["n"], int) for x in c["categories"])
    a = board[1]
    assert (a["season"], a["n"], a["bets"], a["units"]) == (2030, 6, 3, 0.41)
    by_category = {c["category"]: c for c in a["categories"]}
    assert [c["category"] for c in a["categories"]] == ["total", "win_probability", "winner"]
    assert by_category["winner"] == {"n": 3, "accuracy": pytest.approx(2 / 3), "confidence": 0.5, "brier": None,
                                     "mae": None, "units": pytest.approx(0.409091), "bets": 3,
                                     "category": "winner"}  # fmt: skip
    assert a["confidence"] == 0.5  # the mean stated confidence on the judged bets (calibration)
    assert by_category["total"]["mae"] == 4.0 and by_category["total"]["accuracy"] == 1.0
    assert by_category["total"]["brier"] is None and by_category["total"]["units"] is None
    assert (
        by_category["win_probability"]["brier"] == 0.25 and by_category["win_probability"]["accuracy"] is None
    )
    assert isinstance(by_category["total"]["mae"], float) and isinstance(by_category["winner"]["n"], int)
    b = board[0]
    assert (b["n"], b["bets"], b["units"]) == (2, 0, 0.0)
    every = leaderboard(bets, None)
    assert [(e["season"], e["expert"]) for e in every] == [(2030, "b"), (2030, "a"), (2030, "c"), (2031, "z")]
    assert leaderboard(bets, 1999) == []


def test_stated_confidence_is_the_judged_bets_mean_to_four_places_and_the_unjudged_sort_last(
    bets: Database,
) -> None:
    g1, g2, g3 = "2030_01_BAL_KC", "2030_01_NYJ_SF", "2030_01_GB_PHI"
    insert(
        bets,
        bet("m", "winner", "win", game=g1, confidence=0.1), bet("m", "winner", "loss", game=g2, confidence=0.2),
        bet("m", "total", "win", game=g3, confidence=0.25), bet("m", "total", "push", game=g1, confidence=1.0),
        bet("a", "total", "push", game=g1), bet("n", "winner", "win", game=g1, confidence=0.9),
        bet("n", "winner", "loss", game=g2, confidence=0.7),
    )  # fmt: skip
    board = leaderboard(bets, 2030)
    # Unjudged (accuracy None) after every judged expert, even one at 0.5; names break no tie here.
    assert [(e["expert"], e["accuracy"]) for e in board] == [("m", 0.6667), ("n", 0.5), ("a", None)]
    # (0.1 + 0.2 + 0.25) / 3 over the judged bets (the push's 1.0 is not one): 0.18333... to 4 places.
    assert (
        board[0]["confidence"] == 0.1833 and board[1]["confidence"] == 0.8 and board[2]["confidence"] is None
    )


def test_an_expert_with_nothing_judged_has_no_accuracy(bets: Database) -> None:
    insert(bets, bet("p", "total", "push", error=1.0), bet("q", "winner", "loss"))
    board = leaderboard(bets, 2030)
    assert [(e["expert"], e["accuracy"]) for e in board] == [("p", None), ("q", 0.0)]
