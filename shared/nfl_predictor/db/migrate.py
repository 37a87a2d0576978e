"""The migration runner: ``migrations/NNN_name.sql`` applied in order, recorded with checksums.

Each file runs in one transaction, unless its first line is ``-- nflp:no-transaction`` (needed for
CREATE INDEX CONCURRENTLY); such a file runs statement by statement, and on failure the indexes it
had started are dropped again, so no file is ever left half-applied. A session-level advisory lock
makes concurrent runners (two Lambdas, a deploy and a developer) take turns: a runner that finds it
taken *polls* for it (``pg_try_advisory_lock``, between short sleeps) rather than queueing on it. A
queued ``pg_advisory_lock`` is a statement that stays open, and the lock holder's ``CREATE INDEX
CONCURRENTLY`` waits for every open transaction, so queueing deadlocked (40P01) every time. The
waiter then finds nothing to do. Any failure is a ``MigrationError``: one line, no traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pg8000.exceptions import DatabaseError

from nfl_predictor.db.connection import Connection, register_vector_type
from nfl_predictor.db.database import Database

NO_TRANSACTION_MARKER = "-- nflp:no-transaction"
_FILENAME = re.compile(r"^(\d{3,})_([a-z0-9_]+)\.sql$")
_CONCURRENT_INDEX = re.compile(
    r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)",
    re.IGNORECASE,
)
_ADVISORY_LOCK_KEY = 0x6E666C70  # "nflp"
LOCK_WAIT_S = 900.0  # how long a runner waits for another to finish (the migrations Lambda's timeout)
LOCK_POLL_S = 0.25


class MigrationError(RuntimeError):
    """One line: which file, and what PostgreSQL (or the runner) said."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    path: Path
    sql: str
    checksum: str

    @property
    def transactional(self) -> bool:
        return not self.sql.lstrip().startswith(NO_TRANSACTION_MARKER)

    @property
    def filename(self) -> str:
        return self.path.name

    def declared_indexes(self) -> list[str]:
        return _CONCURRENT_INDEX.findall(self.sql)


# The numbered SQL files ship inside the package: the layer, a wheel and an editable checkout all
# find them in the same place.
PACKAGED_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def default_migrations_dir() -> Path:
    return PACKAGED_MIGRATIONS


def load_migrations(directory: Path | None = None) -> list[Migration]:
    directory = directory or default_migrations_dir()
    if not directory.is_dir():
        raise MigrationError(f"{directory}: migrations folder not found")
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILENAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNN_snake_case.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path.name}: version {version} also used by {found[version].filename}")
        sql = path.read_text(encoding="utf-8")
        checksum = hashlib.sha256(sql.encode("utf-8")).hexdigest()
        found[version] = Migration(version, match.group(2), path, sql, checksum)
    return [found[v] for v in sorted(found)]


def describe_pg_error(exc: BaseException) -> str:
    if isinstance(exc, DatabaseError) and exc.args and isinstance(exc.args[0], dict):
        fields = exc.args[0]
        return f"{fields.get('M', 'error')} (SQLSTATE {fields.get('C', '?')})"
    return str(exc) or type(exc).__name__


def split_statements(sql: str) -> list[str]:
    """Split a no-transaction file on ';'. Such files hold plain DDL only (no $$ bodies)."""
    if "$$" in sql:
        raise MigrationError("no-transaction migrations may not contain $$-quoted bodies")
    lines = [line.split("--", 1)[0] for line in sql.splitlines()]
    return [stmt.strip() for stmt in "\n".join(lines).split(";") if stmt.strip()]


class MigrationRunner:
    def __init__(self, db: Database, directory: Path | None = None,
                 log: Callable[[str], None] | None = None, lock_wait_s: float = LOCK_WAIT_S) -> None:  # fmt: skip
        self.db = db
        self.migrations = load_migrations(directory)
        self.log = log or (lambda _msg: None)
        self.lock_wait_s = lock_wait_s

    def _take_turn(self, conn: Connection) -> None:
        """The advisory lock, polled: never a statement left waiting while another runner builds indexes."""
        deadline = time.monotonic() + self.lock_wait_s
        said = False
        while not conn.run("SELECT pg_try_advisory_lock(:key)", key=_ADVISORY_LOCK_KEY)[0][0]:
            if time.monotonic() >= deadline:
                raise MigrationError(f"another migration runner held the lock for over {self.lock_wait_s:g}s")
            if not said:
                self.log("another migration runner is busy; waiting for it")
                said = True
            time.sleep(LOCK_POLL_S)

    def status(self) -> list[dict[str, object]]:
        with self.db.raw_connection() as conn:
            applied = self._applied(conn)
        return [
            {"version": m.version, "name": m.name, "applied": m.version in applied,
             "checksum_ok": applied.get(m.version, m.checksum) == m.checksum}
            for m in self.migrations
        ]  # fmt: skip

    def apply(self) -> list[Migration]:
        """Apply every pending migration; returns those applied now (empty when up to date)."""
        try:
            return self._apply()
        except MigrationError:
            raise
        except DatabaseError as exc:
            raise MigrationError(f"migrations: {describe_pg_error(exc)}") from exc

    def _apply(self) -> list[Migration]:
        applied_now: list[Migration] = []
        with self.db.raw_connection() as conn:
            self._take_turn(conn)
            try:
                self._ensure_table(conn)
                applied = self._applied(conn)
                self._refuse_edited(applied)
                for migration in self.migrations:
                    if migration.version in applied:
                        continue
                    started = time.perf_counter()
                    if migration.transactional:
                        self._apply_transactional(conn, migration, started)
                    else:
                        self._apply_concurrent(conn, migration, started)
                    self.log(f"applied {migration.filename} in {time.perf_counter() - started:.2f}s")
                    applied_now.append(migration)
            finally:
                with contextlib.suppress(Exception):
                    conn.run("SELECT pg_advisory_unlock(:key)", key=_ADVISORY_LOCK_KEY)
            if applied_now:
                register_vector_type(conn)  # the extension may be new since this connection opened
        return applied_now

    @staticmethod
    def _ensure_table(conn: Connection) -> None:
        conn.run(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now(), duration_ms integer NOT NULL DEFAULT 0)"
        )

    @staticmethod
    def _applied(conn: Connection) -> dict[int, str]:
        exists = conn.run("SELECT to_regclass('schema_migrations') IS NOT NULL")[0][0]
        if not exists:
            return {}
        return {int(v): str(c) for v, c in conn.run("SELECT version, checksum FROM schema_migrations")}

    def _refuse_edited(self, applied: dict[int, str]) -> None:
        for migration in self.migrations:
            recorded = applied.get(migration.version)
            if recorded is not None and recorded != migration.checksum:
                raise MigrationError(
                    f"{migration.filename}: already applied with checksum {recorded[:12]}, but the file now has "
                    f"{migration.checksum[:12]}; never edit an applied migration, add a new one"
                )

    @staticmethod
    def _record(conn: Connection, migration: Migration, started: float) -> None:
        conn.run(
            "INSERT INTO schema_migrations (version, name, checksum, duration_ms) "
            "VALUES (:version, :name, :checksum, :duration_ms)",
            version=migration.version, name=migration.name, checksum=migration.checksum,
            duration_ms=int((time.perf_counter() - started) * 1000),
        )  # fmt: skip

    def _apply_transactional(self, conn: Connection, migration: Migration, started: float) -> None:
        conn.run("BEGIN")
        try:
            conn.run(migration.sql)
            self._record(conn, migration, started)
            conn.run("COMMIT")
        except Exception as exc:
            with contextlib.suppress(Exception):
                conn.run("ROLLBACK")
            raise MigrationError(f"{migration.filename}: {describe_pg_error(exc)}") from exc

    def _apply_concurrent(self, conn: Connection, migration: Migration, started: float) -> None:
        declared = migration.declared_indexes()
        drop_invalid_indexes(conn, declared)
        existing = existing_indexes(conn, declared)
        try:
            for statement in split_statements(migration.sql):
                conn.run(statement)
            self._record(conn, migration, started)
        except Exception as exc:
            # Undo this run's indexes (valid or INVALID) so the file is all-or-nothing.
            for name in declared:
                if name not in existing:
                    with contextlib.suppress(Exception):
                        conn.run(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
            raise MigrationError(f"{migration.filename}: {describe_pg_error(exc)}") from exc


def set_session_statement_timeout(db: Database, statement_timeout_ms: int) -> None:
    """A session SET on the connection migrations run on (behind RDS Proxy it pins the session: fine
    for the migration runner, which has the connection to itself)."""
    with db.raw_connection() as conn:
        conn.run(f"SET statement_timeout = {int(statement_timeout_ms)}")


def existing_indexes(conn: Connection, names: list[str]) -> set[str]:
    if not names:
        return set()
    rows = conn.run("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                    "AND indexname = ANY(:names)", names=names)  # fmt: skip
    return {str(row[0]) for row in rows}


def invalid_indexes(conn: Connection, names: list[str] | None = None) -> list[str]:
    """Indexes left INVALID by an interrupted CREATE INDEX CONCURRENTLY."""
    rows = conn.run(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE NOT i.indisvalid AND n.nspname = current_schema()"
    )
    found = [str(row[0]) for row in rows]
    return [name for name in found if names is None or name in names]


def drop_invalid_indexes(conn: Connection, names: list[str]) -> list[str]:
    dropped = invalid_indexes(conn, names)
    for name in dropped:
        conn.run(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
    return dropped


def apply_migrations(db: Database, directory: Path | None = None,
                     log: Callable[[str], None] | None = None) -> list[Migration]:  # fmt: skip
    return MigrationRunner(db, directory, log).apply()
