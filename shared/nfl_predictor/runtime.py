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
from typing import TYPE_CHECKING, Any

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


def sys_module(name: str) -> Any:
    """A module if something already imported it, else None (restoring must not import it)."""
    import sys

    return sys.modules.get(name)


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

    # -- SnapStart ---------------------------------------------------------------------------------
    # handlers/predict.py registers these with snapshot_restore_py. Lambda runs before_snapshot once,
    # when a version is published, then restores copies of that memory, possibly days later and many
    # times over: nothing that holds a socket, a credential, a random state or a "checked N seconds
    # ago" may cross the snapshot as is. Only parts already built are touched; the rest stay lazy.

    def _built(self, name: str) -> bool:
        return name in self.__dict__

    def before_snapshot(self) -> None:
        """Close every socket: the snapshot must not hold a connection the servers will have dropped
        (and that every restored copy would share)."""
        if self._built("cache"):
            self.cache.close()  # the Redis pool and per-thread clients; redis-py reconnects on use
        if self._built("db"):
            self.db.close()  # the pg8000 connection(s); the next query opens a fresh one

    def after_restore(self) -> None:
        """A restored copy: new randomness, fresh credentials, and no time-dependent state from before.

        Connections re-open lazily on first use (before_snapshot closed them; a connection that
        survived anyway and is dead is discarded by the first failed use, see db.connection).
        """
        import os
        import random
        import sys

        random.seed(os.urandom(32))  # every copy would otherwise draw the same jitter and tokens
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed(int.from_bytes(os.urandom(4), "little"))  # numpy's legacy global state
        self._refresh_credentials()
        if self._built("cache"):
            self.cache.close()  # in case a connection was opened after before_snapshot ran
            self.cache.forget_local_state()
        if self._built("db") and self._owns_db:
            self.db.close()
        if self._built("auth"):
            self.auth.forget_all()
        if self._built("rate_limiter"):
            self.rate_limiter.forget_leases()
        if self._built("db_breaker"):
            self.db_breaker.success()  # closed: an open breaker's cooldown is monotonic time from before

    def _refresh_credentials(self) -> None:
        """The database secret may have rotated while the snapshot waited: read it again (IAM auth
        tokens need nothing: db.iam_auth mints one at every connect)."""
        parameters = sys_module("aws_lambda_powertools.utilities.parameters")
        if parameters is not None:
            parameters.clear_caches()  # Powertools' 5-minute secret cache counts monotonic time too
        if (
            self._built("db")
            and self._owns_db
            and self.settings.db_secret_arn
            and not self.settings.database_url
        ):
            from nfl_predictor.db.resolve import resolve_target

            self.db.retarget(resolve_target(self.settings))

    def close(self) -> None:
        """Close what this runtime opened (a database handed in belongs to whoever made it)."""
        if "cache" in self.__dict__:
            self.cache.close()
        if self._owns_db and "db" in self.__dict__:
            self.db.close()
