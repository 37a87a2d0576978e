"""The FastAPI application: the same app behind Mangum in Lambda and uvicorn locally."""

from __future__ import annotations

import importlib
import json
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from nfl_predictor import __version__
from nfl_predictor.api.documented import add_components
from nfl_predictor.api.errors import install_error_handlers
from nfl_predictor.api.pipeline import RequestPipeline
from nfl_predictor.api.routes import health, predictions
from nfl_predictor.api.security import document_security
from nfl_predictor.runtime import Runtime

DESCRIPTION = """NFL game predictions: 15 experts x 25 categories, model outputs, player props and totals.

Every route but `/health` and the docs needs an `x-api-key` header. Errors are one JSON shape:
`{"error": {"code", "message", "field"}}`."""


TAGS = [
    {"name": "predictions", "description": "A game's or a whole week's predictions, from cached bytes"},
    {"name": "games", "description": "The schedule and similar past matchups"},
    {"name": "search", "description": "Semantic search over research, news and prediction reasoning"},
    {"name": "experts", "description": "How each expert has done on graded games"},
    {"name": "operations", "description": "Latency, cache and database figures for operators"},
    {"name": "admin", "description": "Cache warming and invalidation (admin keys only)"},
    {"name": "health", "description": "Liveness and dependency checks (no key needed)"},
]


def operation_id(route: APIRoute) -> str:
    """Readable operationIds: the route function's name in camelCase (``getGamePredictions``), not
    FastAPI's ``game_predictions_v1_games__game_id__predictions_get``."""
    if route.name in OPERATION_IDS:
        return OPERATION_IDS[route.name]
    words = route.name.split("_")
    verb = next(iter(route.methods or {"GET"})).lower()
    return verb + "".join(w.title() for w in words)


# Route functions whose name alone does not read as an operation.
OPERATION_IDS = {"search": "searchContent", "warm": "warmCache", "invalidate": "invalidateCache"}


OPENAPI_PATH = Path(__file__).with_name("openapi.json")


def openapi_document() -> bytes:
    """The API's OpenAPI document as committed (stable key order, trailing newline)."""
    return json.dumps(create_app(Runtime()).openapi(), indent=2, sort_keys=True).encode() + b"\n"


def app_from_environment() -> FastAPI:
    """uvicorn's factory (``--factory``): each worker process builds its own Runtime from the environment."""
    return create_app(Runtime())


def _reads_its_own_parameters(route: APIRoute) -> bool:
    """A route whose endpoint takes only the request (it reads and validates its parameters itself,
    ``api/params.read``) is served by a plain Starlette route placed before it: FastAPI's dependency
    solving and endpoint wrapping would find nothing to do and cost ~15 us of a cached hit. The
    APIRoute stays behind it for the OpenAPI document."""
    dependant = route.dependant
    return dependant.request_param_name is not None and not (
        dependant.path_params or dependant.query_params or dependant.header_params or dependant.cookie_params
        or dependant.body_params or dependant.dependencies or dependant.response_param_name
        or dependant.background_tasks_param_name
    )  # fmt: skip


# Routes no cached hit uses: declared on the first request that reaches them (see DeferredRoutes).
DEFERRED_MODULES = ("games", "search", "experts", "performance", "monitoring", "admin", "docs")


def _add_routes(routes: list[BaseRoute], module: ModuleType) -> None:
    for route in module.router.routes:
        if isinstance(route, APIRoute) and route.operation_id is None:
            route.operation_id = operation_id(route)
        if isinstance(route, APIRoute) and _reads_its_own_parameters(route):
            routes.append(Route(route.path, route.endpoint, methods=sorted(route.methods or ())))
        routes.append(route)


def _deferred_modules() -> list[ModuleType]:
    return [importlib.import_module(f"nfl_predictor.api.routes.{name}") for name in DEFERRED_MODULES]


class DeferredRoutes:
    """The schedule, search, leaderboard, operations, admin and docs routes, behind the hot ones: their
    modules are imported and their routes declared when the first request reaches them. FastAPI's
    first route with validated parameters costs ~18 ms of set-up and the modules ~15 ms more, a slice
    of every cold start that a cached game or week never needs. Mounted at the root, so the routes
    keep their full paths; unmatched paths end here and get the app's JSON 404/405."""

    def __init__(self) -> None:
        self._router: APIRouter | None = None
        self._lock = threading.Lock()

    def _build(self) -> APIRouter:
        with self._lock:
            if self._router is None:
                router = APIRouter()
                for module in _deferred_modules():
                    _add_routes(router.routes, module)
                self._router = router
        return self._router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await (self._router or self._build())(scope, receive, send)


def create_app(runtime: Runtime, *, defer_routes: bool = True) -> FastAPI:
    """The app over ``runtime``'s parts (routes find them on ``app.state.runtime``). ``defer_routes``
    off declares every route now (the OpenAPI document is built from such an app)."""
    # docs_url/redoc_url off: FastAPI's pages load Swagger UI and ReDoc from a CDN; routes/docs.py
    # serves the same pages from assets shipped in the package, so they work offline.
    app = FastAPI(title="NFL Predictor API", version=__version__, description=DESCRIPTION, docs_url=None,
                  redoc_url=None, openapi_tags=TAGS, generate_unique_id_function=operation_id)  # fmt: skip
    app.state.runtime = runtime
    # The routes join the app's own router, not as included routers: FastAPI 0.165 keeps an included
    # router as a branch and walks every branch's version on each request (~12 us of a cached hit).
    # The hot routes come first, so a game or week request matches on its first or second try.
    for module in (predictions, health):
        _add_routes(app.router.routes, module)
    if defer_routes:
        app.router.routes.append(Mount("", app=DeferredRoutes()))
    else:
        for module in _deferred_modules():
            _add_routes(app.router.routes, module)
    install_error_handlers(app)
    app.add_middleware(RequestPipeline, runtime=runtime)  # key check, limits, timing, snapshots
    build_openapi = app.openapi

    def openapi_with_security() -> dict[str, Any]:
        if app.openapi_schema is None:
            whole = build_openapi() if not defer_routes else create_app(runtime, defer_routes=False).openapi()
            app.openapi_schema = whole if defer_routes else document_security(add_components(whole))
        return app.openapi_schema

    app.openapi = openapi_with_security  # type: ignore[method-assign]
    return app
