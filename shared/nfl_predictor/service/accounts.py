"""Users, API keys and subscriptions. Keys are stored only as SHA-256 hashes.

A key is shown once, at creation. Lookups hash the presented key and find it by the unique index
on ``key_hash``; the principal (tier, scopes, subscription state) is what the API authorises on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from nfl_predictor.db import Database
from nfl_predictor.db.queries import accounts as account_queries

KEY_PREFIX = "nflp_"
TIERS = ("free", "pro", "enterprise")


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: int
    user_id: int
    tier: str
    scopes: tuple[str, ...]
    subscription_status: str | None
    subscription_expires_at: dt.datetime | None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.scopes

    def subscription_active(self, now: dt.datetime | None = None) -> bool:
        if self.subscription_status != "active":
            return False
        expires = self.subscription_expires_at
        return expires is None or expires > (now or dt.datetime.now(dt.UTC))


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: str
    key_id: int
    user_id: int
    tier: str
    scopes: tuple[str, ...]


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_api_key(db: Database, *, name: str, tier: str, admin: bool = False, email: str | None = None,
                   expires_at: dt.datetime | None = None, key: str | None = None) -> CreatedKey:  # fmt: skip
    """A user, an active subscription of ``tier`` and one key, in one transaction."""
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {', '.join(TIERS)}")
    if not name.strip():
        raise ValueError("name must not be empty")
    key = key or new_key()
    scopes = ["read", "admin"] if admin else ["read"]
    with db.transaction() as tx:
        user_id = account_queries.create_user(tx, name=name.strip(), email=email)
        account_queries.create_subscription(tx, user_id=user_id, tier=tier, expires_at=expires_at)
        key_id = account_queries.create_api_key(tx, user_id=user_id, key_hash=hash_key(key), key_prefix=key[:12],
                                                name=name.strip(), scopes=scopes)  # fmt: skip
    return CreatedKey(key=key, key_id=key_id, user_id=user_id, tier=tier, scopes=tuple(scopes))


def find_principal(db: Database, key: str) -> Principal | None:
    row = account_queries.key_by_hash(db, hash_key(key))
    if row is None:
        return None
    return Principal(key_id=row["key_id"], user_id=row["user_id"], tier=row["tier"] or "free",
                     scopes=tuple(row["scopes"] or ()), subscription_status=row["status"],
                     subscription_expires_at=row["expires_at"])  # fmt: skip


def revoke_key(db: Database, key_id: int) -> bool:
    return account_queries.revoke_key(db, key_id)


def revoke_key_once(db: Database, key_id: int) -> str:
    """``revoked`` (by this call), ``already_revoked``, or ``unknown``: revoking twice is not an error."""
    if account_queries.revoke_key(db, key_id):
        return "revoked"
    return "already_revoked" if account_queries.key_exists(db, key_id) else "unknown"


def list_keys(db: Database, *, include_revoked: bool = False) -> list[dict[str, Any]]:
    return account_queries.list_keys(db, include_revoked=include_revoked)


def resolve_key_id(db: Database, key_or_id: str) -> int | None:
    """A key id from what an operator has: the numeric id, the full key, or its first characters
    (as `api-key list` shows them). None when nothing (or more than one key) matches."""
    if key_or_id.isdigit():
        return int(key_or_id)
    row = account_queries.key_by_hash(db, hash_key(key_or_id))
    if row is not None:
        return int(row["key_id"])
    ids = account_queries.key_ids_by_prefix(db, key_or_id) if len(key_or_id) >= len(KEY_PREFIX) + 4 else []
    return ids[0] if len(ids) == 1 else None


def expire_subscriptions(db: Database, user_id: int) -> int:
    return account_queries.expire_subscriptions(db, user_id)
