"""API keys are matched on their whole hash, and a revoked key stops working.

The key lookup finds a key by the SHA-256 of the whole presented key: a key that shares a real key's
12-character display prefix (``key_prefix``) but differs after it is unknown. A revoked key is unknown
too, at once when it was never used, and within the authenticator's stated memory (``KNOWN_TTL_S``)
when it was (``AUTH_KEY_TTL_SECONDS``, 10 s by default). The clock that memory runs on is advanced by
hand: nothing here waits.
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from nfl_predictor.service import auth as auth_module
from nfl_predictor.service.accounts import create_api_key, find_principal, hash_key, revoke_key
from nfl_predictor.service.auth import KNOWN_TTL_S, Authenticator

from tests.integration.api.conftest import ApiStack, http_api_event

pytestmark = pytest.mark.usefixtures("fresh_caches")


def get(api_stack: ApiStack, key: str) -> dict[str, Any]:
    event = http_api_event(
        "GET", f"/v1/games/{api_stack.upcoming_game}/predictions", {"fields": "game_id"}, {"x-api-key": key}
    )
    return api_stack.invoke(event)


def error_code(response: dict[str, Any]) -> str:
    return str(orjson.loads(response["body"])["error"]["code"])


def same_prefix_other_key(key: str) -> str:
    """A key with the real key's first 12 characters (its stored ``key_prefix``) and a different rest."""
    rest = "".join("A" if c != "A" else "B" for c in key[12:])
    forged = key[:12] + rest
    assert forged != key and forged[:12] == key[:12] and len(forged) == len(key)
    return forged


def later_clock(seconds: float) -> SimpleNamespace:
    """A stand-in for the ``time`` module of service/auth.py whose monotonic clock is ``seconds`` ahead."""
    return SimpleNamespace(monotonic=lambda: time.monotonic() + seconds)


def test_a_key_sharing_a_real_keys_prefix_is_unknown(api_stack: ApiStack) -> None:
    real = api_stack.keys["pro"]
    assert get(api_stack, real)["statusCode"] == 200
    forged = same_prefix_other_key(real)
    response = get(api_stack, forged)
    assert response["statusCode"] == 401 and error_code(response) == "unauthorized"
    # The same at the service layer, for every kind of key the stack has.
    for name in ("free", "pro", "admin"):
        assert find_principal(api_stack.db, same_prefix_other_key(api_stack.keys[name])) is None
        assert find_principal(api_stack.db, api_stack.keys[name]) is not None


def test_a_key_sharing_the_prefix_of_a_key_created_for_the_test_is_unknown(api_stack: ApiStack) -> None:
    created = create_api_key(api_stack.db, name="prefix owner", tier="enterprise", admin=True)
    forged = same_prefix_other_key(created.key)
    principal = find_principal(api_stack.db, created.key)
    assert principal is not None and principal.key_id == created.key_id and principal.is_admin
    assert find_principal(api_stack.db, forged) is None
    stored_prefix = api_stack.db.scalar("SELECT key_prefix FROM api_keys WHERE id = :i", i=created.key_id)
    assert stored_prefix == forged[:12]  # the forged key really does share the stored prefix
    assert get(api_stack, forged)["statusCode"] == 401
    assert get(api_stack, created.key)["statusCode"] == 200


def test_a_revoked_key_never_used_is_refused_at_once(api_stack: ApiStack) -> None:
    created = create_api_key(api_stack.db, name="revoked before use", tier="pro")
    assert revoke_key(api_stack.db, created.key_id) is True
    assert revoke_key(api_stack.db, created.key_id) is False  # already revoked: nothing to do
    assert find_principal(api_stack.db, created.key) is None
    response = get(api_stack, created.key)
    assert response["statusCode"] == 401 and error_code(response) == "unauthorized"


def test_a_revoked_key_is_refused_within_the_stated_bound(
    api_stack: ApiStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = create_api_key(api_stack.db, name="revoked after use", tier="pro")
    assert get(api_stack, created.key)["statusCode"] == 200
    assert revoke_key(api_stack.db, created.key_id) is True
    # Within the bound the remembered answer may still be used; past it the database decides.
    assert api_stack.runtime.auth.key_ttl_s == KNOWN_TTL_S == 10.0  # AUTH_KEY_TTL_SECONDS's default
    monkeypatch.setattr(auth_module, "time", later_clock(KNOWN_TTL_S + 1))
    response = get(api_stack, created.key)
    assert response["statusCode"] == 401 and error_code(response) == "unauthorized"
    # Another key is unaffected by the revocation.
    assert get(api_stack, api_stack.keys["pro"])["statusCode"] == 200


def test_the_authenticator_forgets_a_revoked_key_after_known_ttl(
    api_stack: ApiStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = create_api_key(api_stack.db, name="authenticator memory", tier="free")
    auth = Authenticator(api_stack.db)
    first = auth.principal(created.key)
    assert first is not None and first.key_id == created.key_id
    assert auth.remembered(created.key) == (True, first)
    revoke_key(api_stack.db, created.key_id)
    monkeypatch.setattr(auth_module, "time", later_clock(KNOWN_TTL_S + 1))
    assert auth.remembered(created.key) == (False, None)
    assert auth.principal(created.key) is None
    digest = hash_key(created.key)
    assert digest not in auth._memory and digest in auth._rejected  # now remembered as unknown


def test_new_keys_are_prefixed_and_carry_32_random_bytes() -> None:
    from nfl_predictor.service.accounts import KEY_PREFIX, new_key

    keys = {new_key() for _ in range(5)}
    assert len(keys) == 5
    assert all(
        k.startswith(KEY_PREFIX) and len(k) == len(KEY_PREFIX) + 43 for k in keys
    )  # 32 bytes, base64url


def test_create_api_key_stores_what_it_was_given(api_stack: ApiStack) -> None:
    import datetime as dt

    past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    reader = create_api_key(
        api_stack.db, name="  reader  ", tier="pro", email="r@example.com", expires_at=past
    )
    assert reader.scopes == ("read",) and reader.tier == "pro" and reader.key.startswith("nflp_")
    user = api_stack.db.fetch_one("SELECT name, email FROM users WHERE id = :u", u=reader.user_id)
    assert user == ["reader", "r@example.com"]
    principal = find_principal(api_stack.db, reader.key)
    assert principal is not None and principal.scopes == ("read",) and not principal.is_admin
    assert principal.subscription_status == "active" and principal.subscription_expires_at == past
    assert not principal.subscription_active()  # expired by date
    stored = api_stack.db.fetch_one("SELECT key_prefix, scopes FROM api_keys WHERE id = :i", i=reader.key_id)
    assert stored == [reader.key[:12], ["read"]]
    admin = create_api_key(
        api_stack.db, name="root", tier="enterprise", admin=True, key="nflp_given_key_1234"
    )
    assert admin.key == "nflp_given_key_1234" and admin.scopes == ("read", "admin")
    found = find_principal(api_stack.db, "nflp_given_key_1234")
    assert found is not None and found.is_admin and found.subscription_active()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"name": "x", "tier": "gold"}, "tier must be one of free, pro, enterprise"),
     ({"name": "   ", "tier": "free"}, "name must not be empty")],
)  # fmt: skip
def test_create_api_key_refuses_bad_input(api_stack: ApiStack, kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as info:
        create_api_key(api_stack.db, **kwargs)
    assert str(info.value) == message


def test_expire_subscriptions_ends_only_that_users_active_subscription(api_stack: ApiStack) -> None:
    from nfl_predictor.service.accounts import expire_subscriptions

    one = create_api_key(api_stack.db, name="one", tier="pro")
    other = create_api_key(api_stack.db, name="other", tier="pro")
    assert expire_subscriptions(api_stack.db, one.user_id) == 1
    assert expire_subscriptions(api_stack.db, one.user_id) == 0
    first, second = find_principal(api_stack.db, one.key), find_principal(api_stack.db, other.key)
    assert first is not None and first.subscription_status == "expired" and not first.subscription_active()
    assert second is not None and second.subscription_active()


def error_of(response: dict[str, Any]) -> dict[str, Any]:
    return dict(orjson.loads(response["body"])["error"])


def test_every_refusal_says_exactly_why(api_stack: ApiStack) -> None:
    path = f"/v1/games/{api_stack.upcoming_game}/predictions"
    missing = api_stack.invoke(http_api_event("GET", path, {"fields": "game_id"}, {}))
    assert (missing["statusCode"], error_of(missing)) == (
        401, {"code": "unauthorized", "message": "missing x-api-key header", "field": "x-api-key"})  # fmt: skip
    unknown = get(api_stack, "nflp_not_a_key")
    assert (unknown["statusCode"], error_of(unknown)) == (
        401, {"code": "unauthorized", "message": "unknown or revoked API key", "field": "x-api-key"})  # fmt: skip
    lapsed = get(api_stack, api_stack.keys["expired"])
    assert (lapsed["statusCode"], error_of(lapsed)) == (
        403, {"code": "subscription_inactive", "message": "the subscription for this key is not active"})  # fmt: skip
    event = http_api_event("POST", "/v1/admin/cache/invalidate", None,
                           {"x-api-key": api_stack.keys["pro"], "content-type": "application/json"})  # fmt: skip
    event["body"] = orjson.dumps({"namespace": "predictions"}).decode()
    forbidden = api_stack.invoke(event)
    assert (forbidden["statusCode"], error_of(forbidden)) == (
        403, {"code": "forbidden", "message": "this route needs the admin scope"})  # fmt: skip


def test_rate_limits_are_per_key_and_per_tier(api_stack: ApiStack) -> None:
    first = create_api_key(api_stack.db, name="free one", tier="free")
    second = create_api_key(api_stack.db, name="free two", tier="free")
    pro = create_api_key(api_stack.db, name="pro one", tier="pro")
    statuses = [get(api_stack, first.key)["statusCode"] for _ in range(35)]
    assert statuses.count(429) >= 1  # the free tier's burst is 30
    limited = next(r for r in (get(api_stack, first.key) for _ in range(3)) if r["statusCode"] == 429)
    assert error_of(limited) == {"code": "rate_limited", "message": "rate limit for the free tier exceeded"}
    assert get(api_stack, second.key)["statusCode"] == 200  # another key has its own bucket
    assert all(get(api_stack, pro.key)["statusCode"] == 200 for _ in range(35))  # pro: a burst of 200


def test_a_key_whose_user_has_no_subscription_row_is_a_free_key_without_a_subscription(
    api_stack: ApiStack,
) -> None:
    created = create_api_key(api_stack.db, name="no subscription", tier="enterprise")
    api_stack.db.execute("DELETE FROM subscriptions WHERE user_id = :u", u=created.user_id)
    principal = find_principal(api_stack.db, created.key)
    assert principal is not None and principal.key_id == created.key_id
    assert principal.tier == "free" and principal.subscription_status is None
    assert principal.subscription_expires_at is None
    assert not principal.subscription_active()
    response = get(api_stack, created.key)
    assert response["statusCode"] == 403 and error_code(response) == "subscription_inactive"
