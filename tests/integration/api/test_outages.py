"""The worst day: Redis killed mid-traffic, then the database stopped. Cached answers keep coming."""

from __future__ import annotations

import base64
import gzip
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from nfl_predictor.api.lambda_app import make_lambda_handler
from nfl_predictor.data.ingest import load_demo_league
from nfl_predictor.db import parse_database_url
from nfl_predictor.db.database import make_database
from nfl_predictor.db.migrate import apply_migrations
from nfl_predictor.service.accounts import create_api_key
from nfl_predictor.service.training import train_and_store
from nfl_predictor_dev.local.postgres import EmbeddedPostgres
from nfl_predictor_dev.local.redis_server import PrivateRedis

from tests.integration.api.conftest import LambdaContext, http_api_event, runtime_on

COOLDOWN_S = 0.3


class Outage:
    """A stack of this module's own (its own Postgres and Redis), so stopping them hurts no other test."""

    def __init__(self, root: Path) -> None:
        self.pg = EmbeddedPostgres(root / "pgdata").start()
        self.redis = PrivateRedis().start()
        db = make_database(parse_database_url(self.pg.url), pooled=False)
        apply_migrations(db)
        load_demo_league(db)
        train_and_store(db)
        self.key = create_api_key(db, name="outage", tier="enterprise").key
        self.games = [str(r[0]) for r in db.fetch("SELECT game_id FROM games WHERE season = 2025 AND week = 13 "
                                                  "ORDER BY game_id")]  # fmt: skip
        db.close()
        self.runtime = runtime_on(self.pg.url, self.redis.url, BREAKER_COOLDOWN_SECONDS=COOLDOWN_S,
                                  DB_BREAKER_COOLDOWN_SECONDS=COOLDOWN_S)  # fmt: skip
        self.handler = make_lambda_handler(self.runtime)

    def get(self, path: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.handler(http_api_event("GET", path, query, {"x-api-key": self.key}), LambdaContext())


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outage]:
    stack = Outage(tmp_path_factory.mktemp("outage"))
    yield stack
    stack.runtime.close()
    stack.redis.close()
    stack.pg.stop()


def body(response: dict[str, Any]) -> Any:
    raw = base64.b64decode(response["body"]) if response.get("isBase64Encoded") else response["body"].encode()
    headers = {k.lower(): v for k, v in response["headers"].items()}
    return orjson.loads(gzip.decompress(raw) if headers.get("content-encoding") == "gzip" else raw)


def test_redis_killed_then_database_stopped(outage: Outage) -> None:
    cached, uncached = outage.games[0], outage.games[1]
    assert outage.get(f"/v1/games/{cached}/predictions")["statusCode"] == 200  # computed, now in L1 + Redis

    outage.redis.stop()  # SIGKILL mid-traffic
    for _ in range(5):
        response = outage.get(f"/v1/games/{cached}/predictions")
        assert response["statusCode"] == 200 and response["headers"]["x-cache"] == "l1"
    computed = outage.get(f"/v1/games/{uncached}/predictions")  # Redis down: computed, stored, served
    assert computed["statusCode"] == 200 and body(computed)["game_id"] == uncached
    for game in outage.games[6:9]:  # a little more traffic that needs Redis: the breaker opens
        assert outage.get(f"/v1/games/{game}/predictions")["statusCode"] == 200
    assert outage.runtime.cache.breaker.state != "closed"  # open (half-open once its 0.3 s cool-down passed)
    health = outage.get("/health")
    assert health["statusCode"] == 200 and body(health)["status"] == "degraded"

    outage.redis.start()  # comes back on the same port: the breaker closes on its next probe
    time.sleep(COOLDOWN_S * 1.5)  # past the cool-down, the next call is the half-open probe
    assert outage.get(f"/v1/games/{outage.games[2]}/predictions")["statusCode"] == 200
    assert outage.runtime.cache.breaker.state == "closed"
    # A restarted Redis is empty (new namespace generations): traffic refills it from the database.
    for game in (cached, uncached):
        assert outage.get(f"/v1/games/{game}/predictions")["headers"]["x-cache"] in ("db", "l1", "redis")

    outage.pg.stop()
    try:
        for game in (cached, uncached):
            response = outage.get(f"/v1/games/{game}/predictions")
            assert response["statusCode"] == 200, response["body"]
        missing = outage.get(f"/v1/games/{outage.games[5]}/predictions")
        assert missing["statusCode"] == 503
        assert int(missing["headers"]["retry-after"]) >= 1
        assert body(missing)["error"]["code"] == "unavailable"
        assert outage.get("/health")["statusCode"] == 503
    finally:
        outage.pg.start()
    time.sleep(COOLDOWN_S * 1.5)  # the database breaker probes after its cool-down, then closes
    assert outage.get(f"/v1/games/{outage.games[5]}/predictions")["statusCode"] == 200  # reconnects by itself
