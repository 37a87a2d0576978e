"""The migrations function reads the application role's login from APP_DB_SECRET_ARN (moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from nfl_predictor.config import ConfigError, Settings
from nfl_predictor.db.roles import app_login_from_secret


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {"AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


def secret(value: object) -> str:
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    return str(client.create_secret(Name=f"s-{id(value)}", SecretString=json.dumps(value))["ARN"])


def test_the_login_comes_from_the_secret_and_is_not_cached_across_deploys() -> None:
    arn = secret({"username": "nflp_app", "password": "one", "dbname": "nflp"})
    settings = Settings.from_env({"APP_DB_SECRET_ARN": arn})
    assert app_login_from_secret(settings) == ("nflp_app", "one")
    boto3.client("secretsmanager", region_name="eu-west-1").put_secret_value(
        SecretId=arn, SecretString=json.dumps({"username": "nflp_app", "password": "two"})
    )
    assert app_login_from_secret(settings) == ("nflp_app", "two")  # a rotated password reaches the role


def test_no_secret_means_nothing_to_set() -> None:
    assert app_login_from_secret(Settings.from_env({})) is None


def test_a_secret_without_a_password_is_one_line() -> None:
    arn = secret({"username": "nflp_app"})
    with pytest.raises(
        ConfigError, match="APP_DB_SECRET_ARN: the secret needs non-empty username and password"
    ):
        app_login_from_secret(Settings.from_env({"APP_DB_SECRET_ARN": arn}))
