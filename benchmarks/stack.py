"""The stack a benchmark runs on: DATABASE_URL / REDIS_URL when set, else a private embedded
Postgres and redis-server; the demo league loaded and a model trained; an API key to call with."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from nfl_predictor.api.deps import reset_services
from nfl_predictor.config import get_settings
from nfl_predictor.db import Database, get_database, reset_database
from nfl_predictor.local.postgres import EmbeddedPostgres
from nfl_predictor.local.redis_server import PrivateRedis

# Benchmarks measure the service, not the rate limiter's refusals.
UNLIMITED = "free=1:30,pro=20:200,enterprise=1000000:10000000"


@dataclass
class BenchStack:
    use_redis: bool = True
    key: str = ""
    _pg: EmbeddedPostgres | None = None
    _redis: PrivateRedis | None = None
    _saved: dict[str, str | None] = field(default_factory=dict)

    def __enter__(self) -> BenchStack:
        self._set("RATE_LIMITS", UNLIMITED)
        if not os.environ.get("DATABASE_URL"):
            self._pg = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="nflp-bench-")) / "pgdata",
                                        delete_on_exit=True).start()  # fmt: skip
            self._set("DATABASE_URL", self._pg.url)
        if self.use_redis and not os.environ.get("REDIS_URL"):
            self._redis = PrivateRedis().start()
            self._set("REDIS_URL", self._redis.url)
        if not self.use_redis:
            self._set("REDIS_URL", None)
        get_settings.cache_clear()
        reset_database()
        reset_services()
        self._prepare(get_database())
        return self

    def _set(self, name: str, value: str | None) -> None:
        self._saved.setdefault(name, os.environ.get(name))
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

    def _prepare(self, db: Database) -> None:
        from nfl_predictor.data.ingest import database_is_empty, load_demo_league
        from nfl_predictor.db.migrate import apply_migrations
        from nfl_predictor.service.accounts import create_api_key
        from nfl_predictor.service.models import active_version, train_and_store

        apply_migrations(db)
        if database_is_empty(db):
            load_demo_league(db)
        if active_version(db) is None:
            train_and_store(db)
        self.key = create_api_key(db, name="benchmark", tier="enterprise", admin=True).key

    @property
    def db(self) -> Database:
        return get_database()

    def upcoming_games(self) -> list[str]:
        return [str(r[0]) for r in self.db.fetch("SELECT game_id FROM games WHERE home_score IS NULL "
                                                 "ORDER BY gameday, game_id")]  # fmt: skip

    def upcoming_weeks(self) -> list[tuple[int, int]]:
        rows = self.db.fetch("SELECT DISTINCT season, week FROM games WHERE home_score IS NULL ORDER BY 1, 2")
        return [(int(s), int(w)) for s, w in rows]

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        reset_services()
        reset_database()
        if self._redis is not None:
            self._redis.close()
        if self._pg is not None:
            self._pg.stop()
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
