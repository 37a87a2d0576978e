"""Cache keys: ``nflp:<schema>:<namespace>:<params>`` with canonical, exactly-matchable params.

Params are rendered as ``k=v`` pairs sorted by name and joined with ``&``; names and string values
are percent-encoded (everything except ``A-Za-z0-9_.-~``), so ``& = : # * ? [ ]`` never appear
inside a pair. That makes a key's params splittable without ambiguity, which is what exact-match
invalidation relies on (``week=1`` is a whole pair, never a prefix of ``week=10``), and makes the
params safe inside a SCAN glob. Keys longer than ``MAX_KEY_LENGTH`` become
``nflp:<schema>:<namespace>:#<sha256/128>``; their params travel inside the stored entry instead.

Hash slots (Redis Cluster, ElastiCache Serverless): params with a ``slot`` value put a hash tag
after the namespace, ``nflp:<schema>:<namespace>:{<slot>}:<params>``, so every key with the same
slot value lands in one hash slot and can be read with one MGET (a week's games share
``slot=<season>_<week>``). The pair stays in the params too, so it can be invalidated by. Braces
never occur anywhere else in a key (values are percent-encoded), so the tag is the only one Redis
sees. A lock key always hashes to its key's slot (see ``lock_key``): lock, value and release share
one node, which the lock protocol's ordering relies on.

Values that compare equal normalise equally (``1 == 1.0 == True`` all give ``1``; aware datetimes are
rendered in UTC), so a cache of ``params -> key`` keyed by the params themselves is exact.
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

PREFIX = "nflp"
MAX_KEY_LENGTH = 100
HASHED_MARK = "#"
SLOT_PARAM = "slot"  # the param whose value is the key's hash tag (keys read together share it)

_SAFE = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch
_NAMESPACE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}").fullmatch
_valid_namespaces: set[str] = set()

Params = Mapping[str, Any]


_encoded: dict[str, str] = {}  # names and common values recur on every request: memoise encodings
_ENCODED_MAX = 8192


def _text(value: str) -> str:
    found = _encoded.get(value)
    if found is not None:
        return found
    if not isinstance(value, str):
        raise TypeError(f"cache key param names must be str, not {type(value).__name__}")
    found = value if _SAFE(value) else quote(value, safe="")
    if len(_encoded) < _ENCODED_MAX:
        _encoded[value] = found
    return found


def _scalar(value: Any) -> str:
    # Equal values share a key: week=1 == week=1.0, flag=True == flag=1 (as in Python).
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return _text(repr(float(value)))  # numpy.float64 is a float whose repr is "np.float64(0.25)"
    if isinstance(value, enum.Enum):
        return _scalar(value.value)
    if isinstance(value, _dt.datetime) and value.utcoffset() is not None:
        return _text(value.astimezone(_dt.UTC).isoformat())
    if isinstance(value, _dt.date | _dt.datetime | _dt.time):
        return _text(value.isoformat())
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and getattr(value, "shape", None) == ():
        return _scalar(item())
    raise TypeError(f"cache key params must be scalars or sequences of scalars, not {type(value).__name__}")


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "+".join(_scalar(v) for v in value)
    if isinstance(value, set | frozenset):
        return "+".join(sorted(_scalar(v) for v in value))
    return _scalar(value)


def normalise_params(params: Params | None) -> str:
    """Canonical ``k=v&k=v`` form: sorted by name, ``None`` values dropped (absent == None)."""
    if not params:
        return ""
    parts = []
    for name, value in sorted(params.items()):
        # Exact-type fast paths for the usual ints and strings.
        kind = type(value)
        if kind is int:
            text = str(value)
        elif kind is str:
            text = _text(value)
        elif value is None:
            continue
        else:
            text = _value(value)
        parts.append(_text(name) + "=" + text)
    return "&".join(parts)


def param_pairs(normalised: str) -> set[str]:
    """The ``k=v`` pairs of a normalised params string (exact-match invalidation compares these)."""
    return set(normalised.split("&")) if normalised else set()


def check_namespace(namespace: str) -> str:
    if namespace not in _valid_namespaces:
        if not isinstance(namespace, str) or not _NAMESPACE(namespace):
            raise ValueError(f"invalid cache namespace {namespace!r}: use [a-z0-9_.-], 1-64 chars")
        _valid_namespaces.add(namespace)
    return namespace


def namespace_prefix(namespace: str, schema_version: int, prefix: str = PREFIX) -> str:
    return f"{prefix}:{schema_version}:{check_namespace(namespace)}:"


def slot_tag(params: Params | None) -> str:
    """``{<slot>}:`` for params with a ``slot`` value, else "" (the key hashes on its whole name)."""
    if not params:
        return ""
    value = params.get(SLOT_PARAM)
    return "" if value is None else "{" + _value(value) + "}:"


def key_from_normalised(ns_prefix: str, normalised: str, tag: str = "") -> tuple[str, bool]:
    """(key, hashed) for already-normalised params under ``ns_prefix`` (and hash ``tag``, if any)."""
    key = ns_prefix + tag + normalised
    if len(key) <= MAX_KEY_LENGTH:
        return key, False
    digest = hashlib.sha256(normalised.encode()).hexdigest()[:32]
    return ns_prefix + tag + HASHED_MARK + digest, True


def key_params(tail: str) -> str:
    """The params part of a key after its namespace prefix: the hash tag (if any) removed."""
    if tail.startswith("{"):
        return tail[tail.index("}:") + 2 :]
    return tail


def meta_key(kind: str, namespace: str, schema_version: int, prefix: str = PREFIX) -> str:
    # "~" cannot start a namespace, so meta keys never show up in a namespace's SCAN.
    return f"{prefix}:{schema_version}:~{kind}:{check_namespace(namespace)}"


def lock_key(key: str, schema_version: int, prefix: str = PREFIX) -> str:
    """The compute lock of ``key``, in the same hash slot: a tagged key lends the lock its tag, an
    untagged key becomes the lock's tag (Redis then hashes exactly the key's own name)."""
    head = f"{prefix}:{schema_version}:"
    if "{" in key:
        return f"{head}~lock:{key[len(head) :]}"
    return f"{head}~lock:{{{key}}}"
