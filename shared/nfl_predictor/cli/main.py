"""The ``nfl-predictor`` command: argument parsing and error reporting only; commands live beside it."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from nfl_predictor import __version__
from nfl_predictor.cli import data_commands, engine_commands, local_commands, ops_commands, remote_commands
from nfl_predictor.cli.errors import CliError, describe
from nfl_predictor.cli.support import plugins

# Each module adds its own subcommands (parser + handler side by side). The developer tooling adds
# serve, invoke, bench and loadtest through the ``nfl_predictor.commands`` entry point.
COMMAND_MODULES = [local_commands, engine_commands, ops_commands, data_commands, remote_commands]


DATA_DIR_HELP = "embedded database folder (default: $NFLP_DATA_DIR or the user data dir)"


class DefaultsFormatter(argparse.HelpFormatter):
    """Appends "(default: X)" to an option's help unless the help already says it or there is none."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if (
            "default" in text
            or action.default in (None, False, argparse.SUPPRESS)
            or not action.option_strings
        ):
            return text
        return text + " (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """Every (sub)command shows each option's default beside its help text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", DefaultsFormatter)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="nfl-predictor",
        description="NFL Predictor: serve, migrate, load data. Uses DATABASE_URL / REDIS_URL when set, "
        "an embedded PostgreSQL with pgvector and the in-process cache otherwise.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help=DATA_DIR_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    for module in COMMAND_MODULES:
        module.register(sub)
    for register in plugins("nfl_predictor.commands"):
        register(sub)
    for command in sub.choices.values():
        # `nfl-predictor serve --data-dir X` as well as `nfl-predictor --data-dir X serve`; SUPPRESS keeps
        # the top-level value when the subcommand does not give one.
        if not any("--data-dir" in action.option_strings for action in command._actions):
            command.add_argument("--data-dir", default=argparse.SUPPRESS, help=DATA_DIR_HELP)
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
