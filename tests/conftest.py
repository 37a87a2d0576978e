"""Shared fixtures: a private embedded Postgres (pgvector) and a private redis-server per session.

Nothing here touches the machine's own PostgreSQL or Redis services: tests are hermetic.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pg8000.native
import pytest
from nfl_predictor.db import Database, parse_database_url
from nfl_predictor.db.database import make_database
from nfl_predictor.db.migrate import apply_migrations
from nfl_predictor_dev.local.postgres import EmbeddedPostgres
from nfl_predictor_dev.local.redis_cluster import PrivateRedisCluster
from nfl_predictor_dev.local.redis_server import PrivateRedis

REPO_ROOT = Path(__file__).resolve().parents[1]
# ../shared next to the checkout; a git worktree (/work/wt/<name>) finds it one level further up,
# and NFLVERSE_DIR overrides both.
NFLVERSE_DIR = next(
    (
        p
        for p in (
            Path(os.environ.get("NFLVERSE_DIR", "/nonexistent")),
            *(parent / "shared" / "data" / "nflverse" for parent in REPO_ROOT.parents),
        )
        if (p / "games.csv").exists()
    ),
    REPO_ROOT.parent / "shared" / "data" / "nflverse",
)

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


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[PrivateRedisCluster]:
    """A private three-node Redis Cluster (cluster_state:ok, or the fixture fails at its deadline)."""
    with PrivateRedisCluster(nodes=3) as cluster:
        yield cluster


@pytest.fixture
def cluster_url(redis_cluster: PrivateRedisCluster) -> str:
    """The session's cluster, every node flushed before the test."""
    redis_cluster.flush()
    return redis_cluster.url


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


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.mutmut_plugin import shared_postgres

    shared = shared_postgres()  # the mutation run's one server (scripts/mutation-test.sh); else our own
    if shared is not None:
        yield shared
        return
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "pgdata", delete_on_exit=True).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def template_database(pg_server: EmbeddedPostgres) -> str:
    """A migrated database that per-module databases are cloned from (CREATE DATABASE ... TEMPLATE)."""
    if os.environ.get("NFLP_TEST_SHARED_PGDATA"):
        return "nflp_template"  # migrated once, before the mutation run (tests/mutmut_plugin.py)
    admin = connect_admin(pg_server)
    admin.run("DROP DATABASE IF EXISTS nflp_template")
    admin.run("CREATE DATABASE nflp_template")
    admin.close()
    db = make_database(parse_database_url(pg_server.url_for("nflp_template")), pooled=False)
    apply_migrations(db)
    db.close()
    return "nflp_template"


_db_counter = itertools.count()


def fresh_database_url(pg_server: EmbeddedPostgres, template: str | None) -> str:
    name = f"nflp_test_{os.getpid()}_{next(_db_counter)}"
    admin = connect_admin(pg_server)
    admin.run(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    admin.close()
    return pg_server.url_for(name)


@pytest.fixture(scope="module")
def database_url(pg_server: EmbeddedPostgres, template_database: str) -> str:
    """A migrated database of this test module's own."""
    return fresh_database_url(pg_server, template_database)


@pytest.fixture
def empty_database_url(pg_server: EmbeddedPostgres) -> str:
    """A database with no migrations applied (for migration-runner tests)."""
    return fresh_database_url(pg_server, None)


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Database]:
    database = make_database(parse_database_url(database_url), pooled=True, pool_size=2)
    yield database
    database.close()


def connect_admin(pg_server: EmbeddedPostgres) -> pg8000.native.Connection:
    return pg8000.native.Connection(**parse_database_url(pg_server.url).connect_kwargs())
