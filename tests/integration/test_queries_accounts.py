"""The account, snapshot and health queries of db/queries against the embedded Postgres."""

from __future__ import annotations

import datetime as dt
import hashlib

import orjson
from nfl_predictor.db import Database
from nfl_predictor.db.queries import accounts, health, monitoring

# -- accounts ---------------------------------------------------------------------------------


def _account(db: Database, key: str, *, expires_at: dt.datetime | None = None) -> tuple[int, int]:
    with db.transaction() as tx:
        user_id = accounts.create_user(tx, name="query tests", email=None)
        accounts.create_subscription(tx, user_id=user_id, tier="pro", expires_at=expires_at)
        key_id = accounts.create_api_key(tx, user_id=user_id, key_hash=hashlib.sha256(key.encode()).digest(),
                                         key_prefix=key[:12], name="k", scopes=["read"])  # fmt: skip
    return user_id, key_id


def test_a_key_is_found_only_by_its_full_hash(db: Database) -> None:
    key = "nflp_query-test-key-0001"
    user_id, key_id = _account(db, key)
    found = accounts.key_by_hash(db, hashlib.sha256(key.encode()).digest())
    assert found == {"key_id": key_id, "user_id": user_id, "scopes": ["read"], "tier": "pro", "status": "active",
                     "expires_at": None}  # fmt: skip
    digest = hashlib.sha256(key.encode()).digest()
    assert accounts.key_by_hash(db, digest[:16]) is None  # a prefix of the hash is not the hash
    assert accounts.key_by_hash(db, digest[:-1] + bytes([digest[-1] ^ 1])) is None
    assert accounts.key_by_hash(db, hashlib.sha256(b"nflp_query-test-key-0002").digest()) is None


def test_a_revoked_key_is_not_found_and_revoking_twice_says_so(db: Database) -> None:
    key = "nflp_query-test-key-revoked"
    _, key_id = _account(db, key)
    assert accounts.revoke_key(db, key_id) is True
    assert accounts.key_by_hash(db, hashlib.sha256(key.encode()).digest()) is None
    assert accounts.revoke_key(db, key_id) is False
    assert accounts.revoke_key(db, 10**9) is False


def test_the_active_subscription_decides_and_expiring_it_shows(db: Database) -> None:
    key = "nflp_query-test-key-subs"
    user_id, _ = _account(db, key, expires_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    with db.transaction() as tx:
        accounts.create_subscription(tx, user_id=user_id, tier="enterprise", expires_at=None)
    digest = hashlib.sha256(key.encode()).digest()
    row = accounts.key_by_hash(db, digest)
    assert row is not None and (row["tier"], row["status"], row["expires_at"]) == (
        "enterprise",
        "active",
        None,
    )
    assert accounts.expire_subscriptions(db, user_id) == 2
    row = accounts.key_by_hash(db, digest)
    assert row is not None and row["status"] == "expired"  # still found: the 403 needs the reason
    assert accounts.expire_subscriptions(db, user_id) == 0


# -- monitoring and health --------------------------------------------------------------------


def test_snapshots_are_kept_by_count_and_age_and_read_newest_first(db: Database) -> None:
    now = dt.datetime.now(dt.UTC)
    ids = []
    for minutes in (5, 4, 3, 2, 1):
        with db.transaction() as tx:
            ids.append(monitoring.insert_snapshot(
                tx, taken_at=(now - dt.timedelta(minutes=minutes)).isoformat(), source="test",
                summary_json=orjson.dumps({"m": minutes}).decode(), snapshot_json='{"full": true}', alerts_json="[]",
            ))  # fmt: skip
            monitoring.prune_snapshots(tx, max_age=dt.timedelta(days=1), max_rows=3)
    recent = monitoring.recent_snapshots(db, limit=10, since=None, full=False)
    assert [r["id"] for r in recent] == ids[:-4:-1] and recent[0]["snapshot"] is None
    assert orjson.loads(recent[0]["summary"]) == {"m": 1}
    full = monitoring.recent_snapshots(db, limit=1, since=now - dt.timedelta(minutes=90), full=True)
    assert [r["id"] for r in full] == [ids[-1]] and orjson.loads(full[0]["snapshot"] or "") == {"full": True}
    with db.transaction() as tx:
        monitoring.prune_snapshots(tx, max_age=dt.timedelta(seconds=90), max_rows=100)
    assert [r["id"] for r in monitoring.recent_snapshots(db, limit=10, since=None, full=False)] == [ids[-1]]


def test_database_load_and_ping(db: Database) -> None:
    load = monitoring.database_load(db, slow_query_s=60.0)
    assert load["connections"] >= 1 and load["max_connections"] >= load["connections"]
    assert load["slow_queries"] == 0
    health.ping(db)
