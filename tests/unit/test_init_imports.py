"""What the predict function imports before its first request (its init): FastAPI, the app, the cache
client; not what only a miss, the docs or another function needs (each a measured slice of the cold
start, see benchmarks/bench_cold_start.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOT_AT_INIT = [
    "numpy",  # the engine: a miss computes, a hit never does
    "nfl_predictor.engine",
    "pg8000",  # the database: a cached hit with a known key never opens a connection
    "xxhash",  # ETags are computed when an entry is built (a miss)
    "zstandard",
    "nfl_predictor.api.schemas",  # response models: only the OpenAPI document reads them
    "aws_xray_sdk",
    "nfl_predictor_dev",
    # Loaded eagerly by libraries, used by no handler: deferred (config.lazy_modules)
    "redis.asyncio.client",  # redis-py's asyncio client (its package is bound, not run)
    "jmespath",  # Powertools' JMESPath utilities
    # Routes no cached hit uses: declared on the first request that reaches them (api.app.DeferredRoutes)
    *(
        f"nfl_predictor.api.routes.{name}"
        for name in ("games", "search", "experts", "performance", "monitoring", "admin", "docs")
    ),
]
AT_INIT = ["fastapi", "mangum", "redis", "nfl_predictor.api.app"]


def test_the_predict_handler_imports_only_what_a_cached_hit_needs() -> None:
    code = (
        "import json, sys; sys.path.insert(0, 'functions/predict'); import app; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert [m for m in NOT_AT_INIT if m in loaded] == []
    assert [m for m in AT_INIT if m not in loaded] == []


def test_what_the_handler_defers_is_the_real_module_when_something_uses_it() -> None:
    code = (
        "import sys; sys.path.insert(0, 'functions/predict'); import app; "
        "import redis.asyncio, aws_lambda_powertools.utilities.jmespath_utils as j; "
        "from redis.asyncio import Redis; "
        "print(Redis.__module__, j.query(data={'a': {'b': 7}}, envelope='a.b'))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["redis.asyncio.client", "7"]
