"""The benchmark Lambda (functions/benchmark/app.py) against a real database and Redis, with S3 and
SNS from moto and its metrics read from the EMF documents it prints: the first (real) run stores the
baseline; then, on injected measurements (no wall-clock figures), a run equal to the baseline raises
nothing and a run with one series 2x slower publishes exactly one SNS alert and a regression metric of
1. Plus the template's promises for the function, and a run through `nfl-predictor invoke` (no AWS at
all)."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from nfl_predictor.benchmarking import nightly
from nfl_predictor.benchmarking.result import Measurement
from nfl_predictor.cli.main import main
from nfl_predictor.data.ingest import load_demo_league
from nfl_predictor.db import parse_database_url
from nfl_predictor.db.database import make_database
from nfl_predictor.service.training import train_and_store
from nfl_predictor_dev.local.postgres import EmbeddedPostgres

from tests.conftest import REPO_ROOT, fresh_database_url
from tests.contract.template_support import environment, load_template

REGION = "us-east-1"
BUCKET = "nflp-benchmarks-test"
ALL_IN_PROCESS = {"detail": {"categories": ["api", "engine", "database", "cache"], "scale": "smoke"}}
CACHE_ONLY = {"detail": {"categories": "cache", "scale": "smoke"}}


class Context:
    function_name, function_version, memory_limit_in_mb = "nfl-predictor-benchmark-test", "$LATEST", 1024
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:nfl-predictor-benchmark-test"
    aws_request_id, log_group_name, log_stream_name = "req-1", "/aws/lambda/benchmark", "2025/01/01/[1]abc"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 600_000


@pytest.fixture(scope="module")
def league_url(pg_server: EmbeddedPostgres, template_database: str) -> str:
    url = fresh_database_url(pg_server, template_database)
    db = make_database(parse_database_url(url), pooled=False)
    load_demo_league(db)
    train_and_store(db)
    db.close()
    return url


@pytest.fixture
def aws(league_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Lambda's environment as the template sets it, the stack's services, and moto's S3/SNS/SQS."""
    for name, value in {"DATABASE_URL": league_url, "REDIS_URL": redis_url, "AWS_DEFAULT_REGION": REGION,
                        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_LAMBDA_FUNCTION_NAME": Context.function_name, "NFLP_ENVIRONMENT": "test",
                        "POWERTOOLS_METRICS_NAMESPACE": "NFLPredictor/test", "POWERTOOLS_TRACE_DISABLED": "true",
                        "BENCHMARK_BASELINE_BUCKET": BUCKET,
                        "RATE_LIMITS": "free=1:30,pro=20:200,enterprise=1000000:10000000"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
        sns, sqs = boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
        topic = sns.create_topic(Name="nfl-predictor-alarms-test")["TopicArn"]
        queue = sqs.create_queue(QueueName="alarms")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        monkeypatch.setenv("ALERT_TOPIC_ARN", topic)
        yield {"queue": queue, "handler": load_function()}


def load_function() -> Any:
    path = REPO_ROOT / "functions" / "benchmark" / "app.py"
    for name in [m for m in sys.modules if m.startswith("nfl_predictor.handlers.")]:
        del sys.modules[name]  # a new execution environment: handlers build their Runtime afresh
    spec = importlib.util.spec_from_file_location("benchmark_function_app", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.handler


def s3_json(key: str) -> dict[str, Any]:
    return json.loads(
        boto3.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key=key)["Body"].read()
    )


def alerts(queue: str) -> list[dict[str, Any]]:
    messages = boto3.client("sqs", region_name=REGION).receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def emf_documents(out: str) -> list[dict[str, Any]]:
    """The Embedded Metric Format documents among the printed lines (CloudWatch Logs turns them into
    metrics); log lines and anything else are skipped."""
    found = []
    for line in out.splitlines():
        try:
            document = json.loads(line)
        except ValueError:
            continue
        if isinstance(document, dict) and "_aws" in document:
            found.append(document)
    return found


def emf_metrics(out: str) -> dict[tuple[str, str], list[float]]:
    """{(metric name, Benchmark dimension or ""): values} of the benchmark's documents in NFLPredictor/test."""
    values: dict[tuple[str, str], list[float]] = {}
    for document in emf_documents(out):
        [directive] = document["_aws"]["CloudWatchMetrics"]
        if directive["Namespace"] != "NFLPredictor/test" or document.get("service") != "benchmark":
            continue
        assert all(set(dims) <= {"service", "Benchmark"} for dims in directive["Dimensions"]), directive
        for metric in directive["Metrics"]:
            value = document[metric["Name"]]
            values.setdefault((metric["Name"], document.get("Benchmark", "")), []).extend(
                value if isinstance(value, list) else [value]
            )
    return values


# Injected measurements for the comparison runs: fixed samples with a little fixed jitter, so the
# alert logic is tested on known figures rather than on this machine's timing noise.
INJECTED = {"cache.l1_hit": 2.0, "cache.l2_hit": 150.0, "cache.breaker_open_overhead": 5.0}
CACHE_BASELINE = {"detail": {"categories": "cache", "scale": "smoke", "update_baseline": True}}


def injected_run(slower: str | None = None) -> Callable[[Any, Any], list[Measurement]]:
    """A stand-in for the suite's run_categories: every series as injected, ``slower`` exactly 2x."""

    def run_categories(ctx: Any, categories: Any) -> list[Measurement]:
        assert list(categories) == ["cache"]
        out = []
        for name, median in INJECTED.items():
            factor = 2.0 if name == slower else 1.0
            samples = [median * factor * (1 + 0.01 * ((i * 7) % 11 - 5)) for i in range(60)]
            out.append(Measurement(name=name, title=name, unit="us", samples=samples))
        return out

    return run_categories


def regression_alerts(queue: str) -> list[dict[str, Any]]:
    return [json.loads(m["Message"]) for m in alerts(queue) if "benchmark regression" in m["Subject"]]


def test_baseline_then_comparison_then_an_alert_on_a_regression(
    aws: dict[str, Any], league_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, queue = aws["handler"], aws["queue"]
    capsys.readouterr()
    # A real run of every in-process category: with no baseline yet it stores one (no comparison,
    # so nothing here depends on how fast this machine is).
    first = handler(ALL_IN_PROCESS, Context())
    assert first["baseline"] == "s3://nflp-benchmarks-test/benchmarks/test/baseline.json"
    assert first["comparisons"] == [] and first["regressions"] == 0 and first["alerted"] is False
    names = {m["name"] for m in first["measurements"]}
    assert {"api.cached_game", "api.cached_week", "api.uncached_game", "api.uncached_week", "engine.game",
            "engine.week", "database.similar_matchups", "cache.l2_hit", "cache.breaker_open_overhead"} <= names  # fmt: skip
    assert not {"api.server_rps", "api.cold_start"} & names  # out-of-process: never inside Lambda
    published = emf_metrics(capsys.readouterr().out)
    assert published[("BenchmarkFigure", "api.cached_game")] == [
        next(m["value"] for m in first["measurements"] if m["name"] == "api.cached_game")
    ]
    assert ("BenchmarkRatio", "cache.l2_hit") in published and published[("BenchmarkRegressions", "")] == [
        0.0
    ]
    assert first["metrics_published"] == sum(len(v) for v in published.values())
    # The run's monitoring snapshot reads Redis and the database only: its own calls are not traffic.
    # (The shared test server may be busy enough for a database-connections alert; that one is real.)
    rules = {a["rule"] for a in first["snapshot"]["alerts"]}
    assert first["snapshot"]["id"] > 0 and not rules & {"response_time", "cache_hit_rate"}
    baseline = s3_json("benchmarks/test/baseline.json")
    assert baseline["machine"]["lambda_function"] == Context.function_name

    # From here on the measurements are injected (nightly.measure runs the suite's run_categories).
    # A new baseline from them...
    monkeypatch.setattr(nightly, "run_categories", injected_run())
    stored = handler(CACHE_BASELINE, Context())
    assert stored["baseline"].endswith("/baseline.json") and stored["comparisons"] == []
    assert {m["name"] for m in s3_json("benchmarks/test/baseline.json")["measurements"]} == set(INJECTED)

    # ...the same figures again: compared, nothing changed, no alert.
    capsys.readouterr()
    same = handler(CACHE_ONLY, Context())
    assert same["baseline"] == "compared" and len(same["comparisons"]) == 3
    assert {c["status"] for c in same["comparisons"]} == {"unchanged"}
    assert all(c["slowdown"] == 1.0 for c in same["comparisons"])
    assert same["regressions"] == 0 and same["alerted"] is False
    assert emf_metrics(capsys.readouterr().out)[("BenchmarkRegressions", "")] == [0.0]
    assert regression_alerts(queue) == []

    # ...then one series exactly 2x slower: one regression, that one, alerted once and counted.
    monkeypatch.setattr(nightly, "run_categories", injected_run(slower="cache.l2_hit"))
    third = handler(CACHE_ONLY, Context())
    by_name = {c["name"]: c for c in third["comparisons"]}
    assert set(by_name) == set(INJECTED)
    assert by_name["cache.l2_hit"]["status"] == "regression" and by_name["cache.l2_hit"]["slowdown"] == 2.0
    assert by_name["cache.l2_hit"]["p_value"] < 0.01
    assert {by_name[n]["status"] for n in ("cache.l1_hit", "cache.breaker_open_overhead")} == {"unchanged"}
    assert third["regressions"] == 1 and third["alerted"] is True
    assert emf_metrics(capsys.readouterr().out)[("BenchmarkRegressions", "")] == [1.0]
    [body] = regression_alerts(queue)
    assert [r["name"] for r in body["regressions"]] == ["cache.l2_hit"]
    assert body["run"] == third["run"] and body["run"].startswith(
        "s3://nflp-benchmarks-test/benchmarks/test/runs/"
    )
    runs = boto3.client("s3", region_name=REGION).list_objects_v2(
        Bucket=BUCKET, Prefix="benchmarks/test/runs/"
    )
    assert runs["KeyCount"] == 4
    # Nothing the uncached calls stored under their own model versions is left, nor a working key.
    db = make_database(parse_database_url(league_url), pooled=False)
    try:
        assert db.scalar("SELECT count(*) FROM predictions WHERE model_version LIKE 'bench-%'") == 0
        assert db.scalar("SELECT count(*) FROM api_keys WHERE name = 'benchmark' AND revoked_at IS NULL") == 0
    finally:
        db.close()


def test_a_bad_event_is_refused() -> None:
    from nfl_predictor.handlers.benchmark import parse_event

    assert parse_event({"detail": {}}).categories == ("all",) and parse_event({}).scale == "quick"
    with pytest.raises(ValueError, match="categories"):
        parse_event({"categories": 3})
    with pytest.raises(ValueError, match="tolerance"):
        parse_event({"tolerance": 0})


def test_local_invoke_keeps_the_baseline_in_a_folder_and_needs_no_aws(
    league_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("DATABASE_URL", league_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    # The function runs as in Lambda (no NFLP_DATA_DIR there): without a bucket the baseline goes to
    # a folder under its temporary directory.
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    for name in ("AWS_LAMBDA_FUNCTION_NAME", "BENCHMARK_BASELINE_BUCKET", "ALERT_TOPIC_ARN"):
        monkeypatch.delenv(name, raising=False)
    event = tmp_path / "event.json"
    event.write_text(json.dumps(CACHE_ONLY))
    assert main(["invoke", "BenchmarkFunction", "--event", str(event),
                 "--template", str(REPO_ROOT / "infra" / "template.yaml"), "--source"]) == 0  # fmt: skip
    summary = json.loads(capsys.readouterr().out)
    # Metrics leave as EMF lines on the log stream (stderr here), never as an AWS call.
    assert summary["status"] == "measured" and summary["baseline"].endswith("benchmarks/dev/baseline.json")
    assert (tmp_path / "benchmarks" / "dev" / "baseline.json").is_file()


def test_the_template_schedules_the_function_with_least_privilege() -> None:
    template = load_template()
    resources = template["Resources"]
    props = resources["BenchmarkFunction"]["Properties"]
    assert props["CodeUri"] == "../functions/benchmark/" and props["AutoPublishAliasAllProperties"] is True
    assert (
        props["MemorySize"] == resources["PredictFunction"]["Properties"]["MemorySize"]
    )  # predict's CPU share
    assert props["ReservedConcurrentExecutions"] == 1
    nightly = props["Events"]["Nightly"]["Properties"]
    assert nightly["ScheduleExpression"] == {"Ref": "BenchmarkSchedule"}
    assert json.loads(nightly["Input"])["detail"]["categories"] == ["all"]
    env = environment(template, "BenchmarkFunction")
    assert env["BENCHMARK_BASELINE_BUCKET"] == {"Ref": "BenchmarkBaselineBucket"}
    assert (
        env["ALERT_TOPIC_ARN"] == {"Ref": "AlarmTopic"}
        and environment(template, "CacheWarmFunction")["ALERT_TOPIC_ARN"] == ""
    )
    statements = {s["Sid"]: s for p in props["Policies"] if "Statement" in p for s in p["Statement"]}
    assert statements["ReadAndWriteBaselines"]["Resource"] == {
        "Fn::Sub": "${BenchmarkBaselineBucket.Arn}/benchmarks/*"
    }
    # Metrics leave as EMF in the function's log, like every other function's: no PutMetricData.
    assert not any("cloudwatch" in str(s["Action"]) for s in statements.values())
    assert {"SNSPublishMessagePolicy": {"TopicName": {"Fn::GetAtt": ["AlarmTopic", "TopicName"]}}} in props[
        "Policies"
    ]
    bucket = resources["BenchmarkBaselineBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values()) and bucket["BucketEncryption"]
    assert (
        resources["BenchmarkBaselineBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Effect"]
        == "Deny"
    )
    assert (REPO_ROOT / "events" / "benchmark.json").is_file() and os.path.getsize(
        REPO_ROOT / "events" / "benchmark.json"
    )


def test_an_empty_database_is_nothing_to_measure_and_stores_nothing(
    aws: dict[str, Any], pg_server: EmbeddedPostgres, template_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migrated but never loaded (a fresh stack): the data categories say why they did not run; with
    nothing left the run stores no baseline and no run, raises nothing and alerts nobody."""
    monkeypatch.setenv("DATABASE_URL", fresh_database_url(pg_server, template_database))
    handler = load_function()
    summary = handler({"detail": {"categories": "api,database", "scale": "smoke"}}, Context())
    assert summary["status"] == "nothing to measure" and summary["measurements"] == []
    assert set(summary["skipped"]) == {"api", "database"}
    assert all(reason.startswith("nothing to measure") for reason in summary["skipped"].values())
    listed = boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=BUCKET)
    assert listed.get("KeyCount", 0) == 0
    mixed = handler({"detail": {"categories": "all", "scale": "smoke"}}, Context())
    assert mixed["status"] == "measured" and set(mixed["skipped"]) == {"api", "database"}
    assert {m["name"].split(".")[0] for m in mixed["measurements"]} == {"engine", "cache"}
