"""A game-day traffic mix against the API, authenticated with one key.

Per user: single games (most traffic), field-selected views of a game, whole weeks, semantic search
and the expert leaderboard, with 0.5-1.5 s think time between requests (so 100 users is ~100 req/s).
Requests are grouped by route, not by URL, so the statistics are per endpoint.

Run it through ``nfl-predictor loadtest`` (starts the server, warms the cache, step load, per-step
report), or by hand against a running server:

    NFLP_API_KEY=... locust -f loadtests/locustfile.py --host http://127.0.0.1:8000 --headless -u 50 -r 10 -t 60s

``NFLP_LOADTEST_GAMES`` (comma-separated game ids) and ``NFLP_LOADTEST_WEEKS`` (``season:week,...``)
choose what is requested; without them the upcoming week is discovered from ``/v1/games``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from urllib.parse import urlencode

import recorder  # noqa: F401  (records every request for the per-step summary)
from locust import FastHttpUser, between, events, task
from nfl_predictor_dev.bench.mix import SEARCHES, VIEWS

API_KEY = os.environ.get("NFLP_API_KEY", "")
TARGETS: dict[str, list] = {"games": [], "weeks": []}


def _from_env() -> bool:
    games = [g for g in os.environ.get("NFLP_LOADTEST_GAMES", "").split(",") if g]
    weeks = [
        tuple(int(x) for x in w.split(":")) for w in os.environ.get("NFLP_LOADTEST_WEEKS", "").split(",") if w
    ]
    TARGETS["games"], TARGETS["weeks"] = games, weeks
    return bool(games and weeks)


def _discover(user: FastHttpUser) -> None:
    """The nearest season with unplayed games: its first unplayed week (404: no such season, not a failure)."""
    for season in range(dt.date.today().year + 1, dt.date.today().year - 3, -1):
        if TARGETS["games"]:
            return  # another user found them meanwhile
        with user.client.get(f"/v1/games?season={season}", name="/v1/games (discovery)",
                             catch_response=True) as response:  # fmt: skip
            if response.status_code != 200:
                response.success()
                continue
            upcoming = [g for g in response.json().get("games", []) if g.get("home_score") is None]
        if upcoming:
            week = min(g["week"] for g in upcoming)
            TARGETS["games"] = [g["game_id"] for g in upcoming if g["week"] == week]
            TARGETS["weeks"] = [(season, week)]
            return
    raise RuntimeError("no upcoming games found; set NFLP_LOADTEST_GAMES and NFLP_LOADTEST_WEEKS")


@events.test_start.add_listener
def _check_key(**_kwargs: object) -> None:
    if not API_KEY:
        raise RuntimeError("set NFLP_API_KEY (e.g. the key `nfl-predictor serve` prints)")
    _from_env()


class ApiUser(FastHttpUser):
    wait_time = between(0.5, 1.5)
    default_headers = {"x-api-key": API_KEY, "accept-encoding": "gzip"}  # noqa: RUF012 (locust's own attribute)

    def on_start(self) -> None:
        if not TARGETS["games"]:
            _discover(self)

    @task(10)
    def game(self) -> None:
        game = random.choice(TARGETS["games"])
        self.client.get(f"/v1/games/{game}/predictions", name="/v1/games/[id]/predictions")

    @task(4)
    def game_view(self) -> None:
        game = random.choice(TARGETS["games"])
        self.client.get(f"/v1/games/{game}/predictions?{random.choice(VIEWS)}",
                        name="/v1/games/[id]/predictions?view")  # fmt: skip

    @task(2)
    def week(self) -> None:
        season, week = random.choice(TARGETS["weeks"])
        self.client.get(f"/v1/predictions?season={season}&week={week}", name="/v1/predictions (week)")

    @task(2)
    def search(self) -> None:
        self.client.get("/v1/search?" + urlencode({"q": random.choice(SEARCHES)}), name="/v1/search")

    @task(1)
    def leaderboard(self) -> None:
        self.client.get("/v1/experts/leaderboard", name="/v1/experts/leaderboard")
