"""Turning expected failures into one line for the terminal (unexpected ones keep their traceback)."""

from __future__ import annotations

import urllib.error

from nfl_predictor.config import ConfigError
from nfl_predictor.data.ingest import DataSourceConflict
from nfl_predictor.data.nflverse import NflverseFormatError
from nfl_predictor.db.connection import is_connection_error
from nfl_predictor.db.migrate import MigrationError, describe_pg_error


class CliError(Exception):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def describe(exc: BaseException) -> str | None:
    """One line for errors a user can act on; None means "a bug: show the traceback"."""
    if isinstance(exc, ConfigError | MigrationError | NflverseFormatError | DataSourceConflict):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        return f"{exc.filename}: no such file"
    if isinstance(exc, IsADirectoryError | PermissionError):
        return f"{exc.filename}: {exc.strerror}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not a UTF-8 text file ({exc.reason})"
    if isinstance(exc, urllib.error.URLError):  # before OSError: a download, not the database
        return f"cannot download: {exc.reason}"
    database = _database_problem(exc)
    if database is not None:
        return database
    if is_connection_error(exc):
        return (
            f"cannot reach the database: {describe_pg_error(exc)}; check the host and port in {DB_VARIABLE}"
        )
    return None


DB_VARIABLE = "DATABASE_URL (or DB_SECRET_ARN / DB_HOST)"
# SQLSTATE -> what to fix, for the failures a user can act on.
_DB_FIXES = {
    "28P01": "wrong password: fix the password in {var}",
    "28000": "login refused: fix the user name in {var} (or the server's pg_hba.conf)",
    "3D000": "no such database: fix the database name in {var}, or create it",
    "42501": "permission denied: the role in {var} lacks a privilege this command needs (grant it or use "
    "the owner role)",
}


def _database_problem(exc: BaseException) -> str | None:
    from pg8000.exceptions import DatabaseError

    # pg8000 can hide a refused login behind "network error" (closing the socket the server already
    # closed fails while the login error is handled): look along the chain.
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, DatabaseError) and seen.args and isinstance(seen.args[0], dict):
            fields = seen.args[0]
            fix = _DB_FIXES.get(str(fields.get("C", "")))
            if fix is not None:
                return f"database: {fields.get('M', 'error')} -- {fix.format(var=DB_VARIABLE)}"
        seen = seen.__cause__ or seen.__context__
    return None
