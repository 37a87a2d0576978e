"""The app's one middleware: every request's way through the process before and after its route.

In order: the request's database deadline (``REQUEST_DEADLINE``, enforced by ``run_blocking``); the
request-line limits (414, or 422 for a numeric parameter that is not ASCII digits); on ``/v1`` the
API-key check (``security.authorise``: 401/403/429 before any route runs) and its ``RateLimit-*``
headers on the response; the route's latency for ``/v1/performance``, key check included; and,
after the response, a monitoring snapshot when one is due.

One pure-ASGI layer instead of three (key check, timing, snapshots): each layer added an awaited
call and a ``send`` wrapper per request, ~10 us of a cached game's ~70 us in the app.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.concurrency import run_in_threadpool

from nfl_predictor.api.errors import REQUEST_DEADLINE, ApiError, DbDeadline, error_response
from nfl_predictor.api.security import authorise, client_address, protected, refuse_shape
from nfl_predictor.runtime import Runtime


class RequestPipeline:
    def __init__(self, app: Any, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        runtime = self.runtime
        started = time.perf_counter()
        status = 500
        extra: list[tuple[bytes, bytes]] = []

        async def sending(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if extra:
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        deadline = runtime.settings.api_db_deadline_s
        token = REQUEST_DEADLINE.set(DbDeadline(time.monotonic() + deadline, deadline, runtime.db_breaker,
                                                runtime.db_stuck_for))  # fmt: skip
        try:
            await self._serve(scope, receive, sending, extra)
        finally:
            REQUEST_DEADLINE.reset(token)
            route = scope.get("route")
            runtime.performance.record(f"{scope['method']} {getattr(route, 'path', 'unmatched')}",
                                       time.perf_counter() - started, status)  # fmt: skip
        # After the timing: a snapshot is not counted as this request's time.
        await snapshot_if_due(runtime)

    async def _serve(
        self, scope: dict[str, Any], receive: Any, send: Any, extra: list[tuple[bytes, bytes]]
    ) -> None:
        refused = refuse_shape(scope)
        if refused is not None:
            await refused(scope, receive, send)
            return
        if protected(scope["path"]):
            try:
                principal, limits = await authorise(self.runtime, scope["headers"], scope["path"],
                                                    client_address(scope))  # fmt: skip
            except ApiError as exc:
                await error_response(exc.status, exc.code, exc.message, exc.field, exc.headers)(
                    scope, receive, send
                )
                return
            scope.setdefault("state", {})["principal"] = principal
            extra.extend((name.lower().encode(), value.encode()) for name, value in limits.items())
        await self.app(scope, receive, send)


async def snapshot_if_due(runtime: Runtime) -> None:
    """After a response: one clock read; when a snapshot is due (MONITOR_SNAPSHOT_SECONDS; 0 is off,
    the default), it is taken in a worker thread (the event loop never waits on the database). Under
    Mangum the invocation ends only after it, so in Lambda the interval is long (the template's 300 s)
    and it costs one request a few ms."""
    if runtime.settings.monitor_snapshot_s > 0 and runtime.monitor.due():
        from nfl_predictor.api.routes.performance import performance_snapshot

        await run_in_threadpool(runtime.monitor.take_quietly, lambda: performance_snapshot(runtime), runtime)
