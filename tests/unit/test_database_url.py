"""libpq URI forms -> pg8000 arguments, including Unix socket directories and sslmode."""

from __future__ import annotations

import ssl

import pytest
from nfl_predictor.config import ConfigError, Settings
from nfl_predictor.db.resolve import target_from_secret
from nfl_predictor.db.url import parse_database_url


def test_unix_socket_directory_in_query() -> None:
    target = parse_database_url("postgresql://postgres@localhost/postgres?host=/path/to/socket/dir")
    kwargs = target.connect_kwargs()
    assert kwargs["unix_sock"] == "/path/to/socket/dir/.s.PGSQL.5432"
    assert "host" not in kwargs and kwargs["ssl_context"] is False
    assert kwargs["user"] == "postgres" and kwargs["database"] == "postgres"


def test_socket_port_comes_from_query_or_authority() -> None:
    assert parse_database_url("postgresql:///db?host=/run/pg&port=6543").unix_sock == "/run/pg/.s.PGSQL.6543"


def test_tcp_with_encoded_credentials_and_ipv6() -> None:
    target = parse_database_url("postgres://us%40er:p%3Ass%2Fw@[::1]:6432/my%20db")
    assert (target.user, target.password, target.host, target.port, target.database) == (
        "us@er", "p:ss/w", "::1", 6432, "my db",
    )  # fmt: skip


def test_database_defaults_to_user() -> None:
    assert parse_database_url("postgresql://alice@db").database == "alice"


@pytest.mark.parametrize(("mode", "expected"), [("disable", False), ("prefer", None), ("allow", None),
                                                ("require", True)])  # fmt: skip
def test_sslmodes_without_verification(mode: str, expected: object) -> None:
    assert parse_database_url(f"postgresql://u@db/x?sslmode={mode}").ssl_context() is expected


def test_verify_full_checks_certificate_and_hostname() -> None:
    context = parse_database_url("postgresql://u@db/x?sslmode=verify-full").ssl_context()
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_verify_ca_checks_certificate_only() -> None:
    context = parse_database_url("postgresql://u@db/x?sslmode=verify-ca").ssl_context()
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and not context.check_hostname


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://u@db/x?sslmode=maybe", "sslmode must be one of"),
        ("postgresql://u@db/x?colour=blue", "unsupported query parameter(s): colour"),
        ("postgresql://u@db:notaport/x", "port must be a number"),
    ],
)
def test_bad_urls_name_the_variable(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL") as info:
        parse_database_url(url)
    assert message in str(info.value)


def test_rds_secret_with_proxy_host_defaults_to_verify_full() -> None:
    settings = Settings.from_env({"DB_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:x",
                                  "DB_HOST": "proxy.example.internal"})  # fmt: skip
    target = target_from_secret({"username": "app", "password": "p@ss:word", "host": "db", "port": 5432,
                                 "dbname": "nfl"}, settings)  # fmt: skip
    assert (target.host, target.user, target.password, target.database) == ("proxy.example.internal", "app",
                                                                            "p@ss:word", "nfl")  # fmt: skip
    assert target.sslmode == "verify-full"


def test_secret_without_password_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="DB_SECRET_ARN: secret has no 'password' field"):
        target_from_secret({"username": "app", "host": "db"}, Settings.from_env({}))
