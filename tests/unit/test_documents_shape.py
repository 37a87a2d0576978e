"""The stored document's exact shape (service/documents.py), built from engine rows and back."""

from __future__ import annotations

from nfl_predictor.service.documents import (
    expert_prediction_count,
    expert_rows,
    to_document,
    with_expert_rows,
)

ROWS = [
    {"expert": "a", "category": "winner", "value": "BUF", "confidence": 0.61234, "line": None,
     "reasoning": "form; edge; win probability"},
    {"expert": "a", "category": "home_score", "value": 24, "confidence": 0.5, "line": 23.5,
     "reasoning": "form; edge; home points = (total + margin) / 2"},
    {"expert": "b", "category": "made_up", "value": 1, "confidence": 0.9996, "reasoning": None},
]  # fmt: skip
PAYLOAD = {"game_id": "g", "embedding": [0.1], "experts": ROWS}


def test_engine_rows_become_one_entry_per_expert() -> None:
    assert to_document(PAYLOAD) == {
        "game_id": "g",
        "experts": [
            {"expert": "a", "reasoning": "form; edge",
             "predictions": {"winner": ["BUF", 0.612], "home_score": [24, 0.5]}},
            {"expert": "b", "reasoning": "", "predictions": {"made_up": [1, 1.0]}},
        ],
        "expert_lines": {"home_score": 23.5},
    }  # fmt: skip


def test_a_document_is_returned_as_is_without_the_embedding() -> None:
    doc = to_document(PAYLOAD)
    assert to_document({**doc, "embedding": [0.2]}) == doc
    assert to_document({"game_id": "g", "embedding": [0.1]}) == {"game_id": "g"}
    assert to_document({"game_id": "g", "experts": []}) == {"game_id": "g", "experts": []}


def test_rows_come_back_with_the_full_reasoning() -> None:
    rows = expert_rows(to_document(PAYLOAD))
    assert rows == [
        {"expert": "a", "category": "winner", "value": "BUF", "confidence": 0.612, "line": None,
         "reasoning": "form; edge; win probability"},
        {"expert": "a", "category": "home_score", "value": 24, "confidence": 0.5, "line": 23.5,
         "reasoning": "form; edge; home points = (total + margin) / 2"},
        {"expert": "b", "category": "made_up", "value": 1, "confidence": 1.0, "line": None, "reasoning": ""},
    ]  # fmt: skip
    assert expert_rows(PAYLOAD) == ROWS and expert_rows({}) == []
    assert with_expert_rows(to_document(PAYLOAD))["experts"] == rows


def test_prediction_counts_in_either_shape() -> None:
    assert expert_prediction_count(ROWS) == 3
    assert expert_prediction_count(to_document(PAYLOAD)["experts"]) == 3
    assert expert_prediction_count([{"expert": "c"}, {"expert": "d", "predictions": {"x": [1, 1]}}]) == 1
    assert expert_prediction_count([]) == 0
