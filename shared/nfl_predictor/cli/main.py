"""The ``nfl-predictor`` command: argument parsing and error reporting only; commands live beside it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from nfl_predictor.cli import commands
from nfl_predictor.cli.errors import CliError, describe


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nfl-predictor",
        description="NFL Predictor: serve, migrate, load data. Uses DATABASE_URL / REDIS_URL when set, "
        "an embedded PostgreSQL with pgvector and the in-process cache otherwise.",
    )
    parser.add_argument(
        "--data-dir", help="embedded database folder (default: $NFLP_DATA_DIR or the user data dir)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the API locally (migrates, seeds the demo league when empty)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    serve.add_argument(
        "--no-seed", action="store_true", help="do not load the demo league into an empty database"
    )
    serve.set_defaults(handler=commands.serve)

    migrate = sub.add_parser("migrate", help="apply pending database migrations")
    migrate.add_argument("--status", action="store_true", help="list migrations and whether each is applied")
    migrate.set_defaults(handler=commands.migrate)

    demo = sub.add_parser("demo-data", help="load the deterministic demo league (idempotent)")
    demo.add_argument("--seed", type=int, default=2025)
    demo.add_argument("--seasons", type=int, nargs="+", default=[2024, 2025])
    demo.add_argument("--played-weeks", type=int, default=12, help="weeks of the last season already played")
    demo.set_defaults(handler=commands.demo_data)

    ingest = sub.add_parser("ingest", help="load nflverse CSV files (paths or URLs)")
    kinds = ingest.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind, help_text in (("games", "games.csv / schedules format"), ("player-stats", "weekly player stats"),
                            ("team-stats", "weekly team stats")):  # fmt: skip
        one = kinds.add_parser(kind, help=help_text)
        one.add_argument("sources", nargs="+", metavar="PATH_OR_URL")
        one.set_defaults(handler=commands.ingest)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except CliError as exc:
        print(f"nfl-predictor: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        message = describe(exc)
        if message is None:
            raise
        print(f"nfl-predictor: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
