"""``nfl-predictor remote api-key``: the stack is looked up in CloudFormation (moto) and the admin
function invoked through a botocore Stubber (moto would run Lambda in docker)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from moto import mock_aws
from nfl_predictor.cli import remote_commands
from nfl_predictor.cli.errors import CliError
from nfl_predictor.cli.main import build_parser, main

REGION = "eu-west-1"


@pytest.fixture(autouse=True)
def offline_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {"AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    # Earlier tests may leave a root log handler on a stream pytest has since closed; botocore's INFO
    # lines ("Found credentials ...") would then print a logging error into the captured stderr.
    monkeypatch.setattr(logging.getLogger("botocore"), "level", logging.WARNING)
    with mock_aws():
        yield


def make_stack(name: str, *, with_output: bool) -> None:
    """A stack like ours: an admin function (moto creates it without running it), with or without the output."""
    template: dict[str, Any] = {
        "Resources": {
            "AdminRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
            "AdminFunction": {"Type": "AWS::Lambda::Function", "Properties": {
                "FunctionName": f"nfl-predictor-admin-{name}", "Runtime": "python3.11", "Handler": "app.handler",
                "Role": {"Fn::GetAtt": ["AdminRole", "Arn"]}, "Code": {"ZipFile": "def handler(e, c): pass"}}},
        }
    }  # fmt: skip
    if with_output:
        template["Outputs"] = {"AdminFunctionName": {"Value": {"Ref": "AdminFunction"}}}
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName=name, TemplateBody=json.dumps(template)
    )


class Invocations:
    """A real boto3 lambda client whose invoke answers are queued with a Stubber (and checked)."""

    def __init__(self) -> None:
        self.client = boto3.client("lambda", region_name=REGION)
        self.stubber = Stubber(self.client)
        self.stubber.activate()

    def answer(
        self, function: str, expected_event: dict[str, Any], answer: Any, error: str | None = None
    ) -> None:
        body = json.dumps(answer).encode()
        response: dict[str, Any] = {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))}
        if error:
            response["FunctionError"] = error
        self.stubber.add_response("invoke", response, {"FunctionName": function, "InvocationType": "RequestResponse",
                                                       "Payload": json.dumps(expected_event).encode()})  # fmt: skip

    def clients(self, region: str | None) -> tuple[Any, Any]:
        assert region in (None, REGION)
        return boto3.client("cloudformation", region_name=REGION), self.client


def run(argv: list[str], invocations: Invocations, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    args = build_parser().parse_args(argv)
    assert remote_commands.api_key(args, clients=invocations.clients) == 0
    out, err = capsys.readouterr()
    return out, err


def test_create_prints_the_key_once(capsys: pytest.CaptureFixture[str]) -> None:
    make_stack("prod", with_output=True)
    calls = Invocations()
    calls.answer("nfl-predictor-admin-prod", {"action": "create", "name": "ops", "tier": "pro", "admin": True},
                 {"ok": True, "action": "create", "key": "nflp_SECRET", "key_id": 7, "user_id": 3, "tier": "pro",
                  "scopes": ["read", "admin"]})  # fmt: skip
    out, _ = run(["remote", "api-key", "create", "--stack", "prod", "--name", "ops", "--tier", "pro", "--admin"],
                 calls, capsys)  # fmt: skip
    assert out.splitlines()[0] == "nflp_SECRET" and "key id 7" in out and "shown once" in out
    calls.stubber.assert_no_pending_responses()


def test_list_and_revoke_find_the_function_by_its_resource_when_there_is_no_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_stack("dev", with_output=False)
    calls = Invocations()
    keys = [{"id": 1, "key_prefix": "nflp_AbCdEfG", "name": "ops", "tier": "pro", "status": "active",
             "scopes": ["read"], "revoked_at": None}]  # fmt: skip
    calls.answer("nfl-predictor-admin-dev", {"action": "list", "include_revoked": True},
                 {"ok": True, "action": "list", "keys": keys})  # fmt: skip
    calls.answer("nfl-predictor-admin-dev", {"action": "revoke", "key_id": 1},
                 {"ok": True, "action": "revoke", "key_id": 1, "outcome": "revoked", "effective_within_s": 10.0})  # fmt: skip
    calls.answer("nfl-predictor-admin-dev", {"action": "revoke", "key": "nflp_AbCdEfG"},
                 {"ok": True, "action": "revoke", "key_id": 1, "outcome": "already_revoked",
                  "effective_within_s": 10.0})  # fmt: skip
    out, _ = run(["remote", "api-key", "list", "--stack", "dev", "--all", "--region", REGION], calls, capsys)
    assert "nflp_AbCdEfG" in out and "ops" in out
    out, _ = run(["remote", "api-key", "revoke", "1", "--stack", "dev"], calls, capsys)
    assert out.strip() == "key 1 revoked; every API instance refuses it within 10 s"
    out, _ = run(["remote", "api-key", "revoke", "nflp_AbCdEfG", "--stack", "dev", "--json"], calls, capsys)
    assert json.loads(out)["outcome"] == "already_revoked"
    calls.stubber.assert_no_pending_responses()


def one_line_failure(argv: list[str], calls: Invocations, capsys: pytest.CaptureFixture[str],
                     monkeypatch: pytest.MonkeyPatch) -> str:  # fmt: skip
    # main() with the stubbed clients as the command's default: exit code and stderr as a user sees them.
    monkeypatch.setattr(remote_commands.api_key, "__defaults__", (calls.clients,))
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("nfl-predictor: ") and "Traceback" not in err
    return err.strip()


def test_a_refusal_is_one_line_and_a_non_zero_exit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_stack("prod", with_output=True)
    calls = Invocations()
    calls.answer("nfl-predictor-admin-prod", {"action": "revoke", "key_id": 99},
                 {"ok": False, "error": "no key with id 99", "field": "key_id"})  # fmt: skip
    err = one_line_failure(
        ["remote", "api-key", "revoke", "99", "--stack", "prod"], calls, capsys, monkeypatch
    )
    assert err == "nfl-predictor: no key with id 99 (key_id)"


def test_a_crashed_function_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_stack("prod", with_output=True)
    calls = Invocations()
    calls.answer("nfl-predictor-admin-prod", {"action": "list", "include_revoked": False},
                 {"errorMessage": "Task timed out after 30.00 seconds", "errorType": "Timeout"}, error="Unhandled")  # fmt: skip
    err = one_line_failure(["remote", "api-key", "list", "--stack", "prod"], calls, capsys, monkeypatch)
    assert err == "nfl-predictor: nfl-predictor-admin-prod failed: Task timed out after 30.00 seconds"


def test_an_unknown_stack_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Invocations()  # nothing queued: the function is never invoked
    err = one_line_failure(["remote", "api-key", "list", "--stack", "nope"], calls, capsys, monkeypatch)
    assert err.startswith("nfl-predictor: ValidationError: Stack with id nope does not exist")


def test_a_stack_without_the_admin_function_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName="other", TemplateBody=json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    )
    err = one_line_failure(
        ["remote", "api-key", "list", "--stack", "other"], Invocations(), capsys, monkeypatch
    )
    assert "AdminFunction" in err


def test_the_admin_answer_must_be_the_admin_functions() -> None:
    calls = Invocations()
    calls.answer("fn", {"action": "list"}, {"statusCode": 200})
    with pytest.raises(CliError, match="is it the admin function"):
        remote_commands.invoke_admin(calls.client, "fn", {"action": "list"})
