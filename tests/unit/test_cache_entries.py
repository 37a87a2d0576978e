"""EntryFactory: TTL policy, jitter that only shortens, compression only for Redis, wire form."""

from __future__ import annotations

import time

import orjson
from nfl_predictor.cache import CacheConfig, codec
from nfl_predictor.cache.entries import EntryFactory
from nfl_predictor.cache.resolver import KeyResolver
from nfl_predictor.cache.stamps import EPOCH_BITS

BIG = orjson.dumps(list(range(2000)))


def test_ttl_exact_names_win_then_patterns_in_order_then_default() -> None:
    factory = EntryFactory(
        CacheConfig(
            default_ttl_s=50, namespace_ttls={"*prediction*": 10, "week_predictions": 20, "sch?dule": 30}
        )
    )
    assert factory.ttl_for("week_predictions") == 20
    assert factory.ttl_for("predictions") == factory.ttl_for("prediction_views") == 10
    assert factory.ttl_for("schedule") == 30
    assert factory.ttl_for("teams") == 50


def test_jitter_only_shortens_and_explicit_ttl_wins() -> None:
    factory = EntryFactory(CacheConfig(default_ttl_s=100, ttl_jitter=0.2))
    lifetimes = [
        e.fresh_until - e.created_at
        for e in (factory.build("t", b"1", ttl_s=None, for_redis=False) for _ in range(200))
    ]
    assert all(80 - 1e-6 <= t <= 100 + 1e-6 for t in lifetimes) and max(lifetimes) - min(lifetimes) > 5
    explicit = factory.build("t", b"1", ttl_s=10, for_redis=False)
    assert 8 - 1e-6 <= explicit.fresh_until - explicit.created_at <= 10 + 1e-6


def test_compresses_only_what_goes_to_redis_above_the_threshold() -> None:
    factory = EntryFactory(CacheConfig(codec_name="zstd", compress_threshold_bytes=1000))
    assert factory.build("t", BIG, ttl_s=None, for_redis=True).encoding == "zstd"
    assert factory.build("t", BIG, ttl_s=None, for_redis=False).encoding == "identity"
    assert factory.build("t", b"[1]", ttl_s=None, for_redis=True).encoding == "identity"
    assert factory.build("t", {"a": 1}, ttl_s=None, for_redis=False).body == b'{"a":1}'


def test_redis_ttl_covers_the_stale_grace() -> None:
    factory = EntryFactory(CacheConfig(stale_grace_s=60))
    now = time.time()
    entry = codec.build_entry(b"1", now, now + 100, "identity")
    assert abs(factory.redis_ttl_ms(entry) - 160_000) < 1000
    expired = codec.build_entry(b"1", now - 500, now - 400, "identity")
    assert factory.redis_ttl_ms(expired) == 1  # never 0 or negative (PX rejects those)


def test_pack_stores_the_generation_and_params_only_for_hashed_keys() -> None:
    factory = EntryFactory(CacheConfig())
    resolver = KeyResolver(1)
    entry = factory.build("t", b"1", ttl_s=None, for_redis=True)
    stamp = (7 << EPOCH_BITS) | 3  # the epoch is not stored: epoch bumps keep L2 entries readable
    short = resolver.resolve("t", {"week": 1})
    assert codec.unpack_params(factory.pack(entry, stamp, short)) == ""
    assert codec.decode(factory.pack(entry, stamp, short), 7, time.time(), 0.0) is not None
    long = resolver.resolve("t", {"experts": [f"expert_{i}" for i in range(20)], "week": 1})
    assert codec.unpack_params(factory.pack(entry, stamp, long)) == long.params
