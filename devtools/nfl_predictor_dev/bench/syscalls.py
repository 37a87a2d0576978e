"""System-call counts of a child process with ``strace -c`` (where strace is installed): how the cold-start
benchmark and its test see CPython's frame-stack chunks being mapped and unmapped."""

from __future__ import annotations

import shutil
from pathlib import Path


def available() -> bool:
    return shutil.which("strace") is not None


def strace_prefix(summary: Path) -> tuple[str, ...]:
    """Put before a command: follows its children and writes the per-call summary to ``summary``."""
    return ("strace", "-f", "-c", "-o", str(summary))


def calls(summary: Path, name: str = "mmap") -> int:
    """How many ``name`` calls a ``strace -c`` summary counted (0 when the call is not listed)."""
    for line in summary.read_text().splitlines():
        fields = line.split()
        if fields and fields[-1] == name:
            return int(fields[3])
    return 0
