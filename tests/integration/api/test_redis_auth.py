"""The API with Redis refusing its credentials: every route still answers (L1 and the database), and
/health says why the cache is out, without the password."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from nfl_predictor.api.lambda_app import make_lambda_handler
from nfl_predictor_dev.local.redis_server import PrivateRedis

from tests.integration.api.conftest import ApiStack, LambdaContext, http_api_event, runtime_on

PASSWORD = "api-redis-password-4e1b9c0d7a"
WRONG = "api-wrong-password-8d2f6b3e11"


@pytest.fixture(scope="module")
def locked_redis() -> Iterator[PrivateRedis]:
    with PrivateRedis(password=PASSWORD) as server:
        yield server


@pytest.mark.parametrize("password", [WRONG, None], ids=["wrong", "missing"])
def test_api_answers_from_the_fallback_when_redis_refuses_auth(
    api_stack: ApiStack, locked_redis: PrivateRedis, password: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    auth = f":{password}@" if password else ""
    runtime = runtime_on(api_stack.database_url, f"redis://{auth}127.0.0.1:{locked_redis.port}/0")
    handler = make_lambda_handler(runtime)
    headers = {"x-api-key": api_stack.keys["pro"]}

    def get(path: str) -> dict[str, Any]:
        response: dict[str, Any] = handler(http_api_event("GET", path, None, headers), LambdaContext())
        return response

    with caplog.at_level(logging.INFO, logger="nfl_predictor"):
        first = get(f"/v1/games/{api_stack.upcoming_game}/predictions")
        again = get(f"/v1/games/{api_stack.upcoming_game}/predictions")
        health = get("/health")
    runtime.close()
    assert first["statusCode"] == 200 and again["statusCode"] == 200
    assert again["headers"].get("x-cache") == "l1"  # served from this process, Redis never reached
    checks = json.loads(health["body"])["checks"]["cache"]
    assert checks["ok"] is False and checks["error"] == "AuthenticationError"
    everything = caplog.text + json.dumps([first, again, health], default=str)
    assert PASSWORD not in everything and WRONG not in everything
    assert "redis refused our credentials" in caplog.text
