"""Sample statistics and the Mann-Whitney U test the regression check relies on.

The test is numpy's: two-sided, tie-corrected, normal approximation with continuity correction (what
scipy's ``mannwhitneyu(..., method="asymptotic")`` computes). The Lambda layer has no scipy (it would
triple the layer), so scipy is only the tests' cross-check of this version, never a dependency.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def from_ns(samples_ns: Sequence[int], unit: str) -> list[float]:
    scale = UNIT_NS[unit]
    return [round(x / scale, 4) for x in samples_ns]


def nearest_rank(ordered: np.ndarray, q: float) -> float:
    """Nearest-rank percentile of ascending samples (the same rule as ``timing.percentile``)."""
    rank = max(1, min(len(ordered), math.ceil(q / 100.0 * len(ordered))))
    return float(ordered[rank - 1])


def describe(samples: Sequence[float] | np.ndarray) -> dict[str, Any]:
    """n, mean, median, min, max, stddev, p95, p99 of samples (in whatever unit they are in)."""
    values = np.sort(np.asarray(samples, dtype=np.float64))
    if not len(values):
        raise ValueError("no samples")
    return {
        "n": len(values),
        "mean": round(float(values.mean()), 4),
        "median": round(float(np.median(values)), 4),
        "min": round(float(values[0]), 4),
        "max": round(float(values[-1]), 4),
        "stddev": round(float(values.std(ddof=1)) if len(values) > 1 else 0.0, 4),
        "p95": round(nearest_rank(values, 95), 4),
        "p99": round(nearest_rank(values, 99), 4),
    }


def average_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1-based ranks with ties given their average rank, and the size of every tie group."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.concatenate(([0], np.flatnonzero(np.diff(ordered)) + 1))
    ends = np.concatenate((starts[1:], [len(values)]))
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return ranks, ends - starts


def mann_whitney_numpy(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """(U of x, two-sided p): tie-corrected normal approximation with continuity correction."""
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n1, n2 = len(a), len(b)
    if not n1 or not n2:
        raise ValueError("both samples need at least one value")
    ranks, ties = average_ranks(np.concatenate((a, b)))
    u1 = float(ranks[:n1].sum() - n1 * (n1 + 1) / 2.0)
    n = n1 + n2
    tie_term = float((ties.astype(np.float64) ** 3 - ties).sum())
    variance = n1 * n2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1)))
    if variance <= 0:  # every value identical: no evidence of any difference
        return u1, 1.0
    z = (max(u1, n1 * n2 - u1) - n1 * n2 / 2.0 - 0.5) / math.sqrt(variance)
    return u1, min(1.0, math.erfc(z / math.sqrt(2.0)))


def mann_whitney(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """(U of x, two-sided p): the test the regression check uses, everywhere (Lambda and local)."""
    return mann_whitney_numpy(x, y)


def thin(samples: Sequence[float], limit: int) -> list[float]:
    """At most ``limit`` samples, taken at an even stride so the distribution's shape is kept."""
    if len(samples) <= limit:
        return list(samples)
    step = len(samples) / limit
    return [samples[int(i * step)] for i in range(limit)]
