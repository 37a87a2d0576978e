"""CacheConfig: validated once, immutable, and the one mapping from Settings."""

from __future__ import annotations

import dataclasses

import pytest
from nfl_predictor.cache import CacheConfig
from nfl_predictor.config import Settings


def test_defaults_are_the_in_process_mode() -> None:
    config = CacheConfig()
    assert config.redis_url is None and not config.tls
    assert config.lock_ttl_ms == 10_000


@pytest.mark.parametrize(
    "bad",
    [
        {"codec_name": "brotli"},
        {"ttl_jitter": 1.0},
        {"ttl_jitter": -0.1},
        {"namespace_ttls": {"Bad Name": 1}},
    ],
)
def test_rejects_bad_values(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        CacheConfig(**bad)  # type: ignore[arg-type]


def test_is_frozen_and_its_mappings_are_read_only() -> None:
    ttls = {"predictions": 300}
    config = CacheConfig(namespace_ttls=ttls, redis_options={"db": 2})
    ttls["predictions"] = 1  # the caller's dict is copied, not shared
    assert config.namespace_ttls == {"predictions": 300.0}
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.default_ttl_s = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.namespace_ttls["teams"] = 5  # type: ignore[index]
    with pytest.raises(TypeError):
        config.redis_options["db"] = 3  # type: ignore[index]
    assert dataclasses.replace(config, ttl_jitter=0.0).namespace_ttls == {"predictions": 300.0}


def test_patterns_are_kept_as_given_in_order() -> None:
    config = CacheConfig(namespace_ttls={"*prediction*": 10, "sch?dule": 30, "teams": 5})
    assert list(config.namespace_ttls) == ["*prediction*", "sch?dule", "teams"]


def test_tls_follows_the_url_scheme() -> None:
    assert CacheConfig(redis_url="rediss://cache:6380/0").tls
    assert not CacheConfig(redis_url="redis://cache:6379/0").tls


def test_from_settings_maps_every_cache_setting() -> None:
    settings = Settings(
        redis_url="redis://cache:6379/0", cache_schema_version=4, cache_default_ttl_s=900,
        cache_prediction_ttl_s=120, cache_ttl_jitter=0.2, cache_stale_grace_s=30,
        cache_compress_threshold_bytes=1000, cache_codec="zstd", l1_max_entries=7, l1_max_bytes=10_000,
        redis_socket_timeout_s=0.5, redis_connect_timeout_s=0.6, redis_health_check_interval_s=15,
        breaker_failure_threshold=4, breaker_cooldown_s=9.0, redis_clients_alert_threshold=50,
        cache_memory_alert_ratio=0.7, cache_stamp_refresh_s=2.0, cache_lock_ttl_s=3.0, cache_lock_wait_s=1.5,
    )  # fmt: skip
    config = CacheConfig.from_settings(settings)
    assert config == CacheConfig(
        redis_url="redis://cache:6379/0", schema_version=4, default_ttl_s=900,
        namespace_ttls={"*prediction*": 120}, ttl_jitter=0.2, stale_grace_s=30, compress_threshold_bytes=1000,
        codec_name="zstd", l1_max_entries=7, l1_max_bytes=10_000, socket_timeout_s=0.5, connect_timeout_s=0.6,
        health_check_interval_s=15, breaker_failure_threshold=4, breaker_cooldown_s=9.0,
        clients_alert_threshold=50, memory_alert_ratio=0.7, stamp_refresh_s=2.0, lock_ttl_s=3.0, lock_wait_s=1.5,
    )  # fmt: skip
    assert CacheConfig.from_settings(settings, l1_max_entries=3).l1_max_entries == 3
