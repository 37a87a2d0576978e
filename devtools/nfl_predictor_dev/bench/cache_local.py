"""The cache category locally: the shared measurements (nfl_predictor.benchmarking.cache_latency) against
the given Redis, else the stack's, else REDIS_URL, else a private redis-server started for the run."""

from __future__ import annotations

from nfl_predictor.benchmarking import cache_latency
from nfl_predictor.benchmarking.context import BenchContext
from nfl_predictor.benchmarking.result import Measurement
from nfl_predictor.config import Settings


def run(ctx: BenchContext, redis_url: str | None = None) -> list[Measurement]:
    url = (
        redis_url or (ctx.stack.redis_url if ctx.stack is not None else None) or Settings.from_env().redis_url
    )
    if url:
        return cache_latency.run(ctx, url)
    from nfl_predictor_dev.local.redis_server import PrivateRedis

    server = PrivateRedis().start()
    try:
        return cache_latency.run(ctx, server.url)
    finally:
        server.close()
