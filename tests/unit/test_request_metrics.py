"""Buffered request metrics: one EMF document per flush, latency values listed, counts summed."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools import Metrics
from nfl_predictor.telemetry.request_metrics import MAX_VALUES, RequestMetrics


def emf_documents(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


def response(tier: str, count: int, status: int = 200) -> dict[str, object]:
    return {"statusCode": status, "headers": {"x-cache": tier, "x-prediction-count": str(count)}}


def test_the_cold_start_flushes_at_once_then_requests_are_buffered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    recorder = RequestMetrics(Metrics(namespace="Test", service="predict"), flush_every_s=3600)
    recorder.record(response("l1", 448), 0.0004)
    (cold,) = emf_documents(capsys.readouterr().out)  # the first request of an environment: published now
    assert cold["ColdStart"] == [1.0] and cold["Latency"] == pytest.approx([0.4])
    (directive,) = cold["_aws"]["CloudWatchMetrics"]  # type: ignore[index]
    assert (
        directive["Namespace"] == "Test"
        and directive["Dimensions"] == [["service"]]
        and cold["service"] == "predict"
    )
    units = {metric["Name"]: metric["Unit"] for metric in directive["Metrics"]}
    assert units["Latency"] == "Milliseconds" and units["CacheHit_l1"] == "Count"
    recorder.record(response("redis", 448), 0.0009)
    recorder.record(response("miss", 448, status=503), 0.02)
    assert emf_documents(capsys.readouterr().out) == []  # nothing printed per request
    recorder.flush()
    (doc,) = emf_documents(capsys.readouterr().out)
    assert doc["Latency"] == pytest.approx([0.9, 20.0])
    assert (doc["CacheHit_redis"], doc["CacheMiss"]) == ([1.0], [1.0]) and "CacheHit_l1" not in doc
    assert doc["PredictionsServed"] == [896.0] and doc["ServerErrors"] == [1.0] and "ColdStart" not in doc


def test_a_full_buffer_or_a_quiet_second_flushes_by_itself(capsys: pytest.CaptureFixture[str]) -> None:
    busy = RequestMetrics(Metrics(namespace="Test", service="predict"), flush_every_s=3600)
    busy.record(response("l1", 1), 0.0001)  # the cold start's own document
    for _ in range(MAX_VALUES):
        busy.record(response("l1", 1), 0.0001)
    assert len(emf_documents(capsys.readouterr().out)) == 2
    quiet = RequestMetrics(Metrics(namespace="Test", service="predict"), flush_every_s=0.0)
    quiet.record(response("l1", 1), 0.0001)
    assert len(emf_documents(capsys.readouterr().out)) == 1


def test_metrics_disabled_by_powertools_variable_prints_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    RequestMetrics(Metrics(namespace="Test", service="predict")).record(response("l1", 1), 0.0001)
    assert emf_documents(capsys.readouterr().out) == []


def test_a_flush_leaves_no_dimension_behind_for_another_metrics_object(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Powertools' Metrics objects share state: the request metrics' ``service`` must not leak into
    the next document another Metrics object (the benchmark's, in the same process) publishes."""
    RequestMetrics(Metrics(namespace="Test", service="predict")).record(response("l1", 1), 0.0001)
    other = Metrics(namespace="Test", service="benchmark")
    other.add_dimension(name="Benchmark", value="api.cached_game")
    other.add_metric(name="BenchmarkFigure", unit="Milliseconds", value=0.1)
    other.flush_metrics()
    *_, published = emf_documents(capsys.readouterr().out)
    assert published["service"] == "benchmark" and published["Benchmark"] == "api.cached_game"
