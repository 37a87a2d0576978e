"""Users, subscriptions and API keys (stored as SHA-256 hashes only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from nfl_predictor.db.database import Database, Transaction
from nfl_predictor.records import ApiKeyRow


def create_user(tx: Transaction, *, name: str, email: str | None) -> int:
    return int(tx.run("INSERT INTO users (name, email) VALUES (:name, :email) RETURNING id",
                      name=name, email=email)[0][0])  # fmt: skip


def create_subscription(tx: Transaction, *, user_id: int, tier: str, expires_at: dt.datetime | None) -> None:
    """An active subscription of ``tier`` (no expiry when ``expires_at`` is None)."""
    tx.run("INSERT INTO subscriptions (user_id, tier, status, expires_at) "
           "VALUES (:user_id, :tier, 'active', :expires_at)", user_id=user_id, tier=tier, expires_at=expires_at)  # fmt: skip


def create_api_key(tx: Transaction, *, user_id: int, key_hash: bytes, key_prefix: str, name: str,
                   scopes: Sequence[str]) -> int:  # fmt: skip
    return int(tx.run(
        "INSERT INTO api_keys (user_id, key_hash, key_prefix, name, scopes) "
        "VALUES (:user_id, :key_hash, :key_prefix, :name, :scopes) RETURNING id",
        user_id=user_id, key_hash=key_hash, key_prefix=key_prefix, name=name, scopes=list(scopes),
    )[0][0])  # fmt: skip


# The newest active subscription wins; otherwise the most recent one explains the 403.
_KEY_BY_HASH = """
SELECT k.id, k.user_id, k.scopes, s.tier, s.status, s.expires_at
FROM api_keys k
LEFT JOIN LATERAL (
    SELECT tier, status, expires_at FROM subscriptions
    WHERE user_id = k.user_id
    ORDER BY (status = 'active') DESC, expires_at DESC NULLS FIRST, id DESC
    LIMIT 1
) s ON true
WHERE k.key_hash = :key_hash AND k.revoked_at IS NULL
"""


def key_by_hash(db: Database, key_hash: bytes) -> ApiKeyRow | None:
    """The unrevoked key with exactly this hash (unique index), with its user's deciding subscription."""
    row = db.fetch_one(_KEY_BY_HASH, key_hash=key_hash)
    if row is None:
        return None
    key_id, user_id, scopes, tier, status, expires_at = row
    return {"key_id": key_id, "user_id": user_id, "scopes": scopes, "tier": tier, "status": status,
            "expires_at": expires_at}  # fmt: skip


_LIST_KEYS = """
SELECT k.id, k.key_prefix, k.name, u.name AS user_name, u.email, k.scopes, s.tier, s.status,
       k.created_at, k.last_used_at, k.revoked_at
FROM api_keys k
JOIN users u ON u.id = k.user_id
LEFT JOIN LATERAL (
    SELECT tier, status FROM subscriptions
    WHERE user_id = k.user_id
    ORDER BY (status = 'active') DESC, expires_at DESC NULLS FIRST, id DESC
    LIMIT 1
) s ON true
WHERE (CAST(:include_revoked AS boolean) OR k.revoked_at IS NULL)
ORDER BY k.id
"""


def list_keys(db: Database, *, include_revoked: bool) -> list[dict[str, Any]]:
    """Every key (never its secret: only the prefix shown when it was created) with its user and tier."""
    return db.fetch_dicts(_LIST_KEYS, include_revoked=include_revoked)


def key_ids_by_prefix(db: Database, prefix: str) -> list[int]:
    """Unrevoked keys whose stored prefix starts with ``prefix`` (a key's first characters identify it)."""
    rows = db.fetch("SELECT id FROM api_keys WHERE revoked_at IS NULL AND starts_with(key_prefix, left(:prefix, length(key_prefix))) "
                    "ORDER BY id", prefix=prefix)  # fmt: skip
    return [int(r[0]) for r in rows]


def revoke_key(db: Database, key_id: int) -> bool:
    """True when this call revoked it (False: no such key, or revoked already)."""
    count = db.execute("UPDATE api_keys SET revoked_at = now() WHERE id = :key_id AND revoked_at IS NULL",
                       key_id=key_id)  # fmt: skip
    return count == 1


def key_exists(db: Database, key_id: int) -> bool:
    """Whether a key with this id was ever created (revoked or not)."""
    return db.fetch_one("SELECT 1 FROM api_keys WHERE id = :key_id", key_id=key_id) is not None


def expire_subscriptions(db: Database, user_id: int) -> int:
    """Mark the user's active subscriptions expired; returns how many."""
    return db.execute("UPDATE subscriptions SET status = 'expired' WHERE user_id = :user_id AND status = 'active'",
                      user_id=user_id)  # fmt: skip
