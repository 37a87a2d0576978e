"""Connection reuse, recovery from a dropped socket, timeouts, and the bounded local pool."""

from __future__ import annotations

import threading

import pytest
from nfl_predictor.db import parse_database_url
from nfl_predictor.db.connection import ConnectionPool, SingleConnection, open_connection
from nfl_predictor.db.database import Database
from pg8000.exceptions import DatabaseError, InterfaceError


def kill_backends(database_url: str) -> None:
    admin = open_connection(parse_database_url(database_url))
    admin.run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
              "WHERE application_name = 'nfl-predictor' AND pid <> pg_backend_pid()")  # fmt: skip
    admin.close()


def test_one_connection_is_reused_across_calls(database_url: str) -> None:
    source = SingleConnection(parse_database_url(database_url))
    db = Database(source, source.target)
    pids = {db.scalar("SELECT pg_backend_pid()") for _ in range(5)}
    assert len(pids) == 1 and source.opened == 1
    db.close()


def test_broken_socket_is_discarded_and_a_read_retried_once(database_url: str) -> None:
    source = SingleConnection(parse_database_url(database_url))
    db = Database(source, source.target)
    first = db.scalar("SELECT pg_backend_pid()")
    kill_backends(database_url)
    assert db.scalar("SELECT pg_backend_pid()") != first  # the caller never sees the dead socket
    assert source.opened == 2
    db.close()


def test_writes_on_a_dead_socket_fail_and_are_not_retried(database_url: str) -> None:
    source = SingleConnection(parse_database_url(database_url))
    db = Database(source, source.target)
    db.execute("CREATE TABLE IF NOT EXISTS write_probe (id int)")
    kill_backends(database_url)
    with pytest.raises((InterfaceError, DatabaseError, OSError)):
        db.execute("INSERT INTO write_probe VALUES (1)")
    assert db.scalar("SELECT count(*) FROM write_probe") == 0
    assert source.opened == 2
    db.close()


def test_stale_connection_is_pinged_and_replaced_before_use(database_url: str) -> None:
    source = SingleConnection(parse_database_url(database_url), idle_reconnect_s=0.0)
    db = Database(source, source.target)
    first = db.scalar("SELECT pg_backend_pid()")
    kill_backends(database_url)  # as a NAT or proxy would while the Lambda was frozen
    assert db.scalar("SELECT pg_backend_pid()") != first  # no error reaches the caller
    db.close()


def test_statement_and_lock_timeouts_are_applied(database_url: str) -> None:
    source = SingleConnection(parse_database_url(database_url), statement_timeout_ms=150, lock_timeout_ms=75)
    db = Database(source, source.target)
    assert db.scalar("SHOW statement_timeout") == "150ms"
    assert db.scalar("SHOW lock_timeout") == "75ms"
    with pytest.raises(DatabaseError, match="statement timeout"):
        db.scalar("SELECT pg_sleep(2)")
    assert db.scalar("SELECT 1") == 1  # the connection survives an SQL error
    db.close()


def test_failed_transaction_rolls_back_everything(db: Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS tx_probe (id int PRIMARY KEY)")
    with pytest.raises(DatabaseError), db.transaction() as tx:
        tx.run("INSERT INTO tx_probe VALUES (1)")
        tx.run("INSERT INTO tx_probe VALUES (1)")
    assert db.scalar("SELECT count(*) FROM tx_probe") == 0


def test_pool_is_bounded_and_shared_by_threads(database_url: str) -> None:
    pool = ConnectionPool(parse_database_url(database_url), size=2, acquire_timeout_s=0.2)
    db = Database(pool, pool.target)
    pids: set[int] = set()
    lock = threading.Lock()

    def work() -> None:
        for _ in range(10):
            pid = db.scalar("SELECT pg_backend_pid() FROM pg_sleep(0.005)")
            with lock:
                pids.add(pid)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 1 <= len(pids) <= 2 and pool.opened <= 2

    with (
        pool.connection(),
        pool.connection(),
        pytest.raises(TimeoutError, match="no database connection free"),
        pool.connection(),
    ):
        pass
    db.close()
