"""Performance snapshots with bounded history, and the alert rules evaluated on each one.

A snapshot is the ``/v1/performance`` figures plus the cache's health (Redis INFO digest) and the
database's (connections against max_connections, queries running too long). Lambda freezes between
invocations, so nothing runs in the background: the API takes a snapshot on the request path at most
once per ``MONITOR_SNAPSHOT_SECONDS`` per process (off the event loop, after the response), and the
benchmark function takes one per run. Snapshots go to Postgres (migration 007), pruned by age and
count on every insert.

Alerts: ``{rule, severity, value, threshold, message}``, severity ``warning`` past the threshold and
``critical`` well past it. Published to SNS when ``ALERT_TOPIC_ARN`` is set, else logged; a rule at a
given severity is sent at most once per cooldown (across Lambda environments too, through Redis
SET NX when Redis is reachable), so a lasting condition is one message, not one per snapshot.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from nfl_predictor.config import Settings
from nfl_predictor.db.queries import monitoring as monitoring_queries

log = logging.getLogger(__name__)

HISTORY_MAX_AGE = dt.timedelta(days=7)
ALERT_COOLDOWN_S = 900
SLOW_QUERY_MS = 500
MIN_ROUTE_REQUESTS = 20  # a p99 of fewer requests is one slow request, not a trend
MIN_CACHE_LOOKUPS = 50


@dataclass(frozen=True)
class MonitorSettings:
    snapshot_interval_s: float = 0.0  # 0: no request-path snapshots
    history_max_rows: int = 2000
    latency_slo_ms: float = 100.0
    alert_topic_arn: str | None = None
    cache_hit_target: float = 0.9
    redis_memory_ratio: float = 0.8
    redis_clients: int = 500
    db_connections_ratio: float = 0.8
    slow_query_ms: float = SLOW_QUERY_MS
    source: str = "local"  # which process takes the snapshots: the Lambda log stream, or host:pid
    environment: str = "local"

    @classmethod
    def from_settings(cls, settings: Settings) -> MonitorSettings:
        return cls(
            snapshot_interval_s=settings.monitor_snapshot_s,
            history_max_rows=settings.monitor_history_max_rows,
            latency_slo_ms=settings.monitor_latency_slo_ms,
            alert_topic_arn=settings.alert_topic_arn,
            redis_memory_ratio=settings.cache_memory_alert_ratio,
            redis_clients=settings.redis_clients_alert_threshold,
            source=settings.lambda_log_stream or f"{socket.gethostname()}:{os.getpid()}",
            environment=settings.environment,
        )


# -- collecting ---------------------------------------------------------------------------------


def database_health(db: Any, slow_query_ms: float = SLOW_QUERY_MS) -> dict[str, Any]:
    load = monitoring_queries.database_load(db, slow_query_ms / 1000.0)
    return {**load, "slow_query_ms": slow_query_ms}


def cache_hit_rate(counters: dict[str, Any]) -> tuple[float | None, int]:
    """(share of lookups answered by L1 or Redis, lookups). L1 misses go on to Redis, so lookups are
    the L1 hits and misses (Redis ones when L1 is off)."""
    l1 = counters.get("l1_hits", 0) + counters.get("l1_misses", 0)
    lookups = l1 or counters.get("redis_hits", 0) + counters.get("redis_misses", 0)
    hits = counters.get("l1_hits", 0) + counters.get("redis_hits", 0)
    return (round(min(1.0, hits / lookups), 4) if lookups else None), lookups


def summarise(performance: dict[str, Any], cache: dict[str, Any], database: dict[str, Any]) -> dict[str, Any]:
    """The figures the dashboard plots and the rules read."""
    routes = {name: r for name, r in performance.get("routes", {}).items() if r.get("requests")}
    busy = {name: r for name, r in routes.items() if r["requests"] >= MIN_ROUTE_REQUESTS}
    worst = max(busy.items(), key=lambda item: item[1]["p99_ms"], default=(None, None))
    rate, lookups = cache_hit_rate(cache.get("counters", {}))
    redis = cache.get("redis", {})
    return {
        "requests": sum(r["requests"] for r in routes.values()),
        "errors_5xx": sum(r.get("errors_5xx", 0) for r in routes.values()),
        "worst_route": worst[0],
        "p50_ms": max((r["p50_ms"] for r in busy.values()), default=None),
        "p99_ms": worst[1]["p99_ms"] if worst[1] else None,
        "route_p99_ms": {name: r["p99_ms"] for name, r in routes.items()},
        "cache_hit_rate": rate,
        "cache_lookups": lookups,
        "redis_configured": redis.get("configured"),
        "redis_connected": redis.get("connected"),
        "redis_memory_ratio": redis.get("memory_ratio"),
        "redis_clients": redis.get("connected_clients"),
        "db_connections": database.get("connections"),
        "db_max_connections": database.get("max_connections"),
        "slow_queries": database.get("slow_queries"),
    }


def collect(
    figures: dict[str, Any], services: Any, settings: MonitorSettings, *, traffic: bool = True
) -> dict[str, Any]:
    """A snapshot from the /v1/performance figures and the services' cache and database.

    ``traffic=False``: this process's route and cache-hit figures are not real traffic (the benchmark
    function's own calls, slow and missing on purpose): only the shared Redis and database are read.
    """
    cache = services.cache.health()
    try:
        database = database_health(services.db, settings.slow_query_ms)
    except Exception as exc:  # the database being down is itself worth recording
        database = {"error": type(exc).__name__}
    figures = {k: v for k, v in figures.items() if k != "targets"} if traffic else {}
    if not traffic:
        cache = {k: v for k, v in cache.items() if k not in ("l1", "counters")}
    return {
        "taken_at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "source": settings.source,
        "performance": figures,
        "cache_health": cache,
        "database_health": database,
        "summary": summarise(figures, cache, database),
    }


# -- alert rules ------------------------------------------------------------------------------


def _alert(rule: str, value: float, threshold: float, critical: bool, message: str) -> dict[str, Any]:
    return {"rule": rule, "severity": "critical" if critical else "warning", "value": value,
            "threshold": threshold, "message": message}  # fmt: skip


def evaluate(summary: dict[str, Any], settings: MonitorSettings) -> list[dict[str, Any]]:
    """Every rule that fires on a snapshot's summary; warning past the threshold, critical well past it."""
    alerts = []
    p99, slo = summary.get("p99_ms"), settings.latency_slo_ms
    if p99 is not None and p99 > slo:
        alerts.append(_alert("response_time", p99, slo, p99 > 2 * slo,
                             f"{summary.get('worst_route')}: p99 {p99:.1f} ms over the {slo:g} ms SLO"))  # fmt: skip
    rate, target = summary.get("cache_hit_rate"), settings.cache_hit_target
    if rate is not None and summary.get("cache_lookups", 0) >= MIN_CACHE_LOOKUPS and rate < target:
        alerts.append(_alert("cache_hit_rate", rate, target, rate < target - 0.2,
                             f"cache hit rate {rate:.1%} under the {target:.0%} target"))  # fmt: skip
    memory, limit = summary.get("redis_memory_ratio"), settings.redis_memory_ratio
    if memory is not None and memory > limit:
        alerts.append(_alert("redis_memory", memory, limit, memory >= 0.95,
                             f"Redis memory at {memory:.0%} of maxmemory (alert above {limit:.0%})"))  # fmt: skip
    clients, most = summary.get("redis_clients"), settings.redis_clients
    if clients is not None and clients > most:
        alerts.append(_alert("redis_clients", clients, most, clients > 1.5 * most,
                             f"{clients} Redis clients connected (threshold {most})"))  # fmt: skip
    slow = summary.get("slow_queries")
    if slow:
        alerts.append(_alert("slow_queries", slow, 0, slow >= 5,
                             f"{slow} queries running longer than {settings.slow_query_ms:g} ms"))  # fmt: skip
    used, available = summary.get("db_connections"), summary.get("db_max_connections")
    if used is not None and available:
        share = used / available
        if share > settings.db_connections_ratio:
            alerts.append(_alert("database_connections", used, round(available * settings.db_connections_ratio),
                                 share >= 0.95, f"{used} of {available} database connections in use ({share:.0%})"))  # fmt: skip
    return alerts


# -- history ----------------------------------------------------------------------------------


class SnapshotStore:
    def __init__(self, db: Any, max_rows: int = 2000, max_age: dt.timedelta = HISTORY_MAX_AGE) -> None:
        self.db, self.max_rows, self.max_age = db, max_rows, max_age

    def save(self, snapshot: dict[str, Any], alerts: list[dict[str, Any]]) -> int:
        """Insert, then drop what is past the age or beyond the row count, in one transaction."""
        dumps = orjson.OPT_SERIALIZE_NUMPY
        with self.db.transaction() as tx:
            new_id = monitoring_queries.insert_snapshot(
                tx, taken_at=snapshot["taken_at"], source=snapshot["source"],
                summary_json=orjson.dumps(snapshot["summary"], option=dumps).decode(),
                snapshot_json=orjson.dumps(snapshot, option=dumps).decode(), alerts_json=orjson.dumps(alerts).decode(),
            )  # fmt: skip
            monitoring_queries.prune_snapshots(tx, max_age=self.max_age, max_rows=self.max_rows)
        return new_id

    def history(
        self, limit: int = 288, since: dt.datetime | None = None, full: bool = False
    ) -> list[dict[str, Any]]:
        """The latest ``limit`` snapshots (after ``since``), oldest first."""
        rows = monitoring_queries.recent_snapshots(self.db, limit=limit, since=since, full=full)
        out = []
        for row in reversed(rows):
            item = {"id": row["id"], "taken_at": row["taken_at"].isoformat(), "source": row["source"],
                    "summary": orjson.loads(row["summary"]), "alerts": orjson.loads(row["alerts"])}  # fmt: skip
            if full:
                item["snapshot"] = orjson.loads(row["snapshot"] or "null")
            out.append(item)
        return out


# -- publishing -------------------------------------------------------------------------------


class AlertPublisher:
    """SNS when a topic is configured, else the log; each rule+severity at most once per cooldown."""

    def __init__(self, topic_arn: str | None, *, cooldown_s: float = ALERT_COOLDOWN_S, redis_tier: Any = None,
                 sns: Any = None, environment: str = "local") -> None:  # fmt: skip
        self.topic_arn, self.cooldown_s, self.redis_tier = topic_arn, cooldown_s, redis_tier
        self.environment = environment
        self._sns = sns
        self._sent: dict[str, float] = {}
        self._lock = threading.Lock()

    def _claim(self, alert: dict[str, Any]) -> bool:
        name = f"{alert['rule']}:{alert['severity']}"
        now = time.monotonic()
        with self._lock:
            if now - self._sent.get(name, -1e18) < self.cooldown_s:
                return False
            self._sent[name] = now
        tier = self.redis_tier
        if tier is None:
            return True
        key = f"nflp:alert:{self.environment}:{name}"
        claimed = tier.run(lambda: tier.client.set(key, b"1", nx=True, ex=int(self.cooldown_s)))
        from nfl_predictor.cache.redis_tier import UNAVAILABLE

        return claimed is UNAVAILABLE or bool(claimed)  # Redis down: this process's cooldown decides

    def publish(self, alerts: list[dict[str, Any]], snapshot: dict[str, Any]) -> list[dict[str, Any]]:
        """Sends the alerts not in cooldown; returns them."""
        fresh = [a for a in alerts if self._claim(a)]
        if not fresh:
            return []
        worst = "critical" if any(a["severity"] == "critical" for a in fresh) else "warning"
        if self.topic_arn is None:
            for alert in fresh:
                log.warning(
                    "performance alert [%s] %s: %s", alert["severity"], alert["rule"], alert["message"]
                )
            return fresh
        if self._sns is None:
            import boto3

            self._sns = boto3.client("sns")
        subject = f"nfl-predictor {self.environment}: {len(fresh)} performance alert(s), {worst}"
        body = {"environment": self.environment, "source": snapshot.get("source"),
                "taken_at": snapshot.get("taken_at"), "alerts": fresh}  # fmt: skip
        self._sns.publish(TopicArn=self.topic_arn, Subject=subject[:100], Message=orjson.dumps(body).decode(),
                          MessageAttributes={"severity": {"DataType": "String", "StringValue": worst}})  # fmt: skip
        return fresh


# -- the per-process monitor ------------------------------------------------------------------


class Monitor:
    """Decides when a snapshot is due and takes it: collect, evaluate, store, alert."""

    def __init__(self, settings: MonitorSettings, publisher: AlertPublisher | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.settings, self.publisher, self.clock = settings, publisher, clock
        # The first one waits a full interval: never on a cold start's first request.
        self._next = clock() + settings.snapshot_interval_s

    def due(self) -> bool:
        """Cheap enough for every request: one clock read. Claims the slot when it says yes."""
        if self.settings.snapshot_interval_s <= 0:
            return False
        now = self.clock()
        if now < self._next:
            return False
        self._next = now + self.settings.snapshot_interval_s
        return True

    def take(self, figures: dict[str, Any], services: Any, *, traffic: bool = True) -> dict[str, Any]:
        snapshot = collect(figures, services, self.settings, traffic=traffic)
        alerts = evaluate(snapshot["summary"], self.settings)
        snapshot["alerts"] = alerts
        snapshot["id"] = SnapshotStore(services.db, self.settings.history_max_rows).save(snapshot, alerts)
        if alerts and self.publisher is None:
            self.publisher = AlertPublisher(self.settings.alert_topic_arn, redis_tier=services.cache.redis_tier,
                                            environment=self.settings.environment)  # fmt: skip
        snapshot["alerts_sent"] = (
            self.publisher.publish(alerts, snapshot) if self.publisher and alerts else []
        )
        return snapshot

    def take_quietly(self, figures: Callable[[], dict[str, Any]], services: Any, *, traffic: bool = True
                     ) -> dict[str, Any] | None:  # fmt: skip
        """For the request path: a failed snapshot is logged, never raised into a request."""
        try:
            return self.take(figures(), services, traffic=traffic)
        except Exception:
            log.exception("performance snapshot failed")
            return None
