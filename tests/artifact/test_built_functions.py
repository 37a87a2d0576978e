"""Every function run from what `sam build` produces, the way Lambda runs it (issue 11).

The build (x86_64, the same locked versions as the arm64 layer AWS runs) is made once per session
and reused by later sessions of the same CI run while the sources are unchanged: it is keyed on a
hash of everything it is made from. Each function then runs in a fresh ``python -I -S`` interpreter
that sees only its code, the built layer and the runtime's boto3, with the environment Lambda sets
(tracing on, as the template sets it), against the session's private Postgres and Redis. A missing
runtime dependency in the layer (e.g. Powertools without its ``tracer`` extra) fails here.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from nfl_predictor.data.ingest import load_demo_league
from nfl_predictor.db import parse_database_url
from nfl_predictor.db.database import make_database
from nfl_predictor.service.accounts import create_api_key
from nfl_predictor.service.training import train_and_store
from nfl_predictor_dev.local import lambda_runner
from nfl_predictor_dev.local.invoke import function_spec
from nfl_predictor_dev.local.postgres import EmbeddedPostgres

from tests.conftest import REPO_ROOT, fresh_database_url

TEMPLATE = REPO_ROOT / "infra" / "template.yaml"
EVENTS = REPO_ROOT / "events"
pytestmark = pytest.mark.slow


def source_hash() -> str:
    """Everything the build is made from, and the build's own inputs (the lock file, the Makefile)."""
    # The runtime's interpreter builds the layer (bytecode, wheels' ABI): its version is an input too.
    interpreter = lambda_runner.runtime_python()
    version = subprocess.run([interpreter, "-VV"], capture_output=True, text=True, check=True).stdout
    digest = hashlib.sha256(sys.version.encode() + version.encode())
    for rel in lambda_runner.SOURCE_PATHS:
        path = REPO_ROOT / rel
        for item in sorted([path] if path.is_file() else path.rglob("*")):
            if item.is_file() and "__pycache__" not in item.parts:
                digest.update(str(item.relative_to(REPO_ROOT)).encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def build_dir() -> Path:
    """The x86_64 build of this tree: reused when one with the same source hash exists, else built."""
    root = Path(os.environ.get("NFLP_ARTIFACT_BUILD_ROOT") or REPO_ROOT / ".aws-sam")
    target = root / f"artifact-{source_hash()}"
    if (target / "template.yaml").is_file():
        return target
    if lambda_runner.sam_executable() is None:
        pytest.fail("the sam CLI (dev extra) is needed to build the artifact")
    partial = root / f"artifact-{source_hash()}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    lambda_runner.build(REPO_ROOT, TEMPLATE, partial)
    os.replace(partial, target)
    return target


@pytest.fixture(scope="module")
def league(pg_server: EmbeddedPostgres, template_database: str) -> dict[str, Any]:
    url = fresh_database_url(pg_server, template_database)
    db = make_database(parse_database_url(url), pooled=False)
    load_demo_league(db)
    train_and_store(db)
    key = create_api_key(db, name="artifact", tier="pro").key
    week = db.fetch_one("SELECT season, week FROM games WHERE home_score IS NULL ORDER BY gameday LIMIT 1")
    assert week is not None
    game = db.scalar("SELECT game_id FROM games WHERE season = :s AND week = :w ORDER BY game_id LIMIT 1",
                     s=week[0], w=week[1])  # fmt: skip
    db.close()
    return {"url": url, "key": key, "game": game, "season": int(week[0]), "week": int(week[1])}


def run(logical_id: str, events: list[Any], build_dir: Path, **env: str) -> lambda_runner.RunResult:
    spec = function_spec(TEMPLATE, logical_id)
    result = lambda_runner.run(spec, events, repo=REPO_ROOT, build_dir=build_dir,
                               extra_env=env)  # fmt: skip
    assert result.init_error is None, (
        f"{logical_id} cannot start:\n{result.init_error}\n{result.logs[-3000:]}"
    )
    for invocation in result.invocations:
        assert invocation.error is None, f"{logical_id} failed: {invocation.error}\n{result.logs[-3000:]}"
        assert invocation.report_line(spec.memory_mb).startswith("REPORT RequestId: ")
    assert result.invocations[0].init_ms is not None and result.invocations[0].init_ms > 0
    return result


def http_event(
    path: str, query: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(
        json.loads((REPO_ROOT / "tests" / "events" / "http_api_v2.json").read_text())
    )
    query = query or {}
    event.update(rawPath=path, rawQueryString=urlencode(query), cookies=[], headers=headers or {},
                 queryStringParameters={k: str(v) for k, v in query.items()} or None, body=None,
                 isBase64Encoded=False, pathParameters=None)  # fmt: skip
    event["requestContext"]["http"].update(method="GET", path=path)
    return event


def body(response: dict[str, Any]) -> Any:
    assert not response.get("isBase64Encoded")
    return json.loads(response["body"])


def test_the_layer_holds_the_locked_versions_and_nothing_the_runtime_provides(build_dir: Path) -> None:
    layer = build_dir / "SharedLayer" / "python"
    shipped = {}
    for info in layer.glob("*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").rpartition("-")
        shipped[name.lower().replace("_", "-")] = version
    locked = {}
    for line in (REPO_ROOT / "layers" / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            locked[name] = version
    assert shipped == locked
    assert not {"boto3", "botocore", "urllib3"} & set(shipped)
    assert not list(layer.glob("zstandard/_cffi*")) and (layer / "nfl_predictor" / "migrations").is_dir()


def test_predict_health_game_week_and_a_missing_key(
    build_dir: Path, league: dict[str, Any], redis_url: str
) -> None:
    key = {"x-api-key": league["key"]}
    game = f"/v1/games/{league['game']}/predictions"
    events = [
        http_event("/health"),
        http_event(game, headers=key),
        http_event(game, headers=key),
        http_event("/v1/predictions", {"season": league["season"], "week": league["week"]}, key),
        http_event(game),
    ]
    result = run("PredictFunction", events, build_dir, DATABASE_URL=league["url"], REDIS_URL=redis_url)
    health, first, cached, week, anonymous = (i.response for i in result.invocations)
    assert health["statusCode"] == 200 and body(health)["checks"]["database"]["ok"] is True
    assert body(health)["checks"]["cache"]["ok"] is True
    assert first["statusCode"] == 200 and body(first)["game_id"] == league["game"]
    assert cached["statusCode"] == 200 and cached["headers"]["x-cache"] == "l1"
    assert body(cached) == body(first)
    assert week["statusCode"] == 200
    assert league["game"] in {g["game_id"] for g in body(week)["games"]}
    assert anonymous["statusCode"] == 401
    # Lambda's environment reached the code: cold start metric, X-Ray tracing built (not disabled).
    assert '"ColdStart":[1.0]' in result.logs


def test_predict_answers_from_a_snapstart_restore(
    build_dir: Path, league: dict[str, Any], redis_url: str
) -> None:
    """Init as SnapStart does it (init type snap-start: the heavy modules load before the snapshot),
    then the hooks the handler module registered (before-snapshot, after-restore), then requests."""
    key = {"x-api-key": league["key"]}
    game = f"/v1/games/{league['game']}/predictions"
    spec = function_spec(TEMPLATE, "PredictFunction")
    result = lambda_runner.run(spec, [http_event(game, headers=key), http_event("/health")], repo=REPO_ROOT,
                               build_dir=build_dir, snapstart=True,
                               extra_env={"DATABASE_URL": league["url"], "REDIS_URL": redis_url})  # fmt: skip
    assert result.init_error is None, f"{result.init_error}\n{result.logs[-3000:]}"
    assert result.snapstart == {"before_snapshot": 1, "after_restore": 1}
    restored_game, health = (i.response for i in result.invocations)
    assert restored_game["statusCode"] == 200 and body(restored_game)["game_id"] == league["game"]
    assert health["statusCode"] == 200 and body(health)["checks"]["database"]["ok"] is True


def test_cache_warm(build_dir: Path, league: dict[str, Any], redis_url: str) -> None:
    event = json.loads((EVENTS / "cache_warm.json").read_text())
    [warm] = run("CacheWarmFunction", [event], build_dir, DATABASE_URL=league["url"],
                 REDIS_URL=redis_url).invocations  # fmt: skip
    report = warm.response
    assert (report["season"], report["week"]) == (league["season"], league["week"])
    # Games the predict test above already stored (without research) are repaired, not recomputed.
    done = report["computed"] + report["skipped_fresh"] + report.get("repaired", 0)
    assert report["games"] > 0 and done == report["games"]


def test_index_maintenance(build_dir: Path, league: dict[str, Any]) -> None:
    event = json.loads((EVENTS / "index_maintenance.json").read_text())
    [run_] = run("IndexMaintenanceFunction", [event], build_dir, DATABASE_URL=league["url"]).invocations
    assert run_.response["errors"] == [] and run_.response["checked"] > 0


def test_benchmark(build_dir: Path, league: dict[str, Any], redis_url: str, tmp_path: Path) -> None:
    event = {"detail": {"categories": "cache", "scale": "smoke"}}
    [bench] = run("BenchmarkFunction", [event], build_dir, DATABASE_URL=league["url"], REDIS_URL=redis_url,
                  NFLP_DATA_DIR=str(tmp_path)).invocations  # fmt: skip
    assert bench.response["measurements"] and bench.response["regressions"] == 0


def test_benchmark_on_an_empty_database_says_there_is_nothing_to_measure(
    build_dir: Path, pg_server: EmbeddedPostgres, template_database: str, redis_url: str, tmp_path: Path
) -> None:
    url = fresh_database_url(pg_server, template_database)  # migrated, no league
    event = {"detail": {"categories": "all", "scale": "smoke"}}
    [bench] = run("BenchmarkFunction", [event], build_dir, DATABASE_URL=url, REDIS_URL=redis_url,
                  NFLP_DATA_DIR=str(tmp_path)).invocations  # fmt: skip
    assert bench.response["status"] == "measured"  # engine and cache need no data
    assert set(bench.response["skipped"]) == {"api", "database"}
    assert all(reason.startswith("nothing to measure") for reason in bench.response["skipped"].values())


class ResponseUrl:
    """A loopback stand-in for CloudFormation's pre-signed S3 ResponseURL: records every PUT."""

    def __init__(self) -> None:
        received = self.received = []  # type: list[dict[str, Any]]

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/response?signature=x"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def response_url() -> Iterator[ResponseUrl]:
    server = ResponseUrl()
    yield server
    server.close()


def cfn_event(request_type: str, url: str, **extra: Any) -> dict[str, Any]:
    event = json.loads((EVENTS / "migrations.json").read_text())
    event.update(RequestType=request_type, ResponseURL=url, RequestId=f"req-{request_type}", **extra)
    return event


def test_migrations_custom_resource_create_update_delete(
    build_dir: Path, pg_server: EmbeddedPostgres, response_url: ResponseUrl
) -> None:
    url = fresh_database_url(pg_server, None)  # nothing applied yet
    events = [cfn_event("Create", response_url.url),
              cfn_event("Update", response_url.url, PhysicalResourceId="MyTestResource-schema"),
              cfn_event("Delete", response_url.url, PhysicalResourceId="MyTestResource-schema")]  # fmt: skip
    run("MigrationsFunction", events, build_dir, DATABASE_URL=url)
    create, update, delete = response_url.received
    assert create["Status"] == "SUCCESS" and create["Data"]["Applied"].startswith("001_extensions.sql")
    assert update["Status"] == "SUCCESS" and update["Data"]["Applied"] == "none"
    assert update["Data"]["LatestVersion"] == create["Data"]["LatestVersion"]
    assert delete["Status"] == "SUCCESS" and delete["RequestId"] == "req-Delete"
    assert {r["PhysicalResourceId"] for r in response_url.received} == {"MyTestResource-schema"}


def test_migrations_custom_resource_reports_a_failing_migration(
    build_dir: Path, pg_server: EmbeddedPostgres, response_url: ResponseUrl, tmp_path: Path
) -> None:
    url = fresh_database_url(pg_server, None)
    migrations = tmp_path / "migrations"
    shutil.copytree(build_dir / "SharedLayer" / "python" / "nfl_predictor" / "migrations", migrations)
    (migrations / "900_broken.sql").write_text("SELECT no_such_function();\n")
    run("MigrationsFunction", [cfn_event("Create", response_url.url)], build_dir, DATABASE_URL=url,
        NFLP_MIGRATIONS_DIR=str(migrations))  # fmt: skip
    [answer] = response_url.received
    assert answer["Status"] == "FAILED" and "900_broken.sql" in answer["Reason"]
    assert "no_such_function" in answer["Reason"]


def test_an_unreachable_response_url_is_not_reported_as_the_database(
    build_dir: Path, league: dict[str, Any]
) -> None:
    spec = function_spec(TEMPLATE, "MigrationsFunction")
    closed = "http://127.0.0.1:9/response"  # discard port: nothing listens
    result = lambda_runner.run(spec, [cfn_event("Delete", closed)], repo=REPO_ROOT,
                               build_dir=build_dir, extra_env={"DATABASE_URL": league["url"]})  # fmt: skip
    [invocation] = result.invocations
    assert invocation.error is not None
    assert "ResponseURL" in invocation.error["errorMessage"]
    assert "database" not in invocation.error["errorMessage"]


def test_the_runner_sees_only_the_artifact(build_dir: Path, tmp_path: Path) -> None:
    """No developer site-packages, no in-tree source: the function's code, the layer, the runtime's boto3."""
    probe = tmp_path / "Probe"
    probe.mkdir()
    (probe / "app.py").write_text(
        "import sys, os\n"
        "def handler(event, context):\n"
        "    import nfl_predictor, boto3\n"
        "    found = {}\n"
        "    for name in ('pytest', 'nfl_predictor_dev', 'samcli', 'scipy'):\n"
        "        try:\n"
        "            __import__(name); found[name] = True\n"
        "        except ImportError:\n"
        "            found[name] = False\n"
        "    return {'nfl_predictor': nfl_predictor.__file__, 'boto3': boto3.__file__, 'found': found,\n"
        "            'env': {k: os.environ.get(k) for k in ('AWS_LAMBDA_FUNCTION_NAME', '_HANDLER',\n"
        "                    'LAMBDA_TASK_ROOT', 'AWS_REGION', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',\n"
        "                    'AWS_XRAY_CONTEXT_MISSING', '_X_AMZN_TRACE_ID')}}\n"
    )
    (tmp_path / "SharedLayer").symlink_to(build_dir / "SharedLayer")
    spec = dataclasses.replace(function_spec(TEMPLATE, "PredictFunction"), logical_id="Probe")
    [invocation] = lambda_runner.run(spec, [{}], repo=REPO_ROOT, build_dir=tmp_path,
                                     extra_env={}).invocations  # fmt: skip
    out = invocation.response
    assert out["nfl_predictor"].startswith(str(tmp_path / "SharedLayer" / "python"))
    assert not any(out["found"].values())
    assert out["env"]["AWS_LAMBDA_FUNCTION_NAME"] == "nfl-predictor-predict-dev"
    assert out["env"]["_HANDLER"] == "app.handler" and out["env"]["LAMBDA_TASK_ROOT"] == str(probe)
    assert out["env"]["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "1024" and out["env"]["AWS_REGION"]
    assert out["env"]["AWS_XRAY_CONTEXT_MISSING"] and "Sampled=1" in out["env"]["_X_AMZN_TRACE_ID"]


def test_sam_build_through_samconfig_rebuilds_the_layer_after_an_edit(tmp_path: Path) -> None:
    """samconfig's build settings (the deploy's, arm64 layer): an edit under shared/ reaches the layer."""
    if lambda_runner.sam_executable() is None:
        pytest.fail("the sam CLI (dev extra) is needed")
    copy_root = tmp_path / "repo"
    for rel in ("infra", "layers", "functions", "shared/nfl_predictor"):
        shutil.copytree(REPO_ROOT / rel, copy_root / rel, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "samconfig.toml", copy_root / "samconfig.toml")
    sam = lambda_runner.sam_executable()
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", **lambda_runner.sam_build_env()}
    env.pop("LAYER_PLATFORM", None)

    def build() -> Path:
        done = subprocess.run([str(sam), "build", "SharedLayer", "--config-file", "samconfig.toml"],
                              cwd=copy_root, env=env, capture_output=True, text=True, timeout=900)  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert "Valid cache found" not in done.stdout + done.stderr
        return copy_root / ".aws-sam" / "build" / "SharedLayer" / "python"

    layer = build()
    assert (layer / ".nflp-layer-platform").read_text().strip() == "manylinux2014_aarch64"
    assert list((layer / "numpy" / "_core").glob("*aarch64*.so"))
    assert not (layer / "nfl_predictor" / "migrations" / "999_probe.sql").exists()
    (copy_root / "shared/nfl_predictor/migrations/999_probe.sql").write_text("SELECT 1;\n")
    stamp = f"\nPROBE = {dt.datetime.now().timestamp()!r}\n"
    with (copy_root / "shared/nfl_predictor/__init__.py").open("a") as handle:
        handle.write(stamp)
    layer = build()
    assert (layer / "nfl_predictor" / "migrations" / "999_probe.sql").is_file()
    assert stamp in (layer / "nfl_predictor" / "__init__.py").read_text()


def test_the_invoke_command_runs_the_artifact_and_prints_a_report_line(
    build_dir: Path,
    league: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from nfl_predictor.cli.main import main

    monkeypatch.setenv("DATABASE_URL", league["url"])
    event = EVENTS / "predict_game.json"
    assert main(["invoke", "PredictFunction", "--event", str(event), "--template", str(TEMPLATE),
                 "--build-dir", str(build_dir)]) == 0  # fmt: skip
    out, err = capsys.readouterr()
    assert json.loads(out)["statusCode"] == 401  # the event's placeholder key
    [report] = [line for line in err.splitlines() if line.startswith("REPORT RequestId: ")]
    assert "Init Duration: " in report and "Max Memory Used: " in report and "Memory Size: 1024 MB" in report


def test_data_function_pulls_from_a_loopback_server_and_loads_once(
    build_dir: Path, pg_server: EmbeddedPostgres, template_database: str, redis_url: str, tmp_path: Path
) -> None:
    """The built data function, Lambda-style: the schedule's event pulls the three files over HTTP,
    loads them, trains and grades; the second run finds every file loaded before."""
    from tests.data_files import FileServer, subset

    url = fresh_database_url(pg_server, template_database)
    files = {"/games.csv": subset("games", {2024}, tmp_path / "g.csv").read_bytes(),
             "/team_2024.csv": subset("team-stats", {2024}, tmp_path / "t.csv").read_bytes(),
             "/player_2024.csv.gz": subset("player-stats", {2023}, tmp_path / "p.csv.gz",
                                           compress=True).read_bytes()}  # fmt: skip
    event = json.loads((EVENTS / "data.json").read_text())
    event["detail"] = {"season": 2024}
    with FileServer(files).running() as server:
        [first, second] = run("DataFunction", [event, event], build_dir, DATABASE_URL=url, REDIS_URL=redis_url,
                              NFLVERSE_GAMES_URL=f"{server.url}/games.csv",
                              NFLVERSE_TEAM_STATS_URL=f"{server.url}/team_{{season}}.csv",
                              NFLVERSE_PLAYER_STATS_URL=f"{server.url}/player_{{season}}.csv.gz").invocations  # fmt: skip
    assert first.response["status"] == "loaded" and len(first.response["files"]) == 3
    assert first.response["retrained"] and first.response["files"][0]["inserted"] == 285
    assert second.response["status"] == "unchanged" and second.response["retrained"] is None
    db = make_database(parse_database_url(url), pooled=False)
    try:
        assert db.scalar("SELECT kind FROM data_source") == "nflverse"
        assert db.scalar("SELECT count(*) FROM data_loads") == 3
    finally:
        db.close()


def as_app_role(url: str) -> str:
    """The same database logged in as the application role (migration 010), as the deployed functions do."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"nflp_app:@{parts.netloc.rsplit('@', 1)[1]}"))


def test_admin_creates_lists_and_revokes_keys_as_the_app_role(
    build_dir: Path, league: dict[str, Any], redis_url: str
) -> None:
    app_url = as_app_role(league["url"])
    events = [
        json.loads((EVENTS / "admin.json").read_text()),
        {"action": "create", "name": "artifact admin", "tier": "pro"},
        {"action": "create", "name": "artifact admin", "tier": "gold"},
        "not an object",
    ]
    listed, created, bad_tier, not_object = (
        i.response for i in run("AdminFunction", events, build_dir, DATABASE_URL=app_url).invocations
    )
    assert listed["ok"] is True and any(k["name"] == "artifact" for k in listed["keys"])
    assert created["ok"] is True and created["key"].startswith("nflp_")
    assert bad_tier == {"ok": False, "error": "tier must be one of free, pro, enterprise", "field": "tier"}
    assert not_object["ok"] is False and not_object["field"] == "event"

    check = http_event("/v1/experts/leaderboard", headers={"x-api-key": created["key"]})
    [before] = run(
        "PredictFunction", [check], build_dir, DATABASE_URL=app_url, REDIS_URL=redis_url
    ).invocations
    assert before.response["statusCode"] == 200
    [revoked] = run("AdminFunction", [{"action": "revoke", "key_id": created["key_id"]}], build_dir,
                    DATABASE_URL=app_url).invocations  # fmt: skip
    assert revoked.response["outcome"] == "revoked"
    [after] = run(
        "PredictFunction", [check], build_dir, DATABASE_URL=app_url, REDIS_URL=redis_url
    ).invocations
    assert after.response["statusCode"] == 401
