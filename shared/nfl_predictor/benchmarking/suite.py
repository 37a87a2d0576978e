"""The benchmark suite: categories, what each needs, and one run's record.

A run is a plain dict (what baselines, history and reports store):
``{"created_at", "scale", "categories", "machine", "measurements": [Measurement.to_dict(), ...]}``.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping, Sequence
from typing import Any

from nfl_predictor.benchmarking.context import BenchContext
from nfl_predictor.benchmarking.machine import machine_info
from nfl_predictor.benchmarking.result import Measurement

# Every category, in suite order. "load" (a server and locust) runs locally only: the local harness
# (nfl_predictor_dev.bench.suite) brings its module, and its own api and cache runners.
CATEGORIES = ("api", "engine", "database", "cache", "load")
# What runs inside the benchmark Lambda: category -> module with run(ctx) -> list[Measurement].
IN_PROCESS = {
    "api": "nfl_predictor.benchmarking.api_latency",
    "engine": "nfl_predictor.benchmarking.engine_speed",
    "database": "nfl_predictor.benchmarking.database_latency",
    "cache": "nfl_predictor.benchmarking.cache_latency",
}
NEEDS_STACK = {"api", "database", "load"}


def resolve_categories(names: Sequence[str], *, in_lambda: bool = False) -> list[str]:
    """``all`` (every category; in Lambda every in-process one) or a list of names, in suite order."""
    wanted = set()
    for name in names:
        for part in name.split(","):
            part = part.strip()
            if part == "all":
                wanted |= set(IN_PROCESS if in_lambda else CATEGORIES)
            elif part in CATEGORIES:
                if in_lambda and part not in IN_PROCESS:
                    raise ValueError(f"category {part!r} cannot run inside Lambda")
                wanted.add(part)
            elif part:
                raise ValueError(f"unknown category {part!r} (choose from {', '.join(CATEGORIES)} or all)")
    if not wanted:
        raise ValueError("no category selected")
    return [c for c in CATEGORIES if c in wanted]


def run_categories(ctx: BenchContext, categories: Sequence[str],
                   modules: Mapping[str, str] = IN_PROCESS) -> list[Measurement]:  # fmt: skip
    out: list[Measurement] = []
    for category in categories:
        if category not in modules:
            raise ValueError(f"category {category!r} cannot run here")
        module = importlib.import_module(modules[category])
        out.extend(module.run(ctx))
    ctx.progress.close()
    return out


def run_record(ctx: BenchContext, categories: Sequence[str], measurements: list[Measurement], *,
               machine: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scale": ctx.scale,
        "categories": list(categories),
        "machine": machine if machine is not None else machine_info(),
        "measurements": [m.to_dict() for m in measurements],
        **extra,
    }
