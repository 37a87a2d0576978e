"""Load a CloudFormation/SAM template with PyYAML, short-form intrinsics included.

``!Ref X`` becomes ``{"Ref": "X"}``, ``!GetAtt A.B`` ``{"Fn::GetAtt": ["A", "B"]}``, every other
``!Name`` ``{"Fn::Name": ...}`` (``!Condition`` stays ``{"Condition": ...}``), whatever the node's
kind (scalar, sequence or mapping). Only PyYAML (the ``local`` extra) is needed, not samcli.
"""

from __future__ import annotations

from typing import Any

import yaml

TAGS = ("Ref", "Condition", "GetAtt", "Sub", "If", "Join", "Select", "Split", "Equals", "Not", "And", "Or",
        "FindInMap", "GetAZs", "ImportValue", "Base64", "Cidr", "Transform", "Length", "ToJsonString")  # fmt: skip


class TemplateLoader(yaml.SafeLoader):
    """SafeLoader plus the CloudFormation short forms."""


def _construct(tag: str) -> Any:
    key = tag if tag in ("Ref", "Condition") else f"Fn::{tag}"

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if tag == "GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {key: value}

    return construct


for _tag in TAGS:
    TemplateLoader.add_constructor(f"!{_tag}", _construct(_tag))
# CloudFormation dates stay strings (AWSTemplateFormatVersion: 2010-09-09 is not a date).
TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_template_text(text: str) -> dict[str, Any]:
    data = yaml.load(text, Loader=TemplateLoader)
    return dict(data or {})
