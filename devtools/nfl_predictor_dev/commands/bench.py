"""Benchmark and load-test commands: bench create | validate | report, and loadtest.

Every run works against DATABASE_URL / REDIS_URL when set, else a private embedded Postgres and
redis-server started for the run (with the demo league and a trained model). Results go to stdout,
progress to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nfl_predictor.benchmarking.baseline import DEFAULT_BASELINE, FileStore
from nfl_predictor.benchmarking.compare import (
    DEFAULT_ALPHA,
    DEFAULT_TOLERANCE,
    compare_runs,
    drifts,
    improvements,
    regressions,
)
from nfl_predictor.cli.errors import CliError
from nfl_predictor.cli.support import say as _say

from nfl_predictor_dev.bench.loadtest import LoadOptions


@contextlib.contextmanager
def _context(args: argparse.Namespace, categories: list[str]) -> Iterator[Any]:
    from nfl_predictor.benchmarking.context import ApiBindings, BenchContext
    from nfl_predictor.benchmarking.suite import NEEDS_STACK

    from nfl_predictor_dev.bench.bench_stack import BenchStack
    from nfl_predictor_dev.bench.machine import nflverse_dir
    from nfl_predictor_dev.bench.progress import Progress

    progress = Progress(enabled=False if args.no_progress else None)
    nflverse = args.nflverse or nflverse_dir()
    if not NEEDS_STACK & set(categories):
        yield BenchContext(scale=args.scale, progress=progress, nflverse=nflverse)
        return
    with BenchStack() as stack:
        api = ApiBindings.over(stack.runtime) if "api" in categories else None
        yield BenchContext(scale=args.scale, stack=stack, api=api, progress=progress, nflverse=nflverse)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run the chosen categories; print each result line; return the run record."""
    from nfl_predictor.benchmarking.suite import resolve_categories

    from nfl_predictor_dev.bench.suite import run_categories, run_record

    try:
        categories = resolve_categories(args.category or ["all"])
    except ValueError as exc:
        raise CliError(str(exc), exit_code=2) from None
    if "load" in categories:
        _needs_locust()
    _say(f"benchmarking {', '.join(categories)} ({args.scale})")
    with _context(args, categories) as ctx:
        measurements = run_categories(ctx, categories)
        record = run_record(ctx, categories, measurements)
    for m in measurements:
        print(m.line())
    return record


def _needs_locust() -> None:
    import importlib.util

    if importlib.util.find_spec("locust") is None:
        raise CliError("locust is not installed (pip install -e '.[local]')")


def _store(args: argparse.Namespace) -> FileStore:
    return FileStore(args.baseline_file, args.history_dir)


def create(args: argparse.Namespace) -> int:
    record = measure(args)
    store = _store(args)
    _say(f"baseline written to {store.save_baseline(record)}; run saved to {store.save_run(record)}")
    return 0


def validate(args: argparse.Namespace) -> int:
    store = _store(args)
    baseline = store.load_baseline()
    if baseline is None:
        raise CliError(f"no baseline at {args.baseline_file}; run `nfl-predictor bench create` first")
    if args.run_file:
        record = json.loads(Path(args.run_file).read_text())
    else:
        record = measure(args)
        _say(f"run saved to {store.save_run(record)}")
    comparisons = compare_runs(baseline, record, args.tolerance, args.alpha)
    print(f"\nagainst the baseline of {baseline.get('created_at')} (tolerance {args.tolerance:.0%}, "
          f"Mann-Whitney U alpha {args.alpha:g}):")  # fmt: skip
    for c in comparisons:
        print("  " + c.line())
    worse, better, machine = regressions(comparisons), improvements(comparisons), drifts(comparisons)
    print(f"{len(worse)} regression(s), {len(better)} improvement(s), {len(machine)} machine drift(s), "
          f"{len(comparisons) - len(worse) - len(better) - len(machine)} other")  # fmt: skip
    if machine and not worse:
        print("machine drift: the same-run references moved as much as the project; the code did not regress")
    return 1 if worse else 0


def report(args: argparse.Namespace) -> int:
    from nfl_predictor_dev.bench.cost import Prices, costs_for_run, predict_memory_mb
    from nfl_predictor_dev.bench.report import ReportInput, text_report, write_reports

    store = _store(args)
    if args.run:
        record = measure(args)
        store.save_run(record)
    else:
        history = store.history(1)
        if not history:
            raise CliError(f"no saved runs under {store.history_dir}; use --run, or `bench create` first")
        record = history[-1]
    baseline = store.load_baseline()
    comparisons = compare_runs(baseline, record, args.tolerance, args.alpha) if baseline else []
    prices = Prices(
        args.price_gb_second, args.price_per_million_requests, args.memory_mb or predict_memory_mb()
    )
    data = ReportInput(record, baseline, comparisons, store.history(args.history), costs_for_run(record, prices),
                       prices)  # fmt: skip
    paths = write_reports(data, args.output_dir)
    print(text_report(data), end="")
    _say("wrote " + ", ".join(paths.values()))
    return 0


def loadtest(args: argparse.Namespace) -> int:
    from nfl_predictor_dev.bench.bench_stack import BenchStack
    from nfl_predictor_dev.bench.loadtest import run_loadtest

    _needs_locust()
    if args.max_users < 1 or args.step_users < 1 or args.step_seconds <= 0 or args.weeks < 1:
        raise CliError("--max-users, --step-users and --weeks must be at least 1, --step-seconds positive",
                       exit_code=2)  # fmt: skip
    options = LoadOptions(max_users=args.max_users, step_users=args.step_users, step_seconds=args.step_seconds,
                          p99_target_ms=args.p99_target_ms, output_dir=args.output_dir, weeks=args.weeks)  # fmt: skip
    with BenchStack() as stack:
        result = run_loadtest(stack, options, say=_say)
    print(result.table())
    _say("wrote " + ", ".join(result.files.values()))
    return 0


def _common(parser: argparse.ArgumentParser, *, runs: bool = True) -> None:
    parser.add_argument("--baseline-file", type=Path, default=DEFAULT_BASELINE,
                        help=f"baseline JSON (default {DEFAULT_BASELINE})")  # fmt: skip
    parser.add_argument(
        "--history-dir", type=Path, help="saved runs (default: runs/ beside the baseline file)"
    )
    if runs:
        parser.add_argument("--category", action="append", metavar="NAME|all",
                            help="api, engine, database, cache, load or all (default); repeat or comma-separate")  # fmt: skip
        parser.add_argument("--scale", choices=("full", "quick", "smoke"), default="full",
                            help="samples per benchmark (default full)")  # fmt: skip
        parser.add_argument(
            "--quick", dest="scale", action="store_const", const="quick", help="same as --scale quick"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress line on the terminal")
        parser.add_argument("--nflverse", type=Path, metavar="DIR",
                            help="nflverse CSV files for the engine category (default: ../shared/data/nflverse "
                                 "beside the checkout when present, else the synthetic league)")  # fmt: skip


def _thresholds(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE,
                        help="slowdown of the median that counts as a regression (default 0.20)")  # fmt: skip
    parser.add_argument("--alpha", type=float, default=DEFAULT_ALPHA,
                        help="significance level of the Mann-Whitney U test (default 0.01)")  # fmt: skip


def register(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="benchmark suite: create a baseline, validate against it, report")
    actions = bench.add_subparsers(dest="bench_command", required=True, metavar="ACTION")
    create_cmd = actions.add_parser("create", help="run the suite and save the result as the baseline")
    _common(create_cmd)
    create_cmd.set_defaults(handler=create)

    validate_cmd = actions.add_parser(
        "validate", help="run the suite and compare with the baseline; exit 1 on a regression"
    )
    _common(validate_cmd)
    _thresholds(validate_cmd)
    validate_cmd.add_argument("--run-file", help="compare this saved run instead of measuring again")
    validate_cmd.set_defaults(handler=validate)

    report_cmd = actions.add_parser(
        "report", help="text, JSON and HTML report of the latest saved run (or --run)"
    )
    _common(report_cmd)
    _thresholds(report_cmd)
    report_cmd.add_argument(
        "--run", action="store_true", help="measure now instead of using the latest saved run"
    )
    report_cmd.add_argument(
        "--output-dir",
        type=Path,
        default=Path("bench-results"),
        help="where report.txt, report.json and report.html go",
    )
    report_cmd.add_argument("--history", type=int, default=30, help="saved runs to plot (default 30)")
    report_cmd.add_argument("--memory-mb", type=int,
                            help="Lambda memory (default: AWS_LAMBDA_FUNCTION_MEMORY_SIZE, else PredictFunction's "
                                 "MemorySize in ./infra/template.yaml, else 1024)")  # fmt: skip
    report_cmd.add_argument(
        "--price-gb-second", type=float, default=0.0000166667, help="USD (x86 list price)"
    )
    report_cmd.add_argument("--price-per-million-requests", type=float, default=0.20, help="USD (list price)")
    report_cmd.set_defaults(handler=report)

    load = sub.add_parser(
        "loadtest", help="step load with locust against the local server (one worker, warm cache)"
    )
    defaults = LoadOptions()
    load.add_argument(
        "--max-users", type=int, default=defaults.max_users, help=f"default {defaults.max_users}"
    )
    load.add_argument("--step-users", type=int, default=defaults.step_users,
                      help=f"users added per step (default {defaults.step_users})")  # fmt: skip
    load.add_argument("--step-seconds", type=float, default=defaults.step_seconds,
                      help=f"length of each step (default {defaults.step_seconds:g})")  # fmt: skip
    load.add_argument("--weeks", type=int, default=defaults.weeks,
                      help=f"upcoming weeks whose games the users ask for (default {defaults.weeks})")  # fmt: skip
    load.add_argument(
        "--p99-target-ms",
        type=float,
        default=defaults.p99_target_ms,
        help="a step passes while its p99 stays under this",
    )
    load.add_argument(
        "--output-dir",
        type=Path,
        default=Path("loadtest-results"),
        help="where the step results and the report go",
    )
    load.set_defaults(handler=loadtest)
