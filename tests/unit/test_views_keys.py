"""The view cache key: every part of a view (include, experts, fields) is in it, canonically."""

from __future__ import annotations

import orjson
import pytest
from nfl_predictor.cache.keys import key_from_normalised, namespace_prefix, normalise_params
from nfl_predictor.service import cache_keys
from nfl_predictor.service.views import SECTIONS, TOP_LEVEL_FIELDS, ViewError, ViewSpec, render_view


def spec(include: str | None = None, experts: str | None = None, fields: str | None = None) -> ViewSpec:
    return ViewSpec.parse(include, experts, fields)


def test_fields_are_part_of_the_key() -> None:
    assert spec(fields="game_id").key_params() == {"fields": "game_id"}
    assert spec(fields="game_id").key_params() != spec(fields="game_id,ml").key_params()
    assert (
        spec(include="ml", fields="ml").key_params() != spec(include="ml", fields="ml,game_id").key_params()
    )
    assert spec(include="ml", fields="ml").key_params() != spec(include="ml").key_params()


def test_every_part_is_in_the_key_and_order_or_duplicates_are_not() -> None:
    params = spec(" totals,ml,ml", "contrarian,ratings_purist", "week,game_id,week").key_params()
    assert params == {
        "include": "ml,totals",
        "experts": "contrarian,ratings_purist",
        "fields": "game_id,week",
    }
    assert spec(include="ml").key_params() == {"include": "ml"}
    assert spec(experts="contrarian").key_params() == {"experts": "contrarian"}
    assert spec().key_params() == {} and spec().is_full


def test_views_differing_in_one_part_get_different_cache_keys() -> None:
    views = [spec(), spec(fields="game_id"), spec(fields="game_id,week"), spec(include="ml"),
             spec(include="ml", fields="game_id"), spec(experts="contrarian"),
             spec(experts="contrarian", fields="experts")]  # fmt: skip
    shapes = [cache_keys.view("2025_10_KC_BUF", "m1", v.key_params()) for v in views]
    assert all(shape.namespace == cache_keys.VIEW_NS for shape in shapes)
    keys = {
        key_from_normalised(namespace_prefix(s.namespace, 1), normalise_params(s.params))[0] for s in shapes
    }
    assert len(keys) == len(views)


@pytest.mark.parametrize("name", ["include", "experts", "fields"])
def test_only_that_part_makes_a_view_not_full(name: str) -> None:
    value = {"include": "ml", "experts": "contrarian", "fields": "game_id"}[name]
    view = spec(**{name: value})
    assert not view.is_full and list(view.key_params()) == [name]


@pytest.mark.parametrize(
    ("include", "experts", "fields", "field"),
    [("ml,bogus", None, None, "include"), (None, "nobody", None, "experts"), (None, None, "nope", "fields"),
     ("", None, None, "include"), (None, None, " , ", "fields")],
)  # fmt: skip
def test_unknown_or_empty_values_name_the_parameter(
    include: str | None, experts: str | None, fields: str | None, field: str
) -> None:
    with pytest.raises(ViewError) as info:
        spec(include, experts, fields)
    assert info.value.field == field and str(info.value).startswith(f"{field}: ")


def payload() -> dict[str, object]:
    # The document shape (service/documents.py): each expert once, [value, confidence] per category.
    return {"game_id": "g", "season": 2025, "week": 10, "home_team": "BUF", "away_team": "KC",
            "model_version": "m", "ml": {"core": 1}, "totals": {"t": 1}, "props": [{"p": 1}],
            "experts": [{"expert": "contrarian", "predictions": {"winner": ["KC", 0.6], "total": [47.5, 0.55]}},
                        {"expert": "ratings_purist", "predictions": {"winner": ["BUF", 0.7]}},
                        {"expert": "x", "predictions": {"winner": ["BUF", 0.5]}}],
            "expert_lines": {"total": 47.5},
            "prediction_count": 7, "prediction_breakdown": {"ml": 1, "totals": 1, "props": 1, "experts": 4}}  # fmt: skip


def test_render_view_keeps_only_the_chosen_fields_and_counts_what_is_served() -> None:
    full = orjson.loads(render_view(payload(), spec()))
    assert next(iter(full)) == "prediction_count" and full["prediction_count"] == 7
    assert set(full) == set(payload())
    only = orjson.loads(render_view(payload(), spec(fields="game_id,week")))
    assert only == {"prediction_count": 7, "game_id": "g", "week": 10}
    ml = orjson.loads(render_view(payload(), spec(include="ml")))
    assert "totals" not in ml and "props" not in ml and "experts" not in ml and ml["ml"] == {"core": 1}
    assert "expert_lines" not in ml  # the lines go with the experts
    assert ml["prediction_breakdown"] == {"ml": 1} and ml["prediction_count"] == 1
    two = orjson.loads(render_view(payload(), spec(experts="contrarian,ratings_purist")))
    assert [e["expert"] for e in two["experts"]] == ["contrarian", "ratings_purist"]
    assert two["prediction_breakdown"]["experts"] == 3 and two["prediction_count"] == 6
    assert two["expert_lines"] == {"total": 47.5}
    assert render_view(payload(), spec(fields="game_id")) != render_view(
        payload(), spec(fields="game_id,week")
    )


def test_allowed_values_are_the_documented_ones() -> None:
    assert SECTIONS == ("embedding", "experts", "ml", "props", "totals")
    assert {"game_id", "prediction_count", "prediction_breakdown"} <= set(TOP_LEVEL_FIELDS)
