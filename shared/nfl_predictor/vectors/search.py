"""pgvector searches: how wide to search and in what shape; the SQL is in db/queries/vectors.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np

from nfl_predictor.db import Database
from nfl_predictor.db.queries import vectors as vector_queries
from nfl_predictor.records import AnalogRecord, GameRecord

SOURCES = ("knowledge_base", "expert_research", "news", "predictions")
MAX_K = 100
# pgvector's default hnsw.ef_search (40) caps how many neighbours one index scan can return.
DEFAULT_EF_SEARCH = 40


def _vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{float(v):.7g}" for v in vector) + "]"


def similar_matchups(db: Database, embedding: np.ndarray, k: int, *, exclude_game_id: str | None = None,
                     before: dt.date | None = None) -> list[AnalogRecord]:  # fmt: skip
    """Nearest past games by matchup vector, with their outcomes (HNSW index scan)."""
    # A date filter discards candidates after the scan: ask the index for more of them.
    wide = k * (4 if before else 1) > DEFAULT_EF_SEARCH
    return vector_queries.similar_matchups(db, embedding, k, exclude_game_id=exclude_game_id, before=before,
                                           ef_search=min(1000, k * 4) if wide else None)  # fmt: skip


def analogs_for_games(db: Database, embeddings: np.ndarray, games: Sequence[GameRecord], k: int = 10
                      ) -> dict[str, list[AnalogRecord]]:  # fmt: skip
    """Analogs for many games in one round trip: only games played before each one, never itself."""
    if not len(games):
        return {}
    return vector_queries.analogs_for_games(
        db,
        [g["game_id"] for g in games],
        [_vector_literal(e) for e in embeddings],
        [g["gameday"] for g in games],
        k,
    )


def exact_matchups(db: Database, embedding: np.ndarray, k: int) -> list[tuple[str, float]]:
    """Sequential-scan reference (no index): what the HNSW answer is measured against."""
    return vector_queries.exact_matchups(db, embedding, k)


def search_content(
    db: Database, query: np.ndarray, *, source: str, k: int, threshold: float
) -> list[dict[str, Any]]:
    return vector_queries.search_content(db, query, source=source, match_threshold=threshold,
                                         match_count=max(1, min(k, MAX_K)))  # fmt: skip
