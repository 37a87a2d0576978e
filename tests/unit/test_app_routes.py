"""How the app's routes are laid out: flat (no included-router branches), hot routes first, and the
routes that read their own parameters served by a plain Starlette route in front of their APIRoute."""

from __future__ import annotations

from fastapi.routing import APIRoute
from nfl_predictor.api.app import create_app
from nfl_predictor.runtime import Runtime
from starlette.routing import Mount, Route


def test_routes_reading_their_own_parameters_are_plain_and_the_rest_stay_fastapi_routes() -> None:
    routes = create_app(Runtime()).router.routes
    plain = [r.path for r in routes if type(r) is Route and r.path != "/openapi.json"]  # FastAPI's own
    assert plain[:4] == ["/v1/games/{game_id}/predictions", "/v1/predictions", "/v1/categories", "/health"]
    # Each plain route sits right in front of the APIRoute that documents it (same path and methods).
    for index, route in enumerate(routes):
        if type(route) is Route and route.path in plain:
            behind = routes[index + 1]
            assert isinstance(behind, APIRoute) and behind.path == route.path
            assert behind.methods <= (route.methods or set())
    # Routes with FastAPI-validated parameters (Query, bodies) are not doubled.
    assert "/v1/games" not in plain and "/v1/admin/cache/warm" not in plain
    assert "/v1/experts/leaderboard" not in plain


def test_the_routes_no_cached_hit_uses_are_declared_behind_the_hot_ones_and_documented() -> None:
    from nfl_predictor.api.app import DeferredRoutes

    app = create_app(Runtime())
    last = app.router.routes[-1]
    assert isinstance(last, Mount) and isinstance(last.app, DeferredRoutes) and last.path == ""
    assert {r.path for r in app.router.routes if isinstance(r, APIRoute)} == {
        "/v1/games/{game_id}/predictions", "/v1/predictions", "/v1/categories", "/health"}  # fmt: skip
    # The document still lists every operation (it is built from an app with every route declared).
    paths = app.openapi()["paths"]
    assert {"/v1/games", "/v1/search", "/v1/experts/leaderboard", "/v1/admin/cache/warm"} <= set(paths)
    assert paths["/v1/games"]["get"]["security"] == [{"ApiKeyAuth": []}]
