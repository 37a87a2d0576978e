"""What an operator finds keys by (service/accounts.py: list_keys, resolve_key_id; db/queries/accounts.py:
key_ids_by_prefix), and the RateLimit fields on a keyed success (api/security.py)."""

from __future__ import annotations

import pytest
from nfl_predictor.service.accounts import (
    create_api_key,
    find_principal,
    list_keys,
    resolve_key_id,
    revoke_key,
    revoke_key_once,
)

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


def test_a_whole_key_resolves_even_when_its_shown_prefix_is_shared(api_stack: ApiStack) -> None:
    db = api_stack.db
    first = create_api_key(db, name="shared start a", tier="free", key="nflp_SAME123" + "a" * 36)
    second = create_api_key(db, name="shared start b", tier="free", key="nflp_SAME123" + "b" * 36)
    assert resolve_key_id(db, "nflp_SAME123") is None  # the listed prefix is ambiguous
    assert resolve_key_id(db, first.key) == first.key_id  # the whole key is not
    assert resolve_key_id(db, second.key) == second.key_id


def test_revoking_twice_is_not_an_error_and_an_unknown_id_is_said_to_be_unknown(api_stack: ApiStack) -> None:
    db = api_stack.db
    made = create_api_key(db, name="revoke once", tier="pro")
    other = create_api_key(db, name="stays", tier="pro")
    assert revoke_key_once(db, made.key_id) == "revoked"
    assert find_principal(db, made.key) is None and find_principal(db, other.key) is not None
    assert revoke_key_once(db, made.key_id) == "already_revoked"
    unused = int(db.scalar("SELECT max(id) FROM api_keys")) + 1000
    assert revoke_key_once(db, unused) == "unknown"
    assert find_principal(db, other.key) is not None  # neither call touched another key
