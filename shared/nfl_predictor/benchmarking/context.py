"""What every benchmark is handed: how many samples to take, the stack, progress, where it runs."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from nfl_predictor.config import Settings

if TYPE_CHECKING:
    from nfl_predictor.benchmarking.live_stack import Stack
    from nfl_predictor.db import Database
    from nfl_predictor.runtime import Runtime

T = TypeVar("T")
SCALES = ("full", "quick", "smoke")  # smoke: just enough samples for the tests of the suite itself


@dataclass(frozen=True)
class ApiBindings:
    """The API the api benchmarks drive: the predict Lambda handler and the Runtime under it."""

    handler: Callable[[dict[str, Any], Any], dict[str, Any]]
    runtime: Runtime

    @classmethod
    def over(cls, runtime: Runtime) -> ApiBindings:
        from nfl_predictor.api.lambda_app import make_lambda_handler

        return cls(make_lambda_handler(runtime), runtime)


class Progress(Protocol):
    """What a benchmark reports while it runs (the local harness draws a status line from it)."""

    def begin(self, label: str) -> None: ...

    def update(self, detail: str = "") -> None: ...

    def rounds(self, done: int, total: int) -> None: ...

    def end(self) -> None: ...

    def close(self) -> None: ...


class Silent:
    """No progress at all: Lambda, CI, tests."""

    def begin(self, label: str) -> None:
        pass

    def update(self, detail: str = "") -> None:
        pass

    def rounds(self, done: int, total: int) -> None:
        pass

    def end(self) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class BenchContext:
    scale: str = "full"
    stack: Stack | None = None
    api: ApiBindings | None = None
    progress: Progress = field(default_factory=Silent)
    in_lambda: bool = field(default_factory=lambda: Settings.from_env().in_lambda)
    # The engine category's real data (nflverse CSV files), when the caller has them; else synthetic.
    nflverse: Path | None = None

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(SCALES)}")

    def pick(self, full: T, quick: T, smoke: T) -> T:
        return {"full": full, "quick": quick, "smoke": smoke}[self.scale]

    @property
    def quick(self) -> bool:
        return self.scale != "full"


def profile_calls(
    fn: Callable[[], object], db: Database | None = None, calls: int = 3
) -> tuple[int, float | None]:
    """(peak bytes of Python allocations, database queries per call) over ``calls`` calls.

    Run apart from the timed samples: tracemalloc slows every allocation, so it must never be on
    while latency is measured. It sees Python objects (numpy's buffers included), not C libraries'
    own buffers or the process RSS.
    """
    started_here = not tracemalloc.is_tracing()
    if started_here:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    queries_before = db.stats.queries if db is not None else 0
    try:
        for _ in range(calls):
            fn()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        if started_here:
            tracemalloc.stop()
    queries = (db.stats.queries - queries_before) / calls if db is not None else None
    return max(0, peak), queries
