"""`nfl-predictor preflight`: the account's Lambda concurrency against what the template reserves, on moto.

moto keeps functions and their reserved concurrency but has no GetAccountSettings; a botocore
before-call hook answers it from moto's own state (quota minus every function's reservation), the way
Lambda computes UnreservedConcurrentExecutions.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws
from nfl_predictor.cli.main import main
from nfl_predictor_dev.commands import preflight as command

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "infra" / "template.yaml"
SAMCONFIG = REPO / "samconfig.toml"
REGION = "eu-west-1"


class FakeAccount:
    """A moto Lambda client whose account has a given concurrency quota."""

    def __init__(self, quota: int) -> None:
        self.quota = quota
        self.client = boto3.client("lambda", region_name=REGION)
        self.client.meta.events.register("before-call.lambda.GetAccountSettings", self._account_settings)
        iam = boto3.client("iam", region_name=REGION)
        self.role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]

    def _account_settings(self, **_: Any) -> tuple[Any, dict[str, Any]]:
        reserved = 0
        for page in self.client.get_paginator("list_functions").paginate():
            for fn in page["Functions"]:
                concurrency = self.client.get_function_concurrency(FunctionName=fn["FunctionName"])
                reserved += int(concurrency.get("ReservedConcurrentExecutions") or 0)
        limit = {"ConcurrentExecutions": self.quota, "UnreservedConcurrentExecutions": self.quota - reserved}
        return SimpleNamespace(status_code=200, headers={}), {"AccountLimit": limit, "AccountUsage": {}}

    def function(self, name: str, reserved: int | None = None) -> None:
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("app.py", "def handler(event, context):\n    return None\n")
        self.client.create_function(FunctionName=name, Runtime="python3.11", Role=self.role, Handler="app.handler",
                                    Code={"ZipFile": code.getvalue()})  # fmt: skip
        if reserved is not None:
            self.client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION, "AWS_EC2_METADATA_DISABLED": "true"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


def account(monkeypatch: pytest.MonkeyPatch, quota: int) -> FakeAccount:
    fake = FakeAccount(quota)
    monkeypatch.setattr(command, "lambda_client", lambda args: fake.client)
    return fake


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["preflight", "--template", str(TEMPLATE), *args])
    out, err = capsys.readouterr()
    return code, out, err


def samconfig(tmp_path: Path, **replace: str) -> Path:
    """samconfig.toml with prod parameters replaced (e.g. the on-call address instead of the placeholder)."""
    text = SAMCONFIG.read_text()
    for name, value in replace.items():
        text, count = re.subn(rf"\b{name}=\S+?(?=[ \"])", f"{name}={value}", text)
        assert count, name
    path = tmp_path / "samconfig.toml"
    path.write_text(text)
    return path


def test_a_fresh_account_with_the_default_quota_fits_dev_and_prod(
    aws: None, monkeypatch, capsys, tmp_path
) -> None:
    account(monkeypatch, 1000)
    code, out, _ = run(capsys, "--env", "dev")
    assert code == 0 and out.count("\n") == 1
    assert out.startswith("preflight dev: OK: the template reserves 27;") and "973 stays unreserved" in out
    code, out, _ = run(
        capsys, "--env", "prod", "--config", str(samconfig(tmp_path, AlarmEmail="oncall@example.org"))
    )
    assert code == 0 and "reserves 207" in out and "793 stays unreserved" in out


def test_prod_needs_307_and_a_smaller_quota_fails_with_the_shortfall_and_the_request(
    aws: None, monkeypatch, capsys, tmp_path
) -> None:
    fake = account(monkeypatch, 300)
    config = str(samconfig(tmp_path, AlarmEmail="oncall@example.org"))
    code, out, _ = run(capsys, "--env", "prod", "--config", config)
    assert code == 1
    assert "FAIL: short by 7 concurrent executions" in out and "--desired-value 307" in out
    fake.quota = 307
    assert run(capsys, "--env", "prod", "--config", config)[0] == 0


def test_a_redeploy_counts_the_stacks_own_reservations_once(aws: None, monkeypatch, capsys, tmp_path) -> None:
    fake = account(monkeypatch, 307)
    for name, reserved in {
        "predict": 200,
        "cache-warm": 2,
        "index-maintenance": 1,
        "benchmark": 1,
        "migrations": 1,
        "data": 1,
        "admin": 1,
    }.items():
        fake.function(f"nfl-predictor-{name}-prod", reserved)
    code, out, _ = run(
        capsys, "--env", "prod", "--config", str(samconfig(tmp_path, AlarmEmail="oncall@example.org"))
    )
    assert code == 0, out
    assert "100 unreserved now (207 held by this stack)" in out and "100 stays unreserved" in out


def test_other_functions_reservations_leave_too_little(aws: None, monkeypatch, capsys, tmp_path) -> None:
    fake = account(monkeypatch, 1000)
    fake.function("someone-elses-etl", 700)
    fake.function("unreserved-function")
    code, out, _ = run(
        capsys, "--env", "prod", "--config", str(samconfig(tmp_path, AlarmEmail="oncall@example.org"))
    )
    assert code == 1 and "short by 7" in out and "300 unreserved now" in out


def test_prod_with_the_placeholder_alarm_address_fails_even_with_room(aws: None, monkeypatch, capsys) -> None:
    account(monkeypatch, 1000)
    code, out, _ = run(capsys, "--env", "prod", "--config", str(SAMCONFIG))
    assert code == 1
    [concurrency, email] = out.splitlines()
    assert concurrency.startswith("preflight prod: OK")
    assert email.startswith("preflight prod: FAIL: AlarmEmail='CHANGE_ME") and "samconfig.toml" in email


def test_provisioned_concurrency_above_the_reservation_fails(
    aws: None, monkeypatch, capsys, tmp_path
) -> None:
    account(monkeypatch, 1000)
    config = samconfig(tmp_path, AlarmEmail="oncall@example.org", PredictReservedConcurrency="20",
                       PredictSnapStart="false")  # fmt: skip
    code, out, _ = run(capsys, "--env", "prod", "--config", str(config))
    assert code == 1 and "PredictFunction (50 > 20)" in out
    # With SnapStart (prod's choice) the template holds no provisioned concurrency: nothing to exceed.
    snapstart = samconfig(tmp_path, AlarmEmail="oncall@example.org", PredictReservedConcurrency="20",
                          PredictSnapStart="true")  # fmt: skip
    code, out, _ = run(capsys, "--env", "prod", "--config", str(snapstart))
    assert code == 0 and "50 > 20" not in out


def test_unknown_environment_and_unreadable_account_are_one_line_errors(
    aws: None, monkeypatch, capsys
) -> None:
    account(monkeypatch, 1000)
    code, out, err = run(capsys, "--env", "staging")
    assert code == 1 and out == ""
    assert (
        err.strip()
        == "nfl-predictor: samconfig.toml: no [staging.deploy.parameters] for --env staging (known: dev, prod)"
    )
    denied = boto3.client("lambda", region_name=REGION)

    def refuse(**_: Any) -> None:
        from botocore.exceptions import ClientError

        raise ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "GetAccountSettings"
        )

    denied.meta.events.register("before-call.lambda.GetAccountSettings", refuse)
    monkeypatch.setattr(command, "lambda_client", lambda args: denied)
    code, _, err = run(capsys, "--env", "dev")
    assert code == 1
    assert (
        err.strip()
        == "nfl-predictor: cannot read the Lambda account settings: AccessDeniedException: not allowed"
    )
