"""SnapStart: the predict Runtime's hooks, run the way Lambda runs them, against the private Postgres
and Redis; the function answers correctly in the restored copy, even when a connection it held
before the snapshot was killed server-side while the snapshot waited.

The hooks are registered with snapshot_restore_py exactly as handlers/predict.py registers them,
and run as the managed runtime runs them (before-hooks in reverse order of registration, after-hooks
in order: ``run_before_snapshot`` / ``run_after_restore`` below).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
import snapshot_restore_py
from nfl_predictor.service.accounts import create_api_key, revoke_key

from tests.integration.api.conftest import ApiStack, http_api_event

pytestmark = pytest.mark.usefixtures("fresh_caches")


def run_before_snapshot() -> None:
    callables = snapshot_restore_py.get_before_snapshot()
    while callables:
        func, args, kwargs = callables.pop()
        func(*args, **kwargs)


def run_after_restore() -> None:
    for func, args, kwargs in snapshot_restore_py.get_after_restore():
        func(*args, **kwargs)


@pytest.fixture
def hooks(api_stack: ApiStack) -> Iterator[ApiStack]:
    """The stack's Runtime registered as handlers/predict.py registers the function's (registry restored after)."""
    before, after = (
        list(snapshot_restore_py.get_before_snapshot()),
        list(snapshot_restore_py.get_after_restore()),
    )
    snapshot_restore_py.get_before_snapshot().clear()
    snapshot_restore_py.get_after_restore().clear()
    snapshot_restore_py.register_before_snapshot(api_stack.runtime.before_snapshot)
    snapshot_restore_py.register_after_restore(api_stack.runtime.after_restore)
    yield api_stack
    snapshot_restore_py.get_before_snapshot()[:] = before
    snapshot_restore_py.get_after_restore()[:] = after


def game(stack: ApiStack, key: str) -> dict[str, Any]:
    path = f"/v1/games/{stack.upcoming_game}/predictions"
    return stack.invoke(http_api_event("GET", path, headers={"x-api-key": key}))


def header(response: dict[str, Any], name: str) -> str | None:
    return {k.lower(): v for k, v in (response.get("headers") or {}).items()}.get(name)


def until(check: Callable[[], bool], what: str, deadline_s: float = 10.0) -> None:
    """Server-side effects (a closed socket seen by the server) are asynchronous: poll, with a deadline."""
    end = time.monotonic() + deadline_s
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"not within {deadline_s}s: {what}")
        time.sleep(0.05)


def runtime_sessions(stack: ApiStack) -> tuple[int, set[int]]:
    """(the Runtime's Postgres backend pid, the ids of its Redis client connections)."""
    pid = int(stack.runtime.db.scalar("SELECT pg_backend_pid()"))
    admin = redis.Redis.from_url(stack.redis.url)
    mine = admin.client_id()
    ids = {int(c["id"]) for c in admin.client_list() if int(c["id"]) != mine}
    admin.close()
    return pid, ids


def backend_alive(stack: ApiStack, pid: int) -> bool:
    return bool(stack.db.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid", pid=pid))


def redis_clients(stack: ApiStack) -> set[int]:
    admin = redis.Redis.from_url(stack.redis.url)
    mine = admin.client_id()
    ids = {int(c["id"]) for c in admin.client_list() if int(c["id"]) != mine}
    admin.close()
    return ids


def test_before_snapshot_closes_every_socket_and_the_restored_copy_answers(hooks: ApiStack) -> None:
    stack = hooks
    first = game(stack, stack.keys["pro"])
    assert first["statusCode"] == 200
    pid, clients = runtime_sessions(stack)
    assert clients, "the request used Redis"

    run_before_snapshot()
    until(lambda: not backend_alive(stack, pid), "the database connection is closed before the snapshot")
    until(
        lambda: not (redis_clients(stack) & clients), "the Redis connections are closed before the snapshot"
    )

    run_after_restore()
    again = game(stack, stack.keys["pro"])
    assert again["statusCode"] == 200
    assert again["body"] == first["body"]
    # L1 was dropped on restore: the answer came from Redis, over a connection opened after the restore.
    assert header(again, "x-cache") == "redis"
    new_pid, new_clients = runtime_sessions(stack)
    assert new_pid != pid and not (new_clients & clients)


def test_connections_killed_while_the_snapshot_waited_are_replaced_after_restore(hooks: ApiStack) -> None:
    """A connection that crossed the snapshot (opened after before_snapshot, or the hook never ran) and
    that the servers dropped meanwhile: the restored copy must not hand a request a dead socket."""
    stack = hooks
    warm_key = create_api_key(stack.db, name="snapstart-warm", tier="pro").key
    first = game(stack, warm_key)
    assert first["statusCode"] == 200
    pid, clients = runtime_sessions(stack)

    # The servers drop the sessions while the snapshot waits (idle timeout, failover, proxy recycle).
    assert stack.db.scalar("SELECT pg_terminate_backend(:pid)", pid=pid) is True
    admin = redis.Redis.from_url(stack.redis.url)
    for client_id in clients:
        admin.execute_command("CLIENT", "KILL", "ID", client_id)
    admin.close()
    until(lambda: not backend_alive(stack, pid), "the backend is gone")

    run_after_restore()
    # The key check needs the database (the key cache was dropped on restore) and the game comes
    # from Redis (L1 was dropped): both over fresh connections, first time, no error.
    again = game(stack, warm_key)
    assert again["statusCode"] == 200, again["body"]
    assert again["body"] == first["body"]
    assert header(again, "x-cache") == "redis"
    assert stack.runtime.auth.lookups == 2  # the first request's lookup, and one after the restore


def test_a_key_revoked_while_the_snapshot_waited_is_refused_after_restore(hooks: ApiStack) -> None:
    """The key cache's TTL counts monotonic time, which does not move while a snapshot waits: the
    restore drops it, so a revocation made in the meantime holds in every restored copy."""
    stack = hooks
    created = create_api_key(stack.db, name="snapstart-revoked", tier="pro")
    assert game(stack, created.key)["statusCode"] == 200
    run_before_snapshot()
    assert revoke_key(stack.db, created.key_id)
    run_after_restore()
    assert game(stack, created.key)["statusCode"] == 401


def test_every_restored_copy_draws_its_own_randomness(hooks: ApiStack) -> None:
    snapshot_state = random.getstate()  # what every copy of the snapshot starts from
    draws = []
    for _ in range(2):
        random.setstate(snapshot_state)
        run_after_restore()
        draws.append(random.random())
    assert draws[0] != draws[1]
