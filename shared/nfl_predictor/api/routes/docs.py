"""Swagger UI (/docs) and ReDoc (/redoc) served from the package: no CDN, so they work offline.

The assets (Swagger UI and ReDoc bundles, MIT) are vendored from the ``fastapi-offline`` wheel into
``api/static/docs/``; NOTICE records where they came from.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import HTMLResponse, Response

from nfl_predictor.api.errors import not_found

router = APIRouter(include_in_schema=False)
DOCS_STATIC = Path(__file__).resolve().parents[1] / "static" / "docs"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
ASSET_PREFIX = "/docs/assets"
TITLE = "NFL Predictor API"


@lru_cache(maxsize=len(ASSETS))
def _asset(name: str) -> bytes:
    return (DOCS_STATIC / name).read_bytes()


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json", title=f"{TITLE} - Swagger UI",
        swagger_js_url=f"{ASSET_PREFIX}/swagger-ui-bundle.js", swagger_css_url=f"{ASSET_PREFIX}/swagger-ui.css",
        swagger_favicon_url=f"{ASSET_PREFIX}/favicon.png",
        swagger_ui_parameters={"persistAuthorization": True, "displayOperationId": False},
    )  # fmt: skip


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    return get_redoc_html(openapi_url="/openapi.json", title=f"{TITLE} - ReDoc",
                          redoc_js_url=f"{ASSET_PREFIX}/redoc.standalone.js",
                          redoc_favicon_url=f"{ASSET_PREFIX}/favicon.png", with_google_fonts=False)  # fmt: skip


@router.get(ASSET_PREFIX + "/{name}")
async def docs_asset(name: str) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None:
        raise not_found(f"no docs asset {name}", "name")
    return Response(_asset(name), media_type=media_type,
                    headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})  # fmt: skip
