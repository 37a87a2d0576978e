"""The ``nfl-predictor`` command: argument parsing and error reporting only; commands live beside it."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from nfl_predictor.cli import engine_commands, local_commands, ops_commands
from nfl_predictor.cli.errors import CliError, describe
from nfl_predictor.cli.support import plugins

# Each module adds its own subcommands (parser + handler side by side). The developer tooling adds
# serve, invoke, bench and loadtest through the ``nfl_predictor.commands`` entry point.
COMMAND_MODULES = [local_commands, engine_commands, ops_commands]


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
    for module in COMMAND_MODULES:
        module.register(sub)
    for register in plugins("nfl_predictor.commands"):
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): not an error worth a message, and not a database problem.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
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
