"""The socket timeout follows the statement timeout in force on the connection (issue 11).

API reads keep a short socket timeout (DB_STATEMENT_TIMEOUT_MS + 5 s); a job that raises
statement_timeout (migrations, index maintenance) gets a longer one, so a 12 s statement succeeds
where it used to die at 10 s, while a hung server still fails the job within its own budget.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from nfl_predictor.db import parse_database_url
from nfl_predictor.db.connection import SingleConnection, TimedConnection, open_connection
from nfl_predictor.db.database import Database, make_database
from nfl_predictor.db.indexes import Maintenance, MaintenanceOptions
from nfl_predictor.db.migrate import default_migrations_dir
from nfl_predictor.handlers.custom_resource import apply
from nfl_predictor_dev.local.postgres import EmbeddedPostgres

from tests.conftest import fresh_database_url


def socket_timeout(conn: TimedConnection) -> float | None:
    return conn._usock.gettimeout()


def test_the_socket_timeout_follows_set_reset_and_set_config(database_url: str) -> None:
    conn = open_connection(parse_database_url(database_url), connect_timeout_s=2, statement_timeout_ms=1000)
    try:
        assert socket_timeout(conn) == 6.0  # API reads: statement timeout + 5 s
        conn.run("SET statement_timeout = 20000")
        assert socket_timeout(conn) == 25.0
        conn.run("SET statement_timeout TO '2min'")
        assert socket_timeout(conn) == 125.0
        conn.run("SELECT set_config('statement_timeout', :value, false)", value="3000")
        assert socket_timeout(conn) == 8.0
        conn.run("RESET statement_timeout")  # back to the connection's own (startup) value
        assert socket_timeout(conn) == 6.0
        conn.run("SET lock_timeout = 100")  # other settings leave it alone
        assert socket_timeout(conn) == 6.0
    finally:
        conn.close()


def test_index_maintenance_session_gets_a_long_socket_timeout_and_gives_it_back(database_url: str) -> None:
    conn = open_connection(parse_database_url(database_url), connect_timeout_s=5, statement_timeout_ms=5000)
    try:
        maintenance = Maintenance(conn, MaintenanceOptions().within(60))
        with maintenance._session():
            assert socket_timeout(conn) == 65.0  # min(600 s, the 60 s budget) + 5
            conn.run("SELECT pg_sleep(11)")  # would have died at 10 s before
        assert socket_timeout(conn) == 10.0
    finally:
        conn.close()


def test_a_12s_migration_statement_succeeds_when_its_statement_timeout_allows(
    pg_server: EmbeddedPostgres, template_database: str, tmp_path: Path
) -> None:
    url = fresh_database_url(pg_server, template_database)
    migrations = tmp_path / "migrations"
    shutil.copytree(default_migrations_dir(), migrations)
    (migrations / "900_slow.sql").write_text("SELECT pg_sleep(12);\n")
    # The Lambda's settings: 5 s statements and a 5 s connect timeout, i.e. a 10 s socket timeout.
    db = make_database(parse_database_url(url), pooled=False, connect_timeout_s=5, statement_timeout_ms=5000)
    try:
        started = time.monotonic()
        outcome = apply(db, statement_timeout_ms=60_000, migrations_dir=migrations)
        assert outcome["Applied"] == "900_slow.sql" and time.monotonic() - started >= 12
    finally:
        db.close()


def test_a_hung_server_still_fails_within_the_statement_budget(database_url: str) -> None:
    source = SingleConnection(
        parse_database_url(database_url), connect_timeout_s=1, statement_timeout_ms=1000
    )
    db = Database(source, source.target)
    pid = db.scalar("SELECT pg_backend_pid()")
    os.kill(pid, signal.SIGSTOP)  # the server process stops answering, socket open
    try:
        started = time.monotonic()
        with pytest.raises((TimeoutError, OSError)):
            db.execute("SELECT 1")
        assert time.monotonic() - started < 1 + 5 + 2  # statement timeout + margin, not forever
    finally:
        os.kill(pid, signal.SIGCONT)
        db.close()
