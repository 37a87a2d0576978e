"""The local stack the CLI runs on without DATABASE_URL: an embedded Postgres, migrated, and a
Runtime over it. Redis is optional: with REDIS_URL unset the cache runs in-process only.

Registered as the ``nfl_predictor.local_stack`` entry point (see pyproject.toml).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from nfl_predictor.config import Settings
from nfl_predictor.db import Database
from nfl_predictor.db.migrate import apply_migrations
from nfl_predictor.runtime import Runtime

from nfl_predictor_dev.local.postgres import EmbeddedPostgres, default_data_dir


class LocalStack:
    """Context manager: resolves (or starts) the database, applies migrations and builds a Runtime;
    stops what it started."""

    def __init__(self, data_dir: str | Path | None = None, *, migrate: bool = True,
                 log: Callable[[str], None] | None = None) -> None:  # fmt: skip
        self.migrate = migrate
        self.log = log or (lambda _msg: None)
        self.embedded: EmbeddedPostgres | None = None
        self.data_root = Path(data_dir).expanduser() if data_dir else default_data_dir()

    def __enter__(self) -> LocalStack:
        settings = Settings.from_env()
        if settings.uses_embedded_db:
            self.embedded = EmbeddedPostgres(self.data_root / "pgdata").start()
            # Child processes (uvicorn workers, locust) find the same server through the environment.
            os.environ["DATABASE_URL"] = self.embedded.url
            settings = Settings.from_env()
            self.log(f"embedded PostgreSQL with pgvector at {self.data_root / 'pgdata'}")
        self.runtime = Runtime(settings)
        if self.migrate:
            apply_migrations(self.database, log=self.log)
        return self

    @property
    def database(self) -> Database:
        return self.runtime.db

    def __exit__(self, *exc: object) -> None:
        self.runtime.close()
        if self.embedded is not None:
            self.embedded.stop()
            os.environ.pop("DATABASE_URL", None)
