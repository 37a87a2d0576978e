"""pgvector: matchup embeddings of past games and the search functions of migration 005.

Every value is a bound parameter; the only interpolated text is a function name from the fixed map
below and an ``ef_search`` integer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from nfl_predictor.db.database import Database, Transaction
from nfl_predictor.records import AnalogRecord

_SIMILAR = "SELECT * FROM search_similar_matchups(:query_embedding, :match_count, :exclude_game_id, :before)"


def similar_matchups(db: Database, embedding: Any, match_count: int, *, exclude_game_id: str | None = None,
                     before: dt.date | None = None, ef_search: int | None = None) -> list[AnalogRecord]:  # fmt: skip
    """Nearest past games by matchup vector, with their outcomes (HNSW index scan). ``ef_search``: a
    wider candidate list for this query only (SET LOCAL, so it never pins an RDS Proxy session)."""
    params = {"query_embedding": embedding, "match_count": match_count, "exclude_game_id": exclude_game_id,
              "before": before}  # fmt: skip
    if ef_search is None:
        return cast(list[AnalogRecord], db.fetch_dicts(_SIMILAR, **params))
    with db.transaction() as tx:
        tx.run(f"SET LOCAL hnsw.ef_search = {int(ef_search)}")
        rows = tx.run(_SIMILAR, **params)
        names = [c["name"] for c in tx.conn.columns]
    return [cast(AnalogRecord, dict(zip(names, row, strict=True))) for row in rows]


def analogs_for_games(db: Database, game_ids: Sequence[str], embeddings: Sequence[str],
                      gamedays: Sequence[dt.date], match_count: int) -> dict[str, list[AnalogRecord]]:  # fmt: skip
    """Each game's nearest earlier games in one round trip (``embeddings`` as pgvector literals)."""
    rows = db.fetch_dicts(
        "SELECT q.game_id AS query_game, m.* FROM unnest(CAST(:game_ids AS text[]), "
        "CAST(:embeddings AS vector[]), CAST(:gamedays AS date[])) AS q(game_id, v, gameday) "
        "CROSS JOIN LATERAL search_similar_matchups(q.v, :match_count, q.game_id, q.gameday) m",
        game_ids=list(game_ids), embeddings=list(embeddings), gamedays=list(gamedays), match_count=match_count,
    )  # fmt: skip
    out: dict[str, list[AnalogRecord]] = {game_id: [] for game_id in game_ids}
    for row in rows:
        out[row.pop("query_game")].append(cast(AnalogRecord, row))
    return out


def exact_matchups(db: Database, embedding: Any, match_count: int) -> list[tuple[str, float]]:
    """Sequential-scan reference (no index): what the HNSW answer is measured against."""
    with db.transaction() as tx:
        tx.run("SET LOCAL enable_indexscan = off")
        rows = tx.run(
            "SELECT game_id, 1 - (embedding <=> :query_embedding) FROM game_embeddings "
            "ORDER BY embedding <=> :query_embedding LIMIT :match_count",
            query_embedding=embedding, match_count=match_count,
        )  # fmt: skip
    return [(str(game_id), float(similarity)) for game_id, similarity in rows]


def sample_embeddings(db: Database, count: int) -> list[Any]:
    """The first ``count`` stored matchup vectors (by game id): query vectors for the benchmark."""
    return [row[0] for row in db.fetch("SELECT embedding FROM game_embeddings ORDER BY game_id LIMIT :count",
                                       count=count)]  # fmt: skip


def count_embeddings(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM game_embeddings"))


def planner_uses_hnsw(db: Database, embedding: Any, match_count: int) -> bool:
    """Whether the planner picks the HNSW index for a nearest-matchups query (on a tiny table a scan
    can be cheaper)."""
    plan = db.fetch("EXPLAIN SELECT game_id FROM game_embeddings ORDER BY embedding <=> :query_embedding "
                    "LIMIT :match_count", query_embedding=embedding, match_count=match_count)  # fmt: skip
    return any("hnsw" in str(row[0]).lower() for row in plan)


def store_game_embeddings(tx: Transaction, rows: Sequence[tuple[str, int, Any]], model_version: str) -> None:
    """(game_id, season, vector) per game: insert, or replace the game's previous embedding."""
    tx.run_many(
        "INSERT INTO game_embeddings (game_id, season, model_version, embedding) "
        "VALUES (:game_id, :season, :model_version, :embedding) "
        "ON CONFLICT (game_id) DO UPDATE SET embedding = EXCLUDED.embedding, "
        "model_version = EXCLUDED.model_version, created_at = now()",
        [{"game_id": game_id, "season": season, "model_version": model_version, "embedding": vector}
         for game_id, season, vector in rows],
    )  # fmt: skip


# Content sources with a search function of their own; "news" is the all-content search restricted to it.
_CONTENT_FUNCTIONS = {"knowledge_base": "search_knowledge_base", "expert_research": "search_expert_research",
                      "predictions": "search_prediction_analysis"}  # fmt: skip


def search_content(db: Database, query_embedding: Any, *, source: str, match_threshold: float, match_count: int
                   ) -> list[dict[str, Any]]:  # fmt: skip
    """Content nearest the query vector from one source ("all": every source, best first)."""
    params = {
        "query_embedding": query_embedding,
        "match_threshold": match_threshold,
        "match_count": match_count,
    }
    if source == "all":
        return db.fetch_dicts("SELECT * FROM search_all_content(:query_embedding, :match_threshold, :match_count)",
                              **params)  # fmt: skip
    function = _CONTENT_FUNCTIONS.get(source)
    if function is None:
        return db.fetch_dicts(
            "SELECT * FROM search_all_content(:query_embedding, :match_threshold, :match_count, ARRAY['news'])",
            **params,
        )
    return db.fetch_dicts(
        f"SELECT * FROM {function}(:query_embedding, :match_threshold, :match_count)", **params
    )
