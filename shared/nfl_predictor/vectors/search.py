"""pgvector searches through the SQL functions of migration 005; every value is a bound parameter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np

from nfl_predictor.db import Database

SOURCES = ("knowledge_base", "expert_research", "news", "predictions")
MAX_K = 100
# pgvector's default hnsw.ef_search (40) caps how many neighbours one index scan can return.
DEFAULT_EF_SEARCH = 40


def _vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{float(v):.7g}" for v in vector) + "]"


def similar_matchups(db: Database, embedding: np.ndarray, k: int, *, exclude_game_id: str | None = None,
                     before: dt.date | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Nearest past games by matchup vector, with their outcomes (HNSW index scan)."""
    sql = "SELECT * FROM search_similar_matchups(:q, :k, :x, :b)"
    params = {"q": embedding, "k": k, "x": exclude_game_id, "b": before}
    if k * (4 if before else 1) <= DEFAULT_EF_SEARCH:
        return db.fetch_dicts(sql, **params)
    with db.transaction() as tx:  # SET LOCAL: scoped to this transaction, never pins an RDS Proxy session
        tx.run(f"SET LOCAL hnsw.ef_search = {min(1000, k * 4)}")
        rows = tx.run(sql, **params)
        names = [c["name"] for c in tx.conn.columns]
    return [dict(zip(names, row, strict=True)) for row in rows]


def analogs_for_games(db: Database, embeddings: np.ndarray, games: Sequence[dict[str, Any]], k: int = 10
                      ) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
    """Analogs for many games in one round trip: only games played before each one, never itself."""
    if not len(games):
        return {}
    rows = db.fetch_dicts(
        "SELECT q.game_id AS query_game, m.* FROM unnest(CAST(:ids AS text[]), CAST(:vecs AS vector[]), "
        "CAST(:days AS date[])) AS q(game_id, v, gameday) "
        "CROSS JOIN LATERAL search_similar_matchups(q.v, :k, q.game_id, q.gameday) m",
        ids=[g["game_id"] for g in games], vecs=[_vector_literal(e) for e in embeddings],
        days=[g["gameday"] for g in games], k=k,
    )  # fmt: skip
    out: dict[str, list[dict[str, Any]]] = {g["game_id"]: [] for g in games}
    for row in rows:
        out[row.pop("query_game")].append(row)
    return out


def exact_matchups(db: Database, embedding: np.ndarray, k: int) -> list[tuple[str, float]]:
    """Sequential-scan reference (no index): what the HNSW answer is measured against."""
    with db.transaction() as tx:
        tx.run("SET LOCAL enable_indexscan = off")
        rows = tx.run("SELECT game_id, 1 - (embedding <=> :q) FROM game_embeddings ORDER BY embedding <=> :q "
                      "LIMIT :k", q=embedding, k=k)  # fmt: skip
    return [(str(g), float(s)) for g, s in rows]


def search_content(
    db: Database, query: np.ndarray, *, source: str, k: int, threshold: float
) -> list[dict[str, Any]]:
    k = max(1, min(k, MAX_K))
    if source == "all":
        return db.fetch_dicts("SELECT * FROM search_all_content(:q, :t, :k)", q=query, t=threshold, k=k)
    function = {"knowledge_base": "search_knowledge_base", "expert_research": "search_expert_research",
                "predictions": "search_prediction_analysis"}.get(source)  # fmt: skip
    if function is None:  # news has no function of its own: the all-content search restricted to it
        return db.fetch_dicts(
            "SELECT * FROM search_all_content(:q, :t, :k, ARRAY['news'])", q=query, t=threshold, k=k
        )
    return db.fetch_dicts(f"SELECT * FROM {function}(:q, :t, :k)", q=query, t=threshold, k=k)
