"""Pre-deploy checks: does the account have the Lambda concurrency the template reserves, and will prod's
alarms reach someone?

Lambda refuses a reservation that would leave fewer than 100 unreserved concurrent executions in the
account, and a deploy then fails halfway (the first function that asks for its reservation). What the
template needs is read from the template itself with the environment's samconfig parameters, so a new
function or a changed parameter is counted without touching this file:

  needed = sum(ReservedConcurrentExecutions) + provisioned concurrency of functions without a reservation
           (it draws from the unreserved pool) + the 100 Lambda keeps unreserved.

What the account has is Lambda's GetAccountSettings (the applied quota and what is unreserved now)
plus GetFunctionConcurrency for this stack's own functions, whose current reservations a deploy
replaces rather than adds to.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nfl_predictor_dev.local.invoke import Resolver, Unresolvable

UNRESERVED_MINIMUM = 100  # Lambda keeps this many concurrent executions unreserved in every account
QUOTA_CODE = "L-B99A9384"  # Service Quotas: Lambda "Concurrent executions"


class PreflightError(Exception):
    """One line for the terminal: the template, samconfig or the account could not be read."""


@dataclass(frozen=True)
class FunctionNeed:
    logical_id: str
    name: str
    reserved: int | None  # None: no reservation (draws from the unreserved pool)
    provisioned: int  # the most provisioned concurrency it may hold (auto scaling maximum included)


@dataclass(frozen=True)
class Needs:
    environment: str
    functions: tuple[FunctionNeed, ...]

    @property
    def reserved(self) -> int:
        return sum(f.reserved or 0 for f in self.functions)

    @property
    def provisioned_unreserved(self) -> int:
        return sum(f.provisioned for f in self.functions if f.reserved is None)

    @property
    def account_minimum(self) -> int:
        """The smallest concurrency quota an otherwise empty account needs for this stack."""
        return self.reserved + self.provisioned_unreserved + UNRESERVED_MINIMUM

    def over_reserved(self) -> list[FunctionNeed]:
        """Functions whose provisioned concurrency could exceed their own reservation (Lambda refuses)."""
        return [f for f in self.functions if f.reserved is not None and f.provisioned > f.reserved]


@dataclass(frozen=True)
class Account:
    limit: int  # the applied concurrency quota
    unreserved: int  # what no function has reserved now
    held_by_stack: int  # reserved now by this stack's own functions (replaced by the deploy)


def samconfig_section(env: str) -> str:
    """`--env dev` is samconfig's [default] (what a bare `sam deploy` uses); others by their name."""
    return "default" if env == "dev" else env


def deploy_parameters(samconfig: Path, env: str) -> dict[str, str]:
    try:
        config = tomllib.loads(samconfig.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PreflightError(
            f"{samconfig}: no such file (run from the repository root or pass --config)"
        ) from None
    section = samconfig_section(env)
    deploy = config.get(section, {}).get("deploy", {}).get("parameters")
    if deploy is None:
        known = sorted(
            "dev" if name == "default" else name for name in config if isinstance(config[name], dict)
        )
        raise PreflightError(
            f"{samconfig}: no [{section}.deploy.parameters] for --env {env} (known: {', '.join(known)})"
        )
    overrides = deploy.get("parameter_overrides", "")
    pairs = overrides.split() if isinstance(overrides, str) else list(overrides)
    found = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise PreflightError(
                f"{samconfig}: [{section}] parameter_overrides: expected Name=Value, got {pair!r}"
            )
        found[name] = value.strip('"')
    return found


def _int(resolver: Resolver, node: Any, what: str) -> int:
    try:
        return int(resolver.value(node))
    except (Unresolvable, ValueError) as exc:
        raise PreflightError(f"{what}: cannot read a number from the template ({exc})") from None


def _optional(resolver: Resolver, node: Any) -> Any:
    """A property that may be conditional: Fn::If branches chosen, AWS::NoValue as None (values unresolved)."""
    while isinstance(node, Mapping) and set(node) == {"Fn::If"}:
        condition, when_true, when_false = node["Fn::If"]
        node = when_true if resolver.condition(condition) else when_false
    return None if node is None or node == {"Ref": "AWS::NoValue"} else node


def stack_needs(template: Mapping[str, Any], parameters: Mapping[str, str], env: str) -> Needs:
    resolver = Resolver(template, parameters)
    resources: Mapping[str, Any] = template.get("Resources") or {}
    globals_ = (template.get("Globals") or {}).get("Function") or {}
    autoscaling_max = _provisioned_maxima(resources, resolver)
    needs = []
    for logical_id, resource in resources.items():
        if resource.get("Type") not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            continue
        if "Condition" in resource and not resolver.condition(resource["Condition"]):
            continue
        props = {**globals_, **(resource.get("Properties") or {})}
        reserved_node = _optional(resolver, props.get("ReservedConcurrentExecutions"))
        reserved = (
            None
            if reserved_node is None
            else _int(resolver, reserved_node, f"{logical_id} ReservedConcurrentExecutions")
        )
        provisioned_config = _optional(resolver, props.get("ProvisionedConcurrencyConfig"))
        provisioned = 0
        if provisioned_config:
            provisioned = _int(
                resolver, provisioned_config["ProvisionedConcurrentExecutions"], f"{logical_id} provisioned"
            )
        provisioned = max(provisioned, autoscaling_max.get(logical_id, 0))
        try:
            name = str(resolver.value(props["FunctionName"])) if "FunctionName" in props else logical_id
        except Unresolvable:
            name = logical_id
        needs.append(FunctionNeed(logical_id, name, reserved, provisioned))
    return Needs(env, tuple(needs))


def _provisioned_maxima(resources: Mapping[str, Any], resolver: Resolver) -> dict[str, int]:
    """Application Auto Scaling targets on a function's provisioned concurrency: function -> MaxCapacity."""
    found: dict[str, int] = {}
    for logical_id, resource in resources.items():
        props = resource.get("Properties") or {}
        if resource.get("Type") != "AWS::ApplicationAutoScaling::ScalableTarget":
            continue
        if props.get("ScalableDimension") != "lambda:function:ProvisionedConcurrency":
            continue
        if "Condition" in resource and not resolver.condition(resource["Condition"]):
            continue
        target = props.get("ResourceId", {})
        text = target.get("Fn::Sub", "") if isinstance(target, Mapping) else str(target)
        match = re.search(r"\$\{(\w+)\}", text if isinstance(text, str) else "")
        if match:
            found[match.group(1)] = _int(resolver, props["MaxCapacity"], f"{logical_id} MaxCapacity")
    return found


def read_account(lambda_client: Any, function_names: list[str]) -> Account:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        settings = lambda_client.get_account_settings()["AccountLimit"]
        held = 0
        for name in function_names:
            try:
                held += int(
                    lambda_client.get_function_concurrency(FunctionName=name).get(
                        "ReservedConcurrentExecutions"
                    )
                    or 0
                )
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                    raise
    except ClientError as exc:
        error = exc.response["Error"]
        raise PreflightError(
            f"cannot read the Lambda account settings: {error['Code']}: {error.get('Message', '')}"
        ) from None
    except BotoCoreError as exc:
        raise PreflightError(f"cannot read the Lambda account settings: {exc}") from None
    return Account(
        int(settings["ConcurrentExecutions"]), int(settings["UnreservedConcurrentExecutions"]), held
    )


@dataclass(frozen=True)
class Verdict:
    ok: bool
    line: str


def concurrency_verdict(needs: Needs, account: Account) -> Verdict:
    after = account.unreserved + account.held_by_stack - needs.reserved - needs.provisioned_unreserved
    provisioned = (
        f" + {needs.provisioned_unreserved} provisioned outside reservations"
        if needs.provisioned_unreserved
        else ""
    )
    summary = (
        f"the template reserves {needs.reserved}{provisioned}; the account's concurrency quota is {account.limit} "
        f"with {account.unreserved} unreserved now ({account.held_by_stack} held by this stack)"
    )
    over = needs.over_reserved()
    if over:
        names = ", ".join(f"{f.logical_id} ({f.provisioned} > {f.reserved})" for f in over)
        return Verdict(
            False,
            f"preflight {needs.environment}: FAIL: provisioned concurrency above the function's reservation: {names}",
        )
    if after >= UNRESERVED_MINIMUM:
        return Verdict(
            True,
            f"preflight {needs.environment}: OK: {summary}; {after} stays unreserved (Lambda needs {UNRESERVED_MINIMUM})",
        )
    short = UNRESERVED_MINIMUM - after
    return Verdict(
        False,
        f"preflight {needs.environment}: FAIL: short by {short} concurrent executions: {summary}; only {after} would stay "
        f"unreserved (Lambda needs {UNRESERVED_MINIMUM}). Ask for {account.limit + short} or more: aws service-quotas "
        f"request-service-quota-increase --service-code lambda --quota-code {QUOTA_CODE} --desired-value {account.limit + short}",
    )


def alarm_email_verdict(
    template: Mapping[str, Any], parameters: Mapping[str, str], env: str
) -> Verdict | None:
    """prod must name a real address (the template refuses the placeholder; this says so before deploying)."""
    spec = (template.get("Parameters") or {}).get("AlarmEmail")
    if spec is None:
        return None
    value = parameters.get("AlarmEmail", str(spec.get("Default", "")))
    pattern = spec.get("AllowedPattern")
    if pattern and not re.fullmatch(pattern, value):
        return Verdict(
            False,
            f"preflight {env}: FAIL: AlarmEmail={value!r} is not an e-mail address: set the on-call address in samconfig.toml",
        )
    if env == "prod" and not value:
        return Verdict(
            False, f"preflight {env}: FAIL: prod needs AlarmEmail (samconfig.toml [prod.deploy.parameters])"
        )
    return None
