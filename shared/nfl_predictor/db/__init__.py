"""PostgreSQL access: pg8000 connections, the Database handle, migrations and queries."""

from __future__ import annotations

from nfl_predictor.config import Settings
from nfl_predictor.db.database import Database, Transaction, make_database
from nfl_predictor.db.resolve import resolve_target
from nfl_predictor.db.url import PgTarget, parse_database_url

__all__ = [
    "Database",
    "PgTarget",
    "Transaction",
    "database_from_settings",
    "parse_database_url",
]


def database_from_settings(settings: Settings, *, pooled: bool | None = None) -> Database:
    return make_database(
        resolve_target(settings),
        pooled=settings.db_pooled if pooled is None else pooled,
        pool_size=settings.db_pool_size,
        connect_timeout_s=settings.db_connect_timeout_s,
        statement_timeout_ms=settings.db_statement_timeout_ms,
        lock_timeout_ms=settings.db_lock_timeout_ms,
        via_proxy=settings.db_via_proxy,
        idle_reconnect_s=settings.db_idle_reconnect_s,
    )
