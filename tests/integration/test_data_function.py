"""The data function's handler: an S3 upload (moto) is fetched and loaded; the schedule pulls the
Settings URLs (a loopback HTTP server); a bad upload changes nothing; a bad event is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from nfl_predictor.data.nflverse import NflverseFormatError
from nfl_predictor.db import parse_database_url
from nfl_predictor.db.database import make_database
from nfl_predictor.handlers.data import make_handler, parse_event

from tests.conftest import REPO_ROOT, fresh_database_url
from tests.data_files import FileServer, subset
from tests.integration.api.conftest import runtime_on

REGION = "us-east-1"
BUCKET = "nfl-predictor-data-123456789012-us-east-1-test"


class Context:
    function_name, function_version, memory_limit_in_mb = "nfl-predictor-data-test", "$LATEST", 2048
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:nfl-predictor-data-test"
    aws_request_id, log_group_name, log_stream_name = "req-1", "/aws/lambda/data", "2025/01/01/[1]abc"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 900_000


def upload_event(key: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((REPO_ROOT / "events" / "data_upload.json").read_text())
    event["Records"][0]["s3"]["bucket"]["name"] = BUCKET
    event["Records"][0]["s3"]["object"]["key"] = key
    return event


@pytest.fixture
def database_url_fresh(pg_server: Any, template_database: str) -> str:
    return fresh_database_url(pg_server, template_database)


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        yield client


def games_count(url: str) -> int:
    db = make_database(parse_database_url(url), pooled=False)
    try:
        return int(db.scalar("SELECT count(*) FROM games"))
    finally:
        db.close()


def test_an_uploaded_file_is_loaded_once_and_a_bad_one_changes_nothing(
    s3: Any, database_url_fresh: str, redis_url: str, tmp_path: Path
) -> None:
    games = subset("games", {2024}, tmp_path / "games.csv.gz", compress=True)
    s3.put_object(Bucket=BUCKET, Key="uploads/2024 games.csv.gz", Body=games.read_bytes())
    runtime = runtime_on(database_url_fresh, redis_url, AWS_REGION=REGION)
    handler = make_handler(runtime)
    try:
        report = handler(upload_event("uploads/2024+games.csv.gz"), Context())  # keys arrive URL-encoded
        assert report["status"] == "loaded" and report["files"][0]["kind"] == "games"
        assert report["files"][0]["inserted"] == 285 and report["retrained"]
        again = handler(upload_event("uploads/2024+games.csv.gz"), Context())
        assert again["status"] == "unchanged" and again["retrained"] is None
        s3.put_object(Bucket=BUCKET, Key="uploads/cut.csv.gz", Body=games.read_bytes()[:5000])
        with pytest.raises(NflverseFormatError, match="truncated or corrupt"):
            handler(upload_event("uploads/cut.csv.gz"), Context())
        assert games_count(database_url_fresh) == 285
    finally:
        runtime.close()


def test_the_schedule_pulls_the_settings_urls(
    database_url_fresh: str, redis_url: str, tmp_path: Path
) -> None:
    files = {"/games.csv": subset("games", {2024}, tmp_path / "g.csv").read_bytes(),
             "/team_2024.csv": subset("team-stats", {2024}, tmp_path / "t.csv").read_bytes(),
             "/player_2024.csv": subset("player-stats", {2023}, tmp_path / "p.csv").read_bytes()}  # fmt: skip
    with FileServer(files).running() as server:
        runtime = runtime_on(database_url_fresh, redis_url, NFLVERSE_GAMES_URL=f"{server.url}/games.csv",
                             NFLVERSE_TEAM_STATS_URL=f"{server.url}/team_{{season}}.csv",
                             NFLVERSE_PLAYER_STATS_URL=f"{server.url}/player_{{season}}.csv")  # fmt: skip
        try:
            event = json.loads((REPO_ROOT / "events" / "data.json").read_text())
            event["detail"] = {"season": 2024}
            report = make_handler(runtime)(event, Context())
        finally:
            runtime.close()
    assert sorted(server.requests) == ["/games.csv", "/player_2024.csv", "/team_2024.csv"]
    assert report["status"] == "loaded" and len(report["files"]) == 3 and report["retrained"]


def test_events_are_checked() -> None:
    assert parse_event({"detail": {}}) == ([], None)
    assert parse_event(upload_event("uploads/x.csv")) == ([(BUCKET, "uploads/x.csv")], None)
    for bad in ([], {"detail": {"season": "2024"}}, {"Records": [{"eventSource": "aws:sqs"}]}):
        with pytest.raises(ValueError):
            parse_event(bad)
