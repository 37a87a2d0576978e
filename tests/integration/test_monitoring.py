"""Monitoring: alert rules with severities, bounded snapshot history in Postgres, the snapshot clock,
collecting from a real cache and database, and alerts to the log or to SNS (moto) with a cooldown."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws
from nfl_predictor.cache import CacheManager
from nfl_predictor.config import Settings
from nfl_predictor.db import Database
from nfl_predictor.telemetry.monitoring import (
    AlertPublisher,
    Monitor,
    MonitorSettings,
    SnapshotStore,
    evaluate,
)

SETTINGS = MonitorSettings(latency_slo_ms=100.0, redis_clients=500)
QUIET = {"p99_ms": 20.0, "p50_ms": 2.0, "worst_route": "GET /v1/x", "cache_hit_rate": 0.97, "cache_lookups": 1000,
         "redis_memory_ratio": 0.3, "redis_clients": 12, "db_connections": 10, "db_max_connections": 100,
         "slow_queries": 0}  # fmt: skip


def fired(**changes: Any) -> dict[str, tuple[str, float, float]]:
    return {
        a["rule"]: (a["severity"], a["value"], a["threshold"])
        for a in evaluate({**QUIET, **changes}, SETTINGS)
    }


def test_a_quiet_snapshot_raises_nothing() -> None:
    assert evaluate(QUIET, SETTINGS) == []
    assert evaluate({k: None for k in QUIET}, SETTINGS) == []  # nothing measured yet: nothing to say


@pytest.mark.parametrize(
    ("changes", "rule", "severity"),
    [
        ({"p99_ms": 150.0}, "response_time", "warning"),
        ({"p99_ms": 250.0}, "response_time", "critical"),
        ({"cache_hit_rate": 0.85}, "cache_hit_rate", "warning"),
        ({"cache_hit_rate": 0.5}, "cache_hit_rate", "critical"),
        ({"redis_memory_ratio": 0.85}, "redis_memory", "warning"),
        ({"redis_memory_ratio": 0.97}, "redis_memory", "critical"),
        ({"redis_clients": 600}, "redis_clients", "warning"),
        ({"redis_clients": 800}, "redis_clients", "critical"),
        ({"slow_queries": 2}, "slow_queries", "warning"),
        ({"slow_queries": 7}, "slow_queries", "critical"),
        ({"db_connections": 85}, "database_connections", "warning"),
        ({"db_connections": 97}, "database_connections", "critical"),
    ],
)
def test_each_rule_fires_with_a_severity_by_how_far_past_the_threshold(
    changes: dict[str, Any], rule: str, severity: str
) -> None:
    alerts = evaluate({**QUIET, **changes}, SETTINGS)
    assert [a["rule"] for a in alerts] == [rule]
    alert = alerts[0]
    assert alert["severity"] == severity and set(alert) == {
        "rule",
        "severity",
        "value",
        "threshold",
        "message",
    }
    assert alert["message"]


def test_thresholds_and_values_are_reported() -> None:
    assert fired(p99_ms=150.0)["response_time"] == ("warning", 150.0, 100.0)
    assert fired(redis_memory_ratio=0.85)["redis_memory"] == ("warning", 0.85, 0.8)
    assert fired(db_connections=85)["database_connections"] == ("warning", 85, 80)
    assert fired(cache_hit_rate=0.5, cache_lookups=10) == {}  # too few lookups to judge


@pytest.fixture
def store(db: Database) -> Iterator[SnapshotStore]:
    db.execute("DELETE FROM performance_snapshots")
    yield SnapshotStore(db, max_rows=5)
    db.execute("DELETE FROM performance_snapshots")


def snapshot(at: dt.datetime, p99: float = 10.0) -> dict[str, Any]:
    return {"taken_at": at.isoformat(), "source": "test:1", "summary": {**QUIET, "p99_ms": p99}}


def test_history_is_bounded_by_count_and_age_and_read_oldest_first(
    store: SnapshotStore, db: Database
) -> None:
    now = dt.datetime.now(dt.UTC)
    store.save(snapshot(now - dt.timedelta(days=8)), [])  # past the age bound: dropped on the next insert
    for i in range(7):
        store.save(snapshot(now - dt.timedelta(minutes=7 - i), p99=float(i)), [])
    history = store.history()
    assert [h["summary"]["p99_ms"] for h in history] == [
        2.0,
        3.0,
        4.0,
        5.0,
        6.0,
    ]  # the newest 5, oldest first
    assert db.scalar("SELECT count(*) FROM performance_snapshots") == 5
    since = dt.datetime.fromisoformat(history[2]["taken_at"])
    assert [h["summary"]["p99_ms"] for h in store.history(since=since)] == [5.0, 6.0]
    assert [h["summary"]["p99_ms"] for h in store.history(limit=2)] == [5.0, 6.0]
    assert (
        "snapshot" not in history[0]
        and store.history(limit=1, full=True)[0]["snapshot"]["source"] == "test:1"
    )


def test_the_snapshot_clock_waits_a_full_interval_and_then_fires_once_per_interval() -> None:
    now = [1000.0]
    monitor = Monitor(MonitorSettings(snapshot_interval_s=60), clock=lambda: now[0])
    assert not monitor.due()  # never on a cold start's first request
    now[0] += 61
    assert monitor.due() and not monitor.due()
    now[0] += 30
    assert not monitor.due()
    now[0] += 31
    assert monitor.due()
    assert not Monitor(MonitorSettings(snapshot_interval_s=0), clock=lambda: 1e9).due()


@dataclass
class FakeServices:
    db: Database
    cache: CacheManager
    settings: Settings


def test_a_snapshot_collects_cache_and_database_health_stores_it_and_logs_alerts(
    db: Database, store: SnapshotStore, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache = CacheManager(redis_url)
    services = FakeServices(db, cache, Settings())
    figures = {"routes": {"GET /v1/x": {"requests": 40, "errors_5xx": 0, "p50_ms": 3.0, "p95_ms": 250.0,
                                        "p99_ms": 400.0}}, "targets": {}}  # fmt: skip
    monitor = Monitor(MonitorSettings(snapshot_interval_s=1, latency_slo_ms=100.0))
    with caplog.at_level(logging.WARNING, logger="nfl_predictor.telemetry.monitoring"):
        taken = monitor.take(figures, services)
    cache.close()
    summary = taken["summary"]
    assert summary["p99_ms"] == 400.0 and summary["worst_route"] == "GET /v1/x"
    assert (
        summary["redis_connected"]
        and 0 < summary["redis_memory_ratio"] < 0.8
        and summary["redis_clients"] >= 1
    )
    assert (
        summary["db_connections"] >= 1
        and summary["db_max_connections"] >= 10
        and summary["slow_queries"] == 0
    )
    # 400 ms > 2 x 100: critical. (Other rules read the shared test server and Redis: not asserted.)
    [latency] = [a for a in taken["alerts"] if a["rule"] == "response_time"]
    assert latency["severity"] == "critical" and latency["value"] == 400.0
    assert "performance alert [critical] response_time" in caplog.text  # no topic: alerts go to the log
    [row] = store.history(full=True)
    assert row["alerts"] == taken["alerts"] and row["snapshot"]["database_health"]["connections"] >= 1


@pytest.fixture
def sns_queue() -> Iterator[tuple[Any, str, str]]:
    with mock_aws():
        sns, sqs = boto3.client("sns", region_name="us-east-1"), boto3.client("sqs", region_name="us-east-1")
        topic = sns.create_topic(Name="alarms")["TopicArn"]
        queue = sqs.create_queue(QueueName="alarms")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        yield sns, topic, queue


def received(queue: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_alerts_go_to_sns_once_per_cooldown_across_environments(
    sns_queue: tuple[Any, str, str], redis_url: str
) -> None:
    sns, topic, queue = sns_queue
    cache = CacheManager(redis_url)
    first = AlertPublisher(topic, sns=sns, redis_tier=cache.redis_tier, environment="test")
    other_environment = AlertPublisher(topic, sns=sns, redis_tier=cache.redis_tier, environment="test")
    alerts = evaluate({**QUIET, "p99_ms": 150.0, "slow_queries": 9}, SETTINGS)
    assert len(first.publish(alerts, {"source": "a", "taken_at": "t"})) == 2
    assert first.publish(alerts, {}) == []  # same rules, same severity, inside the cooldown
    assert other_environment.publish(alerts, {}) == []  # another Lambda environment: Redis says already sent
    worse = evaluate({**QUIET, "p99_ms": 500.0}, SETTINGS)  # a new severity is news
    assert [a["severity"] for a in other_environment.publish(worse, {})] == ["critical"]
    cache.close()
    bodies = received(queue)
    assert len(bodies) == 2
    first_message = json.loads(bodies[0]["Message"])
    assert {a["rule"] for a in first_message["alerts"]} == {"response_time", "slow_queries"}
    assert "2 performance alert(s), critical" in bodies[0]["Subject"]
