"""Progress for long runs: one self-rewriting status line on a terminal, nothing elsewhere.

Written to stderr so stdout keeps only results; silent when stderr is not a terminal (CI logs,
Lambda), where a line per update would only be noise.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int = 0, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = total
        self.done = 0
        self.label = ""
        self.started = time.monotonic()
        self._width = 0

    def begin(self, label: str) -> None:
        """A new benchmark starts."""
        self.label = label
        self.update()

    def update(self, detail: str = "") -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        count = f"[{self.done + 1}/{self.total}] " if self.total else ""
        text = f"{count}{self.label} {detail}".rstrip() + f"  {elapsed:5.1f} s"
        pad = max(0, self._width - len(text))
        self._width = len(text)
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()

    def rounds(self, done: int, total: int) -> None:
        """Called by the sampling loop after each round."""
        self.update(f"round {done}/{total}")

    def end(self) -> None:
        """The current benchmark finished."""
        self.done += 1

    def close(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
