"""Support for the mutation run (scripts/mutation-test.sh); normal test runs never load this plugin.

mutmut 3 runs one pytest session per mutant, two at once, in forked processes that end with
``os._exit``. Left alone, each of those sessions would initdb, migrate, start and stop a Postgres of
its own (seconds each, several times the test time) and leave its data directory behind (~40 MB,
since a forked session never runs pytest's temp cleanup); and every new session chmods pytest's shared
``/tmp/pytest-of-<user>`` back to 0700 while another session's pgserver needs it traversable by its
``pgserver`` user, so an unrelated initdb fails and a mutant would be counted as killed.

So, for the mutation run only:

- ``python -m tests.mutmut_plugin start`` (run by the script before mutmut) starts one embedded
  Postgres and migrates one template database with the unmutated code, and prints the data
  directory; the script exports it as ``NFLP_TEST_SHARED_PGDATA``, and tests/conftest.py's
  ``pg_server``/``template_database`` use that server and template instead of making their own.
  (Migration code is still mutated and tested: tests/integration/test_migrations.py migrates
  empty databases of its own.)
- Loaded with ``-p tests.mutmut_plugin`` (pyproject's [tool.mutmut]), every session gets a private
  base temp directory, removed at its end, and drops the databases it created on the shared server.
- ``python -m tests.mutmut_plugin stop DIR`` (the script, on exit) stops that server and deletes it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

SHARED_PGDATA = "NFLP_TEST_SHARED_PGDATA"
TEMPLATE = "nflp_template"

_created: list[tuple[Path, str | None]] = []


class SharedPostgres:
    """The run's one server, attached to and never stopped by a session (the script stops it)."""

    def __init__(self, pgdata: str | Path) -> None:
        import pgserver

        self._server = pgserver.get_server(Path(pgdata), cleanup_mode=None)

    @property
    def url(self) -> str:
        return str(self._server.get_uri())

    def url_for(self, database: str) -> str:
        return str(self._server.get_uri(database))

    def stop(self) -> None:
        pass


def shared_postgres() -> SharedPostgres | None:
    pgdata = os.environ.get(SHARED_PGDATA)
    return SharedPostgres(pgdata) if pgdata else None


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if config.option.basetemp:
        return
    base = Path(tempfile.mkdtemp(prefix=f"nflp-mutmut-{os.getpid()}-"))
    config.option.basetemp = str(base / "tmp")
    runtime = base / "run"
    runtime.mkdir(mode=0o700)
    _created.append((base, os.environ.get("XDG_RUNTIME_DIR")))
    os.environ["XDG_RUNTIME_DIR"] = str(
        runtime
    )  # pgserver's runtime dir (see nfl_predictor_dev/local/postgres.py)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    _drop_session_databases()
    while _created:
        base, runtime = _created.pop()
        shutil.rmtree(base, ignore_errors=True)
        if runtime is None:
            os.environ.pop("XDG_RUNTIME_DIR", None)
        else:
            os.environ["XDG_RUNTIME_DIR"] = runtime


def _admin(server: SharedPostgres) -> Any:
    import pg8000.native
    from nfl_predictor.db import parse_database_url

    return pg8000.native.Connection(**parse_database_url(server.url).connect_kwargs())


def _drop_session_databases() -> None:
    """The databases this process made on the shared server (tests/conftest.py names them by pid)."""
    server = shared_postgres()
    if server is None:
        return
    admin = _admin(server)
    try:
        pattern = f"nflp\\_test\\_{os.getpid()}\\_%"
        for (name,) in admin.run("SELECT datname FROM pg_database WHERE datname LIKE :p", p=pattern):
            admin.run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def start() -> str:
    from nfl_predictor.db import parse_database_url
    from nfl_predictor.db.database import make_database
    from nfl_predictor.db.migrate import apply_migrations

    base = Path(tempfile.mkdtemp(prefix="nflp-mutmut-pg-"))
    os.environ.setdefault("XDG_RUNTIME_DIR", str(base / "run"))
    (base / "run").mkdir(mode=0o700, exist_ok=True)
    pgdata = base / "pgdata"
    pgdata.mkdir()
    server = SharedPostgres(pgdata)
    admin = _admin(server)
    admin.run(f"CREATE DATABASE {TEMPLATE}")
    admin.close()
    db = make_database(parse_database_url(server.url_for(TEMPLATE)), pooled=False)
    apply_migrations(db)
    db.close()
    return str(pgdata)


def stop(pgdata: str) -> None:
    import pgserver

    server = pgserver.get_server(Path(pgdata), cleanup_mode="delete")
    server.cleanup()
    shutil.rmtree(Path(pgdata).parent, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["start"]:
        print(start())
    elif sys.argv[1:2] == ["stop"] and len(sys.argv) == 3:
        stop(sys.argv[2])
    else:
        sys.exit("usage: python -m tests.mutmut_plugin start | stop PGDATA")
