"""Loading and transforming infra/template.yaml offline, for the contract tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "template.yaml"


def load_template() -> dict[str, Any]:
    return dict(yaml_parse(TEMPLATE.read_text()))


class StaticPolicyLoader:
    """samtranslator asks IAM for managed-policy ARNs; offline we answer from the well-known names."""

    def load(self) -> dict[str, str]:
        names = ("AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole", "AWSXrayWriteOnlyAccess",
                 "AWSXRayDaemonWriteAccess", "CloudWatchLambdaInsightsExecutionRolePolicy")  # fmt: skip
        return {name: f"arn:aws:iam::aws:policy/service-role/{name}" for name in names}


def packaged(template: dict[str, Any], *, layer_object: str = "layer-v1.zip") -> dict[str, Any]:
    """What `sam package` would upload: local paths become S3 objects (one per build artifact)."""
    result = copy.deepcopy(template)
    for logical_id, resource in result["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
            props["CodeUri"] = f"s3://artifacts/{logical_id}.zip"
        if resource["Type"] == "AWS::Serverless::LayerVersion" and isinstance(props.get("ContentUri"), str):
            props["ContentUri"] = f"s3://artifacts/{layer_object}"
    return result


def transformed(template: dict[str, Any], **parameters: str) -> dict[str, Any]:
    defaults = {"AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
                "AWS::StackName": "nfl-predictor-test"}  # fmt: skip
    return dict(transform(template, {**defaults, **parameters}, StaticPolicyLoader()))
