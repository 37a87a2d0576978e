"""``nfl-predictor remote api-key create|list|revoke --stack NAME``: the deployed stack's admin function.

The function is found from the stack (its ``AdminFunctionName`` output, else the ``AdminFunction``
resource) and invoked synchronously with boto3; its answer is printed. The database is never reached
from here: the database and its proxy admit only the functions' security group, and this needs no
bastion, only ``lambda:InvokeFunction`` on that one function and CloudFormation read access. boto3
comes with the local extra (and the Lambda runtime); it is imported only when a remote command runs.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from nfl_predictor.cli.errors import CliError
from nfl_predictor.service.accounts import TIERS

OUTPUT_KEY = "AdminFunctionName"
LOGICAL_ID = "AdminFunction"
Clients = Callable[[str | None], "tuple[Any, Any]"]  # region -> (cloudformation, lambda)


def boto_clients(region: str | None) -> tuple[Any, Any]:
    import boto3
    from botocore.config import Config

    # The admin call is one short transaction; a retried create would make a second key.
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=70, connect_timeout=10)
    session = boto3.session.Session(region_name=region)
    return session.client("cloudformation", config=config), session.client("lambda", config=config)


def find_admin_function(cloudformation: Any, stack: str) -> str:
    """The admin function's name: the stack's output, else its resource's physical id."""
    [found] = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    for output in found.get("Outputs") or []:
        if output.get("OutputKey") == OUTPUT_KEY:
            return str(output["OutputValue"])
    detail = cloudformation.describe_stack_resource(StackName=stack, LogicalResourceId=LOGICAL_ID)
    return str(detail["StackResourceDetail"]["PhysicalResourceId"])


def invoke_admin(lambda_client: Any, function: str, event: dict[str, Any]) -> dict[str, Any]:
    response = lambda_client.invoke(FunctionName=function, InvocationType="RequestResponse",
                                    Payload=json.dumps(event).encode())  # fmt: skip
    raw = response["Payload"].read()
    try:
        answer = json.loads(raw or b"null")
    except ValueError:
        raise CliError(f"{function}: answered something that is not JSON") from None
    if response.get("FunctionError"):
        message = answer.get("errorMessage") if isinstance(answer, dict) else None
        raise CliError(f"{function} failed: {message or response['FunctionError']}")
    if not isinstance(answer, dict) or "ok" not in answer:
        raise CliError(f"{function}: unexpected answer (is it the admin function?)")
    if not answer["ok"]:
        field = f" ({answer['field']})" if answer.get("field") else ""
        raise CliError(f"{answer.get('error', 'refused')}{field}")
    return answer


def event_from(args: argparse.Namespace) -> dict[str, Any]:
    if args.action == "create":
        event: dict[str, Any] = {
            "action": "create",
            "name": args.name,
            "tier": args.tier,
            "admin": args.admin,
        }
        if args.email:
            event["email"] = args.email
        if args.expires_at:
            event["expires_at"] = args.expires_at
        return event
    if args.action == "list":
        return {"action": "list", "include_revoked": args.all}
    key = str(args.key)
    return {"action": "revoke", **({"key_id": int(key)} if key.isdigit() else {"key": key})}


def render(answer: dict[str, Any]) -> str:
    if answer["action"] == "create":
        return (f"{answer['key']}\n# key id {answer['key_id']}, tier {answer['tier']}, scopes "
                f"{','.join(answer['scopes'])}: shown once, store it now")  # fmt: skip
    if answer["action"] == "revoke":
        done = "revoked" if answer["outcome"] == "revoked" else "was already revoked"
        return (f"key {answer['key_id']} {done}; every API instance refuses it within "
                f"{answer['effective_within_s']:g} s")  # fmt: skip
    lines = [f"{'id':>5}  {'prefix':<12}  {'tier':<10}  {'status':<9}  {'scopes':<10}  {'revoked':<10}  name"]
    for key in answer["keys"]:
        revoked = (key.get("revoked_at") or "")[:10]
        lines.append(f"{key['id']:>5}  {key['key_prefix']:<12}  {key.get('tier') or '-':<10}  "
                     f"{key.get('status') or '-':<9}  {','.join(key.get('scopes') or []):<10}  {revoked:<10}  "
                     f"{key['name']}")  # fmt: skip
    return "\n".join(lines)


def api_key(args: argparse.Namespace, clients: Clients = boto_clients) -> int:
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        raise CliError("remote commands need boto3: pip install 'nfl-predictor[local]'") from None
    try:
        cloudformation, lambda_client = clients(args.region)
        function = find_admin_function(cloudformation, args.stack)
        answer = invoke_admin(lambda_client, function, event_from(args))
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise CliError(f"{error.get('Code', 'AWS error')}: {error.get('Message', exc)}") from None
    except BotoCoreError as exc:
        raise CliError(str(exc)) from None
    print(json.dumps(answer, indent=2) if args.json else render(answer))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    remote = sub.add_parser("remote", help="operate a deployed stack through its admin function (boto3)")
    groups = remote.add_subparsers(dest="remote_command", required=True, metavar="WHAT")
    keys = groups.add_parser("api-key", help="create, list or revoke API keys in the deployed database")
    actions = keys.add_subparsers(dest="action", required=True, metavar="ACTION")

    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--stack", required=True, help="the CloudFormation stack name (sam deploy's)")
        parser.add_argument("--region", help="AWS region (default: the AWS CLI's configured region)")
        parser.add_argument("--json", action="store_true", help="print the function's answer as JSON")
        parser.set_defaults(handler=api_key)

    create = actions.add_parser("create", help="create a user, subscription and key; prints the key once")
    create.add_argument("--name", required=True, help="who the key is for")
    create.add_argument("--tier", choices=TIERS, default="free", help="rate-limit tier")
    create.add_argument("--admin", action="store_true", help="add the admin scope (/v1/admin routes)")
    create.add_argument("--email", help="the user's email (optional)")
    create.add_argument("--expires-at", help="subscription end, ISO 8601 with offset (default: none)")
    common(create)
    listing = actions.add_parser("list", help="list keys (prefix, tier, status; never the key)")
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    common(listing)
    revoke = actions.add_parser("revoke", help="revoke a key by id, by the key, or by its listed prefix")
    revoke.add_argument("key", help="key id, the key, or its first characters")
    common(revoke)
