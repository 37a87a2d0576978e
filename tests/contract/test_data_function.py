"""The data function and its bucket: a thin handler on the shared layer, an in-season schedule, an
encrypted private bucket whose uploads notify the function, and only the permissions it uses."""

from __future__ import annotations

import json
from typing import Any

from tests.contract.template_support import TEMPLATE, environment, load_template, packaged, refs, transformed

BUCKET_NAME = "nfl-predictor-data-${AWS::AccountId}-${AWS::Region}-${EnvironmentName}"


def test_the_function_is_thin_and_shares_the_layer() -> None:
    template = load_template()
    props = template["Resources"]["DataFunction"]["Properties"]
    assert props["CodeUri"] == "../functions/data/" and props["Handler"] == "app.handler"
    assert "Layers" not in props  # the Globals' shared layer
    app = TEMPLATE.parents[1] / "functions" / "data" / "app.py"
    code = [line for line in app.read_text().splitlines() if line and not line.startswith(('"""', "__all__"))]
    assert code == ["from nfl_predictor.handlers import load_handler",
                    'handler = load_handler("nfl_predictor.handlers.data")']  # fmt: skip
    assert props["ReservedConcurrentExecutions"] == 1 and props["Timeout"] <= 900
    assert props["LoggingConfig"] == {"LogGroup": {"Ref": "DataLogGroup"}}


def test_schedule_runs_in_season_and_only_with_an_internet_route() -> None:
    template = load_template()
    event = template["Resources"]["DataFunction"]["Properties"]["Events"]["InSeason"]
    assert event["Type"] == "ScheduleV2"
    props = event["Properties"]
    assert props["ScheduleExpression"] == {"Ref": "DataRefreshSchedule"}
    assert props["State"] == {"Fn::If": ["UseNatGateway", "ENABLED", "DISABLED"]}
    months = template["Parameters"]["DataRefreshSchedule"]["Default"].split()[3]
    assert set(months.split(",")) == {"1", "2", "9-12"}  # September through February
    assert props["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}


def test_bucket_is_encrypted_private_tls_only_and_notifies_the_function() -> None:
    resources = transformed(packaged(load_template()))["Resources"]
    bucket = resources["DataBucket"]["Properties"]
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    [notification] = bucket["NotificationConfiguration"]["LambdaConfigurations"]
    assert notification["Event"] == "s3:ObjectCreated:*"
    assert "DataFunction" in json.dumps(notification["Function"])
    permissions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"
                   and "DataFunction" in json.dumps(r["Properties"]["FunctionName"])]  # fmt: skip
    assert any(p["Principal"] == "s3.amazonaws.com" for p in permissions)
    policy = resources["DataBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"]["Bool"]["aws:SecureTransport"] == "false" for s in policy
    )


def statements(resources: dict[str, Any]) -> list[dict[str, Any]]:
    role = resources["DataFunctionRole"]["Properties"]
    policies = []
    for policy in role.get("Policies", []):  # a conditional policy (Bedrock) counts with its branch
        branches = policy["Fn::If"][1:] if "Fn::If" in policy else [policy]
        policies += [b for b in branches if isinstance(b, dict) and "PolicyDocument" in b]
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


def test_least_privilege_read_only_on_its_own_bucket() -> None:
    resources = transformed(packaged(load_template()))["Resources"]
    found = statements(resources)
    s3 = [s for s in found if any(str(a).startswith("s3:") for a in _list(s["Action"]))]
    assert len(s3) == 1 and _list(s3[0]["Action"]) == ["s3:GetObject"]
    assert s3[0]["Resource"] == {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{BUCKET_NAME}/*"}
    assert resources["DataBucket"]["Properties"]["BucketName"] == {"Fn::Sub": BUCKET_NAME}
    actions = {a for s in found for a in _list(s["Action"])}
    assert not {
        a for a in actions if a.endswith("*") or a.startswith(("s3:Put", "s3:Delete", "iam:", "lambda:"))
    }
    assert actions <= {
        "s3:GetObject",
        "rds-db:connect",
        "secretsmanager:GetSecretValue",
        "bedrock:InvokeModel",
        "sqs:SendMessage",  # the on-failure destination (SAM adds it)
    }


def test_environment_names_the_release_files_and_a_longer_statement_timeout() -> None:
    env = environment(load_template(), "DataFunction")
    for name in ("NFLVERSE_GAMES_URL", "NFLVERSE_TEAM_STATS_URL", "NFLVERSE_PLAYER_STATS_URL"):
        assert str(env[name]).startswith("https://"), name
    assert "{season}" in env["NFLVERSE_TEAM_STATS_URL"] and "{season}" in env["NFLVERSE_PLAYER_STATS_URL"]
    assert int(env["DATA_DOWNLOAD_DEADLINE_SECONDS"]) < 900
    assert not refs(env.get("DB_STATEMENT_TIMEOUT_MS"))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
