"""Liveness: the cheapest statement that proves a connection answers."""

from __future__ import annotations

from nfl_predictor.db.database import Database


def ping(db: Database) -> None:
    """One round trip; raises what the connection raises."""
    db.scalar("SELECT 1")
