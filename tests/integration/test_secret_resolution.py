"""DB credentials from a Secrets Manager secret (moto), reaching the real embedded database."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws
from nfl_predictor.config import ConfigError, Settings
from nfl_predictor.db import database_from_settings, parse_database_url
from nfl_predictor.db.resolve import resolve_target


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("AWS_DEFAULT_REGION", "eu-west-1"), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):  # fmt: skip
        monkeypatch.setenv(name, value)


@mock_aws
def test_secret_arn_resolves_to_a_working_connection(database_url: str) -> None:
    local = parse_database_url(database_url)
    socket_dir = local.unix_sock.rsplit("/", 1)[0] if local.unix_sock else ""
    arn = boto3.client("secretsmanager").create_secret(
        Name="nfl/db",
        SecretString=json.dumps({"username": local.user, "password": "unused", "host": socket_dir, "port": 5432,
                                 "dbname": local.database, "engine": "postgres"}),
    )["ARN"]  # fmt: skip
    settings = Settings.from_env({"DB_SECRET_ARN": arn, "DB_SSLMODE": "disable"})
    target = resolve_target(settings)
    assert target.unix_sock == local.unix_sock and target.database == local.database
    db = database_from_settings(settings)
    assert db.scalar("SELECT current_database()") == local.database
    db.close()


@mock_aws
def test_secret_that_is_not_json_is_a_config_error() -> None:
    arn = boto3.client("secretsmanager").create_secret(Name="nfl/bad", SecretString="[1, 2]")["ARN"]
    with pytest.raises(ConfigError, match="DB_SECRET_ARN: secret is not a JSON object"):
        resolve_target(Settings.from_env({"DB_SECRET_ARN": arn}))


@mock_aws
def test_iam_auth_to_the_proxy_mints_a_token_per_connect() -> None:
    from nfl_predictor.db.iam_auth import IamAuthTarget

    arn = boto3.client("secretsmanager").create_secret(
        Name="nfl/iam",
        SecretString=json.dumps({"username": "app", "password": "unused", "host": "db", "port": 5432}),
    )["ARN"]
    env = {"DB_SECRET_ARN": arn, "DB_HOST": "proxy.example.internal", "DB_IAM_AUTH": "true",
           "AWS_REGION": "eu-west-1"}  # fmt: skip
    target = resolve_target(Settings.from_env(env))
    assert isinstance(target, IamAuthTarget) and target.sslmode == "verify-full"
    password = target.connect_kwargs()["password"]
    # A SigV4 presigned connect URL for the proxy endpoint, not the secret's password.
    assert (
        password.startswith("proxy.example.internal:5432/?Action=connect") and "X-Amz-Signature" in password
    )
