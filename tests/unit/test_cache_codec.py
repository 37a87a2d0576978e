from __future__ import annotations

import gzip
import time

import numpy as np
import orjson
import pytest
from nfl_predictor.cache import codec
from nfl_predictor.cache.codec import CacheEntry, EntryFormatError

BODY = orjson.dumps([{"expert": f"e{i}", "value": i / 7, "reasoning": "because " * 3} for i in range(300)])


def test_header_is_small_and_fixed() -> None:
    assert codec.HEADER.size == 46


@pytest.mark.parametrize("encoding", ["identity", "gzip", "zstd"])
def test_pack_decode_round_trip(encoding: codec.Encoding) -> None:
    now = time.time()
    entry = codec.build_entry(BODY, now, now + 30, encoding)
    raw = codec.pack(entry, generation=77)
    back = codec.decode(raw, 77, now, grace_s=0.0)
    assert back is not None and not back.is_stale
    assert codec.decode(raw, 76, now, grace_s=0.0) is None  # the generation travels with the entry
    assert back.body == entry.body
    assert back.encoding == encoding
    assert back.etag == codec.etag_of(BODY) and len(back.etag) == 16
    assert back.created_at == entry.created_at and back.fresh_until == entry.fresh_until
    assert back.identity_body() == BODY
    assert gzip.decompress(back.gzip_body()) == BODY
    if encoding != "identity":
        assert len(entry.body) < len(BODY) / 3


def test_gzip_body_is_the_stored_bytes_when_already_gzip() -> None:
    entry = codec.build_entry(BODY, 0.0, 1.0, "gzip")
    assert entry.gzip_body() is entry.body
    assert entry.body[:2] == b"\x1f\x8b"  # a real gzip member: forwardable as Content-Encoding: gzip


def test_gzip_body_of_identity_is_compressed_once() -> None:
    entry = codec.build_entry(BODY, 0.0, 1.0, "identity")
    first = entry.gzip_body()
    assert entry.gzip_body() is first
    assert gzip.decompress(first) == BODY
    assert entry.with_view("l1", is_stale=True).gzip_body() is first


def test_gzip_is_deterministic() -> None:
    assert codec.gzip_compress(BODY) == codec.gzip_compress(BODY)


def test_params_travel_with_hashed_entries() -> None:
    entry = codec.build_entry(b"{}", 0.0, 1.0, "identity")
    raw = codec.pack(entry, 1, b"game=X&week=1")
    assert codec.unpack_params(raw) == "game=X&week=1"
    assert codec.decode(raw, 1, 0.5, grace_s=0.0).body == b"{}"  # type: ignore[union-attr]


def test_decode_checks_generation_and_freshness() -> None:
    now = 1000.0
    raw = codec.pack(codec.build_entry(b"{}", now - 10, now + 5, "identity"), 3)
    fresh = codec.decode(raw, 3, now, grace_s=60)
    assert fresh is not None and not fresh.is_stale and fresh.tier == "redis"
    assert codec.decode(raw, 4, now, grace_s=60) is None  # invalidated generation
    stale = codec.decode(raw, 3, now + 10, grace_s=60)
    assert stale is not None and stale.is_stale
    assert codec.decode(raw, 3, now + 70, grace_s=60) is None  # past the grace window


@pytest.mark.parametrize("raw", [b"", b"{}", b"\xb7\x09" + bytes(60)])
def test_foreign_bytes_are_rejected(raw: bytes) -> None:
    with pytest.raises(EntryFormatError):
        codec.decode(raw, 0, 0.0, 0.0)


def test_to_body_accepts_bytes_and_json_objects_but_never_pickles() -> None:
    assert codec.to_body(b'{"a":1}') == b'{"a":1}'
    assert codec.to_body(bytearray(b"[]")) == b"[]"
    assert orjson.loads(codec.to_body({"v": np.float64(0.5), "a": np.arange(3)})) == {
        "v": 0.5,
        "a": [0, 1, 2],
    }
    with pytest.raises(TypeError):
        codec.to_body({"x": object()})


def test_entry_repr_is_short() -> None:
    entry = CacheEntry(b"x" * 100, "identity", "abc", 0.0, 1.0)
    assert "bytes=100" in repr(entry)
