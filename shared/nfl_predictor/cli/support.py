"""What every command module shares: status lines on stderr, and the stack a command runs on.

With DATABASE_URL (or DB_SECRET_ARN) set, a command runs on that database. Without it, the embedded
PostgreSQL comes from the developer tooling (``nfl_predictor_dev``, installed by the ``local``
extra), found through the ``nfl_predictor.local_stack`` entry point: the package itself, and so the
Lambda layer, never imports the tooling.
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from nfl_predictor.cli.errors import CliError
from nfl_predictor.config import Settings
from nfl_predictor.db import Database
from nfl_predictor.db.migrate import apply_migrations
from nfl_predictor.runtime import Runtime


class TerminalProgress:
    """A tqdm bar on stderr when it is a terminal (nothing in CI logs, pipes or Lambda), driven by a
    service's ``on_progress(done, total, label)`` callback: the bar is made on the first call, once
    the total is known. tqdm comes with the local extra; without it there is simply no bar."""

    def __init__(self, desc: str, unit: str) -> None:
        self.desc, self.unit = desc, unit
        self._bar: Any = None
        self._enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int, label: str = "") -> None:
        if not self._enabled:
            return
        if self._bar is None:
            try:
                from tqdm import tqdm
            except ImportError:
                self._enabled = False
                return
            self._bar = tqdm(total=total, desc=self.desc, unit=self.unit, leave=False, file=sys.stderr)
        if label:
            self._bar.set_postfix_str(label, refresh=False)
        self._bar.update(done - self._bar.n)

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


def say(message: str) -> None:
    """Progress and notes go to stderr so stdout stays machine-readable (keys, JSON, tables)."""
    print(message, file=sys.stderr, flush=True)


class Stack(Protocol):
    runtime: Runtime
    data_root: Path

    @property
    def database(self) -> Database: ...

    def __enter__(self) -> Stack: ...

    def __exit__(self, *exc: object) -> None: ...


class DatabaseStack:
    """A Runtime over the configured database, migrated first (unless told not to)."""

    def __init__(self, settings: Settings, data_root: Path, *, migrate: bool = True) -> None:
        self.settings, self.data_root, self.migrate = settings, data_root, migrate

    def __enter__(self) -> DatabaseStack:
        self.runtime = Runtime(self.settings)
        if self.migrate:
            apply_migrations(self.runtime.db, log=say)
        return self

    @property
    def database(self) -> Database:
        return self.runtime.db

    def __exit__(self, *exc: object) -> None:
        self.runtime.close()


def plugins(group: str) -> list[Any]:
    """What the developer tooling registers under an entry-point group (nothing when not installed)."""
    return [entry.load() for entry in sorted(entry_points(group=group), key=lambda e: e.name)]


def local_stack(args: argparse.Namespace, *, migrate: bool = True) -> Stack:
    settings = Settings.from_env()
    data_dir = getattr(args, "data_dir", None) or settings.data_dir
    if not settings.uses_embedded_db:
        return DatabaseStack(settings, Path(data_dir or "."), migrate=migrate)
    providers = plugins("nfl_predictor.local_stack")
    if not providers:
        raise CliError("DATABASE_URL is not set, and the embedded database needs the local extra "
                       "(pip install -e '.[local]')")  # fmt: skip
    stack: Stack = providers[0](data_dir, migrate=migrate, log=say)
    return stack
