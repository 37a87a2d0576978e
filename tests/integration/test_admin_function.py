"""The admin function against the private Postgres: create, list and revoke API keys from an
``aws lambda invoke`` event; bad input is a clear error object, never a traceback; a revoked key gets
401 from predict once the key-trust period (AUTH_KEY_TTL_SECONDS) has passed, at once when it is 0."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from nfl_predictor.api.lambda_app import make_lambda_handler
from nfl_predictor.config import Settings
from nfl_predictor.handlers.admin import make_handler
from nfl_predictor.runtime import Runtime
from nfl_predictor.service.accounts import find_principal

from tests.integration.api.conftest import LambdaContext, http_api_event, runtime_on


@pytest.fixture(scope="module")
def runtime(database_url: str) -> Iterator[Runtime]:
    rt = runtime_on(database_url, None)
    yield rt
    rt.close()


@pytest.fixture(scope="module")
def admin(runtime: Runtime) -> Any:
    handler = make_handler(runtime)
    return lambda event: handler(event, LambdaContext())


def test_create_list_and_revoke(admin: Any, runtime: Runtime) -> None:
    created = admin({"action": "create", "name": " first customer ", "tier": "pro", "email": "a@example.com"})
    assert created["ok"] is True and created["key"].startswith("nflp_") and created["tier"] == "pro"
    assert created["scopes"] == ["read"]
    principal = find_principal(runtime.db, created["key"])
    assert principal is not None and principal.key_id == created["key_id"] and principal.tier == "pro"
    json.dumps(created)  # the answer crosses Lambda as JSON

    listed = admin({"action": "list"})
    assert listed["ok"] is True
    [row] = [k for k in listed["keys"] if k["id"] == created["key_id"]]
    assert row["name"] == "first customer" and row["tier"] == "pro" and row["revoked_at"] is None
    assert created["key"] not in json.dumps(listed)  # the plaintext is shown once, at create
    assert created["key"].startswith(row["key_prefix"])

    revoked = admin({"action": "revoke", "key_id": created["key_id"]})
    assert revoked == {"ok": True, "action": "revoke", "key_id": created["key_id"], "outcome": "revoked",
                       "effective_within_s": 10.0}  # fmt: skip
    assert find_principal(runtime.db, created["key"]) is None
    again = admin({"action": "revoke", "key_id": created["key_id"]})  # twice is not an error
    assert again["ok"] is True and again["outcome"] == "already_revoked"
    assert all(k["id"] != created["key_id"] for k in admin({"action": "list"})["keys"])
    with_revoked = admin({"action": "list", "include_revoked": True})["keys"]
    assert any(k["id"] == created["key_id"] and k["revoked_at"] for k in with_revoked)


def test_revoke_by_the_key_or_its_listed_prefix_and_admin_keys(admin: Any) -> None:
    by_key = admin({"action": "create", "name": "by key", "admin": True, "tier": "enterprise"})
    assert by_key["scopes"] == ["read", "admin"]
    assert admin({"action": "revoke", "key": by_key["key"]})["outcome"] == "revoked"
    by_prefix = admin({"action": "create", "name": "by prefix"})
    assert by_prefix["tier"] == "free"
    assert admin({"action": "revoke", "key": by_prefix["key"][:16]})["key_id"] == by_prefix["key_id"]


@pytest.mark.parametrize(
    ("event", "field", "words"),
    [
        ([], "event", "JSON object"),
        ("create", "event", "JSON object"),
        ({}, "action", "one of create, list, revoke"),
        ({"action": "delete"}, "action", "one of"),
        ({"action": "create"}, "name", "non-empty"),
        ({"action": "create", "name": "   "}, "name", "non-empty"),
        ({"action": "create", "name": "x" * 201}, "name", "at most 200"),
        ({"action": "create", "name": "n", "tier": "gold"}, "tier", "free, pro, enterprise"),
        ({"action": "create", "name": "n", "teir": "pro"}, "teir", "not a field of create"),
        ({"action": "create", "name": "n", "admin": "yes"}, "admin", "true or false"),
        ({"action": "create", "name": "n", "email": "nobody"}, "email", "address"),
        ({"action": "create", "name": "n", "expires_at": "next tuesday"}, "expires_at", "ISO 8601"),
        ({"action": "create", "name": "n", "expires_at": "2030-01-01T00:00:00"}, "expires_at", "UTC offset"),
        ({"action": "list", "include_revoked": "no"}, "include_revoked", "true or false"),
        ({"action": "revoke"}, "key_id", "key_id or key"),
        ({"action": "revoke", "key_id": 1, "key": "nflp_x"}, "key_id", "not both"),
        ({"action": "revoke", "key_id": "12"}, "key_id", "positive integer"),
        ({"action": "revoke", "key_id": True}, "key_id", "positive integer"),
        ({"action": "revoke", "key_id": 0}, "key_id", "positive integer"),
        ({"action": "revoke", "key_id": 987654321}, "key_id", "no key with id 987654321"),
        ({"action": "revoke", "key": "nflp_doesnotexist"}, "key", "no unrevoked key matches"),
    ],
)
def test_bad_input_is_a_clear_error_object(admin: Any, event: Any, field: str, words: str) -> None:
    answer = admin(event)
    assert answer["ok"] is False and answer["field"] == field, answer
    assert words in answer["error"] and "Traceback" not in json.dumps(answer)
    assert set(answer) == {"ok", "error", "field"}


def closed_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_database_is_one_line_not_a_traceback() -> None:
    url = f"postgresql://nobody:x@127.0.0.1:{closed_loopback_port()}/nflp?sslmode=disable"
    rt = Runtime(Settings.from_env({"DATABASE_URL": url, "DB_CONNECT_TIMEOUT_SECONDS": "1"}))
    try:
        answer = make_handler(rt)({"action": "list"}, LambdaContext())
    finally:
        rt.close()
    assert answer["ok"] is False and answer["error"].startswith("database: ")
    assert "\n" not in answer["error"] and "Traceback" not in answer["error"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def get(handler: Any, key: str, path: str = "/v1/experts/leaderboard") -> int:
    return int(
        handler(http_api_event("GET", path, headers={"x-api-key": key}), LambdaContext())["statusCode"]
    )


def predict_over(database_url: str, clock: Clock, **settings: Any) -> tuple[Runtime, Any]:
    env = {"DATABASE_URL": database_url, **settings}
    rt = Runtime(Settings.from_env({k: str(v) for k, v in env.items()}), auth_clock=clock)
    return rt, make_lambda_handler(rt)


def test_a_revoked_key_gets_401_once_the_trust_period_has_passed(admin: Any, database_url: str) -> None:
    clock = Clock()
    predict_rt, predict = predict_over(database_url, clock)  # another instance: its own key memory
    try:
        ttl = predict_rt.settings.auth_key_ttl_s
        assert ttl == 10.0  # the bound the README states (AUTH_KEY_TTL_SECONDS's default)
        created = admin({"action": "create", "name": "to be revoked", "tier": "pro"})
        assert get(predict, created["key"]) == 200  # checked now: trusted until now + ttl
        assert admin({"action": "revoke", "key_id": created["key_id"]})["outcome"] == "revoked"
        clock.now += ttl - 0.001
        assert get(predict, created["key"]) == 200  # within the bound the remembered answer may stand
        clock.now += 0.001
        assert get(predict, created["key"]) == 401  # past it the database decides
        clock.now += 3600
        assert get(predict, created["key"]) == 401
    finally:
        predict_rt.close()


def test_with_no_trust_period_revocation_is_immediate(admin: Any, database_url: str) -> None:
    clock = Clock()
    predict_rt, predict = predict_over(database_url, clock, AUTH_KEY_TTL_SECONDS=0)
    try:
        created = admin({"action": "create", "name": "revoked at once", "tier": "pro"})
        assert get(predict, created["key"]) == 200
        assert admin({"action": "revoke", "key": created["key"]})["outcome"] == "revoked"
        assert get(predict, created["key"]) == 401  # the clock never moved
    finally:
        predict_rt.close()
