"""The local server over real HTTP (nfl-predictor serve), schemathesis against the exported OpenAPI
document, and that document kept in sync with the app."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from nfl_predictor.api.app import OPENAPI_PATH, openapi_document
from nfl_predictor_dev.local.redis_server import free_port

from tests.integration.api.conftest import ApiStack


@pytest.fixture(scope="module")
def server(api_stack: ApiStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    data_dir = tmp_path_factory.mktemp("serve")
    env = {**os.environ, "DATABASE_URL": api_stack.database_url, "REDIS_URL": api_stack.redis.url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "nfl_predictor.cli.main", "--data-dir", str(data_dir), "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=2).status_code in (200, 503):
                break
        except httpx.HTTPError:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            time.sleep(0.3)
    yield base
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)


def test_routes_over_http(server: str, api_stack: ApiStack) -> None:
    key = {"x-api-key": api_stack.keys["pro"]}
    season, week = api_stack.upcoming_week
    with httpx.Client(base_url=server, timeout=30) as client:
        game = client.get(f"/v1/games/{api_stack.upcoming_game}/predictions", headers=key)
        assert game.status_code == 200 and game.headers["content-encoding"] == "gzip"  # httpx sends gzip
        assert game.json()["prediction_count"] == int(game.headers["x-prediction-count"]) >= 375
        assert client.get(f"/v1/games/{api_stack.upcoming_game}/predictions",
                          headers={**key, "if-none-match": game.headers["etag"]}).status_code == 304  # fmt: skip
        identity = client.get(f"/v1/games/{api_stack.upcoming_game}/predictions",
                              headers={**key, "accept-encoding": "identity"})  # fmt: skip
        assert "content-encoding" not in identity.headers and identity.json() == game.json()
        assert (
            client.get("/v1/predictions", params={"season": season, "week": week}, headers=key).status_code
            == 200
        )
        assert client.get("/v1/games", params={"season": season}, headers=key).status_code == 200
        assert client.get("/v1/search", params={"q": "weather wind"}, headers=key).status_code == 200
        assert client.get("/v1/experts/leaderboard", headers=key).status_code == 200
        assert client.get("/v1/performance", headers=key).json()["routes"]
        assert client.get("/docs").status_code == 200 and client.get("/health").json()["status"] == "ok"

        assert client.get("/v1/games", params={"season": season}).status_code == 401
        assert client.get("/v1/games", params={"season": season},
                          headers={"x-api-key": api_stack.keys["expired"]}).status_code == 403  # fmt: skip
        assert client.get("/v1/games/2025_01_XXX_YYY/predictions", headers=key).status_code == 404
        bad = client.get("/v1/predictions", params={"season": season, "week": "x"}, headers=key)
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "week"
        assert client.post("/v1/admin/cache/warm", json={}, headers=key).status_code == 403


def test_openapi_document_is_in_sync() -> None:
    assert OPENAPI_PATH.read_bytes() == openapi_document(), (
        "run `nfl-predictor openapi` and commit the result"
    )


def test_schemathesis_finds_no_server_errors_or_schema_violations(server: str, api_stack: ApiStack,
                                                                  tmp_path: Path) -> None:  # fmt: skip
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    assert st, "schemathesis is a dev dependency"
    result = subprocess.run(
        [st, "run", str(OPENAPI_PATH), "--url", server, "-H", f"x-api-key: {api_stack.keys['admin']}",
         "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,"
         "content_type_conformance", "--max-examples", "15", "--seed", "1", "--phases", "examples,coverage,fuzzing",
         "--workers", "1", "--request-timeout", "30", "--no-color", "--generation-database", "none",
         "--exclude-path", "/v1/admin/cache/warm"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_an_over_long_query_string_gets_the_json_error_shape(server: str, api_stack: ApiStack) -> None:
    """A 1 MB query string reaches the app (not the HTTP parser's plain-text 400) and gets a JSON 414."""
    import http.client
    import json
    from urllib.parse import urlsplit

    address = urlsplit(server)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=30)
    try:  # http.client sends the URL as given (httpx refuses URLs this long before sending)
        connection.request("GET", "/v1/games?season=2025&q=" + "x" * 1_000_000,
                           headers={"x-api-key": api_stack.keys["pro"]})  # fmt: skip
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 414
    assert (response.getheader("content-type") or "").startswith("application/json")
    assert json.loads(body)["error"]["code"] == "uri_too_long"
