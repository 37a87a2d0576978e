"""Shared fixtures: a private embedded Postgres (pgvector) and a private redis-server per session.

Nothing here touches the machine's own PostgreSQL or Redis services: tests are hermetic.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nfl_predictor.local.redis_server import PrivateRedis

REPO_ROOT = Path(__file__).resolve().parents[1]
NFLVERSE_DIR = REPO_ROOT.parent / "shared" / "data" / "nflverse"

# Settings read from the environment must not leak in from the developer's shell.
for _name in ("DATABASE_URL", "REDIS_URL", "DB_SECRET_ARN"):
    os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[PrivateRedis]:
    with PrivateRedis() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: PrivateRedis) -> str:
    """A clean database on the session's private redis-server (flushed before each test)."""
    import redis

    redis_server.start()
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    client.close()
    return redis_server.url


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server of the test's own, for tests that kill and restart it."""
    with PrivateRedis() as server:
        yield server


@pytest.fixture(scope="session")
def nflverse_dir() -> Path:
    if not (NFLVERSE_DIR / "games.csv").exists():
        pytest.skip("../shared/data/nflverse is not present on this machine")
    return NFLVERSE_DIR
