"""What an operator finds keys by (service/accounts.py: list_keys, resolve_key_id; db/queries/accounts.py:
key_ids_by_prefix), and the RateLimit fields on a keyed success (api/security.py)."""

from __future__ import annotations

import pytest
from nfl_predictor.service.accounts import create_api_key, list_keys, resolve_key_id, revoke_key

from tests.integration.api.conftest import ApiStack
from tests.integration.api.test_key_checks import get

pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_a_key_is_resolved_by_id_whole_key_or_unique_start(api_stack: ApiStack) -> None:
    db = api_stack.db
    made = create_api_key(db, name="lookup user", tier="pro", email="ops@example.test")
    assert resolve_key_id(db, str(made.key_id)) == made.key_id
    assert resolve_key_id(db, made.key) == made.key_id
    assert resolve_key_id(db, made.key[:12]) == made.key_id  # the prefix `api-key list` shows
    assert resolve_key_id(db, made.key[:9]) == made.key_id  # the shortest start looked up: nflp_ + 4
    assert resolve_key_id(db, made.key[:8]) is None  # shorter: every key starts nflp_, never guessed
    assert resolve_key_id(db, "nflp_") is None
    assert resolve_key_id(db, "nflp_" + "~" * 12) is None  # nothing starts so


def test_a_start_shared_by_two_keys_or_a_revoked_key_resolves_to_nothing(api_stack: ApiStack) -> None:
    db = api_stack.db
    first = create_api_key(db, name="twin a", tier="free", key="nflp_TWIN" + "a" * 39)
    second = create_api_key(db, name="twin b", tier="free", key="nflp_TWIN" + "b" * 39)
    assert resolve_key_id(db, "nflp_TWIN") is None  # ambiguous
    assert resolve_key_id(db, "nflp_TWINaaa") == first.key_id
    assert revoke_key(db, second.key_id)
    assert resolve_key_id(db, "nflp_TWIN") == first.key_id  # a revoked key is never a candidate


def test_list_keys_shows_prefixes_users_and_tiers_never_secrets(api_stack: ApiStack) -> None:
    db = api_stack.db
    made = create_api_key(db, name="listed", tier="enterprise", email="l@example.test", admin=True)
    gone = create_api_key(db, name="listed revoked", tier="free")
    assert revoke_key(db, gone.key_id)
    live = list_keys(db)
    row = next(r for r in live if r["id"] == made.key_id)
    assert {k: row[k] for k in ("key_prefix", "name", "user_name", "email", "scopes", "tier", "status")} == {
        "key_prefix": made.key[:12], "name": "listed", "user_name": "listed", "email": "l@example.test",
        "scopes": ["read", "admin"], "tier": "enterprise", "status": "active",
    }  # fmt: skip
    assert row["revoked_at"] is None and made.key not in str(live)
    assert gone.key_id not in {r["id"] for r in live}
    every = list_keys(db, include_revoked=True)
    assert gone.key_id in {r["id"] for r in every} and [r["id"] for r in every] == sorted(
        r["id"] for r in every
    )


def test_a_keyed_success_carries_the_ratelimit_fields(api_stack: ApiStack) -> None:
    response = get(api_stack, api_stack.keys["pro"])
    assert response["statusCode"] == 200
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert int(headers["ratelimit-limit"]) > 0 and 0 <= int(headers["ratelimit-remaining"]) < int(
        headers["ratelimit-limit"]
    )
    assert int(headers["ratelimit-reset"]) >= 1
