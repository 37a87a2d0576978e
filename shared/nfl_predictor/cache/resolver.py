"""``KeyResolver``: params -> cache key, memoised, plus the per-namespace meta keys.

Normalising params and building a key costs more than an L1 hit itself, and hot keys recur on
every request, so one resolver per manager remembers the keys it has built (``keys`` stays pure).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from nfl_predictor.cache import keys

_RESOLVED_MAX = 4096

_Items = tuple[tuple[str, Any], ...]


class Resolved(NamedTuple):
    key: str
    params: str  # normalised
    hashed: bool


class KeyResolver:
    def __init__(self, schema_version: int, prefix: str = keys.PREFIX) -> None:
        self.schema_version = schema_version
        self.prefix = prefix
        self._prefixes: dict[str, str] = {}
        self._stamp_keys: dict[str, str] = {}
        self._resolved: dict[int, tuple[str, _Items, Resolved]] = {}
        self._seen: dict[int, None] = {}

    def resolve(self, namespace: str, params: keys.Params | None) -> Resolved:
        """Key, normalised params and whether the key is hashed, for ``params`` in ``namespace``.

        Memoised on (namespace, params items), which is exact because equal params always
        normalise equally (see keys). Only params seen twice are memoised: a memo entry is a
        handful of GC-tracked tuples, and admitting every one-off key (a miss storm) would trigger
        a young-generation collection every ~100 calls, which shows up in the p99.
        """
        items: _Items = tuple(params.items()) if params else ()
        try:
            fingerprint: int | None = hash((namespace, items))
        except TypeError:  # unhashable values (lists): normalise every time
            fingerprint = None
        if fingerprint is not None:
            memo = self._resolved.get(fingerprint)
            if memo is not None and memo[1] == items and memo[0] == namespace:
                return memo[2]
        normalised = keys.normalise_params(params)
        key, hashed = keys.key_from_normalised(
            self.namespace_prefix(namespace), normalised, keys.slot_tag(params)
        )
        found = Resolved(key, normalised, hashed)
        if fingerprint is not None:
            self._remember(fingerprint, namespace, items, found)
        return found

    def _remember(self, fingerprint: int, namespace: str, items: _Items, found: Resolved) -> None:
        # Keyed by the int fingerprint (not GC-tracked); the stored items make a hit exact.
        seen = self._seen
        if fingerprint in seen:
            if len(self._resolved) >= _RESOLVED_MAX:
                self._resolved.clear()
            self._resolved[fingerprint] = (namespace, items, found)
        else:
            if len(seen) >= _RESOLVED_MAX:
                seen.clear()
            seen[fingerprint] = None

    def namespace_prefix(self, namespace: str) -> str:
        found = self._prefixes.get(namespace)
        if found is None:
            found = keys.namespace_prefix(namespace, self.schema_version, self.prefix)
            self._prefixes[namespace] = found
        return found

    def stamp_key(self, namespace: str) -> str:
        found = self._stamp_keys.get(namespace)
        if found is None:
            found = keys.meta_key("gen", namespace, self.schema_version, self.prefix)
            self._stamp_keys[namespace] = found
        return found

    def lock_key(self, key: str) -> str:
        return keys.lock_key(key, self.schema_version, self.prefix)
