"""API category, in process: the predict Lambda handler called with API Gateway events (what the
benchmark Lambda runs; the local harness adds the server's throughput and the cold start).

Cached: a game and a week served from L1, beside a bare FastAPI + Mangum ``{"ok": true}`` route.
Uncached: every tier misses for real (L1, Redis, stored predictions) because each measured call asks
under a model version of its own (``bench-<run>-<n>``, same parameters): the full read path runs,
computes, writes through, and nothing anyone else cached or stored is touched. The rows written
under those versions are deleted at the end. Reference: the engine alone predicting the same games.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import secrets
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from nfl_predictor.benchmarking.context import BenchContext, profile_calls
from nfl_predictor.benchmarking.result import Measurement, Reference
from nfl_predictor.benchmarking.stats import from_ns
from nfl_predictor.benchmarking.timing import per_round_percentile, pooled, sample_interleaved
from nfl_predictor.db.queries import predictions as prediction_queries

# The same-run reference for the API: the smallest FastAPI + Mangum app, one route returning a dict.
BARE_APP = """
from fastapi import FastAPI
from mangum import Mangum
app = FastAPI()
@app.get("/ok")
async def ok():  # async: no threadpool hop, the strictest bare FastAPI route
    return {"ok": True}
handler = Mangum(app, lifespan="off")
"""
TARGET_CACHED_MS = 1.5
TARGET_UNCACHED_GAME_P95_MS = 60.0
TARGET_UNCACHED_WEEK_MS = 150.0  # issue 14


def bare_handler() -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    namespace: dict[str, Any] = {}
    exec(compile(BARE_APP, "bare_app", "exec"), namespace)  # our own constant source, not input
    handler: Callable[[dict[str, Any], Any], dict[str, Any]] = namespace["handler"]
    return handler


def http_event(path: str, headers: dict[str, str], query: str = "") -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) GET event."""
    return {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query, "cookies": [],
        "headers": headers, "queryStringParameters": None, "pathParameters": None, "body": None,
        "isBase64Encoded": False, "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012", "apiId": "bench", "domainName": "bench.local", "domainPrefix": "bench",
            "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                     "userAgent": "nflp-bench"},
            "requestId": "bench", "routeKey": "$default", "stage": "$default", "time": "01/Jan/2025:00:00:00 +0000",
            "timeEpoch": 1735689600000,
        },
    }  # fmt: skip


class Context:
    function_name, memory_limit_in_mb, aws_request_id = "bench", 1024, "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 15_000


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """The predict handler prints one EMF metrics line per call; a benchmark's calls must not become
    the predict function's metrics (nor flood the log)."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


class FreshVersion:
    """Stands in for the ParamsProvider: the active parameters under a new model version per call."""

    def __init__(self, inner: Any, prefix: str) -> None:
        self.inner, self.prefix, self.count = inner, prefix, 0
        self._params: Any = None

    def next(self) -> None:
        self.count += 1
        self._params = dataclasses.replace(self.inner.get(), model_version=f"{self.prefix}-{self.count}")

    def get(self) -> Any:
        return self._params

    def loaded_version(self) -> str | None:
        return None if self._params is None else str(self._params.model_version)


@contextlib.contextmanager
def every_tier_misses(ctx: BenchContext) -> Iterator[FreshVersion]:
    assert ctx.api is not None and ctx.stack is not None
    service = ctx.api.runtime.predictions
    original = service.params
    fresh = FreshVersion(original, f"bench-{secrets.token_hex(4)}")
    service.params = fresh
    try:
        yield fresh
    finally:
        service.params = original
        prediction_queries.delete_model_versions(ctx.stack.db, fresh.prefix)


def _handler_call(ctx: BenchContext, event: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    assert ctx.api is not None
    handler, context = ctx.api.handler, Context()
    return lambda: handler(event, context)


def cached(
    ctx: BenchContext, name: str, title: str, event: dict[str, Any], *, relative: bool = True
) -> Measurement:
    """``relative``: also held to 2x the bare route (the issue's target for a cached game). A cached
    week is ~16x the bytes (base64 through Mangum grows with them): held to the absolute bound only."""
    assert ctx.stack is not None
    project = _handler_call(ctx, event)
    bare, bare_event, context = bare_handler(), http_event("/ok", {}), Context()
    ctx.progress.begin(name)
    with quiet_stdout():
        first = project()
        assert first["statusCode"] == 200, first
        rounds = sample_interleaved({"project": project, "bare": lambda: bare(bare_event, context)},
                                    *ctx.pick((15, 300), (5, 100), (3, 30)), warmup=ctx.pick(200, 200, 20),
                                    on_round=ctx.progress.rounds)  # fmt: skip
        headers = project()["headers"]
        tier, count = headers["x-cache"], int(headers.get("x-prediction-count", 0))
        peak, queries = profile_calls(project, ctx.stack.db, calls=20)
    ctx.progress.end()
    project_ms = per_round_percentile(rounds["project"], 50) / 1000
    bare_ms = per_round_percentile(rounds["bare"], 50) / 1000
    return Measurement(
        name, f"{title} via Lambda handler (x-cache {tier})", "ms", from_ns(pooled(rounds["project"]), "ms"),
        Reference("bare route", from_ns(pooled(rounds["bare"]), "ms")),
        project_figure=round(project_ms, 4), reference_figure=round(bare_ms, 4),
        target=f"<= {TARGET_CACHED_MS:g} ms" + (" and <= 2x bare" if relative else ""),
        ok=project_ms <= TARGET_CACHED_MS and (not relative or project_ms <= 2 * bare_ms),
        peak_memory_bytes=peak, queries_per_call=queries, details={"x_cache": tier, "prediction_count": count},
    )  # fmt: skip


def _engine_reference(ctx: BenchContext, game_lists: list[list[dict[str, Any]]]) -> Callable[[], object]:
    """The engine alone predicting the same games (inputs read once, up front)."""
    from nfl_predictor.engine import predict_week
    from nfl_predictor.service import league

    assert ctx.api is not None and ctx.stack is not None
    params = ctx.api.runtime.params.get()
    prepared = []
    for games in game_lists:
        teams = sorted({g[side] for g in games for side in ("home_team", "away_team")})
        season, week = min((int(g["season"]), int(g["week"])) for g in games)
        prepared.append((games, league.recent_player_stats(ctx.stack.db, teams, season, week)))
    state = {"i": 0}

    def reference() -> object:
        games, stats = prepared[state["i"] % len(prepared)]
        state["i"] += 1
        return predict_week(params, games, player_stats=stats)

    return reference


def _uncached_samples(ctx: BenchContext, fresh: FreshVersion, events: list[dict[str, Any]],
                      reference: Callable[[], object]) -> tuple[list[int], list[int], int]:  # fmt: skip
    assert ctx.api is not None
    handler, context = ctx.api.handler, Context()
    project: list[int] = []
    ref: list[int] = []
    counts = []
    for i, event in enumerate(events):
        fresh.next()
        started = time.perf_counter_ns()
        response = handler(event, context)
        project.append(time.perf_counter_ns() - started)
        assert response["statusCode"] == 200 and response["headers"]["x-cache"] == "miss", response["headers"]
        counts.append(int(response["headers"].get("x-prediction-count", 0)))
        started = time.perf_counter_ns()
        reference()
        ref.append(time.perf_counter_ns() - started)
        ctx.progress.update(f"call {i + 1}/{len(events)}")
    return project, ref, round(statistics.mean(counts))


def uncached(ctx: BenchContext) -> list[Measurement]:
    from nfl_predictor.service import league

    assert ctx.api is not None and ctx.stack is not None
    headers = {"x-api-key": ctx.stack.key, "accept-encoding": "gzip"}
    db = ctx.stack.db
    games = ctx.stack.upcoming_games()[: ctx.pick(60, 24, 6)]
    weeks = ctx.stack.upcoming_weeks()[: ctx.pick(6, 3, 1)]
    game_events = [http_event(f"/v1/games/{g}/predictions", headers) for g in games]
    week_events = [http_event("/v1/predictions", headers, f"season={s}&week={w}") for s, w in weeks]
    out = []
    with quiet_stdout(), every_tier_misses(ctx) as fresh:
        fresh.next()
        _handler_call(ctx, game_events[-1])()  # imports done, parameters loaded, connections open
        for name, events, lists, target in (
            ("api.uncached_game", game_events, [[league.get_game(db, g)] for g in games], "p95"),
            ("api.uncached_week", week_events, [league.week_games(db, s, w) for s, w in weeks], "max"),
        ):
            ctx.progress.begin(name)
            reference = _engine_reference(ctx, lists)  # type: ignore[arg-type]
            project, ref, count = _uncached_samples(ctx, fresh, events, reference)

            def one_more(events: list[dict[str, Any]] = events) -> None:
                fresh.next()
                _handler_call(ctx, events[0])()

            peak, queries = profile_calls(one_more, db, calls=1)
            ctx.progress.end()
            out.append(_uncached_measurement(name, project, ref, target, peak, queries))
            out[-1].details["prediction_count"] = count
    return out


def _uncached_measurement(name: str, project: list[int], ref: list[int], figure: str, peak: int,
                          queries: float | None) -> Measurement:  # fmt: skip
    week = name.endswith("week")
    limit = TARGET_UNCACHED_WEEK_MS if week else TARGET_UNCACHED_GAME_P95_MS
    m = Measurement(
        name, "uncached week via handler (all tiers miss)" if week else "uncached game via handler (all tiers miss)",
        "ms", from_ns(project, "ms"), Reference("engine alone", from_ns(ref, "ms")), figure=figure,
        target=f"{figure} <= {limit:g} ms", peak_memory_bytes=peak, queries_per_call=queries,
        details={"median_ms": round(statistics.median(project) / 1e6, 3)},
    )  # fmt: skip
    m.ok = m.value <= limit
    return m


def run(ctx: BenchContext) -> list[Measurement]:
    if ctx.api is None or ctx.stack is None:
        raise ValueError("the api category needs the API bindings and a stack")
    headers = {"x-api-key": ctx.stack.key, "accept-encoding": "gzip"}
    game = ctx.stack.upcoming_games()[0]
    season, week = ctx.stack.upcoming_weeks()[0]
    results = [
        cached(ctx, "api.cached_game", "cached game", http_event(f"/v1/games/{game}/predictions", headers)),
        cached(ctx, "api.cached_week", "cached week",
               http_event("/v1/predictions", headers, f"season={season}&week={week}"), relative=False),
    ]  # fmt: skip
    results.extend(uncached(ctx))
    return results
