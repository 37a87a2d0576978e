"""The authenticator's memory on a fake clock and a fake lookup: trust period, outage grace, rejection
memory, size caps and forgetting (service/auth.py). No database: the lookup is replaced."""

from __future__ import annotations

from typing import Any

import pytest
from nfl_predictor.service import auth
from nfl_predictor.service.accounts import Principal
from nfl_predictor.service.auth import Authenticator


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


class Lookup:
    """find_principal's stand-in: the keys it knows, how often it was asked, and an outage switch."""

    def __init__(self) -> None:
        self.known: dict[str, Principal] = {}
        self.calls: list[str] = []
        self.down = False

    def __call__(self, db: Any, key: str) -> Principal | None:
        self.calls.append(key)
        if self.down:
            raise ConnectionError("database unreachable")
        return self.known.get(key)


def principal(key_id: int) -> Principal:
    return Principal(key_id=key_id, user_id=key_id, tier="pro", scopes=(), subscription_status="active",
                     subscription_expires_at=None)  # fmt: skip


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(auth, "time", fake)
    return fake


@pytest.fixture
def lookup(monkeypatch: pytest.MonkeyPatch) -> Lookup:
    fake = Lookup()
    fake.known = {"good": principal(1), "other": principal(2)}
    monkeypatch.setattr(auth, "find_principal", fake)
    return fake


def make(**kwargs: float) -> Authenticator:
    return Authenticator(object(), **kwargs)  # type: ignore[arg-type]


def test_defaults_are_the_documented_bounds() -> None:
    a = make()
    assert (a.key_ttl_s, a.stale_grace_s, a.lookups) == (10.0, 300.0, 0)
    assert (auth.KNOWN_TTL_S, auth.STALE_GRACE_S, auth.REJECTED_TTL_S) == (10.0, 300.0, 30.0)
    assert a.remembered("good") == (False, None) and a.stale("good") is None


def test_a_known_key_is_trusted_for_exactly_the_ttl(clock: Clock, lookup: Lookup) -> None:
    a = make(key_ttl_s=10.0, stale_grace_s=300.0)
    assert a.principal("good") == principal(1) and a.lookups == 1
    clock.now += 9.999
    assert a.remembered("good") == (True, principal(1))
    assert a.principal("good") == principal(1) and lookup.calls == ["good"] and a.lookups == 1
    clock.now += 0.001  # exactly the ttl: no longer fresh, looked up again
    assert a.remembered("good") == (False, None)
    assert a.principal("good") == principal(1) and lookup.calls == ["good", "good"] and a.lookups == 2
    assert a.remembered("good") == (True, principal(1))  # the new check restarted the period


def test_a_rejected_key_is_remembered_for_exactly_the_rejection_ttl(clock: Clock, lookup: Lookup) -> None:
    a = make(key_ttl_s=10.0)
    assert a.principal("made-up") is None and a.lookups == 1
    clock.now += auth.REJECTED_TTL_S - 0.001
    assert a.remembered("made-up") == (True, None)
    assert a.principal("made-up") is None and a.lookups == 1
    clock.now += 0.001
    assert a.remembered("made-up") == (False, None)
    assert a.principal("made-up") is None and a.lookups == 2


def test_a_key_rejected_then_created_is_accepted_once_the_rejection_is_stale(
    clock: Clock, lookup: Lookup
) -> None:
    a = make(key_ttl_s=10.0)
    assert a.principal("late") is None
    lookup.known["late"] = principal(3)
    clock.now += auth.REJECTED_TTL_S
    assert a.principal("late") == principal(3)
    assert a._rejected == {}  # the rejection is dropped once the key is known
    clock.now += 1
    assert a.remembered("late") == (True, principal(3))


def test_a_known_key_later_refused_is_forgotten_and_rejected(clock: Clock, lookup: Lookup) -> None:
    a = make(key_ttl_s=10.0)
    assert a.principal("good") == principal(1)
    del lookup.known["good"]  # revoked
    clock.now += 10.0
    assert a.principal("good") is None
    assert a._memory == {} and a.stale("good") is None
    lookup.down = True
    assert a.principal("good") is None  # the rejection is fresh: answered without the database
    assert a.lookups == 2


def test_an_outage_keeps_a_known_key_for_ttl_plus_grace_only(clock: Clock, lookup: Lookup) -> None:
    a = make(key_ttl_s=10.0, stale_grace_s=300.0)
    assert a.principal("good") == principal(1)
    lookup.down = True
    clock.now += 10.0 + 300.0 - 0.001
    assert a.stale("good") == principal(1)
    assert a.principal("good") == principal(1)  # served from memory while the database is down
    assert a.lookups == 2  # it did try the database
    clock.now += 0.001
    assert a.stale("good") is None
    with pytest.raises(ConnectionError):
        a.principal("good")
    with pytest.raises(ConnectionError):
        a.principal("never-seen")  # an unknown key gets the outage, not a stale answer


def test_forget_drops_only_that_key(clock: Clock, lookup: Lookup) -> None:
    a = make()
    a.principal("good")
    a.principal("other")
    a.forget("good")
    assert a.remembered("good") == (False, None) and a.stale("good") is None
    assert a.remembered("other") == (True, principal(2))
    a.forget("never-seen")  # forgetting an unknown key is not an error


def test_memories_are_lru_bounded_dropping_the_least_recently_checked(
    clock: Clock, lookup: Lookup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "MAX_REMEMBERED", 2)
    monkeypatch.setattr(auth, "MAX_REJECTED", 2)
    lookup.known["third"] = principal(3)
    a = make(key_ttl_s=10.0)
    a.principal("good")
    a.principal("other")
    clock.now += 10.0
    a.principal("good")  # re-checked: now the most recent
    a.principal("third")
    assert len(a._memory) == 2
    assert a.stale("other") is None  # the least recently checked went
    assert a.remembered("good") == (True, principal(1)) and a.remembered("third") == (True, principal(3))
    for bad in ("x", "y"):
        a.principal(bad)
    clock.now += auth.REJECTED_TTL_S
    a.principal("x")  # re-rejected: now the most recent
    a.principal("z")
    assert len(a._rejected) == 2
    assert a.remembered("x") == (True, None) and a.remembered("z") == (True, None)
    assert auth.hash_key("y") not in a._rejected
