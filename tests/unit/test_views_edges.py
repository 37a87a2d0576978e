"""render_view edges (service/views.py): the embedding only on request, the expert lines kept with
the experts, and a document without lines; cache-key namespace checks (cache/keys.py)."""

from __future__ import annotations

import uuid

import orjson
import pytest
from nfl_predictor.cache import keys
from nfl_predictor.service.views import render_view

from tests.unit.test_views_keys import payload, spec


def test_the_embedding_is_added_only_when_the_view_asks_for_it() -> None:
    assert "embedding" not in orjson.loads(render_view(payload(), spec(), embedding=[0.5]))
    assert "embedding" not in orjson.loads(render_view(payload(), spec(include="ml"), embedding=[0.5]))
    assert orjson.loads(render_view(payload(), spec(include="embedding"), embedding=[0.5]))["embedding"] == [
        0.5
    ]
    assert "embedding" not in orjson.loads(render_view(payload(), spec(include="embedding")))  # none stored


def test_the_expert_lines_stay_with_the_experts() -> None:
    kept = orjson.loads(render_view(payload(), spec(include="experts,ml")))
    assert kept["expert_lines"] == {"total": 47.5} and len(kept["experts"]) == 3


def test_a_document_without_expert_lines_renders_any_view() -> None:
    doc = payload()
    del doc["expert_lines"]
    assert "expert_lines" not in orjson.loads(render_view(doc, spec(include="ml")))


def test_a_new_valid_namespace_is_accepted_and_a_bad_one_named() -> None:
    # A name never seen before in this process: check_namespace remembers the names it accepted.
    fresh = f"ns-{uuid.uuid4().hex}"
    assert keys.check_namespace(fresh) == fresh
    with pytest.raises(
        ValueError, match=r"^invalid cache namespace 'Bad Name': use \[a-z0-9_.-\], 1-64 chars$"
    ):
        keys.check_namespace("Bad Name")
