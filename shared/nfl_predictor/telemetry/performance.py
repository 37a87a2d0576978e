"""Response-time percentiles per route, kept in bounded ring buffers (for /v1/performance)."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

WINDOW = 4096  # most recent requests per route
# Labels come from a fixed set: a method outside it folds into "OTHER" (a client chooses the method,
# and 5,000 distinct 2 KB methods once grew /v1/performance to 10 MB); the route part is the matched
# route's template or "unmatched". MAX_LABELS is a backstop: past it, everything new is "OTHER other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MAX_LABELS = 128

# What the figures are held to (the targets; the benchmark suite checks them properly).
TARGETS = {
    "cached_game_p50_ms": 1.5,
    "uncached_game_p95_ms": 60.0,
    "uncached_week_ms": 300.0,
    "load_p99_ms": 100.0,
    "cache_hit_rate": 0.9,
}


def percentile(ordered: list[float], q: float) -> float:
    """Linear-interpolated percentile of an ascending list (numpy's default method, without numpy:
    this module loads at cold start)."""
    if not ordered:
        return 0.0
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class PerformanceRecorder:
    def __init__(self, window: int = WINDOW) -> None:
        self.window = window
        self.started = time.time()
        self._routes: dict[str, deque[float]] = {}
        self._counts: dict[str, int] = {}
        self._errors: dict[str, int] = {}
        self._lock = threading.Lock()

    @staticmethod
    def label(route: str) -> str:
        method, _, path = route.partition(" ")
        if method not in METHODS:
            method = "OTHER"
        if len(path) > 200:
            path = "unmatched"
        return f"{method} {path}" if path else method

    def record(self, route: str, seconds: float, status: int) -> None:
        route = self.label(route)
        with self._lock:
            if route not in self._routes and len(self._routes) >= MAX_LABELS:
                route = "OTHER other"
            samples = self._routes.get(route)
            if samples is None:
                samples = self._routes[route] = deque(maxlen=self.window)
            samples.append(seconds)
            self._counts[route] = self._counts.get(route, 0) + 1
            if status >= 500:
                self._errors[route] = self._errors.get(route, 0) + 1

    def summary(self) -> dict[str, Any]:
        with self._lock:
            routes = {route: sorted(s * 1000 for s in samples) for route, samples in self._routes.items()}
            counts, errors = dict(self._counts), dict(self._errors)
        out: dict[str, Any] = {}
        for route, ms in routes.items():
            p50, p95, p99 = (percentile(ms, q) for q in (50, 95, 99))
            out[route] = {"requests": counts.get(route, 0), "errors_5xx": errors.get(route, 0),
                          "p50_ms": round(p50, 3), "p95_ms": round(p95, 3), "p99_ms": round(p99, 3)}  # fmt: skip
        return out
