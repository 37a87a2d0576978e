"""Keeps every request's latency and outcome in memory and writes them as CSV when locust quits.

Locust's own CSVs give percentiles for the whole run; a step load needs them per step, so the runner
(``nfl-predictor loadtest``) reads this file instead. Writing happens once at exit, never per
request: the load generator shares the machine with the server it measures.
"""

from __future__ import annotations

import csv
import os
import time
from typing import Any

from locust import events

SAMPLES_PATH = os.environ.get("NFLP_LOADTEST_SAMPLES", "")
_started = [time.time()]
_rows: list[tuple[float, str, float, int]] = []


@events.test_start.add_listener
def _on_start(**_kwargs: Any) -> None:
    _started[0] = time.time()


@events.request.add_listener
def _on_request(name: str, response_time: float, exception: BaseException | None, **_kwargs: Any) -> None:
    _rows.append((time.time() - _started[0], name, response_time, 0 if exception is None else 1))


@events.quitting.add_listener
def _write(**_kwargs: Any) -> None:
    if not SAMPLES_PATH:
        return
    with open(SAMPLES_PATH, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["seconds", "endpoint", "response_ms", "error"])
        out.writerows((f"{t:.3f}", name, f"{ms:.3f}", err) for t, name, ms, err in _rows)
