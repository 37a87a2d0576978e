"""Redis AUTH: a password-protected private redis-server, the password in the URL or in a Secrets
Manager secret (moto). Wrong or missing credentials: the cache says Redis is unavailable and keeps
answering from L1 and the producer, and the password appears in no log, error or report."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from nfl_predictor.cache import CacheConfig, CacheManager
from nfl_predictor.config import Settings
from nfl_predictor_dev.local.redis_server import PrivateRedis

PASSWORD = "correct-horse-battery-staple-7f3a"
WRONG = "wrong-password-never-logged-91c2"


@pytest.fixture(scope="module")
def locked_redis() -> Iterator[PrivateRedis]:
    with PrivateRedis(password=PASSWORD) as server:
        yield server


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("AWS_DEFAULT_REGION", "eu-west-1"), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):  # fmt: skip
        monkeypatch.setenv(name, value)


def _url(server: PrivateRedis, password: str | None) -> str:
    auth = f":{password}@" if password is not None else ""
    return f"redis://{auth}127.0.0.1:{server.port}/0"


def _works(cache: CacheManager) -> None:
    cache.set("schedule", {"season": 2025}, b"[1]")
    cache.clear_local()
    got = cache.get("schedule", {"season": 2025})
    assert got is not None and got.tier == "redis"
    assert cache.health()["redis"]["connected"] is True


@contextlib.contextmanager
def _every_project_record(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """caplog sees the records even when an earlier test set up Lambda-mode logging in this process
    (Powertools' handlers on the project's loggers, which then do not propagate to the root)."""
    names = ["nfl_predictor", *(n for n in logging.root.manager.loggerDict if n.startswith("nfl_predictor."))]
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG, logger="nfl_predictor"):
            yield
    finally:
        for logger in loggers:
            logger.removeHandler(caplog.handler)


def _falls_back(cache: CacheManager, caplog: pytest.LogCaptureFixture) -> dict[str, Any]:
    with _every_project_record(caplog):
        bodies = [cache.get_or_compute("schedule", {"season": 2025}, lambda: b"[2]").body for _ in range(3)]
        report = cache.health()
    assert bodies == [b"[2]"] * 3  # computed once, then served from L1
    assert cache.stats.computes == 1
    assert report["redis"]["connected"] is False
    assert report["redis"]["breaker"]["last_error"] == "AuthenticationError"  # clear, and no secrets
    shown = caplog.text + json.dumps(report, default=str) + repr(cache.config)
    assert PASSWORD not in shown and WRONG not in shown
    assert "AuthenticationError" in caplog.text
    return report


def test_right_password_in_the_url(locked_redis: PrivateRedis) -> None:
    with CacheManager(CacheConfig(_url(locked_redis, PASSWORD))) as cache:
        _works(cache)


@pytest.mark.parametrize("password", [WRONG, None], ids=["wrong", "missing"])
def test_wrong_or_missing_password_is_an_outage_not_a_failure(
    locked_redis: PrivateRedis, password: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    with CacheManager(CacheConfig(_url(locked_redis, password))) as cache:
        _falls_back(cache, caplog)


def _secret(name: str, value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return str(boto3.client("secretsmanager").create_secret(Name=name, SecretString=text)["ARN"])


@mock_aws
def test_credentials_from_the_secret(locked_redis: PrivateRedis) -> None:
    arn = _secret("nfl/redis-ok", {"username": "default", "password": PASSWORD})
    settings = Settings.from_env({"REDIS_URL": _url(locked_redis, None), "REDIS_AUTH_SECRET_ARN": arn})
    with CacheManager.from_settings(settings) as cache:
        _works(cache)
        assert PASSWORD not in repr(cache.config)


@mock_aws
def test_wrong_password_in_the_secret(locked_redis: PrivateRedis, caplog: pytest.LogCaptureFixture) -> None:
    arn = _secret("nfl/redis-wrong", {"username": "default", "password": WRONG})
    settings = Settings.from_env({"REDIS_URL": _url(locked_redis, None), "REDIS_AUTH_SECRET_ARN": arn})
    with CacheManager.from_settings(settings) as cache:
        _falls_back(cache, caplog)


@mock_aws
def test_unreadable_secret_is_an_outage(locked_redis: PrivateRedis, caplog: pytest.LogCaptureFixture) -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:nfl/absent-AbCdEf"
    settings = Settings.from_env({"REDIS_URL": _url(locked_redis, None), "REDIS_AUTH_SECRET_ARN": arn})
    with CacheManager.from_settings(settings) as cache:  # built without touching AWS: init never fails
        report = _falls_back(cache, caplog)
    assert "redis auth secret unreadable" in caplog.text
    assert report["redis"]["configured"] is True


def test_acl_user_with_the_templates_access_string(locked_redis: PrivateRedis) -> None:
    """The RBAC user the template creates, applied to a real server: the cache and the rate-limit
    script work, FLUSHALL / KEYS / CONFIG are refused."""
    import redis
    from nfl_predictor.service.ratelimit import RateLimiter, tier_limits

    from tests.contract.template_support import redis_app_access_string

    admin = redis.Redis.from_url(_url(locked_redis, PASSWORD))
    admin.execute_command("ACL", "SETUSER", "nflp-app", "reset", ">app-password-1234567890",
                          *redis_app_access_string().split())  # fmt: skip
    url = f"redis://nflp-app:app-password-1234567890@127.0.0.1:{locked_redis.port}/0"
    with CacheManager(CacheConfig(url)) as cache:
        _works(cache)
        assert cache.invalidate_matching("schedule", {"season": 2025}).l2_ok
        assert cache.invalidate_namespace("schedule").l2_ok
        limiter = RateLimiter(cache.redis_tier, tier_limits("free=1:5"))
        assert limiter.check(1, "free").backend == "redis"
        assert cache.redis_tier is not None and cache.redis_tier.errors == 0
    app = redis.Redis.from_url(url)
    for command in (("FLUSHALL",), ("FLUSHDB",), ("KEYS", "*"), ("CONFIG", "GET", "maxmemory")):
        with pytest.raises(redis.exceptions.NoPermissionError):
            app.execute_command(*command)
    with pytest.raises(redis.exceptions.NoPermissionError):
        app.set("not-ours", b"1")  # only nflp:* keys
    app.close()
    admin.execute_command("ACL", "DELUSER", "nflp-app")
    admin.close()
