"""The services a request needs, built once per process and only when first used.

Nothing heavy is imported at module load: numpy, redis-py, pg8000 and the engine load the first
time a request needs them, so importing the handler and building the app stays close to a bare
FastAPI app (the cold-start target), and a cache hit never opens a database connection.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from nfl_predictor.config import Settings, get_settings
from nfl_predictor.ops.performance import PerformanceRecorder

if TYPE_CHECKING:
    from nfl_predictor.cache import CacheManager
    from nfl_predictor.db import Database
    from nfl_predictor.service.auth import Authenticator
    from nfl_predictor.service.models import ParamsProvider
    from nfl_predictor.service.predictions import PredictionService
    from nfl_predictor.service.queries import QueryService
    from nfl_predictor.service.ratelimit import RateLimiter
    from nfl_predictor.vectors.embedder import Embedder


@dataclass
class Services:
    settings: Settings

    @cached_property
    def db(self) -> Database:
        from nfl_predictor.db import get_database

        return get_database()

    @cached_property
    def cache(self) -> CacheManager:
        from nfl_predictor.cache import CacheManager

        return CacheManager.from_settings(self.settings)

    @cached_property
    def params(self) -> ParamsProvider:
        from nfl_predictor.service.models import ParamsProvider

        return ParamsProvider(self.db)

    @cached_property
    def predictions(self) -> PredictionService:
        from nfl_predictor.service.predictions import PredictionService

        return PredictionService(self.db, self.cache, self.params, batch_size=self.settings.week_batch_size,
                                 max_workers=self.settings.week_max_workers)  # fmt: skip

    @cached_property
    def queries(self) -> QueryService:
        from nfl_predictor.service.queries import QueryService

        return QueryService(self.db, self.cache, self.params, self.embedder)

    @cached_property
    def auth(self) -> Authenticator:
        from nfl_predictor.service.auth import Authenticator

        return Authenticator(self.db)

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


_lock = threading.Lock()
_services: Services | None = None


def get_services() -> Services:
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = Services(get_settings())
    return _services


def reset_services() -> None:
    """Forget every service (tests, and the local server after it starts the embedded database)."""
    global _services
    with _lock:
        if _services is not None and "cache" in _services.__dict__:
            _services.cache.close()
        _services = None
