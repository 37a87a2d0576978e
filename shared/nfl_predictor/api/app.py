"""The FastAPI application (the same app behind Mangum in Lambda and uvicorn locally)."""

from __future__ import annotations

from fastapi import FastAPI

from nfl_predictor import __version__
from nfl_predictor.api.routes import health


def create_app() -> FastAPI:
    app = FastAPI(title="NFL Predictor API", version=__version__)
    app.include_router(health.router)
    return app
