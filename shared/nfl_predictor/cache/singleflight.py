"""In-process single-flight: concurrent callers for one key share one computation.

``begin`` tells a caller atomically whether it leads; followers may ``wait`` for the leader's result
or, when they hold a stale value, return it at once instead (stale-while-revalidate).
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class Flight(Generic[T]):
    # A held lock as a one-shot latch: cheaper to create than threading.Event (no Condition), and
    # creating one happens on every miss while waiting is rare.
    __slots__ = ("_latch", "error", "result")

    def __init__(self) -> None:
        self._latch = threading.Lock()
        self._latch.acquire()
        self.result: T | None = None
        self.error: BaseException | None = None

    def _done(self) -> None:
        self._latch.release()

    def wait(self, timeout: float | None = None) -> T:
        if not self._latch.acquire(timeout=-1 if timeout is None else timeout):
            raise TimeoutError("single-flight leader did not finish in time")
        self._latch.release()  # let the next waiter through
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


class SingleFlight(Generic[T]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[str, Flight[T]] = {}

    def begin(self, key: str) -> tuple[Flight[T], bool]:
        """(flight, is_leader). A leader must call ``finish`` exactly once."""
        with self._lock:
            flight = self._flights.get(key)
            if flight is not None:
                return flight, False
            flight = Flight()
            self._flights[key] = flight
            return flight, True

    def finish(
        self, key: str, flight: Flight[T], *, result: T | None = None, error: BaseException | None = None
    ) -> None:
        """Publish the leader's ``result`` (or ``error``) to every follower and free the key."""
        with self._lock:
            if self._flights.get(key) is flight:
                del self._flights[key]
        flight.result = result
        flight.error = error
        flight._done()
