"""api/security.authorise on fake parts: the missing key, the pre-auth gate for unknown keys, the
outage fallback to a recently checked key, admin scope and the tier's rate limit. No I/O."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from nfl_predictor.api.errors import ApiError
from nfl_predictor.api.security import authorise
from nfl_predictor.service.accounts import Principal
from nfl_predictor.service.ratelimit import Decision

KEY = "nflp_some-key"
PRO = Principal(key_id=7, user_id=7, tier="pro", scopes=("read",), subscription_status="active",
                subscription_expires_at=None)  # fmt: skip
ADMIN = Principal(key_id=8, user_id=8, tier="enterprise", scopes=("read", "admin"), subscription_status="active",
                  subscription_expires_at=None)  # fmt: skip
LAPSED = Principal(key_id=9, user_id=9, tier="pro", scopes=("read",), subscription_status="expired",
                   subscription_expires_at=None)  # fmt: skip


class Auth:
    def __init__(self, *, remembered: Any = (False, None), stale: Any = None, principal: Any = None,
                 down: bool = False) -> None:  # fmt: skip
        self._remembered, self._stale, self._principal, self.down = remembered, stale, principal, down
        self.asked: list[str] = []

    def remembered(self, key: str) -> Any:
        return self._remembered

    def stale(self, key: str) -> Any:
        return self._stale

    def principal(self, key: str) -> Any:
        self.asked.append(key)
        if self.down:
            raise ApiError(503, "unavailable", "database down", headers={"Retry-After": "5"})
        return self._principal


class Gate:
    def __init__(self, allowed: bool = True) -> None:
        self.allowed, self.clients = allowed, []

    def check(self, client: str) -> Decision:
        self.clients.append(client)
        return Decision(self.allowed, 4, "local")


class Limiter:
    def __init__(self, allowed: bool = True) -> None:
        self.allowed, self.calls = allowed, []

    def check(self, key_id: int, tier: str) -> Decision:
        self.calls.append((key_id, tier))
        return Decision(self.allowed, 3, "lease", 60, 0 if not self.allowed else 59, 1)


def runtime(
    auth: Auth, *, breaker: str = "closed", gate: Gate | None = None, limiter: Limiter | None = None
) -> Any:
    return SimpleNamespace(auth=auth, db_breaker=SimpleNamespace(state=breaker), preauth_limiter=gate or Gate(),
                           rate_limiter=limiter or Limiter())  # fmt: skip


def run(rt: Any, headers: list[tuple[bytes, bytes]] | None = None, path: str = "/v1/games",
        client: str = "unknown") -> Any:  # fmt: skip
    if headers is None:
        headers = [(b"accept", b"*/*"), (b"x-api-key", KEY.encode("latin-1"))]
    return asyncio.run(authorise(rt, headers, path, client))


def refusal(rt: Any, **kwargs: Any) -> ApiError:
    with pytest.raises(ApiError) as refused:
        run(rt, **kwargs)
    return refused.value


LIMITS = {"RateLimit-Limit": "60", "RateLimit-Remaining": "59", "RateLimit-Reset": "1"}


def test_a_missing_or_empty_key_is_401_naming_the_header() -> None:
    for headers in ([], [(b"x-api-key", b"")], [(b"X-API-KEY-OTHER", b"k")]):
        err = refusal(runtime(Auth()), headers=headers)
        assert (err.status, err.code, err.message, err.field) == (401, "unauthorized", "missing x-api-key header",
                                                                   "x-api-key")  # fmt: skip


def test_a_remembered_key_needs_no_lookup_and_gets_its_limits() -> None:
    auth, gate, limiter = Auth(remembered=(True, PRO)), Gate(), Limiter()
    assert run(runtime(auth, gate=gate, limiter=limiter), client="1.2.3.4") == (PRO, LIMITS)
    assert auth.asked == [] and gate.clients == [] and limiter.calls == [(7, "pro")]


def test_an_unknown_key_passes_the_gate_for_its_address_then_is_looked_up() -> None:
    auth, gate = Auth(principal=PRO), Gate()
    assert run(runtime(auth, gate=gate), client="1.2.3.4") == (PRO, LIMITS)
    assert auth.asked == [KEY] and gate.clients == ["1.2.3.4"]


def test_the_gate_refuses_with_retry_after_and_no_lookup() -> None:
    auth = Auth(principal=PRO)
    err = refusal(runtime(auth, gate=Gate(allowed=False)))
    assert (err.status, err.code, err.message) == (429, "rate_limited",
                                                   "too many requests with keys this service does not know")  # fmt: skip
    assert err.headers == {"Retry-After": "4"} and auth.asked == []


def test_a_stale_key_skips_the_gate_and_survives_an_outage() -> None:
    auth, gate = Auth(stale=PRO, down=True), Gate(allowed=False)
    assert run(runtime(auth, gate=gate)) == (PRO, LIMITS)
    assert gate.clients == [] and auth.asked == [KEY]


def test_a_stale_key_is_admitted_without_a_lookup_while_the_breaker_is_not_closed() -> None:
    for state in ("open", "half_open"):
        auth = Auth(stale=PRO, principal=None)
        assert run(runtime(auth, breaker=state)) == (PRO, LIMITS) and auth.asked == []
    auth = Auth(stale=PRO, principal=ADMIN)
    assert run(runtime(auth, breaker="closed")) == (ADMIN, LIMITS) and auth.asked == [KEY]


def test_an_unknown_key_during_an_outage_is_503_with_the_outage_headers() -> None:
    err = refusal(runtime(Auth(down=True)))
    assert (err.status, err.code, err.message) == (503, "unavailable", "cannot verify the API key right now")
    assert err.headers == {"Retry-After": "5"}


def test_other_lookup_errors_are_not_turned_into_503() -> None:
    class Boom(Auth):
        def principal(self, key: str) -> Any:
            raise ApiError(500, "internal", "boom")

    for stale in (None, PRO):
        err = refusal(runtime(Boom(stale=stale)))
        assert (err.status, err.code) == (500, "internal")


def test_refusals_after_the_lookup() -> None:
    err = refusal(runtime(Auth(principal=None)))
    assert (err.status, err.code, err.message, err.field) == (401, "unauthorized", "unknown or revoked API key",
                                                               "x-api-key")  # fmt: skip
    err = refusal(runtime(Auth(principal=LAPSED)))
    assert (err.status, err.code, err.message) == (403, "subscription_inactive",
                                                   "the subscription for this key is not active")  # fmt: skip
    err = refusal(runtime(Auth(principal=PRO)), path="/v1/admin/warm")
    assert (err.status, err.code, err.message) == (403, "forbidden", "this route needs the admin scope")
    assert run(runtime(Auth(principal=ADMIN)), path="/v1/admin/warm") == (ADMIN, LIMITS)
    assert run(runtime(Auth(principal=PRO)), path="/v1/adminx") == (PRO, LIMITS)
    err = refusal(runtime(Auth(principal=PRO), limiter=Limiter(allowed=False)))
    assert (err.status, err.code, err.message) == (
        429,
        "rate_limited",
        "rate limit for the pro tier exceeded",
    )
    assert err.headers == {"Retry-After": "3", "RateLimit-Limit": "60", "RateLimit-Remaining": "0",
                           "RateLimit-Reset": "1"}  # fmt: skip


def test_the_client_address_is_the_peer_host_or_unknown() -> None:
    from nfl_predictor.api.security import client_address

    assert client_address({"client": ("203.0.113.9", 5000)}) == "203.0.113.9"
    assert client_address({"client": None}) == "unknown" and client_address({}) == "unknown"
