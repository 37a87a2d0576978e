"""The application role's login: migration 010 creates ``nflp_app``; this sets its password.

The migrations custom resource (master user) calls ``set_role_password`` after applying the
migrations, with the password from the role's own Secrets Manager secret, so the secret is the only
place the password is written. The statement is built server-side (``format('%I', '%L')``): no
password is ever pasted into SQL text by Python. Setting the same password again is a no-op in
effect, so every deploy may do it; a concurrent ALTER ROLE on the same role ("tuple concurrently
updated") is retried.
"""

from __future__ import annotations

import time
from typing import Any

from nfl_predictor.config import ConfigError, Settings
from nfl_predictor.db.database import Database

APP_ROLE = "nflp_app"
_RETRY_SQLSTATES = {"XX000", "40001", "40P01"}  # concurrent catalog update, serialization, deadlock


class RoleError(RuntimeError):
    """One line: which role, and why its password was not set."""


def set_role_password(db: Database, role: str, password: str, *, attempts: int = 5) -> None:
    """Give ``role`` (made by a migration) this login password. Refuses superusers and unknown roles."""
    if not password:
        raise RoleError(f"{role}: refusing an empty password")
    row = db.fetch_one("SELECT rolsuper FROM pg_roles WHERE rolname = :role", role=role)
    if row is None:
        raise RoleError(f"{role}: no such role (migration 010_roles creates {APP_ROLE})")
    if row[0]:
        raise RoleError(f"{role}: is a superuser; the application secret must name the application role")
    statement = str(db.scalar("SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', CAST(:role AS text), "
                              "CAST(:password AS text))", role=role, password=password))  # fmt: skip
    for attempt in range(1, attempts + 1):
        try:
            db.execute(statement)
            return
        except Exception as exc:
            code = _sqlstate(exc)
            if code not in _RETRY_SQLSTATES or attempt == attempts:
                raise RoleError(f"{role}: cannot set the password ({_message(exc)})") from None
            time.sleep(0.05 * attempt)


def app_login_from_secret(settings: Settings) -> tuple[str, str] | None:
    """(username, password) from APP_DB_SECRET_ARN (an RDS-format JSON secret), or None when unset."""
    if not settings.app_db_secret_arn:
        return None
    from aws_lambda_powertools.utilities import parameters

    secret: Any = parameters.get_secret(settings.app_db_secret_arn, transform="json", max_age=0)
    if not isinstance(secret, dict) or not secret.get("username") or not secret.get("password"):
        raise ConfigError("APP_DB_SECRET_ARN: the secret needs non-empty username and password fields")
    return str(secret["username"]), str(secret["password"])


def _sqlstate(exc: BaseException) -> str | None:
    if exc.args and isinstance(exc.args[0], dict):
        return str(exc.args[0].get("C"))
    return None


def _message(exc: BaseException) -> str:
    # Never the statement (it holds the password): only PostgreSQL's message and code.
    if exc.args and isinstance(exc.args[0], dict):
        return f"{exc.args[0].get('M', 'error')} (SQLSTATE {exc.args[0].get('C', '?')})"
    return type(exc).__name__
