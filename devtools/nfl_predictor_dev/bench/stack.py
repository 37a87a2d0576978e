"""The stack a local benchmark runs on (CLI, scripts): DATABASE_URL / REDIS_URL when set, else a
private embedded Postgres and redis-server; the demo league loaded and a model trained when the
database has none. (The benchmark Lambda's ``LiveStack`` is in nfl_predictor.benchmarking.stack.)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from nfl_predictor.benchmarking.stack import Stack
from nfl_predictor.config import Settings
from nfl_predictor.db import Database
from nfl_predictor.runtime import Runtime

if TYPE_CHECKING:
    from nfl_predictor_dev.local.postgres import EmbeddedPostgres
    from nfl_predictor_dev.local.redis_server import PrivateRedis

# Benchmarks measure the service, not the rate limiter's refusals.
UNLIMITED = "free=1:30,pro=20:200,enterprise=1000000:10000000"


class BenchStack(Stack):
    def __init__(self, use_redis: bool = True) -> None:
        self.use_redis = use_redis
        self._pg: EmbeddedPostgres | None = None
        self._redis: PrivateRedis | None = None
        self._saved: dict[str, str | None] = {}

    def __enter__(self) -> BenchStack:
        # What is configured comes from Settings; what this sets is for child processes (uvicorn,
        # locust) too, so it goes into the environment (and is put back on exit).
        configured = Settings.from_env()
        self._set("RATE_LIMITS", UNLIMITED)
        if configured.database_url is None:
            from nfl_predictor_dev.local.postgres import EmbeddedPostgres

            self._pg = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="nflp-bench-")) / "pgdata",
                                        delete_on_exit=True).start()  # fmt: skip
            self._set("DATABASE_URL", self._pg.url)
        if self.use_redis and configured.redis_url is None:
            from nfl_predictor_dev.local.redis_server import PrivateRedis

            self._redis = PrivateRedis().start()
            self._set("REDIS_URL", self._redis.url)
        if not self.use_redis:
            self._set("REDIS_URL", None)
        # Child processes (uvicorn, locust) read the same variables; this process gets a Runtime of its own.
        self.runtime = Runtime(Settings.from_env())
        self._prepare(self.runtime.db)
        return self

    def _set(self, name: str, value: str | None) -> None:
        self._saved.setdefault(name, os.environ.get(name))  # env plumbing: restored on exit
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

    def _prepare(self, db: Database) -> None:
        from nfl_predictor.data.ingest import database_is_empty, load_demo_league
        from nfl_predictor.db.migrate import apply_migrations
        from nfl_predictor.service.training import active_version, train_and_store

        apply_migrations(db)
        if database_is_empty(db):
            load_demo_league(db)
        if active_version(db) is None:
            train_and_store(db)
        self._create_key()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        if self._pg is None:  # a database we did not create outlives us: leave no working key in it
            self._revoke_key()
        self.runtime.close()
        if self._redis is not None:
            self._redis.close()
        if self._pg is not None:
            self._pg.stop()
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
