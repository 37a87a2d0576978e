"""The checkout the local tools run in, and its commit (saved in every local run's machine info).

The checkout is the git work tree holding the current directory (``git rev-parse --show-toplevel``),
or the current directory itself when it looks like one; nothing is derived from where this package is
installed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from nfl_predictor.benchmarking.machine import machine_info as _machine_info


def _git(*args: str, cwd: Path | None = None) -> str | None:
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=5, check=True,
                             cwd=cwd)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def checkout_root(start: Path | None = None) -> Path | None:
    """The project checkout at or above ``start`` (default: the current directory), or None."""
    here = (start or Path.cwd()).resolve()
    top = _git("rev-parse", "--show-toplevel", cwd=here)
    if top is not None:
        return Path(top)
    return here if (here / "pyproject.toml").is_file() and (here / "functions").is_dir() else None


def git_commit(checkout: Path | None = None) -> str | None:
    root = checkout or checkout_root()
    return None if root is None else _git("rev-parse", "HEAD", cwd=root)


def machine_info() -> dict[str, Any]:
    """The shared machine info, with the checkout's commit."""
    return _machine_info(git_commit=git_commit())


def nflverse_dir(checkout: Path | None = None) -> Path | None:
    """The nflverse CSV files beside the checkout (``<checkout>/../shared/data/nflverse``), if there."""
    root = checkout or checkout_root()
    folder = None if root is None else root.parent / "shared" / "data" / "nflverse"
    return folder if folder is not None and (folder / "games.csv").is_file() else None
