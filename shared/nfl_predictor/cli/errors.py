"""Turning expected failures into one line for the terminal (unexpected ones keep their traceback)."""

from __future__ import annotations

from nfl_predictor.config import ConfigError
from nfl_predictor.data.nflverse import NflverseFormatError
from nfl_predictor.db.connection import is_connection_error
from nfl_predictor.db.migrate import MigrationError, describe_pg_error


class CliError(Exception):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def describe(exc: BaseException) -> str | None:
    """One line for errors a user can act on; None means "a bug: show the traceback"."""
    if isinstance(exc, ConfigError | MigrationError | NflverseFormatError):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        return f"{exc.filename}: no such file"
    if isinstance(exc, IsADirectoryError | PermissionError):
        return f"{exc.filename}: {exc.strerror}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not a UTF-8 text file ({exc.reason})"
    if is_connection_error(exc):
        return f"cannot reach the database: {describe_pg_error(exc)}"
    return None
