"""Timing helpers: samples in nanoseconds, interleaved contenders, result lines.

Timings are ``time.perf_counter_ns`` per call. Contenders are sampled in interleaved blocks
(A x n, B x n, A x n, ...) so drift in the machine (CPU frequency, a neighbour's burst) lands on
every contender alike; that is what makes a "project vs reference, same run" ratio meaningful.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

PERCENTILES = (50, 90, 95, 99)


def percentile(sorted_samples: list[int] | list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted samples (q in 0..100)."""
    if not sorted_samples:
        raise ValueError("no samples")
    rank = max(1, min(len(sorted_samples), math.ceil(q / 100.0 * len(sorted_samples))))
    return float(sorted_samples[rank - 1])


@dataclass(frozen=True)
class Summary:
    """Statistics of one sample set, in microseconds."""

    name: str
    n: int
    median_us: float
    p90_us: float
    p95_us: float
    p99_us: float
    mean_us: float
    min_us: float
    max_us: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(name: str, samples_ns: list[int]) -> Summary:
    s = sorted(samples_ns)
    us = 1000.0
    return Summary(
        name=name,
        n=len(s),
        median_us=percentile(s, 50) / us,
        p90_us=percentile(s, 90) / us,
        p95_us=percentile(s, 95) / us,
        p99_us=percentile(s, 99) / us,
        mean_us=statistics.fmean(s) / us,
        min_us=s[0] / us,
        max_us=s[-1] / us,
    )


def sample(fn: Callable[[], object], n: int, warmup: int = 0) -> list[int]:
    """``n`` timed calls of ``fn`` (after ``warmup`` untimed ones), in nanoseconds."""
    clock = time.perf_counter_ns
    for _ in range(warmup):
        fn()
    out = [0] * n
    for i in range(n):
        start = clock()
        fn()
        out[i] = clock() - start
    return out


def sample_interleaved(
    contenders: Mapping[str, Callable[[], object]],
    rounds: int,
    per_round: int,
    warmup: int = 0,
    on_round: Callable[[int, int], object] | None = None,
) -> dict[str, list[list[int]]]:
    """Samples per contender and per round: ``{name: [round0_samples, round1_samples, ...]}``.

    A full collection runs before the timed rounds so garbage left by set-up is not charged to
    whichever contender happens to trigger the next collection.
    """
    for fn in contenders.values():
        for _ in range(warmup):
            fn()
    gc.collect()
    out: dict[str, list[list[int]]] = {name: [] for name in contenders}
    for done in range(1, rounds + 1):
        for name, fn in contenders.items():
            out[name].append(sample(fn, per_round))
        if on_round is not None:
            on_round(done, rounds)
    return out


def pooled(rounds: list[list[int]]) -> list[int]:
    return [x for r in rounds for x in r]


def per_round_percentile(rounds: list[list[int]], q: float) -> float:
    """Median over rounds of each round's percentile, in microseconds.

    Robust to a burst from another process that spoils one round; not to a tail that is really
    ours, which shows up in every round.
    """
    return statistics.median(percentile(sorted(r), q) for r in rounds) / 1000.0


def ratio(project: float, reference: float) -> float:
    return project / reference if reference else float("inf")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def compare_line(
    label: str,
    project: float,
    reference: float,
    *,
    target: str,
    ok: bool,
    unit: str = "us",
    reference_label: str = "reference",
) -> str:
    """One result line: ``label: project X | reference Y | ratio Z | target T | PASS``."""
    return (
        f"{label}: project {project:.2f} {unit} | {reference_label} {reference:.2f} {unit} | "
        f"ratio {ratio(project, reference):.3f} | target {target} | {verdict(ok)}"
    )


def describe(summary: Summary) -> str:
    return (
        f"{summary.name}: n={summary.n} median {summary.median_us:.2f} us, p90 {summary.p90_us:.2f}, "
        f"p95 {summary.p95_us:.2f}, p99 {summary.p99_us:.2f}, max {summary.max_us:.1f}"
    )
