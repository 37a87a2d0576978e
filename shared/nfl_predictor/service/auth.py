"""API-key authentication with a short in-process memory, so a warm request costs no database read.

Bounds (README "The API"):

- A checked key is trusted for ``key_ttl_s`` (10 s by default): revocation, and a subscription
  ending, take effect within that on every instance. Subscriptions are also re-checked against the
  clock on every request.
- While the database is unreachable, a key this process checked within ``stale_grace_s`` (300 s)
  keeps working (cached responses stay servable); past that it gets a 503, so an outage never
  extends a revoked key indefinitely.
- Rejected keys are remembered by hash (``REJECTED_TTL_S``), so a client retrying a bad key costs
  no query; both memories are LRU-bounded (the oldest entries go, never the whole memory).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from nfl_predictor.db import Database
from nfl_predictor.service.accounts import Principal, find_principal, hash_key

KNOWN_TTL_S = 10.0
STALE_GRACE_S = 300.0
REJECTED_TTL_S = 30.0
MAX_REMEMBERED = 10_000
MAX_REJECTED = 50_000


def monotonic() -> float:
    # Looked up at each call, so a test may also swap the module's ``time``.
    return time.monotonic()


class Authenticator:
    """``clock`` (seconds, monotonic) is injectable so tests drive the trust period without sleeping."""

    def __init__(self, db: Database, *, key_ttl_s: float = KNOWN_TTL_S, stale_grace_s: float = STALE_GRACE_S,
                 clock: Callable[[], float] = monotonic) -> None:  # fmt: skip
        self.db = db
        self.clock = clock
        self.key_ttl_s = key_ttl_s
        self.stale_grace_s = stale_grace_s
        # key hash -> (checked at, principal): known keys
        self._memory: OrderedDict[bytes, tuple[float, Principal]] = OrderedDict()
        self._rejected: OrderedDict[bytes, float] = OrderedDict()  # key hash -> rejected at
        self._lock = threading.Lock()
        self.lookups = 0  # database lookups made (what the made-up-key flood costs)

    def remembered(self, key: str) -> tuple[bool, Principal | None]:
        """(True, principal-or-None) when the answer is fresh in memory: no I/O, safe on the event loop."""
        digest = hash_key(key)
        now = self.clock()
        known = self._memory.get(digest)
        if known is not None and now - known[0] < self.key_ttl_s:
            return True, known[1]
        rejected = self._rejected.get(digest)
        if rejected is not None and now - rejected < REJECTED_TTL_S:
            return True, None
        return False, None

    def stale(self, key: str) -> Principal | None:
        """A known key past its trust period but within the outage grace (no I/O)."""
        known = self._memory.get(hash_key(key))
        if known is not None and self.clock() - known[0] < self.key_ttl_s + self.stale_grace_s:
            return known[1]
        return None

    def forget_all(self) -> None:
        """Drop every remembered answer (after a SnapStart restore: a key revoked while the snapshot
        waited must not stay trusted; the monotonic clock the TTLs use did not count the wait)."""
        with self._lock:
            self._memory.clear()
            self._rejected.clear()

    def forget(self, key: str) -> None:
        """Drop a key from this instance's memory (after revoking it here: takes effect at once)."""
        digest = hash_key(key)
        with self._lock:
            self._memory.pop(digest, None)

    def principal(self, key: str) -> Principal | None:
        known, principal = self.remembered(key)
        if known:
            return principal
        digest = hash_key(key)
        now = self.clock()
        try:
            self.lookups += 1
            principal = find_principal(self.db, key)
        except Exception:
            # Database unreachable: a key we checked recently keeps working, for a bounded time.
            stale = self.stale(key)
            if stale is not None:
                return stale
            raise
        with self._lock:
            if principal is None:
                self._memory.pop(digest, None)
                self._rejected[digest] = now
                self._rejected.move_to_end(digest)
                while len(self._rejected) > MAX_REJECTED:
                    self._rejected.popitem(last=False)
            else:
                self._rejected.pop(digest, None)
                self._memory[digest] = (now, principal)
                self._memory.move_to_end(digest)
                while len(self._memory) > MAX_REMEMBERED:
                    self._memory.popitem(last=False)
        return principal
