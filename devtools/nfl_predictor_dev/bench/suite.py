"""The benchmark suite: categories, what each needs, and one run's record.

A run is a plain dict (what baselines, history and reports store):
``{"created_at", "scale", "categories", "machine", "measurements": [Measurement.to_dict(), ...]}``.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Sequence
from typing import Any

from nfl_predictor_dev.bench.context import BenchContext
from nfl_predictor_dev.bench.machine import machine_info
from nfl_predictor_dev.bench.result import Measurement

# category -> module with run(ctx) -> list[Measurement]
MODULES = {
    "api": "nfl_predictor_dev.bench.api",
    "engine": "nfl_predictor_dev.bench.engine",
    "database": "nfl_predictor_dev.bench.database",
    "cache": "nfl_predictor_dev.bench.cache",
    "load": "nfl_predictor_dev.bench.load",
}
CATEGORIES = tuple(MODULES)
# What runs inside the benchmark Lambda: no subprocesses, no locust, only the layer's packages.
IN_PROCESS = ("api", "engine", "database", "cache")
NEEDS_STACK = {"api", "database", "load"}


def resolve_categories(names: Sequence[str], *, in_lambda: bool = False) -> list[str]:
    """``all`` (every category; in Lambda every in-process one) or a list of names, in suite order."""
    wanted = set()
    for name in names:
        for part in name.split(","):
            part = part.strip()
            if part == "all":
                wanted |= set(IN_PROCESS if in_lambda else CATEGORIES)
            elif part in MODULES:
                if in_lambda and part not in IN_PROCESS:
                    raise ValueError(f"category {part!r} cannot run inside Lambda")
                wanted.add(part)
            elif part:
                raise ValueError(f"unknown category {part!r} (choose from {', '.join(CATEGORIES)} or all)")
    if not wanted:
        raise ValueError("no category selected")
    return [c for c in CATEGORIES if c in wanted]


def run_categories(ctx: BenchContext, categories: Sequence[str]) -> list[Measurement]:
    out: list[Measurement] = []
    for category in categories:
        module = importlib.import_module(MODULES[category])
        out.extend(module.run(ctx))
    ctx.progress.close()
    return out


def run_record(ctx: BenchContext, categories: Sequence[str], measurements: list[Measurement],
               **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scale": ctx.scale,
        "categories": list(categories),
        "machine": machine_info(),
        "measurements": [m.to_dict() for m in measurements],
        **extra,
    }
