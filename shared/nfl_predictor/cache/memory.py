"""L1: a thread-safe, bounded (entries and bytes) LRU of ``CacheEntry`` per process.

Expiry is decided by the manager from each entry's ``fresh_until`` (wall clock, comparable with
entries read from Redis); this module only drops records past their hard expiry (fresh + grace).
Each record carries the namespace ``stamp`` it was validated under, so a namespace or exact-match
invalidation makes older records unreachable without walking the map.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple

from nfl_predictor.cache.codec import CacheEntry

_RECORD_OVERHEAD = 200  # dict slot, record tuple, entry object, key string header


class Record(NamedTuple):
    entry: CacheEntry
    stamp: int
    expires_at: float  # wall clock: fresh_until + stale grace
    params: str  # normalised params (exact-match invalidation)
    size: int


class MemoryTier:
    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max(0, max_entries)
        self.max_bytes = max(0, max_bytes)
        self._data: OrderedDict[str, Record] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.evictions = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def get(self, key: str) -> Record | None:
        record = self._data.get(key)  # atomic under the GIL: a miss takes no lock
        if record is None:
            return None
        with self._lock:
            if self._data.get(key) is not record:
                return None  # replaced or removed meanwhile
            if record.expires_at <= time.time():
                self._remove(key)
                return None
            self._data.move_to_end(key)
            return record

    def put(self, key: str, entry: CacheEntry, stamp: int, expires_at: float, params: str) -> None:
        if not self.enabled:
            return
        size = len(entry.body) + len(key) + len(params) + _RECORD_OVERHEAD
        if size > self.max_bytes:
            return  # one giant value must not flush the whole tier
        with self._lock:
            if key in self._data:
                self._remove(key)
            self._data[key] = Record(entry, stamp, expires_at, params, size)
            self._bytes += size
            while len(self._data) > self.max_entries or self._bytes > self.max_bytes:
                oldest = next(iter(self._data))
                self._remove(oldest)
                self.evictions += 1

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._remove(key)

    def delete_where(self, predicate: Callable[[str, Record], bool]) -> int:
        with self._lock:
            doomed = [key for key, record in self._data.items() if predicate(key, record)]
            for key in doomed:
                self._remove(key)
            return len(doomed)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def _remove(self, key: str) -> bool:
        record = self._data.pop(key, None)
        if record is None:
            return False
        self._bytes -= record.size
        return True

    def __len__(self) -> int:
        return len(self._data)

    @property
    def bytes_used(self) -> int:
        return self._bytes
