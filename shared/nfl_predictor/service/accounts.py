"""Users, API keys and subscriptions. Keys are stored only as SHA-256 hashes.

A key is shown once, at creation. Lookups hash the presented key and find it by the unique index
on ``key_hash``; the principal (tier, scopes, subscription state) is what the API authorises on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from nfl_predictor.db import Database

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
        user_id = tx.run(
            "INSERT INTO users (name, email) VALUES (:n, :e) RETURNING id", n=name.strip(), e=email
        )[0][0]
        tx.run("INSERT INTO subscriptions (user_id, tier, status, expires_at) VALUES (:u, :t, 'active', :x)",
               u=user_id, t=tier, x=expires_at)  # fmt: skip
        key_id = tx.run(
            "INSERT INTO api_keys (user_id, key_hash, key_prefix, name, scopes) VALUES (:u, :h, :p, :n, :s) "
            "RETURNING id",
            u=user_id, h=hash_key(key), p=key[:12], n=name.strip(), s=scopes,
        )[0][0]  # fmt: skip
    return CreatedKey(key=key, key_id=key_id, user_id=user_id, tier=tier, scopes=tuple(scopes))


# The newest active subscription wins; otherwise the most recent one explains the 403.
_LOOKUP = """
SELECT k.id, k.user_id, k.scopes, s.tier, s.status, s.expires_at
FROM api_keys k
LEFT JOIN LATERAL (
    SELECT tier, status, expires_at FROM subscriptions
    WHERE user_id = k.user_id
    ORDER BY (status = 'active') DESC, expires_at DESC NULLS FIRST, id DESC
    LIMIT 1
) s ON true
WHERE k.key_hash = :h AND k.revoked_at IS NULL
"""


def find_principal(db: Database, key: str) -> Principal | None:
    row = db.fetch_one(_LOOKUP, h=hash_key(key))
    if row is None:
        return None
    key_id, user_id, scopes, tier, status, expires_at = row
    return Principal(key_id=key_id, user_id=user_id, tier=tier or "free", scopes=tuple(scopes or ()),
                     subscription_status=status, subscription_expires_at=expires_at)  # fmt: skip


def revoke_key(db: Database, key_id: int) -> bool:
    return (
        db.execute("UPDATE api_keys SET revoked_at = now() WHERE id = :i AND revoked_at IS NULL", i=key_id)
        == 1
    )


def expire_subscriptions(db: Database, user_id: int) -> int:
    return db.execute("UPDATE subscriptions SET status = 'expired' WHERE user_id = :u AND status = 'active'",
                      u=user_id)  # fmt: skip
