"""Clients without a valid key, and hostile input, cost a bounded amount (issue 15, items 6 and 7).

Before: 3,000 made-up keys cost exactly 3,000 database queries on the pool real traffic uses, and
5,000 requests with distinct 2 KB method names grew /v1/performance from 8 KB to 10 MB. Now unknown
keys pass an in-process limiter (per address and overall) and a negative cache before any query,
and metrics labels come from a fixed set.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest

from tests.integration.api.conftest import ApiStack, http_api_event

pytestmark = pytest.mark.usefixtures("fresh_caches")


def event_from(address: str, key: str, path: str = "/v1/games", method: str = "GET") -> dict[str, Any]:
    event = http_api_event(method, path, {"season": 2025}, {"x-api-key": key})
    event["requestContext"]["http"]["sourceIp"] = address
    return event


def test_made_up_key_flood_costs_a_bounded_number_of_queries(api_stack: ApiStack) -> None:
    runtime = api_stack.runtime
    assert api_stack.invoke(event_from("10.0.0.1", api_stack.keys["pro"]))["statusCode"] == 200
    per_second, burst = 100.0, 200  # PREAUTH_LIMIT_GLOBAL's default
    before = runtime.db.stats.queries
    started = time.perf_counter()
    statuses: dict[int, int] = {}
    for i in range(3000):  # 300 addresses, 10 made-up keys each
        response = api_stack.invoke(event_from(f"10.1.{i % 300 // 250}.{i % 250}", f"made-up-{i:05d}"))
        statuses[response["statusCode"]] = statuses.get(response["statusCode"], 0) + 1
    elapsed = time.perf_counter() - started
    queries = runtime.db.stats.queries - before
    print(f"\nmade-up-key flood: 3000 requests in {elapsed:.2f} s ({3000 / elapsed:.0f} req/s), "
          f"{queries} database queries ({queries / elapsed:.1f}/s), statuses {statuses}")  # fmt: skip
    assert set(statuses) <= {401, 429}
    assert queries <= burst + per_second * elapsed + 5

    # One address alone gets its own share (PREAUTH_LIMIT_PER_CLIENT 20:40), however many keys it tries.
    time.sleep(2.5)  # let the global bucket refill a little
    before = runtime.db.stats.queries
    started = time.perf_counter()
    lone = [api_stack.invoke(event_from("10.9.9.9", f"lone-{i}"))["statusCode"] for i in range(300)]
    elapsed = time.perf_counter() - started
    assert runtime.db.stats.queries - before <= 40 + 20 * elapsed + 2
    assert lone.count(429) > 0

    # A rejected key is remembered: retrying it costs nothing, even past the limiter.
    before = runtime.db.stats.queries
    for _ in range(50):
        assert api_stack.invoke(event_from("10.9.9.8", "made-up-00001"))["statusCode"] in (401, 429)
    assert runtime.db.stats.queries - before <= 1
    # Real callers are unaffected: their key is known to the process.
    assert api_stack.invoke(event_from("10.0.0.1", api_stack.keys["pro"]))["statusCode"] == 200


def test_every_keyed_response_carries_ratelimit_headers(api_stack: ApiStack) -> None:
    response = api_stack.invoke(event_from("10.0.0.2", api_stack.keys["free"]))
    assert response["statusCode"] == 200
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert headers["ratelimit-limit"] == "30"  # free=1:30
    assert 0 <= int(headers["ratelimit-remaining"]) < 30
    assert int(headers["ratelimit-reset"]) >= 1
    for _ in range(40):
        last = api_stack.invoke(event_from("10.0.0.2", api_stack.keys["free"]))
        if last["statusCode"] == 429:
            break
    assert last["statusCode"] == 429
    headers = {k.lower(): v for k, v in last["headers"].items()}
    assert headers["ratelimit-remaining"] == "0" and int(headers["retry-after"]) >= 1
    assert orjson.loads(last["body"])["error"]["code"] == "rate_limited"


def test_hostile_methods_and_paths_leave_metrics_and_snapshots_flat(api_stack: ApiStack) -> None:
    from nfl_predictor.api.routes.performance import performance_snapshot

    runtime = api_stack.runtime
    key = {"x-api-key": api_stack.keys["admin"]}
    assert api_stack.invoke(http_api_event("GET", "/v1/games", {"season": 2025}, key))["statusCode"] == 200

    def sizes() -> tuple[int, int]:
        performance = len(orjson.dumps(performance_snapshot(runtime)))
        snapshot = runtime.monitor.take(performance_snapshot(runtime), runtime)
        return performance, len(orjson.dumps(snapshot))

    before = sizes()
    for i in range(5000):  # keyless: distinct 2 KB methods, then distinct 2 KB paths
        if i % 2:
            event = http_api_event("GET", "/v1/games", None, {})
            event["requestContext"]["http"]["method"] = f"M{i:05d}" + "X" * 2000
        else:
            event = http_api_event("GET", f"/v1/{i:05d}" + "p" * 2000, None, {})
        assert api_stack.invoke(event)["statusCode"] in (400, 401, 404, 405, 414)
    after = sizes()
    history = api_stack.invoke(http_api_event("GET", "/v1/performance/history", {"limit": 2000, "detail": "full"},
                                              key))  # fmt: skip
    labels = list(runtime.performance.summary())
    print(f"\nhostile labels: /v1/performance {before[0]} -> {after[0]} bytes; snapshot {before[1]} -> "
          f"{after[1]} bytes; history response {len(history['body'])} bytes; labels {labels}")  # fmt: skip
    assert after[0] <= before[0] + 2048 and after[1] <= before[1] + 4096
    assert len(labels) <= 8 and all(len(label) < 120 for label in labels)
