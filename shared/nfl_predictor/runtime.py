"""The composition root: builds a process's parts once, from ``Settings``, and hands them out.

Each process (a Lambda environment, the local server's worker, a CLI command, a test) constructs one
``Runtime``; nothing else in the package keeps process-wide state. Parts are built the first time
they are asked for, so importing the predict handler stays close to a bare FastAPI app (the cold
start) and a cache hit never opens a database connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from nfl_predictor.config import Settings
from nfl_predictor.telemetry.performance import PerformanceRecorder

if TYPE_CHECKING:
    from nfl_predictor.cache import CacheManager
    from nfl_predictor.db import Database
    from nfl_predictor.db.breaker import DatabaseBreaker
    from nfl_predictor.service.auth import Authenticator
    from nfl_predictor.service.lookups import LookupService
    from nfl_predictor.service.predictions import PredictionService
    from nfl_predictor.service.ratelimit import PreAuthLimiter, RateLimiter
    from nfl_predictor.service.training import ParamsProvider
    from nfl_predictor.telemetry.monitoring import Monitor
    from nfl_predictor.vectors.embedder import Embedder


class Runtime:
    """The parts one process shares. ``db`` may be handed in (a CLI's stack, a test's database)."""

    def __init__(self, settings: Settings | None = None, *, db: Database | None = None,
                 auth_clock: Callable[[], float] | None = None) -> None:  # fmt: skip
        self.settings = settings if settings is not None else Settings.from_env()
        self._auth_clock = auth_clock  # tests drive the key-trust period with it; time.monotonic otherwise
        from nfl_predictor.telemetry.powertools import configure_logging

        configure_logging(self.settings)  # LOG_LEVEL, JSON in Lambda / readable lines locally
        if db is not None:
            self.__dict__["db"] = db
            self._owns_db = False
        else:
            self._owns_db = True
        self._lock = threading.RLock()  # two threads asking for the same part build it once

    @cached_property
    def db(self) -> Database:
        from nfl_predictor.db import database_from_settings
        from nfl_predictor.db.breaker import GuardedSource

        with self._lock:
            db = database_from_settings(self.settings)
            db.source = GuardedSource(db.source, self.db_breaker)  # a hung database fails fast
            return db

    def db_stuck_for(self) -> float:
        """Seconds the oldest in-flight database call has been running (0.0 if none, or no database yet)."""
        from nfl_predictor.db.breaker import GuardedSource

        source = self.__dict__["db"].source if "db" in self.__dict__ else None
        return source.stuck_for() if isinstance(source, GuardedSource) else 0.0

    @cached_property
    def db_breaker(self) -> DatabaseBreaker:
        from nfl_predictor.db.breaker import DatabaseBreaker

        return DatabaseBreaker(
            self.settings.db_breaker_failure_threshold, self.settings.db_breaker_cooldown_s
        )

    @cached_property
    def cache(self) -> CacheManager:
        from nfl_predictor.cache import CacheManager

        with self._lock:
            return CacheManager.from_settings(self.settings)

    @cached_property
    def params(self) -> ParamsProvider:
        from nfl_predictor.service.training import ParamsProvider

        return ParamsProvider(self.db)

    @cached_property
    def predictions(self) -> PredictionService:
        from nfl_predictor.service.predictions import PredictionService

        with self._lock:
            return PredictionService(self.db, self.cache, self.params, self.embedder,
                                     batch_size=self.settings.week_batch_size,
                                     max_workers=self.settings.week_max_workers)  # fmt: skip

    @cached_property
    def lookups(self) -> LookupService:
        from nfl_predictor.service.lookups import LookupService

        return LookupService(self.db, self.cache, self.params, self.embedder)

    @cached_property
    def auth(self) -> Authenticator:
        from nfl_predictor.service.auth import Authenticator

        clock = {"clock": self._auth_clock} if self._auth_clock is not None else {}
        return Authenticator(self.db, key_ttl_s=self.settings.auth_key_ttl_s,
                             stale_grace_s=self.settings.auth_stale_grace_s, **clock)  # fmt: skip

    @cached_property
    def preauth_limiter(self) -> PreAuthLimiter:
        from nfl_predictor.config.settings import parse_rate
        from nfl_predictor.service.ratelimit import PreAuthLimiter

        return PreAuthLimiter(
            parse_rate(self.settings.preauth_per_client), parse_rate(self.settings.preauth_global)
        )

    @cached_property
    def rate_limiter(self) -> RateLimiter:
        from nfl_predictor.service.ratelimit import RateLimiter, tier_limits

        return RateLimiter(self.cache.redis_tier, tier_limits(self.settings.rate_limits))

    @cached_property
    def embedder(self) -> Embedder:
        from nfl_predictor.vectors.embedder import make_embedder

        return make_embedder(self.settings.embedder)

    @cached_property
    def performance(self) -> PerformanceRecorder:
        return PerformanceRecorder()

    @cached_property
    def monitor(self) -> Monitor:
        from nfl_predictor.telemetry.monitoring import Monitor, MonitorSettings

        return Monitor(MonitorSettings.from_settings(self.settings))

    def close(self) -> None:
        """Close what this runtime opened (a database handed in belongs to whoever made it)."""
        if "cache" in self.__dict__:
            self.cache.close()
        if self._owns_db and "db" in self.__dict__:
            self.db.close()
