"""Operations commands: maintain-indexes, and invoke (a template function run in-process, no Docker)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nfl_predictor.cli.errors import CliError
from nfl_predictor.cli.support import local_stack as _stack
from nfl_predictor.cli.support import say as _say


def default_template() -> Path:
    """./infra/template.yaml when run from a checkout, else the one beside this package's source."""
    here = Path("infra/template.yaml")
    return here if here.is_file() else Path(__file__).resolve().parents[3] / "infra" / "template.yaml"


def maintain_indexes(args: argparse.Namespace) -> int:
    from nfl_predictor.ops.indexes import MaintenanceOptions, run_maintenance

    options = MaintenanceOptions(
        lock_timeout_ms=args.lock_timeout_ms,
        bloat_ratio=args.bloat_ratio,
        min_reindex_bytes=args.min_reindex_bytes,
        max_reindexes=args.max_reindexes,
        analyze_min_changes=args.analyze_min_changes,
        tables=frozenset(args.table) if args.table else None,
    )
    with _stack(args) as stack:
        summary = run_maintenance(stack.database, options)
    print(json.dumps(summary, indent=2, default=str))
    if summary["errors"]:
        _say(f"{len(summary['errors'])} step(s) failed; re-running is safe")
        return 1
    return 0


def _overrides(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CliError(f"--parameter-overrides: expected Name=Value, got {pair!r}", exit_code=2)
        found[name] = value
    return found


def invoke(args: argparse.Namespace) -> int:
    from nfl_predictor.local.invoke import InvokeError, function_environment, function_spec
    from nfl_predictor.local.invoke import invoke as run_handler

    try:
        spec = function_spec(Path(args.template), args.logical_id, _overrides(args.parameter_overrides))
    except InvokeError as exc:
        raise CliError(str(exc)) from None
    try:
        event = json.loads(Path(args.event).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CliError(f"{args.event}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if spec.dropped:
        _say(f"{args.logical_id}: not set locally (AWS-only): {', '.join(spec.dropped)}")
    # The function's variables first: the local stack reads the settings they configure.
    with function_environment(spec), _stack(args) as _stack_ready:
        try:
            response = run_handler(spec, event)
        except InvokeError as exc:
            raise CliError(str(exc)) from None
    print(json.dumps(response, indent=2, default=str))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    maintain = sub.add_parser(
        "maintain-indexes",
        help="ensure/repair declared indexes, reindex bloated ones, ANALYZE; prints a JSON summary",
    )
    maintain.add_argument("--lock-timeout-ms", type=int, default=2000, help="per statement (default 2000)")
    maintain.add_argument(
        "--bloat-ratio", type=float, default=2.0, help="reindex above this size/estimate (default 2)"
    )
    maintain.add_argument("--min-reindex-bytes", type=int, default=8 * 1024 * 1024)
    maintain.add_argument("--max-reindexes", type=int, default=5)
    maintain.add_argument("--analyze-min-changes", type=int, default=1000)
    maintain.add_argument("--table", action="append", help="only this table (repeatable)")
    maintain.set_defaults(handler=maintain_indexes)

    run = sub.add_parser(
        "invoke", help="run a template function's handler in-process against the local stack (no Docker)"
    )
    run.add_argument("logical_id", metavar="LOGICAL_ID", help="e.g. PredictFunction")
    run.add_argument("--event", required=True, help="event JSON file (see events/)")
    run.add_argument("--template", default=str(default_template()))
    run.add_argument(
        "--parameter-overrides", nargs="*", default=[], metavar="NAME=VALUE", help="template parameters"
    )
    run.set_defaults(handler=invoke)
