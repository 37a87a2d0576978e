"""The schema-migrations custom resource: CloudFormation Create/Update apply the migrations.

CloudFormation sends Create on the first deploy and Update whenever a property changes (the
template passes the shared layer's version and the function's version, so every deploy that ships
new code or migrations re-runs it); the runner applies only what is pending, so a re-run is a no-op.
A failure answers FAILED with the migration's one-line error as the Reason, which fails the deploy
and rolls the stack back; the runner itself never leaves a file half-applied. Delete is a no-op:
removing the stack must never touch the data.

The answer is an HTTPS PUT of a JSON document to the pre-signed ``ResponseURL``. Without it the
stack would hang until CloudFormation's timeout, so every path answers: connection attempts stop
at a deadline, statements get a ``statement_timeout`` inside the Lambda's remaining time, and a
watchdog answers FAILED just before the Lambda would be killed. ``lock_timeout`` stays short (the
proxy's InitQuery): a migration that cannot get its lock fails the deploy instead of queueing
live traffic behind it; deploying again retries it.

After migrating, the application role (migration 010) gets its password from its own secret
(``app_login``): the functions that serve log in as that role, and only this function, as the
master user, may set it.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from nfl_predictor.config import ConfigError
from nfl_predictor.db.connection import is_connection_error
from nfl_predictor.db.database import Database
from nfl_predictor.db.migrate import (
    MigrationError,
    apply_migrations,
    describe_pg_error,
    load_migrations,
    set_session_statement_timeout,
)
from nfl_predictor.db.queries.health import ping
from nfl_predictor.db.roles import RoleError, set_role_password

REASON_LIMIT = 1000  # the whole response must stay under CloudFormation's 4 KB
WATCHDOG_MARGIN_S = 10.0  # answer this long before the Lambda's own timeout
STATEMENT_MARGIN_S = 30.0  # statements end this long before it (then the error is the answer)


class Context(Protocol):
    @property
    def log_stream_name(self) -> str: ...

    def get_remaining_time_in_millis(self) -> int: ...


class Responder:
    """Sends exactly one answer per request, whoever (handler or watchdog) comes first."""

    def __init__(self, event: dict[str, Any], log_stream: str, put: Callable[[str, bytes], None]) -> None:
        self.event = event
        self.log_stream = log_stream
        self._put = put
        self._lock = threading.Lock()
        self.sent: dict[str, Any] | None = None

    def physical_id(self) -> str:
        # Stable across updates (a new id would make CloudFormation delete the "old" resource).
        return str(self.event.get("PhysicalResourceId") or f"{self.event['LogicalResourceId']}-schema")

    def send(self, status: str, reason: str = "", data: dict[str, Any] | None = None) -> bool:
        with self._lock:
            if self.sent is not None:
                return False
            if not reason:
                reason = f"See CloudWatch log stream {self.log_stream}"
            body = {
                "Status": status,
                "Reason": reason[:REASON_LIMIT],
                "PhysicalResourceId": self.physical_id(),
                "StackId": self.event["StackId"],
                "RequestId": self.event["RequestId"],
                "LogicalResourceId": self.event["LogicalResourceId"],
                "NoEcho": False,
                "Data": data or {},
            }
            self._put(self.event["ResponseURL"], json.dumps(body).encode())
            self.sent = body
            return True


class ResponseUrlError(OSError):
    """CloudFormation's ResponseURL could not be reached: nothing to do with the database."""


def put_response(url: str, body: bytes, attempts: int = 4) -> None:
    """PUT to the pre-signed S3 URL; the signature covers an empty Content-Type."""
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=body, method="PUT",
                                         headers={"Content-Type": "", "Content-Length": str(len(body))})  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
            return
        except OSError as exc:
            if attempt == attempts:
                # Lambda's async retry re-runs the (idempotent) handler and answers again. The query
                # string (the pre-signed credential) stays out of the message.
                where = urllib.parse.urlsplit(url).netloc
                raise ResponseUrlError(f"cannot reach the CloudFormation ResponseURL ({where}) "
                                       f"after {attempts} attempts: {exc}") from exc  # fmt: skip
            time.sleep(0.5 * 2 ** (attempt - 1))


def connect_with_retry(make_db: Callable[[], Database], deadline: float, pause_s: float = 5.0) -> Database:
    """A new proxy takes minutes to register its target: keep trying until ``deadline``."""
    while True:
        db = make_db()
        try:
            ping(db)
            return db
        except Exception as exc:
            db.close()
            if not is_connection_error(exc) or time.monotonic() + pause_s >= deadline:
                raise
            time.sleep(pause_s)


AppLogin = Callable[[], "tuple[str, str] | None"]


def apply(db: Database, statement_timeout_ms: int, migrations_dir: Path | None = None,
          app_login: AppLogin | None = None) -> dict[str, Any]:  # fmt: skip
    """Apply pending migrations on ``db``'s one connection with a statement timeout that fits the Lambda,
    then set the application role's password when ``app_login`` gives one."""
    set_session_statement_timeout(db, statement_timeout_ms)
    applied = apply_migrations(db, migrations_dir)
    latest = max((m.version for m in load_migrations(migrations_dir)), default=0)
    data = {"Applied": ",".join(m.filename for m in applied) or "none", "LatestVersion": str(latest)}
    login = app_login() if app_login is not None else None
    if login is not None:
        set_role_password(db, *login)
        data["AppRole"] = login[0]
    return data


def handle(event: dict[str, Any], context: Context, make_db: Callable[[], Database], *,
           migrations_dir: str | None = None, app_login: AppLogin | None = None,
           put: Callable[[str, bytes], None] = put_response) -> dict[str, Any]:  # fmt: skip
    """Answer one CloudFormation request; returns the response document that was sent."""
    responder = Responder(event, getattr(context, "log_stream_name", "?"), put)
    remaining_s = context.get_remaining_time_in_millis() / 1000
    started = time.monotonic()
    watchdog = threading.Timer(max(0.0, remaining_s - WATCHDOG_MARGIN_S), lambda: responder.send(
        "FAILED", f"migrations did not finish within the function's timeout ({remaining_s:.0f}s)"))  # fmt: skip
    watchdog.daemon = True
    watchdog.start()
    try:
        if event["RequestType"] == "Delete":
            outcome: tuple[str, str, dict[str, Any] | None] = (
                "SUCCESS",
                "deleting the stack never touches data",
                None,
            )
        else:
            budget_s = remaining_s - STATEMENT_MARGIN_S
            db = connect_with_retry(make_db, deadline=started + budget_s)
            try:
                left_ms = int((budget_s - (time.monotonic() - started)) * 1000)
                folder = Path(migrations_dir) if migrations_dir else None
                outcome = (
                    "SUCCESS",
                    "",
                    apply(
                        db,
                        statement_timeout_ms=max(1000, left_ms),
                        migrations_dir=folder,
                        app_login=app_login,
                    ),
                )
            finally:
                db.close()
    except Exception as exc:
        outcome = ("FAILED", failure_reason(exc), None)
    finally:
        watchdog.cancel()
    # Outside the try: a failed PUT raises, and Lambda's async retry runs the (idempotent) request again.
    responder.send(*outcome)
    assert responder.sent is not None
    return responder.sent


def failure_reason(exc: BaseException) -> str:
    """The one line an operator needs: the migration's error, or why the database was unreachable."""
    if isinstance(exc, MigrationError | ConfigError | ResponseUrlError | RoleError):
        return str(exc)
    if is_connection_error(exc):
        return f"cannot reach the database: {describe_pg_error(exc)}"
    return f"{type(exc).__name__}: {describe_pg_error(exc)}"
