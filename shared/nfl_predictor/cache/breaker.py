"""Circuit breaker for the Redis tier.

closed -> open after ``threshold`` consecutive failures; open -> half-open once ``cooldown_s`` has
passed, letting exactly one probe call through; the probe's success closes it, its failure re-opens
it for another cool-down. While open, callers skip Redis entirely, so an outage costs a monotonic
clock read per call instead of a socket timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

State = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    def __init__(
        self, threshold: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = max(1, threshold)
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until = 0.0  # 0.0 means closed: the hot path is one float comparison
        self._probe_started = 0.0
        self.times_opened = 0
        self.last_error: str | None = None

    def allow(self) -> bool:
        """May this call use Redis? Cheap when closed; grants one probe per cool-down when open."""
        if self._open_until == 0.0:
            return True
        now = self._clock()
        if now < self._open_until:
            return False
        with self._lock:
            if self._open_until == 0.0:
                return True
            # A probe that never reported back (thread died) must not wedge the breaker open.
            if self._probe_started and now - self._probe_started < max(self.cooldown_s, 1.0):
                return False
            self._probe_started = now
            return True

    def success(self) -> None:
        if self._failures or self._open_until:
            with self._lock:
                self._failures = 0
                self._open_until = 0.0
                self._probe_started = 0.0

    def failure(self, error: BaseException | None = None) -> None:
        with self._lock:
            self._failures += 1
            if error is not None:
                self.last_error = type(error).__name__  # no message: it names hosts and ports
            if self._probe_started or self._failures >= self.threshold:
                if self._open_until == 0.0:
                    self.times_opened += 1
                self._open_until = self._clock() + self.cooldown_s
                self._probe_started = 0.0

    @property
    def state(self) -> State:
        if self._open_until == 0.0:
            return "closed"
        if self._clock() < self._open_until:
            return "open"
        return "half_open"

    def snapshot(self) -> dict[str, object]:
        return {
            "state": self.state,
            "consecutive_failures": self._failures,
            "times_opened": self.times_opened,
            "threshold": self.threshold,
            "cooldown_s": self.cooldown_s,
            "last_error": self.last_error,
        }
