"""Stored entry format and ``CacheEntry``: final HTTP body bytes behind a fixed binary header.

Layout (little-endian, ``HEADER.size`` = 46 bytes, then params, then body)::

    magic u8 | format u8 | encoding u8 | reserved u8 | params_len u16 | generation u64 |
    created_at f64 | fresh_until f64 | etag 16 ASCII hex | params (params_len bytes) | body

Decoding is one ``unpack_from`` and one slice: no JSON parse, no hashing, no decompression, so a
hit can be returned as-is. ``params`` is only filled for hashed keys (exact-match invalidation needs
them).

The ETag is 16 hex chars (64 bits) of a hash of the identity body, computed once when the entry is
built, so hits never hash. It is the one per-miss cost that grows with the body: XXH3-128 when the
``xxhash`` package is installed (~0.6 us for 24 KB), else SHA-256 (~17 us; SHA-256 rather than
BLAKE2b because OpenSSL's SHA-NI/ARMv8 path runs it twice as fast). ETags are opaque and travel
with the entry, so processes using different algorithms never disagree about a stored entry; two
processes computing the same body independently just give clients a 200 instead of a 304.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import struct
import zlib
from collections.abc import Callable
from typing import Any, Final, Literal

import orjson

Encoding = Literal["identity", "gzip", "zstd"]
Tier = Literal["l1", "redis"]

MAGIC: Final = 0xB7
FORMAT: Final = 1
HEADER: Final = struct.Struct("<BBBBHQdd16s")
ENCODINGS: Final[tuple[Encoding, ...]] = ("identity", "gzip", "zstd")
_ENCODING_IDS: Final[dict[str, int]] = {name: i for i, name in enumerate(ENCODINGS)}
GZIP_LEVEL: Final = 6
ZSTD_LEVEL: Final = 3
_ORJSON_OPTS: Final = orjson.OPT_SERIALIZE_NUMPY


class EntryFormatError(ValueError):
    """Bytes under a cache key are not an entry this code wrote (foreign value, other format)."""


def gzip_compress(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    # wbits=31: a gzip member with mtime 0, so equal bodies compress to equal bytes.
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def decompress(body: bytes, encoding: Encoding) -> bytes:
    if encoding == "identity":
        return body
    if encoding == "gzip":
        return zlib.decompress(body, 31)
    import zstandard  # on first use: no hit path of the API needs it (~5 ms of a cold start)

    return zstandard.ZstdDecompressor().decompress(body)


def compress(data: bytes, encoding: Encoding) -> bytes:
    if encoding == "gzip":
        return gzip_compress(data)
    if encoding == "zstd":
        import zstandard

        return zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(data)
    return data


# xxhash loads on the first ETag: only building an entry (a miss) hashes, and its import was ~13 ms
# of the predict function's cold start, which a cached hit never needs.
ETAG_ALGORITHM = "xxh3-128" if importlib.util.find_spec("xxhash") is not None else "sha256"


@functools.cache
def _hexdigest() -> Callable[[bytes], str]:
    if ETAG_ALGORITHM == "xxh3-128":
        import xxhash

        return xxhash.xxh3_128_hexdigest
    return lambda data: hashlib.sha256(data).hexdigest()


def etag_of(identity: bytes) -> str:
    return _hexdigest()(identity)[:16]


def to_body(value: Any) -> bytes:
    """Producers return serialised JSON bytes or a JSON-able object (orjson; numpy allowed)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return orjson.dumps(value, option=_ORJSON_OPTS)


class CacheEntry:
    """One cached HTTP body. ``body`` is exactly what was stored; ``encoding`` says how it is coded."""

    __slots__ = ("_gzip", "body", "created_at", "encoding", "etag", "fresh_until", "is_stale", "tier")

    def __init__(
        self,
        body: bytes,
        encoding: Encoding,
        etag: str,
        created_at: float,
        fresh_until: float,
        tier: Tier = "l1",
        *,
        is_stale: bool = False,
    ) -> None:
        self.body = body
        self.encoding: Encoding = encoding
        self.etag = etag
        self.created_at = created_at
        self.fresh_until = fresh_until
        self.tier: Tier = tier
        self.is_stale = is_stale
        self._gzip: bytes | None = None

    def identity_body(self) -> bytes:
        """The uncompressed JSON body."""
        return decompress(self.body, self.encoding)

    def gzip_body(self) -> bytes:
        """The body as a gzip member: the stored bytes when stored as gzip, else compressed once."""
        if self.encoding == "gzip":
            return self.body
        if self._gzip is None:
            # Memoised on the entry: an L1 entry is shared by every hit. A race computes it twice.
            self._gzip = gzip_compress(self.identity_body())
        return self._gzip

    def with_view(self, tier: Tier, *, is_stale: bool) -> CacheEntry:
        twin = CacheEntry(
            self.body, self.encoding, self.etag, self.created_at, self.fresh_until, tier, is_stale=is_stale
        )
        twin._gzip = self._gzip
        return twin

    def __repr__(self) -> str:
        return (
            f"CacheEntry(tier={self.tier!r}, encoding={self.encoding!r}, etag={self.etag!r}, "
            f"bytes={len(self.body)}, stale={self.is_stale})"
        )


def build_entry(
    identity: bytes,
    created_at: float,
    fresh_until: float,
    encoding: Encoding,
) -> CacheEntry:
    """An entry for ``identity`` coded as ``encoding`` (the caller decides whether to compress)."""
    body = compress(identity, encoding)
    return CacheEntry(body, encoding, etag_of(identity), created_at, fresh_until)


def pack(entry: CacheEntry, generation: int, params: bytes = b"") -> bytes:
    header = HEADER.pack(
        MAGIC,
        FORMAT,
        _ENCODING_IDS[entry.encoding],
        0,
        len(params),
        generation,
        entry.created_at,
        entry.fresh_until,
        entry.etag.encode("ascii"),
    )
    return b"".join((header, params, entry.body))


_unpack_header = HEADER.unpack_from
_HEADER_SIZE = HEADER.size


def decode(raw: bytes, generation: int, now: float, grace_s: float) -> CacheEntry | None:
    """The hit path's decoder: an entry of ``generation`` that is fresh or stale within
    ``grace_s`` (``is_stale`` set), else None. One unpack, one slice, one object."""
    try:
        magic, fmt, enc, _, plen, gen, created, fresh, etag = _unpack_header(raw)
        encoding = ENCODINGS[enc]
    except (struct.error, IndexError) as exc:
        raise EntryFormatError("not a cache entry") from exc
    if magic != MAGIC or fmt != FORMAT:
        raise EntryFormatError(f"unknown entry format {magic:#x}/{fmt}")
    if gen != generation:
        return None
    stale = now >= fresh
    if stale and now >= fresh + grace_s:
        return None
    return CacheEntry(
        raw[_HEADER_SIZE + plen :], encoding, etag.decode("ascii"), created, fresh, "redis", is_stale=stale
    )


def unpack_params(raw: bytes) -> str:
    """The normalised params stored with a hashed key's entry ("" when absent or unreadable)."""
    try:
        magic, _, _, _, plen, *_ = HEADER.unpack_from(raw)
    except struct.error:
        return ""
    if magic != MAGIC:
        return ""
    return raw[HEADER.size : HEADER.size + plen].decode("utf-8", "replace")
