"""The same-run reference for a load test: one user class that only calls the bare ``/ok`` route
(served by the smallest FastAPI app under the same uvicorn settings), with the same think time."""

from __future__ import annotations

import recorder  # noqa: F401  (records every request for the per-step summary)
from locust import FastHttpUser, between, task


class BareRouteUser(FastHttpUser):
    wait_time = between(0.5, 1.5)

    @task
    def ok(self) -> None:
        self.client.get("/ok", name="/ok")
