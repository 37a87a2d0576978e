"""nfl-predictor preflight --env ENV: before `sam deploy`, is the account's Lambda concurrency enough for what
the template reserves in that environment (and does prod name an alarm address)? One verdict line; exit
1 when the deploy would fail. See nfl_predictor_dev/preflight.py."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nfl_predictor.cli.errors import CliError

from nfl_predictor_dev import preflight
from nfl_predictor_dev.local.invoke import InvokeError, Unresolvable, load_template


def lambda_client(args: argparse.Namespace) -> Any:
    import boto3

    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    return session.client("lambda")


def run(args: argparse.Namespace, client: Any = None) -> int:
    template_path = Path(args.template)
    if not template_path.is_file():
        raise CliError(f"{template_path}: no such file (run from the repository root or pass --template)")
    template = load_template(template_path)
    try:
        parameters = preflight.deploy_parameters(Path(args.config), args.env)
        needs = preflight.stack_needs(template, parameters, args.env)
        account = preflight.read_account(client or lambda_client(args), [f.name for f in needs.functions])
    except (preflight.PreflightError, InvokeError, Unresolvable) as exc:
        raise CliError(str(exc)) from None
    verdicts = [preflight.concurrency_verdict(needs, account)]
    email = preflight.alarm_email_verdict(template, parameters, args.env)
    if email is not None:
        verdicts.append(email)
    for verdict in verdicts:
        print(verdict.line)
    return 0 if all(v.ok for v in verdicts) else 1


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "preflight",
        help="before sam deploy: compare the account's Lambda concurrency quota with what the template needs",
    )
    parser.add_argument("--env", default="dev", help="samconfig environment (dev = [default], prod, ...)")
    parser.add_argument("--template", default="infra/template.yaml", help="the SAM template")
    parser.add_argument("--config", default="samconfig.toml", help="the SAM CLI config with the parameters")
    parser.add_argument("--region", default=None, help="AWS region (default: the AWS CLI's)")
    parser.add_argument("--profile", default=None, help="AWS profile (default: the AWS CLI's)")
    parser.set_defaults(handler=run)
