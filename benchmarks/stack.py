"""The stack a benchmark runs on (now nfl_predictor.ops.bench.stack): DATABASE_URL / REDIS_URL when
set, else a private embedded Postgres and redis-server; the demo league loaded and a model trained; an
API key to call with. This wrapper also resets the API's services, as scripts run the API in process."""

from __future__ import annotations

from nfl_predictor.api.deps import reset_services
from nfl_predictor.ops.bench.stack import UNLIMITED
from nfl_predictor.ops.bench.stack import BenchStack as _BenchStack

__all__ = ["UNLIMITED", "BenchStack"]


class BenchStack(_BenchStack):
    def __init__(self, use_redis: bool = True) -> None:
        super().__init__(use_redis, reset_services=reset_services)
