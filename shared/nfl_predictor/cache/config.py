"""``CacheConfig``: every cache tunable in one immutable, validated value.

One value instead of two dozen constructor keywords: it is checked once, can be compared and
``dataclasses.replace``-d in tests, and ``from_settings`` is the single place that maps deployment
settings onto it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from nfl_predictor.cache import keys

if TYPE_CHECKING:
    from nfl_predictor.config.settings import Settings

Codec = Literal["gzip", "zstd"]


def is_pattern(name: str) -> bool:
    """A namespace TTL key with glob characters is an fnmatch pattern, not a namespace name."""
    return any(ch in name for ch in "*?[")


@dataclass(frozen=True)
class CacheConfig:
    # None: in-process (L1) only. repr=False: a local URL may carry a password.
    redis_url: str | None = field(default=None, repr=False)
    cluster: bool = False  # Redis Cluster protocol (ElastiCache cluster mode, Serverless)
    schema_version: int = 1
    prefix: str = keys.PREFIX
    # -- entries
    default_ttl_s: float = 1800
    # Exact namespace names, or fnmatch patterns ("*prediction*") tried in order after them.
    namespace_ttls: Mapping[str, float] = field(default_factory=dict)
    ttl_jitter: float = 0.1
    stale_grace_s: float = 60
    compress_threshold_bytes: int = 4096
    codec_name: Codec = "gzip"
    # -- L1
    l1_max_entries: int = 2048
    l1_max_bytes: int = 64 * 1024 * 1024
    # -- Redis client and breaker
    socket_timeout_s: float = 0.25
    connect_timeout_s: float = 0.25
    health_check_interval_s: int = 30
    redis_options: Mapping[str, Any] = field(default_factory=dict, repr=False)
    breaker_failure_threshold: int = 3
    breaker_cooldown_s: float = 5.0
    # -- health alerts
    clients_alert_threshold: int = 500
    memory_alert_ratio: float = 0.8
    # -- stamps and cross-process lock
    stamp_refresh_s: float = 1.0
    lock_ttl_s: float = 10.0
    lock_wait_s: float = 2.0

    def __post_init__(self) -> None:
        if self.codec_name not in ("gzip", "zstd"):
            raise ValueError("codec_name must be 'gzip' or 'zstd'")
        if not 0.0 <= self.ttl_jitter < 1.0:
            raise ValueError("ttl_jitter must be in [0, 1)")
        ttls = {
            (ns if is_pattern(ns) else keys.check_namespace(ns)): float(t)
            for ns, t in self.namespace_ttls.items()
        }
        # Read-only views: a frozen config must not change under the objects built from it.
        object.__setattr__(self, "namespace_ttls", MappingProxyType(ttls))
        object.__setattr__(self, "redis_options", MappingProxyType(dict(self.redis_options)))
        object.__setattr__(self, "default_ttl_s", float(self.default_ttl_s))
        object.__setattr__(self, "stale_grace_s", float(self.stale_grace_s))

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> CacheConfig:
        """The deployment's configuration; ``overrides`` are field names (tests, benchmarks)."""
        redis_options: dict[str, Any] = {}
        if settings.redis_auth_secret_arn:
            from nfl_predictor.cache.auth import SecretCredentials

            redis_options["credential_provider"] = SecretCredentials(settings.redis_auth_secret_arn)
        options: dict[str, Any] = {
            "redis_url": settings.redis_url,
            "cluster": settings.redis_cluster,
            "redis_options": redis_options,
            "schema_version": settings.cache_schema_version,
            "default_ttl_s": settings.cache_default_ttl_s,
            # predictions, prediction_views, week_predictions: everything derived from predictions
            "namespace_ttls": {"*prediction*": settings.cache_prediction_ttl_s},
            "ttl_jitter": settings.cache_ttl_jitter,
            "stale_grace_s": settings.cache_stale_grace_s,
            "compress_threshold_bytes": settings.cache_compress_threshold_bytes,
            "codec_name": settings.cache_codec,
            "l1_max_entries": settings.l1_max_entries,
            "l1_max_bytes": settings.l1_max_bytes,
            "socket_timeout_s": settings.redis_socket_timeout_s,
            "connect_timeout_s": settings.redis_connect_timeout_s,
            "health_check_interval_s": settings.redis_health_check_interval_s,
            "breaker_failure_threshold": settings.breaker_failure_threshold,
            "breaker_cooldown_s": settings.breaker_cooldown_s,
            "clients_alert_threshold": settings.redis_clients_alert_threshold,
            "memory_alert_ratio": settings.cache_memory_alert_ratio,
            "stamp_refresh_s": settings.cache_stamp_refresh_s,
            "lock_ttl_s": settings.cache_lock_ttl_s,
            "lock_wait_s": settings.cache_lock_wait_s,
        }
        options.update(overrides)
        return cls(**options)

    @property
    def lock_ttl_ms(self) -> int:
        return max(1, int(self.lock_ttl_s * 1000))

    @property
    def tls(self) -> bool:
        return bool(self.redis_url and self.redis_url.startswith("rediss://"))
