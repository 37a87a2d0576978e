"""The stack a benchmark runs on (nfl_predictor_dev.bench.stack): DATABASE_URL / REDIS_URL when set,
else a private embedded Postgres and redis-server; the demo league loaded and a model trained."""

from __future__ import annotations

from nfl_predictor_dev.bench.stack import UNLIMITED, BenchStack

__all__ = ["UNLIMITED", "BenchStack"]
