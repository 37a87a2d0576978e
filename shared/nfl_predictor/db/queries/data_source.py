"""The database's data source (demo league or nflverse) and the nflverse files already loaded."""

from __future__ import annotations

from nfl_predictor.db.database import Database, Transaction


def claim(tx: Transaction, kind: str) -> str:
    """Record ``kind`` as the source when none is recorded; returns the one recorded (after a
    concurrent first claim commits, the ON CONFLICT waits for it and this reads the winner's)."""
    tx.run("INSERT INTO data_source (kind) VALUES (:kind) ON CONFLICT (singleton) DO NOTHING", kind=kind)
    return str(tx.run("SELECT kind FROM data_source")[0][0])


def recorded(db: Database) -> str | None:
    row = db.fetch_one("SELECT kind FROM data_source")
    return str(row[0]) if row else None


def already_loaded(db: Database, kind: str, sha256: str) -> bool:
    return bool(db.scalar("SELECT EXISTS (SELECT 1 FROM data_loads WHERE kind = :kind AND sha256 = :sha)",
                          kind=kind, sha=sha256))  # fmt: skip


def record_load(tx: Transaction, kind: str, sha256: str, source: str, rows: int) -> None:
    tx.run("INSERT INTO data_loads (kind, sha256, source, rows) VALUES (:kind, :sha, :source, :rows) "
           "ON CONFLICT (kind, sha256) DO NOTHING", kind=kind, sha=sha256, source=source, rows=rows)  # fmt: skip


def try_refresh_lock(tx: Transaction) -> bool:
    """One refresh at a time across processes: a transaction-scoped advisory lock (released at commit
    or rollback, so it cannot leak past a crashed run, and it does not pin an RDS Proxy session
    beyond the transaction)."""
    return bool(tx.run("SELECT pg_try_advisory_xact_lock(hashtext('nflp.data-refresh'))")[0][0])


def results_fingerprint(db: Database) -> str | None:
    """A hash of every finished game's score: it changes exactly when a result arrives or is corrected."""
    value = db.scalar(
        "SELECT md5(string_agg(game_id || ':' || home_score || '-' || away_score, ',' ORDER BY game_id)) "
        "FROM games WHERE home_score IS NOT NULL AND away_score IS NOT NULL"
    )
    return None if value is None else str(value)
