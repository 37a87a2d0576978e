"""Fitted model parameters in Postgres: train offline and store; Lambdas only load.

Training also writes one matchup embedding per finished game into ``game_embeddings`` (the HNSW
index behind "similar past games" and the analogs expert).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import orjson

from nfl_predictor.db import Database
from nfl_predictor.db.queries import model_params as params_queries
from nfl_predictor.db.queries.vectors import store_game_embeddings
from nfl_predictor.engine import ModelParams, fit, historical_embeddings
from nfl_predictor.records import untyped
from nfl_predictor.service import league

# How often a warm Lambda checks whether a newer model was activated (one indexed row read).
PARAMS_RECHECK_S = 300.0


class NoModelError(LookupError):
    """No trained model in the database (run `nfl-predictor train` or `serve`, which trains one)."""


@dataclass(frozen=True, slots=True)
class TrainingReport:
    model_version: str
    games_trained: int
    embeddings: int
    seconds: float


def train_and_store(
    db: Database, *, through: tuple[int, int] | None = None, activate: bool = True,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> TrainingReport:  # fmt: skip
    """``on_progress(done, total, label)`` between the steps (read, fit, embed, store)."""
    report = on_progress or (lambda _done, _total, _label: None)
    started = time.perf_counter()
    report(0, 4, "reading games")
    games = league.all_games(db)
    stats = league.team_stats(db)
    report(1, 4, f"fitting on {len(games)} games")
    # Player rows of the last seasons calibrate the player-yard categories' confidences.
    last = max((int(g["season"]) for g in games), default=0)
    players = league.player_stats(db, since_season=last - 3)
    params = fit(untyped(games), untyped(stats), players or None, through=through)
    report(2, 4, "matchup embeddings")
    rows, matrix = historical_embeddings(untyped(games), untyped(stats))
    report(3, 4, "storing")
    with db.transaction() as tx:
        params_queries.store_params(
            tx, model_version=params.model_version, trained_through=params.trained_through,
            params_json=orjson.dumps(params.to_dict(), option=orjson.OPT_SERIALIZE_NUMPY).decode(), activate=activate,
        )  # fmt: skip
        store_game_embeddings(tx, [(r["game_id"], r["season"], matrix[i]) for i, r in enumerate(rows)],
                              params.model_version)  # fmt: skip
    report(4, 4, "done")
    return TrainingReport(
        params.model_version, params.games_trained, len(rows), time.perf_counter() - started
    )


def active_version(db: Database) -> str | None:
    return params_queries.active_version(db)


def load_params(db: Database, version: str | None = None) -> ModelParams:
    text = params_queries.params_json(db, version)
    if text is None:
        raise NoModelError("no trained model in the database; run `nfl-predictor train`")
    return ModelParams.from_dict(orjson.loads(text))


class ParamsSource(Protocol):
    """Where the prediction service gets its model parameters (the benchmark suite substitutes one)."""

    def get(self) -> ModelParams: ...

    def loaded_version(self) -> str | None: ...


class ParamsProvider:
    """The active ModelParams, loaded once per process and re-checked every few minutes."""

    def __init__(self, db: Database, recheck_s: float = PARAMS_RECHECK_S) -> None:
        self.db = db
        self.recheck_s = recheck_s
        self._params: ModelParams | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> ModelParams:
        params = self._params
        if params is not None and time.monotonic() - self._checked_at < self.recheck_s:
            return params
        with self._lock:
            if self._params is None or time.monotonic() - self._checked_at >= self.recheck_s:
                version = active_version(self.db)
                if self._params is None or version != self._params.model_version:
                    self._params = load_params(self.db, version) if version else load_params(self.db)
                self._checked_at = time.monotonic()
            return self._params

    def recheck(self) -> None:
        """Look for a newer active model on the next ``get`` (after this process trained one)."""
        self._checked_at = 0.0

    def loaded_version(self) -> str | None:
        """The model version when it is loaded and due no re-check: answers without any I/O."""
        params = self._params
        if params is not None and time.monotonic() - self._checked_at < self.recheck_s:
            return params.model_version
        return None
