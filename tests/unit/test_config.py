"""Settings: defaults, parsing, and one clear line naming the variable on bad input."""

from __future__ import annotations

import pytest
from nfl_predictor.config import ConfigError, Settings


def test_defaults_need_no_environment() -> None:
    settings = Settings.from_env({})
    assert settings.database_url is None and settings.redis_url is None
    assert settings.uses_embedded_db
    assert settings.cache_default_ttl_s == 1800 and settings.cache_prediction_ttl_s == 300


def test_values_are_parsed_and_typed() -> None:
    settings = Settings.from_env({
        "DATABASE_URL": "postgresql://u:p@db:5432/x", "REDIS_URL": "rediss://:secret@cache:6379/0",
        "CACHE_PREDICTION_TTL_SECONDS": "120", "DB_POOLED": "yes", "CACHE_TTL_JITTER": "0.2",
        "LOG_LEVEL": "debug",
    })  # fmt: skip
    assert settings.cache_prediction_ttl_s == 120
    assert settings.db_pooled is True
    assert settings.cache_ttl_jitter == 0.2
    assert settings.log_level == "DEBUG"
    assert not settings.uses_embedded_db


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CACHE_DEFAULT_TTL_SECONDS", "soon", "CACHE_DEFAULT_TTL_SECONDS: invalid value 'soon'"),
        ("CACHE_DEFAULT_TTL_SECONDS", "-5", "expected a positive integer"),
        ("DB_POOLED", "maybe", "DB_POOLED: invalid value 'maybe'"),
        ("CACHE_TTL_JITTER", "1.5", "expected a number in [0, 1)"),
        ("DATABASE_URL", "mysql://root@db/x", "DATABASE_URL: invalid value"),
        ("REDIS_URL", "http://cache", "REDIS_URL: invalid value"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: invalid value 'LOUD'"),
        ("DB_SSLMODE", "sometimes", "DB_SSLMODE: invalid value"),
    ],
)
def test_malformed_values_fail_with_one_line_naming_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({name: value})
    text = str(info.value)
    assert text.startswith(name) and message in text
    assert "\n" not in text


def test_secrets_in_urls_are_not_echoed() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"DATABASE_URL": "mysql://admin:hunter2hunter2@db.internal/x"})
    assert "hunter2" not in str(info.value)
