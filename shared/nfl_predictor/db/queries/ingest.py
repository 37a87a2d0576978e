"""Batched idempotent upserts: rows travel as one JSON document per batch, typed by the table.

``jsonb_populate_recordset`` gives every column the table's own type, so a batch of a thousand
rows is one round trip and one statement. Table and column names come from code constants only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson

from nfl_predictor.db.database import Transaction

BATCH_ROWS = 1000
# games.kickoff: the local (US Eastern) gameday + gametime as an instant.
KICKOFF_EXPRESSION = "CASE WHEN r.gametime IS NULL THEN NULL ELSE (r.gameday + r.gametime::time) AT TIME ZONE 'America/New_York' END"


def upsert_sql(table: str, columns: Sequence[str], key: Sequence[str], expressions: Mapping[str, str],
               touch_updated_at: bool, stale: str | None = None) -> str:  # fmt: skip
    """The statement: insert each row, or update the non-key columns of the one it collides with when
    any of them differs (the same row again writes nothing: loading the same file twice is a no-op);
    returns one flag per row written, true where it was inserted."""
    all_columns = [*columns, *expressions]
    select = ", ".join(expressions.get(c, f"r.{c}") for c in all_columns)
    compared = [c for c in all_columns if c not in key]
    updates = [f"{c} = EXCLUDED.{c}" for c in compared]
    if touch_updated_at:
        updates.append("updated_at = now()")
    changed = " OR ".join(f"t.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in compared) or "false"
    if stale:  # an incoming row older than the stored one (``stale`` compares t and EXCLUDED) is ignored
        changed = f"({changed}) AND NOT ({stale})"
    return (
        f"INSERT INTO {table} AS t ({', '.join(all_columns)}) "
        f"SELECT {select} FROM jsonb_populate_recordset(NULL::{table}, CAST(:rows AS jsonb)) AS r "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(updates)} WHERE {changed} "
        "RETURNING (xmax = 0)"
    )


def upsert_rows(
    tx: Transaction,
    table: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    columns: Sequence[str],
    key: Sequence[str],
    expressions: Mapping[str, str] | None = None,
    touch_updated_at: bool = True,
    stale: str | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Insert-or-update ``rows`` (only ``columns`` of each; ``expressions`` compute more columns from
    them) in batches of ``BATCH_ROWS``; returns (inserted, updated), where updated counts only rows
    that changed."""
    sql = upsert_sql(table, columns, key, expressions or {}, touch_updated_at, stale)
    inserted = updated = 0
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        payload = orjson.dumps([{c: row.get(c) for c in columns} for row in batch]).decode()
        flags = tx.run(sql, rows=payload)
        new = sum(1 for (flag,) in flags if flag)
        inserted += new
        updated += len(flags) - new
        if on_batch:
            on_batch(len(batch))
    return inserted, updated
