"""Step load: ``NFLP_STEP_USERS`` more users every ``NFLP_STEP_SECONDS`` up to ``NFLP_MAX_USERS``, then stop.

Include it beside a locustfile (``locust -f loadtests/locustfile.py,loadtests/shapes.py``) to run a
bounded step test; without it, locust's --users/--run-time apply as usual.
"""

from __future__ import annotations

import math
import os

from locust import LoadTestShape


class StepLoadShape(LoadTestShape):
    step_users = int(os.environ.get("NFLP_STEP_USERS", "25"))
    step_seconds = float(os.environ.get("NFLP_STEP_SECONDS", "20"))
    max_users = int(os.environ.get("NFLP_MAX_USERS", "150"))

    @property
    def steps(self) -> int:
        return math.ceil(self.max_users / self.step_users)

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        if elapsed >= self.steps * self.step_seconds:
            return None  # bounded: the test ends after the last step
        step = int(elapsed // self.step_seconds) + 1
        # Each step's users arrive within about a second.
        return min(self.max_users, step * self.step_users), float(self.step_users)
