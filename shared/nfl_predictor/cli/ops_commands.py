"""Operations commands: maintain-indexes."""

from __future__ import annotations

import argparse
import json

from nfl_predictor.cli.support import local_stack as _stack
from nfl_predictor.cli.support import say as _say


def maintain_indexes(args: argparse.Namespace) -> int:
    from nfl_predictor.db.indexes import MaintenanceOptions, run_maintenance

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


def register(sub: argparse._SubParsersAction) -> None:
    maintain = sub.add_parser(
        "maintain-indexes",
        help="ensure/repair declared indexes, reindex bloated ones, ANALYZE; prints a JSON summary",
    )
    maintain.add_argument("--lock-timeout-ms", type=int, default=2000, help="per statement (default 2000)")
    maintain.add_argument(
        "--bloat-ratio", type=float, default=2.0, help="reindex above this size/estimate (default 2)"
    )
    maintain.add_argument(
        "--min-reindex-bytes",
        type=int,
        default=8 * 1024 * 1024,
        help="only reindex B-trees at least this big",
    )
    maintain.add_argument("--max-reindexes", type=int, default=5, help="at most this many reindexes a run")
    maintain.add_argument(
        "--analyze-min-changes", type=int, default=1000, help="ANALYZE a table once this many rows changed"
    )
    maintain.add_argument("--table", action="append", help="only this table (repeatable)")
    maintain.set_defaults(handler=maintain_indexes)
