"""Performance snapshots (migration 007) and the database's own health figures."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from nfl_predictor.db.database import Database, Transaction


class DatabaseLoad(TypedDict):
    connections: int
    max_connections: int
    slow_queries: int


def database_load(db: Database, slow_query_s: float) -> DatabaseLoad:
    """Client connections against max_connections, and queries running longer than ``slow_query_s``."""
    row = db.fetch_one(
        "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'), "
        "current_setting('max_connections')::int, "
        "(SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
        " AND backend_type = 'client backend' AND now() - query_start > make_interval(secs => :slow_query_s))",
        slow_query_s=slow_query_s,
    )  # fmt: skip
    connections, limit, slow = (int(v) for v in row) if row else (0, 0, 0)
    return {"connections": connections, "max_connections": limit, "slow_queries": slow}


def insert_snapshot(tx: Transaction, *, taken_at: str, source: str, summary_json: str, snapshot_json: str,
                    alerts_json: str) -> int:  # fmt: skip
    return int(tx.run(
        "INSERT INTO performance_snapshots (taken_at, source, summary, snapshot, alerts) VALUES "
        "(CAST(:taken_at AS timestamptz), :source, CAST(:summary AS jsonb), CAST(:snapshot AS jsonb), "
        "CAST(:alerts AS jsonb)) RETURNING id",
        taken_at=taken_at, source=source, summary=summary_json, snapshot=snapshot_json, alerts=alerts_json,
    )[0][0])  # fmt: skip


def prune_snapshots(tx: Transaction, *, max_age: dt.timedelta, max_rows: int) -> None:
    """Drop snapshots older than ``max_age``, then all but the newest ``max_rows``."""
    tx.run("DELETE FROM performance_snapshots WHERE taken_at < now() - make_interval(secs => :max_age_s)",
           max_age_s=max_age.total_seconds())  # fmt: skip
    tx.run("DELETE FROM performance_snapshots WHERE id <= (SELECT id FROM performance_snapshots "
           "ORDER BY id DESC OFFSET :max_rows LIMIT 1)", max_rows=max_rows)  # fmt: skip


class SnapshotRow(TypedDict):
    id: int
    taken_at: dt.datetime
    source: str
    summary: str  # JSON text
    alerts: str  # JSON text
    snapshot: str | None  # JSON text, only when asked for in full


def recent_snapshots(db: Database, *, limit: int, since: dt.datetime | None, full: bool) -> list[SnapshotRow]:
    """The latest ``limit`` snapshots taken after ``since``, newest first."""
    column = "snapshot::text" if full else "NULL"
    rows = db.fetch(
        f"SELECT id, taken_at, source, summary::text, alerts::text, {column} FROM performance_snapshots "
        "WHERE taken_at > coalesce(CAST(:since AS timestamptz), '-infinity') "
        "ORDER BY taken_at DESC, id DESC LIMIT :limit",
        since=since, limit=limit,
    )  # fmt: skip
    return [{"id": row_id, "taken_at": taken_at, "source": source, "summary": summary, "alerts": alerts,
             "snapshot": snapshot} for row_id, taken_at, source, summary, alerts, snapshot in rows]  # fmt: skip
