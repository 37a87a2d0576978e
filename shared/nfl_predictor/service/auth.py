"""API-key authentication with a short in-process memory, so a warm request costs no database read.

Known keys are remembered for a minute, unknown ones for a few seconds (a client hammering with a
bad key costs one query per few seconds, not one per request). Revocation and expiry therefore
take effect within a minute; subscriptions are re-checked against the clock on every request.
"""

from __future__ import annotations

import threading
import time

from nfl_predictor.db import Database
from nfl_predictor.service.accounts import Principal, find_principal, hash_key

KNOWN_TTL_S = 60.0
UNKNOWN_TTL_S = 5.0
MAX_REMEMBERED = 10_000


class Authenticator:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._memory: dict[bytes, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def remembered(self, key: str) -> tuple[bool, Principal | None]:
        """(True, principal-or-None) when the answer is fresh in memory: no I/O, safe on the event loop."""
        remembered = self._memory.get(hash_key(key))
        if remembered is not None and remembered[0] > time.monotonic():
            return True, remembered[1]
        return False, None

    def principal(self, key: str) -> Principal | None:
        digest = hash_key(key)
        now = time.monotonic()
        remembered = self._memory.get(digest)
        if remembered is not None and remembered[0] > now:
            return remembered[1]
        try:
            principal = find_principal(self.db, key)
        except Exception:
            # Database unreachable: a key we knew keeps working (cached responses stay servable).
            if remembered is not None and remembered[1] is not None:
                return remembered[1]
            raise
        with self._lock:
            if len(self._memory) >= MAX_REMEMBERED:
                self._memory.clear()
            self._memory[digest] = (now + (KNOWN_TTL_S if principal else UNKNOWN_TTL_S), principal)
        return principal
