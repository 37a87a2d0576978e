"""Template-driven local invoke: run a function's handler in-process, the way Lambda would, no Docker.

Reads ``infra/template.yaml``, finds the function by logical id, takes its Handler, CodeUri,
MemorySize, Timeout and Environment (Globals merged under the function's own), resolves the
intrinsics that only need parameters (``Ref`` to a parameter or pseudo parameter, ``Sub``, ``If``,
``Join``), drops variables that point at AWS-only resources (the secret, the proxy, ElastiCache) and
the settings that describe how to reach them, then imports the handler from CodeUri by file path
and calls it with the event and a Lambda-like context.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PSEUDO_PARAMETERS = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::StackName": "local",
    "AWS::URLSuffix": "amazonaws.com",
}
# How to reach AWS's database and cache; locally DATABASE_URL / REDIS_URL (or the embedded database
# and the in-process cache) say all of that, and e.g. DB_SSLMODE=verify-full would break them.
AWS_ONLY_VARIABLES = frozenset({"DB_SECRET_ARN", "DB_HOST", "DB_SSLMODE", "DB_VIA_PROXY", "DB_IAM_AUTH",
                                "REDIS_URL", "REDIS_CLUSTER", "REDIS_AUTH_SECRET_ARN"})  # fmt: skip


class InvokeError(Exception):
    """One line for the terminal: what is wrong with the template, the function or the event."""


class Unresolvable(Exception):
    """An intrinsic that needs a deployed stack (GetAtt, Ref to a resource, ImportValue...)."""


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    handler: str
    code_dir: Path
    environment: dict[str, str]
    dropped: list[str] = field(default_factory=list)
    function_name: str = ""
    memory_mb: int = 128
    timeout_s: int = 3
    tracing: bool = False  # Tracing: Active (X-Ray) in the template
    runtime: str = "python3.12"  # the Lambda runtime (the local runner runs the matching CPython)


class Resolver:
    """Evaluates the parameter-only subset of CloudFormation intrinsics."""

    def __init__(self, template: Mapping[str, Any], overrides: Mapping[str, str] | None = None) -> None:
        self.template = template
        self.parameters: dict[str, str] = dict(PSEUDO_PARAMETERS)
        for name, spec in (template.get("Parameters") or {}).items():
            if "Default" in spec:
                self.parameters[name] = _text(spec["Default"])
        for name, value in (overrides or {}).items():
            if name not in (template.get("Parameters") or {}):
                raise InvokeError(f"--parameter-overrides: the template has no parameter {name!r}")
            self.parameters[name] = value
        self.conditions: Mapping[str, Any] = template.get("Conditions") or {}

    def value(self, node: Any) -> Any:
        if isinstance(node, str | int | float | bool):
            return node
        if isinstance(node, list):
            return [self.value(item) for item in node]
        if not isinstance(node, Mapping) or len(node) != 1:
            raise Unresolvable(repr(node))
        [(name, arg)] = node.items()
        if name == "Ref":
            if arg in self.parameters:
                return self.parameters[arg]
            raise Unresolvable(f"Ref {arg}")
        if name == "Fn::Sub":
            return self._sub(arg)
        if name == "Fn::If":
            condition, when_true, when_false = arg
            chosen = when_true if self.condition(condition) else when_false
            if chosen == {"Ref": "AWS::NoValue"}:
                raise Unresolvable("AWS::NoValue")
            return self.value(chosen)
        if name == "Fn::Join":
            separator, items = arg
            return separator.join(_text(self.value(item)) for item in self.value(items))
        if name == "Fn::Select":
            index, items = arg
            return self.value(items)[int(self.value(index))]
        raise Unresolvable(name)

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            raise Unresolvable(f"condition {name}")
        return self._truth(self.conditions[name])

    def _truth(self, node: Any) -> bool:
        [(name, arg)] = node.items()
        if name == "Fn::Equals":
            left, right = (_text(self.value(side)) for side in arg)
            return left == right
        if name == "Fn::Not":
            return not self._truth(arg[0])
        if name == "Fn::And":
            return all(self._truth(item) for item in arg)
        if name == "Fn::Or":
            return any(self._truth(item) for item in arg)
        if name == "Condition":
            return self.condition(arg)
        raise Unresolvable(name)

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        values = {key: _text(self.value(value)) for key, value in variables.items()}
        out, rest = [], text
        while "${" in rest:
            before, _, after = rest.partition("${")
            name, _, rest = after.partition("}")
            out.append(before)
            if name.startswith("!"):
                out.append("${" + name[1:] + "}")  # ${!Literal} is a literal ${Literal}
            elif name in values:
                out.append(values[name])
            elif name in self.parameters:
                out.append(self.parameters[name])
            else:
                raise Unresolvable(f"Sub ${{{name}}}")
        out.append(rest)
        return "".join(out)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load_template(path: Path) -> dict[str, Any]:
    from nfl_predictor_dev.local.cfn_yaml import load_template_text  # PyYAML (local extra), not samcli

    return load_template_text(path.read_text(encoding="utf-8"))


def _variables(properties: Mapping[str, Any]) -> dict[str, Any]:
    return dict((properties.get("Environment") or {}).get("Variables") or {})


def _environment(variables: Mapping[str, Any], resolver: Resolver) -> tuple[dict[str, str], list[str]]:
    """The variables that resolve locally, and the names of those that only exist in AWS."""
    environment, dropped = {}, []
    for name, raw in variables.items():
        try:
            value = _text(resolver.value(raw))
        except Unresolvable:
            dropped.append(name)
            continue
        if name in AWS_ONLY_VARIABLES:
            dropped.append(name)
        elif value != "":  # empty means unset to the settings: leave the shell's value alone
            environment[name] = value
    return environment, dropped


def function_spec(
    template_path: Path, logical_id: str, overrides: Mapping[str, str] | None = None
) -> FunctionSpec:
    template = load_template(template_path)
    resources = template.get("Resources") or {}
    functions = sorted(k for k, v in resources.items() if v.get("Type") == "AWS::Serverless::Function")
    if resources.get(logical_id, {}).get("Type") != "AWS::Serverless::Function":
        raise InvokeError(
            f"{logical_id}: no such function in {template_path} (functions: {', '.join(functions)})"
        )
    resolver = Resolver(template, overrides)
    globals_ = (template.get("Globals") or {}).get("Function") or {}
    own = resources[logical_id].get("Properties", {})
    props = {**globals_, **own}
    environment, dropped = _environment({**_variables(globals_), **_variables(own)}, resolver)
    if "Handler" not in props or not isinstance(props.get("CodeUri"), str):
        raise InvokeError(f"{logical_id}: needs a Handler and a local CodeUri to run here")
    try:
        function_name = _text(resolver.value(props.get("FunctionName", logical_id)))
    except Unresolvable:
        function_name = logical_id
    return FunctionSpec(
        logical_id=logical_id,
        handler=str(props["Handler"]),
        code_dir=(template_path.parent / props["CodeUri"]).resolve(),
        environment=environment,
        dropped=sorted(dropped),
        function_name=function_name,
        memory_mb=int(resolver.value(props.get("MemorySize", 128))),
        timeout_s=int(resolver.value(props.get("Timeout", 3))),
        tracing=props.get("Tracing") == "Active",
        runtime=str(props.get("Runtime", "python3.12")),
    )


@contextlib.contextmanager
def function_environment(spec: FunctionSpec) -> Iterator[None]:
    """The function's variables, under what the shell already set (like ``sam local invoke --env-vars``)."""
    added = {k: v for k, v in spec.environment.items() if k not in os.environ}  # env plumbing
    os.environ.update(added)
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def load_handler(spec: FunctionSpec) -> Callable[[Any, Any], Any]:
    module_name, _, attr = spec.handler.rpartition(".")
    path = spec.code_dir / (module_name.replace(".", "/") + ".py")
    if not path.is_file():
        raise InvokeError(f"{spec.logical_id}: handler module {path} not found")
    # A new execution environment: the handler modules (and the Runtime each builds at import) are
    # loaded afresh under this function's environment, not reused from an earlier invoke.
    for name in [m for m in sys.modules if m.startswith("nfl_predictor.handlers.")]:
        del sys.modules[name]
    # Lambda puts the function's folder first on sys.path: its sibling modules import as top-level.
    sys.path.insert(0, str(spec.code_dir))
    try:
        module_spec = importlib.util.spec_from_file_location(f"local_invoke_{spec.logical_id}", path)
        assert module_spec and module_spec.loader
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[module_spec.name] = module
        module_spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(spec.code_dir))
    handler = getattr(module, attr, None)
    if not callable(handler):
        raise InvokeError(f"{spec.logical_id}: {spec.handler} is not a callable in {path}")
    return handler


class LocalContext:
    """What handlers and Powertools read from Lambda's context object."""

    def __init__(self, spec: FunctionSpec, region: str = PSEUDO_PARAMETERS["AWS::Region"]) -> None:
        self.function_name = spec.function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{spec.function_name}"
        self.memory_limit_in_mb = spec.memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.function_name}"
        self.log_stream_name = f"local/{self.aws_request_id}"
        self._deadline = time.monotonic() + spec.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def invoke(spec: FunctionSpec, event: Any) -> Any:
    """Import and call the handler inside the function's environment; returns its response.

    Whatever the handler prints (log lines, EMF metrics) goes to stderr, so stdout carries only the
    response the caller prints.
    """
    with function_environment(spec), contextlib.redirect_stdout(sys.stderr):
        # A fresh module per call, so its Runtime reads this environment, like a new Lambda environment.
        handler = load_handler(spec)
        return handler(event, LocalContext(spec))
