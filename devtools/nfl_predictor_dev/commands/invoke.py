"""nfl-predictor invoke: a template function's handler run in-process on the local stack (no Docker)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nfl_predictor.cli.errors import CliError
from nfl_predictor.cli.support import local_stack, say

from nfl_predictor_dev.local.invoke import InvokeError, function_environment, function_spec
from nfl_predictor_dev.local.invoke import invoke as run_handler


def default_template() -> Path:
    """./infra/template.yaml: the command runs from a checkout (the template is not packaged)."""
    return Path("infra/template.yaml")


def _overrides(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CliError(f"--parameter-overrides: expected Name=Value, got {pair!r}", exit_code=2)
        found[name] = value
    return found


def invoke(args: argparse.Namespace) -> int:
    try:
        spec = function_spec(Path(args.template), args.logical_id, _overrides(args.parameter_overrides))
    except InvokeError as exc:
        raise CliError(str(exc)) from None
    try:
        event = json.loads(Path(args.event).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CliError(f"{args.event}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if spec.dropped:
        say(f"{args.logical_id}: not set locally (AWS-only): {', '.join(spec.dropped)}")
    # The function's variables first: the local stack reads the settings they configure.
    with function_environment(spec), local_stack(args):
        try:
            response = run_handler(spec, event)
        except InvokeError as exc:
            raise CliError(str(exc)) from None
    print(json.dumps(response, indent=2, default=str))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser(
        "invoke", help="run a template function's handler in-process against the local stack (no Docker)"
    )
    run.add_argument("logical_id", metavar="LOGICAL_ID", help="e.g. PredictFunction")
    run.add_argument("--event", required=True, help="event JSON file (see events/)")
    run.add_argument("--template", default=str(default_template()), help="default: ./infra/template.yaml")
    run.add_argument(
        "--parameter-overrides", nargs="*", default=[], metavar="NAME=VALUE", help="template parameters"
    )
    run.set_defaults(handler=invoke)
