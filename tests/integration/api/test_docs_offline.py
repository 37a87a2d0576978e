"""Swagger UI (/docs) and ReDoc (/redoc) from assets in the package: rendered by headless Chromium with
no network beyond the local server, they list the API's operations."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from nfl_predictor_dev.bench.server import PROJECT_APP, uvicorn_server
from nfl_predictor_dev.local.redis_server import free_port

from tests.integration.api.conftest import ApiStack
from tests.integration.api.test_dashboard import CHROMIUM_FLAGS, chromium


@pytest.fixture(scope="module")
def server(api_stack: ApiStack) -> Iterator[str]:
    env = {**os.environ, "DATABASE_URL": api_stack.database_url, "REDIS_URL": api_stack.redis.url}
    with uvicorn_server(PROJECT_APP, free_port(), env, factory=True) as base:
        yield base


def test_pages_reference_only_this_server(server: str) -> None:
    for page in ("/docs", "/redoc"):
        html = httpx.get(server + page).text
        assert "cdn" not in html.lower() and "fonts.googleapis" not in html, page
        assert "/docs/assets/" in html
    asset = httpx.get(server + "/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]
    assert httpx.get(server + "/docs/assets/../openapi.json").status_code == 404
    assert httpx.get(server + "/docs/assets/nope.js").status_code == 404


def render(url: str, tmp_path: Path) -> str:
    # --proxy-server to a closed port: anything not on the local server fails, as it would offline.
    args = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=15000",
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=127.0.0.1", "--dump-dom", url]  # fmt: skip
    return subprocess.run(args, capture_output=True, text=True, timeout=90, check=True).stdout


def test_swagger_ui_renders_the_operations_offline(server: str, tmp_path: Path) -> None:
    dom = render(server + "/docs", tmp_path)
    assert "opblock" in dom, dom[:2000]
    assert "/v1/games/{game_id}/predictions" in dom and "/v1/experts/leaderboard" in dom


def test_redoc_renders_the_operations_offline(server: str, tmp_path: Path) -> None:
    dom = render(server + "/redoc", tmp_path)
    assert "All predictions for one game" in dom, dom[:2000]
    assert "Predictions for every game of a week" in dom
