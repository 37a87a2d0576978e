"""Fitted model parameters: one row per model version, at most one of them active."""

from __future__ import annotations

from nfl_predictor.db.database import Database, Transaction


def store_params(tx: Transaction, *, model_version: str, trained_through: tuple[int, int] | None,
                 params_json: str, activate: bool) -> None:  # fmt: skip
    """Insert (or replace) a version's parameters; ``activate`` makes it the only active one."""
    if activate:
        tx.run("UPDATE model_params SET is_active = false WHERE is_active")
    tx.run(
        "INSERT INTO model_params (model_version, trained_through_season, trained_through_week, params, "
        "is_active) VALUES (:model_version, :through_season, :through_week, CAST(:params AS jsonb), :activate) "
        "ON CONFLICT (model_version) DO UPDATE "
        "SET params = EXCLUDED.params, is_active = EXCLUDED.is_active, created_at = now()",
        model_version=model_version, through_season=trained_through[0] if trained_through else None,
        through_week=trained_through[1] if trained_through else None, params=params_json, activate=activate,
    )  # fmt: skip


def active_version(db: Database) -> str | None:
    version = db.scalar("SELECT model_version FROM model_params WHERE is_active")
    return None if version is None else str(version)


def params_json(db: Database, model_version: str | None = None) -> str | None:
    """The parameters' JSON text of ``model_version`` (default: the active one), None if there is none."""
    if model_version is None:
        row = db.fetch_one("SELECT params::text FROM model_params WHERE is_active")
    else:
        row = db.fetch_one(
            "SELECT params::text FROM model_params WHERE model_version = :model_version",
            model_version=model_version,
        )
    return None if row is None else str(row[0])
