"""nfl-predictor invoke: a template function run the way Lambda runs it, against the local stack (no Docker).

By default from the ``sam build`` output (built first when missing or older than the sources), in a
fresh interpreter that sees only the function's code, the built layer and the runtime's boto3, with
Lambda's environment; ``--source`` runs the in-tree code the same way. See local/lambda_runner.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nfl_predictor.cli.errors import CliError
from nfl_predictor.cli.support import local_stack, say

from nfl_predictor_dev.local import lambda_runner
from nfl_predictor_dev.local.invoke import InvokeError, function_environment, function_spec


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
    template = Path(args.template).resolve()
    repo = template.parent.parent
    try:
        spec = function_spec(template, args.logical_id, _overrides(args.parameter_overrides))
    except InvokeError as exc:
        raise CliError(str(exc)) from None
    try:
        event = json.loads(Path(args.event).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CliError(f"{args.event}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if spec.dropped:
        say(f"{args.logical_id}: not set locally (AWS-only): {', '.join(spec.dropped)}")
    build_dir = Path(args.build_dir) if args.build_dir else lambda_runner.default_build_dir(repo)
    try:
        if not args.source:
            lambda_runner.ensure_build(repo, template, build_dir, log=say)
        # The function's variables first: the local stack reads the settings they configure.
        with function_environment(spec), local_stack(args):
            result = lambda_runner.run(spec, [event], repo=repo, build_dir=build_dir,
                                       source=args.source)  # fmt: skip
    except InvokeError as exc:
        raise CliError(str(exc)) from None
    sys.stderr.write(result.logs)  # what Lambda would send to CloudWatch Logs
    if result.init_error is not None:
        say(f"INIT_REPORT Init Duration: {result.init_ms:.2f} ms\tPhase: init\tStatus: error")
        print(json.dumps(result.init_error, indent=2))
        return 1
    [invocation] = result.invocations
    say(invocation.report_line(spec.memory_mb))
    print(json.dumps(invocation.response if invocation.error is None else invocation.error,
                     indent=2, default=str))  # fmt: skip
    return 0 if invocation.error is None else 1


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser(
        "invoke",
        help="run a template function as Lambda runs it (built artifact, fresh interpreter) on the local stack",
    )
    run.add_argument("logical_id", metavar="LOGICAL_ID", help="e.g. PredictFunction")
    run.add_argument("--event", required=True, help="event JSON file (see events/)")
    run.add_argument("--template", default=str(default_template()), help="default: ./infra/template.yaml")
    run.add_argument(
        "--parameter-overrides", nargs="*", default=[], metavar="NAME=VALUE", help="template parameters"
    )
    run.add_argument("--source", action="store_true",
                     help="run the in-tree code (functions/, shared/) instead of the sam build output")  # fmt: skip
    run.add_argument("--build-dir", help="the sam build output to run (default: ./.aws-sam/local-x86_64)")
    run.set_defaults(handler=invoke)
