"""Expert research notes: one embedded note per expert per game, searchable by meaning."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from nfl_predictor.db.database import Transaction


class ResearchNote(TypedDict):
    expert_id: str
    game_id: str
    content: str
    metadata: str  # JSON text
    relevance_score: float
    embedding: Any  # a vector (numpy array or pgvector literal)


def replace_research(
    tx: Transaction, game_ids: Sequence[str], research_type: str, notes: Sequence[ResearchNote]
) -> None:
    """The games' notes of ``research_type`` become ``notes`` (inside the caller's transaction).

    Writers of the same games take turns (a transaction-level advisory lock per game, in a fixed
    order), and each note is an upsert on (game, expert, type): two warms at once leave the rows one
    warm leaves.
    """
    tx.run("SET LOCAL lock_timeout = '60s'")  # waiting for another warm's turn is expected here
    for game_id in sorted(set(game_ids)):
        tx.run("SELECT pg_advisory_xact_lock(hashtext(:lock))", lock=f"research:{research_type}:{game_id}")
    tx.run("DELETE FROM expert_research WHERE game_id = ANY(:game_ids) AND research_type = :research_type",
           game_ids=list(game_ids), research_type=research_type)  # fmt: skip
    tx.run_many(
        "INSERT INTO expert_research (expert_id, research_type, game_id, content, metadata, embedding, "
        "relevance_score) VALUES (:expert_id, :research_type, :game_id, :content, CAST(:metadata AS jsonb), "
        ":embedding, :relevance_score) ON CONFLICT (game_id, expert_id, research_type) DO UPDATE SET "
        "content = EXCLUDED.content, metadata = EXCLUDED.metadata, embedding = EXCLUDED.embedding, "
        "relevance_score = EXCLUDED.relevance_score, updated_at = now()",
        [{**note, "research_type": research_type} for note in notes],
    )
