"""The stack a benchmark runs on, and an API key to call it with.

``LiveStack`` (the benchmark Lambda): the deployed database and cache exactly as configured; it only
adds a short-lived API key, revoked on exit. The local harness's ``BenchStack`` (embedded Postgres,
private redis-server) is the same ``Stack`` over a stack it starts itself.
"""

from __future__ import annotations

from nfl_predictor.db import Database
from nfl_predictor.db.queries import games as game_queries
from nfl_predictor.runtime import Runtime


class Stack:
    key: str = ""
    _key_id: int | None = None
    runtime: Runtime

    @property
    def db(self) -> Database:
        return self.runtime.db

    @property
    def redis_url(self) -> str | None:
        return self.runtime.settings.redis_url

    def upcoming_games(self) -> list[str]:
        return game_queries.unplayed_game_ids(self.db)

    def upcoming_weeks(self) -> list[tuple[int, int]]:
        return game_queries.unplayed_weeks(self.db)

    def _create_key(self) -> None:
        from nfl_predictor.service.accounts import create_api_key

        created = create_api_key(self.db, name="benchmark", tier="enterprise", admin=True)
        self.key, self._key_id = created.key, created.key_id

    def _revoke_key(self) -> None:
        from nfl_predictor.service.accounts import revoke_key

        if self._key_id is not None:
            revoke_key(self.db, self._key_id)
            self._key_id = None


class LiveStack(Stack):
    """The configured database and cache, untouched but for one API key that lives as long as the run."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def __enter__(self) -> LiveStack:
        self._create_key()
        return self

    def __exit__(self, *exc: object) -> None:
        self._revoke_key()
