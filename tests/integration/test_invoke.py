"""`nfl-predictor invoke`: template functions run in-process against the local stack, no Docker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from nfl_predictor.cli.main import main
from nfl_predictor_dev.local.invoke import InvokeError, function_spec

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "infra" / "template.yaml"

SYNTHETIC = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  EnvironmentName: {Type: String, Default: dev}
  Mode: {Type: String, Default: small}
Conditions:
  IsProd: !Equals [!Ref EnvironmentName, prod]
Globals:
  Function:
    MemorySize: 256
    Timeout: 9
    Environment:
      Variables:
        NFLP_ENVIRONMENT: !Ref EnvironmentName
        SHARED: from-globals
Resources:
  Secret: {Type: AWS::SecretsManager::Secret}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub nflp-fn-${EnvironmentName}
      CodeUri: ../code/
      Handler: app.handler
      Timeout: 30
      Environment:
        Variables:
          SHARED: from-function
          LABEL: !Sub "${AWS::Region}/${Mode}/${!Literal}"
          SIZE: !If [IsProd, large, !Ref Mode]
          JOINED: !Join [",", [a, !Ref Mode]]
          DB_SECRET_ARN: !Ref Secret
          DB_SSLMODE: verify-full
          QUEUE: !GetAtt Secret.Id
"""


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    (tmp_path / "infra").mkdir()
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "helper.py").write_text("GREETING = 'hi'\n")
    (tmp_path / "code" / "app.py").write_text(
        "import os\nfrom helper import GREETING\n\n"
        "def handler(event, context):\n"
        "    print('a log line')\n"
        "    return {'greeting': GREETING, 'env': os.environ.get('NFLP_ENVIRONMENT'), 'label': os.environ['LABEL'],\n"
        "            'function': context.function_name, 'memory': context.memory_limit_in_mb,\n"
        "            'remaining_ok': 0 < context.get_remaining_time_in_millis() <= 30000, 'event': event}\n"
    )
    template = tmp_path / "infra" / "template.yaml"
    template.write_text(SYNTHETIC)
    return template


@pytest.fixture
def local_database(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[str]:
    """The module's migrated database as the local stack's DATABASE_URL (no embedded server to start)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    yield database_url


def test_environment_is_globals_under_the_function_with_aws_only_values_dropped(synthetic: Path) -> None:
    spec = function_spec(synthetic, "Fn")
    assert spec.environment == {"NFLP_ENVIRONMENT": "dev", "SHARED": "from-function",
                                "LABEL": "us-east-1/small/${Literal}", "SIZE": "small", "JOINED": "a,small"}  # fmt: skip
    assert spec.dropped == ["DB_SECRET_ARN", "DB_SSLMODE", "QUEUE"]
    assert (spec.function_name, spec.memory_mb, spec.timeout_s) == ("nflp-fn-dev", 256, 30)
    assert spec.code_dir == (synthetic.parent.parent / "code").resolve()
    prod = function_spec(synthetic, "Fn", {"EnvironmentName": "prod"})
    assert prod.environment["SIZE"] == "large" and prod.function_name == "nflp-fn-prod"
    with pytest.raises(InvokeError, match="no parameter 'Nope'"):
        function_spec(synthetic, "Fn", {"Nope": "1"})
    with pytest.raises(InvokeError, match=r"Secret: no such function in .* \(functions: Fn\)"):
        function_spec(synthetic, "Secret")


def test_invoke_prints_only_the_response_on_stdout(
    synthetic: Path, tmp_path: Path, local_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "event.json"
    event.write_text('{"hello": "world"}')
    assert main(["invoke", "Fn", "--event", str(event), "--template", str(synthetic), "--source"]) == 0
    out, err = capsys.readouterr()
    response = json.loads(out)
    assert response == {"greeting": "hi", "env": "dev", "label": "us-east-1/small/${Literal}",
                        "function": "nflp-fn-dev", "memory": 256, "remaining_ok": True,
                        "event": {"hello": "world"}}  # fmt: skip
    assert "a log line" in err and "not set locally (AWS-only): DB_SECRET_ARN, DB_SSLMODE, QUEUE" in err
    assert "LABEL" not in os.environ  # the function's variables do not outlive the call


def test_predict_answers_health_from_the_generated_http_api_event(
    local_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invoke", "PredictFunction", "--event", str(REPO / "events" / "predict.json"),
                 "--template", str(TEMPLATE), "--source"]) == 0  # fmt: skip
    response = json.loads(capsys.readouterr().out)
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["status"] == "ok" and body["checks"]["database"]["ok"] is True


def test_unknown_logical_id_is_one_line_and_exit_1() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nfl_predictor.cli.main", "invoke", "NoSuchFunction",
         "--event", str(REPO / "events" / "predict.json"), "--template", str(TEMPLATE)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )  # fmt: skip
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"nfl-predictor: NoSuchFunction: no such function in {TEMPLATE} (functions: ")
    assert "PredictFunction" in line and result.stdout == ""


def test_a_missing_or_malformed_event_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invoke", "PredictFunction", "--event", str(tmp_path / "nope.json"),
                 "--template", str(TEMPLATE)]) == 1  # fmt: skip
    assert capsys.readouterr().err.strip() == f"nfl-predictor: {tmp_path / 'nope.json'}: no such file"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["invoke", "PredictFunction", "--event", str(bad), "--template", str(TEMPLATE)]) == 1
    assert "bad.json: not JSON" in capsys.readouterr().err


def test_every_template_function_resolves_to_a_local_environment_without_aws_endpoints() -> None:
    for logical_id in (
        "PredictFunction",
        "CacheWarmFunction",
        "IndexMaintenanceFunction",
        "MigrationsFunction",
    ):
        spec = function_spec(TEMPLATE, logical_id)
        assert spec.environment["NFLP_ENVIRONMENT"] == "dev"
        assert spec.environment["POWERTOOLS_METRICS_NAMESPACE"] == "NFLPredictor/dev"
        assert {"DB_SECRET_ARN", "DB_HOST", "REDIS_URL", "DB_SSLMODE", "DB_IAM_AUTH"} <= set(spec.dropped)
        assert (spec.code_dir / "app.py").is_file() and spec.function_name.endswith("-dev")
    maintenance = function_spec(TEMPLATE, "IndexMaintenanceFunction", {"IndexBloatRatio": "3.5"})
    assert maintenance.environment["INDEX_BLOAT_RATIO"] == "3.5" and maintenance.timeout_s == 900


def test_index_maintenance_runs_from_its_scheduler_event(
    local_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invoke", "IndexMaintenanceFunction", "--event", str(REPO / "events" / "index_maintenance.json"),
                 "--template", str(TEMPLATE), "--source"]) == 0  # fmt: skip
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert summary["errors"] == [] and summary["checked"] > 0
    assert '"IndexesChecked"' in err  # the EMF metrics line went to stderr, not into the response
