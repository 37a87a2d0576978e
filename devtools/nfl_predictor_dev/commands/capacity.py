"""``nfl-predictor capacity``: the capacity plan for a target load (bench/capacity.py), from the latest
saved benchmark run (or ``--from-run FILE``). A developer command: it reads the developer's run
history and needs no stack, no database and no AWS."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nfl_predictor.benchmarking.baseline import DEFAULT_BASELINE, FileStore
from nfl_predictor.cli.errors import CliError


def capacity(args: argparse.Namespace) -> int:
    from nfl_predictor_dev.bench.capacity import Assumptions, measured_from_run, plan

    if args.from_run:
        try:
            record, source = json.loads(Path(args.from_run).read_text()), str(args.from_run)
        except (OSError, ValueError) as exc:
            raise CliError(f"--from-run: cannot read {args.from_run}: {exc}") from None
    else:
        history = FileStore(args.baseline_file, args.history_dir).history(1)
        if not history:
            raise CliError(
                "no saved benchmark runs: run `nfl-predictor bench create` first, or pass --from-run FILE"
            )
        record, source = history[-1], f"the latest saved run ({history[-1].get('created_at', '?')})"
    if args.rps <= 0:
        raise CliError("--rps: must be a positive number of requests per second")
    if not 0 <= args.hit_rate <= 1:
        raise CliError("--hit-rate: must be between 0 and 1")
    try:
        measured = measured_from_run(record, source)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    result = plan(args.rps, measured, Assumptions(hit_rate=args.hit_rate, peak_minutes=args.peak_minutes))
    print(json.dumps(result.as_dict(), indent=2) if args.json else result.text())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("capacity", help="Lambda, Redis, database and monthly cost for a target load")
    cmd.add_argument("--rps", type=float, required=True, help="target requests per second")
    cmd.add_argument("--hit-rate", type=float, default=0.95, help="cache hit rate, 0-1 (default 0.95)")
    cmd.add_argument("--peak-minutes", type=float, default=180.0,
                     help="minutes per game day at the target load (default 180)")  # fmt: skip
    cmd.add_argument("--from-run", type=Path, help="a saved benchmark run (default: the latest saved run)")
    cmd.add_argument(
        "--baseline-file", type=Path, default=DEFAULT_BASELINE, help=f"default {DEFAULT_BASELINE}"
    )
    cmd.add_argument("--history-dir", type=Path, help="saved runs (default: runs/ beside the baseline file)")
    cmd.add_argument("--json", action="store_true", help="the plan as JSON")
    cmd.set_defaults(handler=capacity)
