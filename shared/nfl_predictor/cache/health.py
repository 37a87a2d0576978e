"""Cache counters and the health report (per-tier figures plus a digest of Redis INFO).

Counters are plain ints bumped without a lock: under threads an increment can be lost now and
then, which is fine for metrics and keeps the hit path free of another lock.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from nfl_predictor.cache import codec
from nfl_predictor.cache.redis_tier import UNAVAILABLE

if TYPE_CHECKING:
    from nfl_predictor.cache.config import CacheConfig
    from nfl_predictor.cache.memory import MemoryTier
    from nfl_predictor.cache.redis_tier import RedisTier


@dataclass
class Stats:
    l1_hits: int = 0
    l1_misses: int = 0
    redis_hits: int = 0
    redis_misses: int = 0
    computes: int = 0
    stale_served: int = 0
    lock_waits: int = 0  # polls while another process held the compute lock
    lock_wait_timeouts: int = 0
    refresh_errors: int = 0  # producer failed while a stale value could be served instead
    decode_errors: int = 0

    def snapshot(self) -> dict[str, int]:
        return asdict(self)


def hit_rate(hits: int, misses: int) -> float | None:
    total = hits + misses
    return round(hits / total, 4) if total else None


def _int(info: dict[str, Any], name: str) -> int | None:
    value = info.get(name)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def summarise_info(
    info: dict[str, Any],
    latency_ms: float,
    clients_alert_threshold: int,
    memory_alert_ratio: float = 0.8,
) -> dict[str, Any]:
    """The INFO fields operators alert on. ``maxmemory`` 0 means unlimited: no ratio, no alert."""
    used = _int(info, "used_memory")
    maxmemory = _int(info, "maxmemory")
    ratio = round(used / maxmemory, 4) if used is not None and maxmemory else None
    clients = _int(info, "connected_clients")
    return {
        "connected": True,
        "latency_ms": round(latency_ms, 3),
        "redis_version": info.get("redis_version"),
        "uptime_s": _int(info, "uptime_in_seconds"),
        "used_memory": used,
        "maxmemory": maxmemory,
        "memory_ratio": ratio,
        "memory_alert": ratio is not None and ratio > memory_alert_ratio,
        "maxmemory_policy": info.get("maxmemory_policy"),
        "evicted_keys": _int(info, "evicted_keys"),
        "connected_clients": clients,
        "clients_alert": clients is not None and clients > clients_alert_threshold,
        "persistence": {
            "aof_enabled": bool(_int(info, "aof_enabled")),
            "rdb_last_save_time": _int(info, "rdb_last_save_time"),
            "rdb_last_bgsave_status": info.get("rdb_last_bgsave_status"),
            "rdb_changes_since_last_save": _int(info, "rdb_changes_since_last_save"),
            "loading": bool(_int(info, "loading")),
        },
    }


def report(stats: Stats, l1: MemoryTier, redis: RedisTier | None, config: CacheConfig) -> dict[str, Any]:
    """Per-tier hits/misses/hit rate, breaker state and a digest of Redis INFO (if reachable)."""
    out: dict[str, Any] = {
        "l1": {
            "hits": stats.l1_hits,
            "misses": stats.l1_misses,
            "hit_rate": hit_rate(stats.l1_hits, stats.l1_misses),
            "entries": len(l1),
            "bytes": l1.bytes_used,
            "max_entries": l1.max_entries,
            "max_bytes": l1.max_bytes,
            "evictions": l1.evictions,
        },
        "redis": {"configured": redis is not None},
        "counters": stats.snapshot(),
        "etag_algorithm": codec.ETAG_ALGORITHM,
    }
    if redis is not None:
        out["redis"] = _redis_section(stats, redis, config)
    return out


def _redis_section(stats: Stats, redis: RedisTier, config: CacheConfig) -> dict[str, Any]:
    section: dict[str, Any] = {
        "configured": True,
        "tls": config.tls,
        "hits": stats.redis_hits,
        "misses": stats.redis_misses,
        "hit_rate": hit_rate(stats.redis_hits, stats.redis_misses),
        "errors": redis.errors,
        "skipped_breaker_open": redis.skipped,
        "breaker": None,  # filled last: the INFO call below may open or close it
        "connected": False,
    }
    got = redis.info()
    if got is not UNAVAILABLE:
        info, latency_ms = got
        section.update(
            summarise_info(info, latency_ms, config.clients_alert_threshold, config.memory_alert_ratio)
        )
    section["breaker"] = redis.breaker.snapshot()
    return section
