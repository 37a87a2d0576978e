"""The betting history (expert_bets): what is left to grade, graded rows, the leaderboard figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from nfl_predictor.db.database import Database, Transaction
from nfl_predictor.db.queries.predictions import HONEST
from nfl_predictor.records import EXPERT_BET_FIELDS, ExpertBetRow, PendingGrade

# Only honest predictions are graded: made before kickoff, or by a model that had not seen the game.
_PENDING = f"""
SELECT p.game_id, p.model_version, p.payload::text
FROM predictions p JOIN games g USING (game_id)
WHERE p.prediction_type = 'full' AND g.home_score IS NOT NULL AND {HONEST}
  AND (CAST(:season AS integer) IS NULL OR p.season = :season)
  AND NOT EXISTS (SELECT 1 FROM expert_bets b WHERE b.game_id = p.game_id AND b.model_version = p.model_version)
ORDER BY g.gameday
LIMIT :limit
"""


def pending_grades(db: Database, *, season: int | None, limit: int) -> list[PendingGrade]:
    """Full stored predictions of finished games with no betting-history rows yet, oldest game first."""
    rows = db.fetch(_PENDING, season=season, limit=limit)
    return [
        {"game_id": game_id, "model_version": version, "payload_text": text}
        for game_id, version, text in rows
    ]


_COLUMNS = ", ".join(EXPERT_BET_FIELDS)
_INSERT_BETS = (
    f"INSERT INTO expert_bets ({_COLUMNS}, graded_at) SELECT {_COLUMNS}, now() "
    "FROM jsonb_populate_recordset(NULL::expert_bets, CAST(:rows AS jsonb))"
)


def replace_expert_bets(
    tx: Transaction, *, game_id: str, model_version: str, rows: Sequence[ExpertBetRow]
) -> None:
    """The game's graded rows for that model version become ``rows`` (graded now): a delete, then
    every row in one statement (one JSON document typed by the table). Graders of the same game take
    turns (a transaction-level advisory lock), so two at once end with one grader's rows, never 23505."""
    tx.run("SET LOCAL lock_timeout = '60s'")  # waiting for another grader's turn is expected here
    tx.run("SELECT pg_advisory_xact_lock(hashtext(:lock))", lock=f"grade:{game_id}:{model_version}")
    tx.run("DELETE FROM expert_bets WHERE game_id = :game_id AND model_version = :model_version",
           game_id=game_id, model_version=model_version)  # fmt: skip
    if rows:
        tx.run(_INSERT_BETS, rows=orjson.dumps(rows, option=orjson.OPT_SERIALIZE_NUMPY).decode())


_LEADERBOARD = """
SELECT season, expert_id, bet_type, count(*) AS n,
       avg(CASE outcome WHEN 'win' THEN 1.0 WHEN 'loss' THEN 0.0 END) AS accuracy,
       avg(confidence) FILTER (WHERE outcome IN ('win', 'loss')) AS confidence,
       avg(error) FILTER (WHERE bet_type IN ('win_probability', 'one_score_game', 'both_teams_20', 'overtime'))
           AS brier,
       avg(error) FILTER (WHERE bet_type NOT IN ('win_probability', 'one_score_game', 'both_teams_20', 'overtime'))
           AS mae,
       sum(units) AS units, count(units) AS bets,
       count(*) FILTER (WHERE outcome = 'win') AS wins,
       count(*) FILTER (WHERE outcome IN ('win', 'loss')) AS judged
FROM expert_bets
WHERE (CAST(:season AS integer) IS NULL OR season = :season)
GROUP BY season, expert_id, bet_type
ORDER BY season, expert_id, bet_type
"""


def leaderboard_rows(db: Database, season: int | None) -> list[dict[str, Any]]:
    """Per (season, expert, category): count, accuracy, Brier/MAE, units, bets, wins, judged."""
    return db.fetch_dicts(_LEADERBOARD, season=season)
