"""What every command module shares: status lines on stderr and the local stack."""

from __future__ import annotations

import argparse
import sys

from nfl_predictor.local.stack import LocalStack


def say(message: str) -> None:
    """Progress and notes go to stderr so stdout stays machine-readable (keys, JSON, tables)."""
    print(message, file=sys.stderr, flush=True)


def local_stack(args: argparse.Namespace, *, migrate: bool = True) -> LocalStack:
    return LocalStack(args.data_dir, migrate=migrate, log=say)
