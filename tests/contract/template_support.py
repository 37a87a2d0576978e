"""Loading and transforming infra/template.yaml offline, for the contract tests."""

from __future__ import annotations

import copy
import re
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


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return resources_of_type(template, "AWS::Serverless::Function")


def default(template: dict[str, Any], parameter: str) -> Any:
    return template["Parameters"][parameter]["Default"]


def environment(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """A function's variables as deployed: Globals, then its own on top."""
    props = template["Resources"][logical_id]["Properties"]
    shared = template["Globals"]["Function"].get("Environment", {}).get("Variables", {})
    return {**shared, **props.get("Environment", {}).get("Variables", {})}


def refs(node: Any) -> set[str]:
    """Every logical id or parameter a template fragment points at (Ref, GetAtt, ${...} in Sub)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value.split(".")[0])
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".")[0])
            elif key == "Fn::Sub":
                text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])
                names = {name.split(".")[0] for name in re.findall(r"\$\{([^}!][^}]*)\}", text)}
                found |= (names - set(variables)) | refs(variables)
            else:
                found |= refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= refs(item)
    return found


def redis_app_access_string() -> str:
    """The ElastiCache RBAC app user's access string, as the template declares it."""
    return str(load_template()["Resources"]["RedisAppUser"]["Properties"]["AccessString"])
