"""Stored predictions: a game's payload per (prediction type, model version), with its expiry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import orjson

from nfl_predictor.db.database import Database, Transaction
from nfl_predictor.records import PredictionRow

_LIVE = "(expires_at IS NULL OR expires_at > now())"


# A stored prediction of a played game is history (graded, on the leaderboard) only when it was made
# before kickoff, or by a model trained only on weeks before the game (walk-forward backfill). The
# model's training cut-off comes from model_params, else from the version's "-<season>w<week>-n<N>".
HONEST = (
    "(g.home_score IS NULL OR p.created_at < coalesce(g.kickoff, g.gameday::timestamptz) OR coalesce("
    "(SELECT mp.trained_through_season * 100 + mp.trained_through_week FROM model_params mp "
    "WHERE mp.model_version = p.model_version), "
    "(SELECT m[1]::int * 100 + m[2]::int FROM regexp_match(p.model_version, '-(\\d{4})w(\\d{2})-n\\d+$') AS m)"
    ") < g.season * 100 + g.week)"
)


def stored_payloads(db: Database, game_ids: Sequence[str], *, prediction_type: str, model_version: str
                    ) -> dict[str, bytes]:  # fmt: skip
    """game_id -> the stored payload's JSON text (as bytes), for the games with an unexpired one.

    Unplayed games: ``model_version``'s prediction. Played games: an honest one (see ``HONEST``),
    ``model_version``'s if it is, else the newest honest one of another version (walk-forward).
    """
    rows = db.fetch(
        "SELECT DISTINCT ON (p.game_id) p.game_id, p.payload::text FROM predictions p JOIN games g USING (game_id) "
        "WHERE p.game_id = ANY(:game_ids) AND p.prediction_type = :prediction_type AND "
        f"(p.expires_at IS NULL OR p.expires_at > now()) AND (p.model_version = :model_version "
        f"OR g.home_score IS NOT NULL) AND {HONEST} "
        "ORDER BY p.game_id, (p.model_version = :model_version) DESC, p.created_at DESC",
        game_ids=list(game_ids), prediction_type=prediction_type, model_version=model_version,
    )  # fmt: skip
    return {game_id: text.encode() for game_id, text in rows}


def week_payloads(db: Database, season: int, week: int, *, prediction_type: str) -> list[tuple[str, str]]:
    """(game_id, payload text) of every stored prediction of the week and type, every model version
    (the plain indexed read the database benchmark measures)."""
    rows = db.fetch(
        "SELECT game_id, payload::text FROM predictions WHERE season = :season AND week = :week "
        "AND prediction_type = :prediction_type",
        season=season, week=week, prediction_type=prediction_type,
    )  # fmt: skip
    return [(str(game_id), str(text)) for game_id, text in rows]


def count_in_week(db: Database, season: int, week: int) -> int:
    """How many predictions are stored for the week, of any type and version."""
    return int(db.scalar("SELECT count(*) FROM predictions WHERE season = :season AND week = :week",
                         season=season, week=week))  # fmt: skip


def delete_model_versions(db: Database, version_prefix: str) -> int:
    """Drop every prediction made under a model version ``<version_prefix>-...`` (the benchmark's
    throw-away versions); compared as text, so no character of the prefix is a wildcard."""
    return db.execute("DELETE FROM predictions WHERE starts_with(model_version, :prefix || '-')",
                      prefix=version_prefix)  # fmt: skip


def analysis_embeddings(db: Database, game_ids: Sequence[str], *, prediction_type: str, model_version: str
                        ) -> dict[str, list[float]]:  # fmt: skip
    """game_id -> the matchup embedding stored beside the payload (not part of the served document)."""
    rows = db.fetch(
        "SELECT game_id, analysis_embedding::text FROM predictions WHERE game_id = ANY(:game_ids) "
        "AND prediction_type = :prediction_type AND model_version = :model_version "
        "AND analysis_embedding IS NOT NULL",
        game_ids=list(game_ids), prediction_type=prediction_type, model_version=model_version,
    )  # fmt: skip
    # pgvector's text form, "[0.1,0.2,...]", is a JSON array.
    return {str(game_id): [float(v) for v in text.strip("[]").split(",")] for game_id, text in rows}


def fresh_game_ids(db: Database, game_ids: Sequence[str], *, prediction_type: str, model_version: str,
                   margin: dt.timedelta) -> set[str]:  # fmt: skip
    """The games whose stored prediction is still good ``margin`` from now."""
    rows = db.fetch(
        "SELECT game_id FROM predictions WHERE game_id = ANY(:game_ids) AND prediction_type = :prediction_type "
        "AND model_version = :model_version AND (expires_at IS NULL OR expires_at > now() + :margin)",
        game_ids=list(game_ids), prediction_type=prediction_type, model_version=model_version, margin=margin,
    )  # fmt: skip
    return {str(row[0]) for row in rows}


def complete_game_ids(db: Database, game_ids: Sequence[str], *, prediction_type: str, research_type: str
                      ) -> set[str]:  # fmt: skip
    """The games whose stored prediction has its reasoning embedding and its research notes (a warm that
    died between storing predictions and storing research left them without)."""
    rows = db.fetch(
        "SELECT p.game_id FROM predictions p WHERE p.game_id = ANY(:game_ids) AND p.prediction_type = :prediction_type "
        "AND p.reasoning_embedding IS NOT NULL AND EXISTS (SELECT 1 FROM expert_research r "
        "WHERE r.game_id = p.game_id AND r.research_type = :research_type)",
        game_ids=list(game_ids), prediction_type=prediction_type, research_type=research_type,
    )  # fmt: skip
    return {str(row[0]) for row in rows}


_COLUMNS = ("game_id", "season", "week", "prediction_type", "payload", "prediction_count", "reasoning_text",
            "analysis_embedding", "model_version", "expires_at")  # fmt: skip
# Every row in one statement: one round trip and one parse however many games, and the rows arrive as
# one JSON array that the server turns into records (jsonb_populate_recordset: each value goes through
# its column type's input, so "[0.1,...]" becomes a vector and an ISO string a timestamptz).
_UPSERT = (
    f"INSERT INTO predictions ({', '.join(_COLUMNS)}) "
    f"SELECT {', '.join('r.' + c for c in _COLUMNS)} "
    "FROM jsonb_populate_recordset(NULL::predictions, CAST(:rows AS jsonb)) AS r ORDER BY r.game_id "
    "ON CONFLICT (game_id, prediction_type, model_version) DO UPDATE SET payload = EXCLUDED.payload, "
    "prediction_count = EXCLUDED.prediction_count, reasoning_text = EXCLUDED.reasoning_text, "
    "analysis_embedding = EXCLUDED.analysis_embedding, expires_at = EXCLUDED.expires_at, "
    "created_at = now() RETURNING game_id, payload::text"
)


def _rows_json(rows: Sequence[PredictionRow]) -> str:
    """The rows as one JSON array, each payload spliced in as the JSON it already is (not re-encoded)."""
    # One row per (game, type, version): a statement may not update the same row twice.
    unique = {(r["game_id"], r["prediction_type"], r["model_version"]): r for r in rows}
    items = []
    for row in unique.values():
        rest = orjson.dumps({k: v for k, v in row.items() if k != "payload"})
        items.append(rest[:-1] + b',"payload":' + row["payload"].encode() + b"}")
    return (b"[" + b",".join(items) + b"]").decode()


def upsert_predictions(db: Database, rows: Sequence[PredictionRow]) -> dict[str, bytes]:
    """Insert or replace the rows in one statement (rows taken in game_id order, so two overlapping
    writers lock them in the same order and cannot deadlock); returns game_id -> the payload text as the
    database stored it (jsonb's canonical form), as bytes."""
    if not rows:
        return {}
    with db.transaction() as tx:
        stored = tx.run(_UPSERT, rows=_rows_json(rows))
    return {str(game_id): text.encode() for game_id, text in stored}


def reasoning_texts(
    db: Database, game_ids: Sequence[str], *, prediction_type: str
) -> list[tuple[str, str | None]]:
    """(game_id, reasoning summary) of the games' stored predictions of that type, every model version."""
    rows = db.fetch(
        "SELECT game_id, reasoning_text FROM predictions WHERE game_id = ANY(:game_ids) "
        "AND prediction_type = :prediction_type",
        game_ids=list(game_ids), prediction_type=prediction_type,
    )  # fmt: skip
    return [(str(game_id), text) for game_id, text in rows]


def set_reasoning_embeddings(
    tx: Transaction, embeddings: Sequence[tuple[str, Any]], *, prediction_type: str
) -> None:
    """(game_id, vector) pairs: the embedding of each game's reasoning text, every model version."""
    tx.run_many(
        "UPDATE predictions SET reasoning_embedding = :embedding "
        "WHERE game_id = :game_id AND prediction_type = :prediction_type",
        [{"game_id": game_id, "embedding": vector, "prediction_type": prediction_type}
         for game_id, vector in embeddings],
    )  # fmt: skip
