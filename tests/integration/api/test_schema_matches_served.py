"""The OpenAPI response models describe what is really served: real game, view, week and category
documents, taken from the Lambda handler, validate against them strictly (no unknown field, no wrong
type). Routes never validate per request (they serve cached bytes); this test is what keeps the
schema from drifting."""

from __future__ import annotations

import base64
import gzip
from typing import Any

import orjson
import pytest
from nfl_predictor.api.app import OPENAPI_PATH
from nfl_predictor.api.schemas import Categories, GamePredictions, WeekPredictions
from nfl_predictor.engine.categories import CATEGORIES
from pydantic import BaseModel

from tests.integration.api.conftest import ApiStack, http_api_event

pytestmark = pytest.mark.usefixtures("fresh_caches")


def served(api_stack: ApiStack, path: str, query: dict[str, Any] | None = None) -> bytes:
    headers = {"x-api-key": api_stack.keys["pro"], "accept-encoding": "gzip"}
    response = api_stack.invoke(http_api_event("GET", path, query, headers))
    assert response["statusCode"] == 200, response
    body = (
        base64.b64decode(response["body"]) if response.get("isBase64Encoded") else response["body"].encode()
    )
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def strictly(model: type[BaseModel], body: bytes) -> Any:
    return model.model_validate_json(body, strict=True)


def test_a_full_game_and_its_views_match_the_game_model(api_stack: ApiStack) -> None:
    path = f"/v1/games/{api_stack.upcoming_game}/predictions"
    full = strictly(GamePredictions, served(api_stack, path))
    assert full.ml is not None and full.experts and full.props and full.totals and full.expert_lines
    assert full.embedding is None
    with_vector = strictly(GamePredictions, served(api_stack, path, {"include": "ml,experts,embedding"}))
    assert with_vector.embedding is not None and len(with_vector.embedding) == 32
    narrowed = strictly(GamePredictions, served(api_stack, path, {"include": "experts", "fields": "game_id"}))
    assert narrowed.props is None


def test_a_week_matches_the_week_model(api_stack: ApiStack) -> None:
    season, week = api_stack.upcoming_week
    doc = strictly(WeekPredictions, served(api_stack, "/v1/predictions", {"season": season, "week": week}))
    assert doc.games and doc.game_count == len(doc.games)
    strictly(WeekPredictions, served(api_stack, "/v1/predictions", {"season": season, "week": week,
                                                                    "include": "ml,totals"}))  # fmt: skip


def test_categories_list_every_category_the_experts_predict_with_its_value_type(api_stack: ApiStack) -> None:
    listed = strictly(Categories, served(api_stack, "/v1/categories"))
    by_name = {c.name: c for c in listed.categories}
    assert list(by_name) == list(CATEGORIES)
    assert "positive = home favoured" in listed.spread_convention
    game = orjson.loads(served(api_stack, f"/v1/games/{api_stack.upcoming_game}/predictions"))
    python_type = {"string": str, "number": (int, float)}
    for expert in game["experts"]:
        for category, (value, confidence) in expert["predictions"].items():
            assert category in by_name
            assert isinstance(value, python_type[by_name[category].value_type]), (category, value)
            assert 0.0 <= confidence <= 1.0
    assert set(game["expert_lines"]) <= {c.name for c in listed.categories if c.line}
    assert by_name["home_qb_passing_yards"].relative_tolerance and by_name["margin"].unit == "points"


def test_the_committed_openapi_document_describes_the_conventions() -> None:
    doc = orjson.loads(OPENAPI_PATH.read_bytes())
    schemas = doc["components"]["schemas"]
    game_200 = doc["paths"]["/v1/games/{game_id}/predictions"]["get"]["responses"]["200"]
    assert game_200["content"]["application/json"]["schema"]["$ref"].endswith("/GamePredictions")
    spread = schemas["CoreModel"]["properties"]["spread"]["description"]
    assert "positive = home team favoured" in spread and "sportsbook" in spread
    assert (
        "calibrated probability" in schemas["ExpertPredictions"]["properties"]["predictions"]["description"]
    )
    assert "/v1/categories" in doc["paths"]
    described = ("SidePair", "MarginQuantiles", "CoreModel", "MarketLine", "EloForecast", "BlendForecast", "MlSection",
                 "ExpertPredictions", "PropPrediction", "TotalPrediction", "GamePredictions", "WeekPredictions",
                 "Category", "Categories")  # fmt: skip
    for name in described:
        undescribed = [k for k, p in schemas[name]["properties"].items() if not p.get("description")]
        assert not undescribed, (name, undescribed)


def test_categories_need_a_key_like_every_v1_route(api_stack: ApiStack) -> None:
    response = api_stack.invoke(http_api_event("GET", "/v1/categories", None, {}))
    assert response["statusCode"] == 401
