"""An API stack for the tests: a migrated database with the demo league and a trained model, a private
redis-server, API keys of every kind, and a Runtime (with the predict handler over it) built on them."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from nfl_predictor.api.lambda_app import make_lambda_handler
from nfl_predictor.config import Settings
from nfl_predictor.data.ingest import load_demo_league
from nfl_predictor.db import Database, parse_database_url
from nfl_predictor.db.database import make_database
from nfl_predictor.runtime import Runtime
from nfl_predictor.service.accounts import create_api_key, expire_subscriptions
from nfl_predictor.service.training import train_and_store
from nfl_predictor_dev.local.redis_server import PrivateRedis

from tests.conftest import fresh_database_url

EVENTS = Path(__file__).resolve().parents[2] / "events"


@dataclass
class ApiStack:
    database_url: str
    redis: PrivateRedis
    db: Database
    keys: dict[str, str]
    upcoming_game: str
    played_game: str
    upcoming_week: tuple[int, int]
    runtime: Runtime = field(init=False)
    handler: Any = field(init=False)

    def __post_init__(self) -> None:
        self.runtime = runtime_on(self.database_url, self.redis.url)
        self.handler = make_lambda_handler(self.runtime)

    def rebuild(self) -> None:
        """A new process, as far as the API can tell: new L1, breaker, key cache and connections."""
        self.runtime.close()
        self.__post_init__()

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = self.handler(event, LambdaContext())
        return response


def runtime_on(database_url: str, redis_url: str | None, **settings: Any) -> Runtime:
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url or "", **settings}
    return Runtime(Settings.from_env({k: str(v) for k, v in env.items()}))


@pytest.fixture(scope="session")
def api_stack(pg_server: Any, template_database: str) -> Iterator[ApiStack]:
    url = fresh_database_url(pg_server, template_database)
    db = make_database(parse_database_url(url), pooled=True, pool_size=2)
    load_demo_league(db)
    train_and_store(db)
    keys = {
        "free": create_api_key(db, name="free user", tier="free").key,
        "pro": create_api_key(db, name="pro user", tier="pro").key,
        "admin": create_api_key(db, name="ops", tier="enterprise", admin=True).key,
    }
    expired = create_api_key(db, name="lapsed", tier="pro",
                             expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))  # fmt: skip
    keys["expired"] = expired.key
    cancelled = create_api_key(db, name="cancelled", tier="pro")
    expire_subscriptions(db, cancelled.user_id)
    keys["cancelled"] = cancelled.key
    week = db.fetch_one("SELECT season, week FROM games WHERE home_score IS NULL ORDER BY gameday LIMIT 1")
    assert week is not None
    upcoming = db.scalar("SELECT game_id FROM games WHERE season = :s AND week = :w ORDER BY game_id LIMIT 1",
                         s=week[0], w=week[1])  # fmt: skip
    played = db.scalar("SELECT game_id FROM games WHERE home_score IS NOT NULL ORDER BY gameday DESC LIMIT 1")
    redis = PrivateRedis().start()
    stack = ApiStack(url, redis, db, keys, upcoming, played, (int(week[0]), int(week[1])))
    yield stack
    stack.runtime.close()
    redis.close()
    db.close()


@pytest.fixture
def fresh_caches(api_stack: ApiStack) -> Iterator[None]:
    """Every tier empty (L1, Redis, stored predictions) and Redis up: each test starts from the same place."""
    api_stack.db.execute("DELETE FROM predictions")
    api_stack.redis.start()
    import redis

    client = redis.Redis.from_url(api_stack.redis.url)
    client.flushdb()
    client.close()
    api_stack.rebuild()
    yield
    api_stack.rebuild()


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def http_api_event(method: str, path: str, query: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    """An API Gateway HTTP API (payload v2) event, from `sam local generate-event apigateway http-api-proxy`."""
    event = copy.deepcopy(load_event("http_api_v2.json"))
    query = query or {}
    event.update(rawPath=path, rawQueryString=urlencode(query), cookies=[], headers=headers or {},
                 queryStringParameters={k: str(v) for k, v in query.items()} or None, body=None,
                 isBase64Encoded=False, pathParameters=None)  # fmt: skip
    event["requestContext"]["http"].update(method=method, path=path)
    return event


def rest_api_event(method: str, path: str, query: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    """An API Gateway REST API (payload v1) event, from `sam local generate-event apigateway aws-proxy`."""
    event = copy.deepcopy(load_event("rest_api_v1.json"))
    query = query or {}
    event.update(path=path, httpMethod=method, headers=headers or {}, multiValueHeaders={},
                 queryStringParameters={k: str(v) for k, v in query.items()} or None,
                 multiValueQueryStringParameters={k: [str(v)] for k, v in query.items()} or None,
                 body=None, isBase64Encoded=False, pathParameters=None)  # fmt: skip
    event["requestContext"].update(path=path, httpMethod=method)
    return event


class LambdaContext:
    function_name = "nfl-predictor-predict-test"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:nfl-predictor-predict-test"
    aws_request_id = "test-request"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 15_000
