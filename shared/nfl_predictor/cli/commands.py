"""What each ``nfl-predictor`` subcommand does; every command runs on the local stack."""

from __future__ import annotations

import argparse
import os
import sys

from nfl_predictor.cli.errors import CliError
from nfl_predictor.data import ingest as ingest_module
from nfl_predictor.db.migrate import MigrationRunner
from nfl_predictor.local.stack import LocalStack


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _stack(args: argparse.Namespace, *, migrate: bool = True) -> LocalStack:
    return LocalStack(args.data_dir, migrate=migrate, log=_say)


def serve(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise CliError("--workers must be at least 1", exit_code=2)
    if not 0 < args.port < 65536:
        raise CliError("--port must be between 1 and 65535", exit_code=2)
    import uvicorn

    os.environ.setdefault("DB_POOLED", "true")  # many concurrent requests: a small bounded pool
    with _stack(args) as stack:
        if not args.no_seed and ingest_module.database_is_empty(stack.database):
            _say(ingest_module.load_demo_league(stack.database).line())
        _say(f"serving on http://{args.host}:{args.port} (Ctrl-C stops the server and the embedded database)")
        uvicorn.run("nfl_predictor.api.app:create_app", factory=True, host=args.host, port=args.port,
                    workers=args.workers, log_level="warning")  # fmt: skip
    return 0


def migrate(args: argparse.Namespace) -> int:
    with _stack(args, migrate=not args.status) as stack:
        if args.status:
            for row in MigrationRunner(stack.database).status():
                state = "applied" if row["applied"] else "pending"
                if not row["checksum_ok"]:
                    state = "EDITED AFTER APPLY"
                print(f"{row['version']:03d} {row['name']:<40} {state}")
        else:
            print("migrations up to date")
    return 0


def demo_data(args: argparse.Namespace) -> int:
    if not 0 <= args.played_weeks <= 18:
        raise CliError("--played-weeks must be between 0 and 18", exit_code=2)
    with _stack(args) as stack:
        report = ingest_module.load_demo_league(
            stack.database, tuple(args.seasons), args.played_weeks, args.seed
        )
        print(report.line())
    return 0


INGESTERS = {
    "games": ingest_module.ingest_games,
    "player-stats": ingest_module.ingest_player_stats,
    "team-stats": ingest_module.ingest_team_stats,
}


def ingest(args: argparse.Namespace) -> int:
    load = INGESTERS[args.kind]
    with _stack(args) as stack:
        for source in args.sources:
            print(load(stack.database, source).line())
    return 0
