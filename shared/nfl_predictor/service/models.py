"""Fitted model parameters in Postgres: train offline and store; Lambdas only load.

Training also writes one matchup embedding per finished game into ``game_embeddings`` (the HNSW
index behind "similar past games" and the analogs expert).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import orjson

from nfl_predictor.db import Database
from nfl_predictor.engine import ModelParams, fit, historical_embeddings
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
    db: Database, *, through: tuple[int, int] | None = None, activate: bool = True
) -> TrainingReport:
    started = time.perf_counter()
    games = league.all_games(db)
    stats = league.team_stats(db)
    # Player rows of the last seasons calibrate the player-yard categories' confidences.
    last = max((int(g["season"]) for g in games), default=0)
    players = league.player_stats(db, since_season=last - 3)
    params = fit(games, stats, players or None, through=through)
    rows, matrix = historical_embeddings(games, stats)
    with db.transaction() as tx:
        if activate:
            tx.run("UPDATE model_params SET is_active = false WHERE is_active")
        tx.run(
            "INSERT INTO model_params (model_version, trained_through_season, trained_through_week, params, "
            "is_active) VALUES (:v, :s, :w, CAST(:p AS jsonb), :a) ON CONFLICT (model_version) DO UPDATE "
            "SET params = EXCLUDED.params, is_active = EXCLUDED.is_active, created_at = now()",
            v=params.model_version, s=params.trained_through[0] if params.trained_through else None,
            w=params.trained_through[1] if params.trained_through else None,
            p=orjson.dumps(params.to_dict(), option=orjson.OPT_SERIALIZE_NUMPY).decode(), a=activate,
        )  # fmt: skip
        tx.run_many(
            "INSERT INTO game_embeddings (game_id, season, model_version, embedding) VALUES (:g, :s, :v, :e) "
            "ON CONFLICT (game_id) DO UPDATE SET embedding = EXCLUDED.embedding, "
            "model_version = EXCLUDED.model_version, created_at = now()",
            [{"g": r["game_id"], "s": r["season"], "v": params.model_version, "e": matrix[i]}
             for i, r in enumerate(rows)],
        )  # fmt: skip
    return TrainingReport(
        params.model_version, params.games_trained, len(rows), time.perf_counter() - started
    )


def active_version(db: Database) -> str | None:
    version = db.scalar("SELECT model_version FROM model_params WHERE is_active")
    return None if version is None else str(version)


def load_params(db: Database, version: str | None = None) -> ModelParams:
    if version is None:
        row = db.fetch_one("SELECT params::text FROM model_params WHERE is_active")
    else:
        row = db.fetch_one("SELECT params::text FROM model_params WHERE model_version = :v", v=version)
    if row is None:
        raise NoModelError("no trained model in the database; run `nfl-predictor train`")
    return ModelParams.from_dict(orjson.loads(row[0]))


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

    def loaded_version(self) -> str | None:
        """The model version when it is loaded and due no re-check: answers without any I/O."""
        params = self._params
        if params is not None and time.monotonic() - self._checked_at < self.recheck_s:
            return params.model_version
        return None
