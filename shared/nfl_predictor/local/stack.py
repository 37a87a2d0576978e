"""The local stack the CLI runs on: DATABASE_URL when set, else an embedded Postgres; migrated.

Redis is optional: with REDIS_URL unset the cache runs in-process only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from nfl_predictor.config import get_settings
from nfl_predictor.db import Database, get_database, reset_database
from nfl_predictor.db.migrate import apply_migrations
from nfl_predictor.local.postgres import EmbeddedPostgres, default_data_dir


class LocalStack:
    """Context manager: resolves (or starts) the database and applies migrations; stops what it started."""

    def __init__(self, data_dir: str | Path | None = None, *, migrate: bool = True,
                 log: Callable[[str], None] | None = None) -> None:  # fmt: skip
        self.data_dir = Path(data_dir) if data_dir else None
        self.migrate = migrate
        self.log = log or (lambda _msg: None)
        self.embedded: EmbeddedPostgres | None = None
        self.data_root = self.data_dir or default_data_dir()

    def __enter__(self) -> LocalStack:
        settings = get_settings()
        if settings.uses_embedded_db:
            root = self.data_dir or (Path(settings.data_dir) if settings.data_dir else default_data_dir())
            self.data_root = root
            self.embedded = EmbeddedPostgres(root / "pgdata").start()
            # Child processes (uvicorn workers, locust) find the same server through the environment.
            os.environ["DATABASE_URL"] = self.embedded.url
            get_settings.cache_clear()
            reset_database()
            self.log(f"embedded PostgreSQL with pgvector at {root / 'pgdata'}")
        if self.migrate:
            apply_migrations(self.database, log=self.log)
        return self

    @property
    def database(self) -> Database:
        return get_database()

    def __exit__(self, *exc: object) -> None:
        reset_database()
        if self.embedded is not None:
            self.embedded.stop()
            os.environ.pop("DATABASE_URL", None)
            get_settings.cache_clear()
