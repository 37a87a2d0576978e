"""The suite as the local harness runs it: every category, the api one with its out-of-process
measurements, the cache one with a private redis-server when none is configured, and each run's
record with the checkout's commit. (What runs in Lambda: nfl_predictor.benchmarking.suite.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nfl_predictor.benchmarking import suite
from nfl_predictor.benchmarking.context import BenchContext
from nfl_predictor.benchmarking.result import Measurement

from nfl_predictor_dev.bench.machine import machine_info

MODULES = {
    **suite.IN_PROCESS,
    "api": "nfl_predictor_dev.bench.api_process",
    "cache": "nfl_predictor_dev.bench.cache_local",
    "load": "nfl_predictor_dev.bench.load",
}


def run_categories(ctx: BenchContext, categories: Sequence[str]) -> list[Measurement]:
    return suite.run_categories(ctx, categories, MODULES)


def run_record(ctx: BenchContext, categories: Sequence[str], measurements: list[Measurement],
               **extra: Any) -> dict[str, Any]:  # fmt: skip
    return suite.run_record(ctx, categories, measurements, machine=machine_info(), **extra)
