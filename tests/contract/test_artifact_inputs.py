"""What the built artifact is made from (issue 11): one dependency list, one lock, no stale cache, arm64."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from nfl_predictor_dev.local.cfn_yaml import load_template_text

REPO = Path(__file__).resolve().parents[2]


def requirement_lines(text: str) -> list[str]:
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def test_the_layer_requirements_are_the_package_dependencies() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    layer = requirement_lines((REPO / "layers" / "requirements.txt").read_text())
    # The layer may add caps the test environment needs (pydantic: aws-sam-cli pins it); nothing else.
    assert set(project["dependencies"]) == set(layer) - {"pydantic~=2.13.3"}
    assert "aws-lambda-powertools[tracer]>=3.0,<4" in layer  # the Tracer needs aws_xray_sdk in Lambda


def test_the_lock_pins_every_layer_requirement_and_nothing_the_runtime_provides() -> None:
    pins = dict(
        line.split("==") for line in requirement_lines((REPO / "layers" / "constraints.txt").read_text())
    )
    for requirement in requirement_lines((REPO / "layers" / "requirements.txt").read_text()):
        name = re.split(r"[\[<>=~!]", requirement)[0].lower()
        assert name in pins, f"{name} is not locked"
    assert "aws-xray-sdk" in pins
    assert not {"boto3", "botocore", "s3transfer", "urllib3"} & set(pins)
    makefile = (REPO / "layers" / "Makefile").read_text()
    assert '-c "$(LAYER_DIR)/constraints.txt"' in makefile
    assert "-c layers/constraints.txt" in (REPO / ".ci" / "run").read_text()
    assert "-c layers/constraints.txt" in (REPO / "README.md").read_text()


def test_samconfig_never_reuses_a_cached_layer() -> None:
    config = tomllib.loads((REPO / "samconfig.toml").read_text())
    for env, commands in config.items():
        if isinstance(commands, dict) and "build" in commands:
            assert commands["build"]["parameters"].get("cached") is False, env


def test_the_template_deploys_on_arm64_with_an_arm64_layer() -> None:
    template = load_template_text((REPO / "infra" / "template.yaml").read_text())
    assert template["Globals"]["Function"]["Architectures"] == ["arm64"]
    layer = template["Resources"]["SharedLayer"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert layer["Metadata"]["BuildArchitecture"] == "arm64"
    assert "LAYER_PLATFORM ?= manylinux2014_aarch64" in (REPO / "layers" / "Makefile").read_text()


def test_the_template_loader_reads_short_form_intrinsics() -> None:
    template = load_template_text(
        "A: !Ref X\nB: !GetAtt Db.Endpoint.Address\nC: !Sub 'x-${Y}'\nD: !If [Cond, !Ref Z, !Ref AWS::NoValue]\n"
        "E: !Select [0, !GetAZs '']\nF: !Condition Other\nG: 2010-09-09\n"
    )
    assert template == {
        "A": {"Ref": "X"}, "B": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}, "C": {"Fn::Sub": "x-${Y}"},
        "D": {"Fn::If": ["Cond", {"Ref": "Z"}, {"Ref": "AWS::NoValue"}]},
        "E": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}, "F": {"Condition": "Other"}, "G": "2010-09-09",
    }  # fmt: skip
