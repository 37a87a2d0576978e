"""The schema-migrations custom resource against a real database and a loopback 'ResponseURL'."""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from nfl_predictor.db import parse_database_url
from nfl_predictor.db.database import Database, make_database
from nfl_predictor.db.migrate import load_migrations
from nfl_predictor.handlers import custom_resource as migrations_resource
from nfl_predictor.handlers.custom_resource import handle, put_response

REPO = Path(__file__).resolve().parents[2]
EVENT = json.loads((REPO / "events" / "migrations.json").read_text())


class ResponseInbox(ThreadingHTTPServer):
    """Stands in for CloudFormation's pre-signed S3 URL: records each PUT (loopback only)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.fail_next = 0

        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if inbox.fail_next:
                    inbox.fail_next -= 1
                    self.send_response(503)
                else:
                    inbox.received.append((self.path, dict(self.headers), json.loads(body)))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/response?X-Amz-Signature=abc"


@pytest.fixture
def inbox() -> Iterator[ResponseInbox]:
    server = ResponseInbox()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class FakeContext:
    function_name = "nfl-predictor-migrations-test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:nfl-predictor-migrations-test"
    aws_request_id = "req-1"
    log_stream_name = "2026/01/01/[$LATEST]abc"

    def __init__(self, seconds: float = 300) -> None:
        self._deadline = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)


def request(inbox: ResponseInbox, request_type: str, **extra: Any) -> dict[str, Any]:
    event = {
        **EVENT,
        "RequestType": request_type,
        "ResponseURL": inbox.url,
        "LogicalResourceId": "SchemaMigrations",
        "ResourceType": "Custom::SchemaMigrations",
        **extra,
    }
    if request_type != "Create":
        event["PhysicalResourceId"] = "SchemaMigrations-schema"
    return event


def database_factory(url: str) -> Callable[[], Database]:
    return lambda: make_database(parse_database_url(url), pooled=False)


def tables(url: str) -> set[str]:
    db = make_database(parse_database_url(url), pooled=False)
    try:
        return {r[0] for r in db.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    finally:
        db.close()


def test_create_applies_every_migration_and_update_reapplies_nothing(
    inbox: ResponseInbox, empty_database_url: str
) -> None:
    make_db = database_factory(empty_database_url)
    created = handle(request(inbox, "Create"), FakeContext(), make_db)
    [(path, headers, body)] = inbox.received
    assert body == created and body["Status"] == "SUCCESS"
    assert path.startswith("/response?X-Amz-Signature=") and headers.get("Content-Type", "") == ""
    assert body["PhysicalResourceId"] == "SchemaMigrations-schema"
    assert body["RequestId"] == EVENT["RequestId"] and body["StackId"] == EVENT["StackId"]
    latest = load_migrations()[-1]
    assert body["Data"] == {"Applied": ",".join(m.filename for m in load_migrations()),
                            "LatestVersion": str(latest.version)}  # fmt: skip
    assert {"games", "predictions", "schema_migrations"} <= tables(empty_database_url)

    updated = handle(request(inbox, "Update"), FakeContext(), make_db)
    assert updated["Status"] == "SUCCESS" and updated["Data"]["Applied"] == "none"
    assert updated["PhysicalResourceId"] == "SchemaMigrations-schema"


def test_a_failing_migration_fails_the_deploy_with_its_error_and_leaves_nothing_half_applied(
    inbox: ResponseInbox, empty_database_url: str, tmp_path: Path
) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(REPO / "shared" / "nfl_predictor" / "migrations", migrations)
    (migrations / "900_broken.sql").write_text(
        "CREATE TABLE half_done (id int);\nALTER TABLE no_such_table ADD COLUMN x int;\n"
    )
    sent = handle(request(inbox, "Create"), FakeContext(), database_factory(empty_database_url),
                  migrations_dir=str(migrations))  # fmt: skip
    assert sent["Status"] == "FAILED"
    assert sent["Reason"] == '900_broken.sql: relation "no_such_table" does not exist (SQLSTATE 42P01)'
    present = tables(empty_database_url)
    assert "half_done" not in present and "games" in present  # earlier files stay applied, whole
    db = database_factory(empty_database_url)()
    try:
        assert (
            db.scalar("SELECT max(version) FROM schema_migrations")
            == load_migrations(REPO / "shared" / "nfl_predictor" / "migrations")[-1].version
        )
    finally:
        db.close()


def test_delete_is_a_no_op_that_never_touches_the_database(inbox: ResponseInbox) -> None:
    def no_database() -> Database:
        raise AssertionError("Delete must not connect")

    sent = handle(request(inbox, "Delete"), FakeContext(), no_database)
    assert sent["Status"] == "SUCCESS" and sent["PhysicalResourceId"] == "SchemaMigrations-schema"


def test_an_unreachable_database_fails_within_the_deadline_with_a_one_line_reason(
    inbox: ResponseInbox, tmp_path: Path
) -> None:
    url = f"postgresql://postgres@/postgres?host={tmp_path}"  # no server behind this socket directory
    started = time.monotonic()
    sent = handle(request(inbox, "Create"), FakeContext(seconds=31), database_factory(url))
    assert sent["Status"] == "FAILED" and sent["Reason"].startswith("cannot reach the database")
    assert time.monotonic() - started < 10


def test_the_watchdog_answers_before_the_lambda_would_be_killed(
    inbox: ResponseInbox, empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrations_resource, "WATCHDOG_MARGIN_S", 0.8)
    monkeypatch.setattr(migrations_resource, "STATEMENT_MARGIN_S", -60)  # let the "migration" run long
    real = database_factory(empty_database_url)

    def slow_database() -> Database:
        time.sleep(1.5)
        return real()

    sent = handle(request(inbox, "Create"), FakeContext(seconds=1.0), slow_database)
    assert sent["Status"] == "FAILED" and "did not finish within the function's timeout" in sent["Reason"]
    assert len(inbox.received) == 1  # one answer only, even though the work finished afterwards


def test_the_response_put_is_retried_and_then_raised(inbox: ResponseInbox) -> None:
    inbox.fail_next = 1
    put_response(inbox.url, b'{"Status": "SUCCESS"}')
    assert [body for _, _, body in inbox.received] == [{"Status": "SUCCESS"}]
    inbox.fail_next = 5
    with pytest.raises(OSError):
        put_response(inbox.url, b"{}", attempts=2)


def test_the_function_handler_wires_the_resource(monkeypatch: pytest.MonkeyPatch, inbox: ResponseInbox,
                                                  database_url: str) -> None:  # fmt: skip
    import importlib.util

    monkeypatch.setenv("DATABASE_URL", database_url)
    for name in [m for m in sys.modules if m.startswith("nfl_predictor.handlers.")]:
        del sys.modules[name]  # a new execution environment: the handler reads this environment
    spec = importlib.util.spec_from_file_location(
        "migrations_app", REPO / "functions" / "migrations" / "app.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sent = module.handler(request(inbox, "Update"), FakeContext())
    assert sent["Status"] == "SUCCESS" and sent["Data"]["Applied"] == "none"


def test_iam_auth_mints_a_fresh_token_for_every_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    from nfl_predictor.config import ConfigError, Settings
    from nfl_predictor.db.iam_auth import boto3_signer, with_iam_auth

    proxy = parse_database_url(
        "postgresql://app@proxy.example.internal:5432/nflp", default_sslmode="verify-full"
    )
    calls: list[tuple[str, int, str, str]] = []

    def signer(host: str, port: int, user: str, region: str) -> str:
        calls.append((host, port, user, region))
        return f"token-{len(calls)}"

    target = with_iam_auth(proxy, region="eu-west-1", signer=signer)
    assert target.connect_kwargs()["password"] == "token-1"
    assert target.connect_kwargs()["password"] == "token-2"  # reconnects get a new token
    assert calls[0] == ("proxy.example.internal", 5432, "app", "eu-west-1")
    assert with_iam_auth(target, "eu-west-1") is target
    assert Settings.from_env({"DB_IAM_AUTH": "true"}).db_iam_auth and not Settings.from_env({}).db_iam_auth

    with pytest.raises(ConfigError, match="TLS must be required"):
        with_iam_auth(
            parse_database_url("postgresql://app@proxy:5432/nflp", default_sslmode="prefer"), "eu-west-1"
        )
    with pytest.raises(ConfigError, match="TCP host"):
        with_iam_auth(parse_database_url("postgresql://app@/nflp?host=/tmp"), "eu-west-1")

    # botocore signs locally: no network, just credentials (dummy ones here).
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    token = boto3_signer("proxy.example.internal", 5432, "app", "eu-west-1")
    assert (
        token.startswith("proxy.example.internal:5432/?Action=connect&DBUser=app")
        and "X-Amz-Signature=" in token
    )


def app_password(url: str) -> str | None:
    db = make_database(parse_database_url(url), pooled=False)
    try:
        value = db.scalar("SELECT rolpassword FROM pg_authid WHERE rolname = 'nflp_app'")
        return None if value is None else str(value)
    finally:
        db.close()


def test_after_migrating_the_app_role_gets_its_password_from_its_secret(
    inbox: ResponseInbox, empty_database_url: str
) -> None:
    make_db = database_factory(empty_database_url)
    sent = handle(
        request(inbox, "Create"), FakeContext(), make_db, app_login=lambda: ("nflp_app", "pw-one-1")
    )
    assert sent["Status"] == "SUCCESS" and sent["Data"]["AppRole"] == "nflp_app"
    first = app_password(empty_database_url)
    assert first is not None and first.startswith("SCRAM-SHA-256$")
    # Every deploy sets it again (a rotated secret reaches the role); the same password is harmless.
    again = handle(
        request(inbox, "Update"), FakeContext(), make_db, app_login=lambda: ("nflp_app", "pw-two-2")
    )
    assert again["Status"] == "SUCCESS" and again["Data"]["Applied"] == "none"
    assert app_password(empty_database_url) != first
    # No secret configured (local stacks): nothing about the role.
    plain = handle(request(inbox, "Update"), FakeContext(), make_db, app_login=lambda: None)
    assert plain["Status"] == "SUCCESS" and "AppRole" not in plain["Data"]


def test_an_app_secret_naming_the_master_user_fails_the_deploy_in_one_line(
    inbox: ResponseInbox, empty_database_url: str
) -> None:
    sent = handle(request(inbox, "Create"), FakeContext(), database_factory(empty_database_url),
                  app_login=lambda: ("postgres", "whatever"))  # fmt: skip
    assert sent["Status"] == "FAILED"
    assert sent["Reason"] == "postgres: is a superuser; the application secret must name the application role"
