"""Least privilege in the database (issue 12): the application role ``nflp_app`` made by migration 010
can do the DML the serving, warming and admin functions need, and nothing else: it cannot create,
drop, alter, truncate or index a table, owns nothing, and the migration is safe twice and at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pg8000.native
import pytest
from nfl_predictor.api.lambda_app import make_lambda_handler
from nfl_predictor.data.ingest import load_demo_league
from nfl_predictor.db import Database, parse_database_url
from nfl_predictor.db.database import make_database
from nfl_predictor.db.migrate import apply_migrations, load_migrations
from nfl_predictor.db.roles import APP_ROLE, RoleError, set_role_password
from nfl_predictor.service.accounts import create_api_key, find_principal, list_keys, revoke_key
from nfl_predictor.service.training import train_and_store
from pg8000.exceptions import DatabaseError

from tests.conftest import fresh_database_url
from tests.integration.api.conftest import LambdaContext, http_api_event, runtime_on

ROLE_SQL = next(m for m in load_migrations() if m.name == "roles").sql


def as_role(url: str, role: str) -> str:
    """The same database, logged in as ``role`` (the embedded server trusts local sockets)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{role}:@{parts.netloc.rsplit('@', 1)[1]}"))


def connect(url: str) -> pg8000.native.Connection:
    return pg8000.native.Connection(**parse_database_url(url).connect_kwargs())


@pytest.fixture(scope="module")
def owner_url(pg_server: Any) -> str:
    """A database migrated here (not cloned: a clone does not copy the database-level grants)."""
    url = fresh_database_url(pg_server, None)
    db = make_database(parse_database_url(url), pooled=False)
    apply_migrations(db)
    load_demo_league(db)
    train_and_store(db)
    db.close()
    return url


@pytest.fixture
def app_conn(owner_url: str) -> Iterator[pg8000.native.Connection]:
    conn = connect(as_role(owner_url, APP_ROLE))
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def app_db(owner_url: str) -> Iterator[Database]:
    db = make_database(parse_database_url(as_role(owner_url, APP_ROLE)), pooled=False)
    yield db
    db.close()


def sqlstate(conn: pg8000.native.Connection, sql: str) -> str:
    with pytest.raises(DatabaseError) as caught:
        conn.run(sql)
    return str(caught.value.args[0]["C"])


def test_the_role_is_who_we_log_in_as_and_has_no_special_attributes(
    app_conn: pg8000.native.Connection,
) -> None:
    assert app_conn.run("SELECT current_user")[0][0] == APP_ROLE
    [[superuser, createdb, createrole, bypassrls, replication]] = app_conn.run(
        "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolreplication FROM pg_roles "
        "WHERE rolname = current_user"
    )
    assert not any((superuser, createdb, createrole, bypassrls, replication))


def test_the_role_owns_nothing(app_conn: pg8000.native.Connection) -> None:
    owned = app_conn.run(
        "SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid) + "
        "(SELECT count(*) FROM pg_proc WHERE proowner = r.oid) + "
        "(SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid) + "
        "(SELECT count(*) FROM pg_type WHERE typowner = r.oid) "
        "FROM pg_roles r WHERE r.rolname = current_user"
    )[0][0]
    assert owned == 0


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE intruder (id int)",
        "CREATE TEMP TABLE intruder (id int)",
        "DROP TABLE games",
        "ALTER TABLE games ADD COLUMN intruder int",
        "ALTER TABLE api_keys DISABLE TRIGGER ALL",
        "TRUNCATE games",
        "TRUNCATE api_keys CASCADE",
        "CREATE INDEX intruder_idx ON games (season)",
        "DROP INDEX expert_research_one_per_game_expert",
        "CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE OR REPLACE FUNCTION search_similar_matchups(query_embedding vector(32), match_count integer, "
        "exclude_game_id text, before_gameday date) RETURNS TABLE (game_id text) LANGUAGE sql AS 'SELECT 1::text'",
        "CREATE SCHEMA intruder",
        "DELETE FROM schema_migrations",
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'x', 'x')",
        "ALTER ROLE nflp_app CREATEDB",
        "GRANT pg_write_server_files TO nflp_app",
    ],
)
def test_the_role_cannot_change_the_schema(app_conn: pg8000.native.Connection, statement: str) -> None:
    # 42501 insufficient_privilege (42P01/42704 would mean the test named a missing object).
    assert sqlstate(app_conn, statement) == "42501", statement


def test_the_role_can_do_the_dml_the_functions_need(app_db: Database, owner_url: str) -> None:
    # Accounts: what the admin function does (insert users/subscriptions/keys via their sequences).
    created = create_api_key(app_db, name="app-role", tier="pro")
    assert find_principal(app_db, created.key) is not None
    assert any(k["id"] == created.key_id for k in list_keys(app_db))
    assert revoke_key(app_db, created.key_id) is True
    # Predictions: the write-through and the warming (insert, update, delete).
    game = app_db.scalar("SELECT game_id FROM games WHERE home_score IS NULL ORDER BY game_id LIMIT 1")
    app_db.execute("UPDATE games SET updated_at = updated_at WHERE game_id = :g", g=game)
    app_db.execute("DELETE FROM predictions WHERE game_id = :g AND model_version = 'app-role-test'", g=game)
    # The vector search functions.
    vec = app_db.scalar("SELECT embedding FROM game_embeddings LIMIT 1")
    rows = app_db.fetch("SELECT game_id FROM search_similar_matchups(:q, 3)", q=vec)
    assert rows
    # The migration history: readable (health), as granted.
    assert app_db.scalar("SELECT max(version) FROM schema_migrations") >= 10


def test_the_serving_and_warming_paths_run_as_the_role(owner_url: str, redis_url: str) -> None:
    """Warm a week, answer keyed requests and take a monitoring snapshot, all logged in as nflp_app."""
    runtime = runtime_on(as_role(owner_url, APP_ROLE), redis_url, MONITOR_SNAPSHOT_SECONDS="0.001")
    try:
        key = create_api_key(runtime.db, name="served as app role", tier="pro", admin=True).key
        report = runtime.predictions.warm_week(force=True)
        assert report["computed"] > 0
        handler = make_lambda_handler(runtime)
        season, week = report["season"], report["week"]
        # A game no warm has stored: computed on request and written through, as the role.
        game = runtime.db.scalar("SELECT g.game_id FROM games g WHERE g.home_score IS NULL AND NOT EXISTS "
                                 "(SELECT 1 FROM predictions p WHERE p.game_id = g.game_id) "
                                 "ORDER BY g.gameday DESC LIMIT 1")  # fmt: skip
        requests = [("/v1/predictions", {"season": season, "week": week}), (f"/v1/games/{game}/predictions", {}),
                    (f"/v1/games/{game}/similar", {}), ("/v1/experts/leaderboard", {}), ("/v1/performance", {}),
                    ("/v1/search", {"q": "quarterback injury"}), ("/v1/games", {"season": season, "week": week})]  # fmt: skip
        for path, query in requests:
            event = http_api_event("GET", path, query, headers={"x-api-key": key})
            response = handler(event, LambdaContext())
            assert response["statusCode"] == 200, (path, response.get("body", "")[:300])
        assert runtime.db.scalar("SELECT count(*) FROM predictions WHERE game_id = :g", g=game) > 0
        assert runtime.db.scalar("SELECT count(*) FROM performance_snapshots") > 0
        assert runtime.db.scalar("SELECT current_user") == APP_ROLE
    finally:
        runtime.close()


def test_the_migration_is_safe_twice(owner_url: str) -> None:
    conn = connect(owner_url)
    try:
        conn.run(ROLE_SQL)
        conn.run(ROLE_SQL)
    finally:
        conn.close()


def test_two_databases_migrating_at_once_both_succeed(pg_server: Any) -> None:
    """Two fresh databases on one server migrate at the same moment; both end with the role's grants."""
    urls = [fresh_database_url(pg_server, None) for _ in range(2)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def migrate(url: str) -> None:
        db = make_database(parse_database_url(url), pooled=False)
        try:
            barrier.wait(timeout=30)
            apply_migrations(db)
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=migrate, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    for url in urls:
        conn = connect(as_role(url, APP_ROLE))
        assert conn.run("SELECT count(*) FROM teams")[0][0] == 0
        conn.close()


def test_creating_the_role_races_safely(pg_server: Any) -> None:
    """The role is cluster-wide, so two databases' migrations may both find it missing and both CREATE
    it: the loser's error is caught. Raced here with a throwaway name, several times over."""
    create_block = ROLE_SQL[ROLE_SQL.index("DO $$") : ROLE_SQL.index("END $$;") + len("END $$;")]
    admin = connect(pg_server.url)
    try:
        for round_ in range(5):
            name = f"nflp_race_{round_}"
            admin.run(f"DROP ROLE IF EXISTS {name}")
            barrier = threading.Barrier(4)
            errors: list[BaseException] = []

            def create(
                sql: str = create_block.replace(APP_ROLE, name),
                barrier: threading.Barrier = barrier,
                errors: list[BaseException] = errors,
            ) -> None:
                conn = connect(pg_server.url)
                try:
                    barrier.wait(timeout=30)
                    conn.run(sql)
                except BaseException as exc:
                    errors.append(exc)
                finally:
                    conn.close()

            threads = [threading.Thread(target=create) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert not errors, errors
            assert admin.run("SELECT count(*) FROM pg_roles WHERE rolname = :n", n=name)[0][0] == 1
            admin.run(f"DROP ROLE {name}")
    finally:
        admin.close()


def test_the_password_is_set_from_the_secret_and_only_on_the_app_role(owner_url: str) -> None:
    db = make_database(parse_database_url(owner_url), pooled=False)
    try:
        set_role_password(db, APP_ROLE, "first-Password-1")
        first = db.scalar("SELECT rolpassword FROM pg_authid WHERE rolname = :r", r=APP_ROLE)
        set_role_password(db, APP_ROLE, "second-'quoted'-2")  # quoting is the server's, not ours
        second = db.scalar("SELECT rolpassword FROM pg_authid WHERE rolname = :r", r=APP_ROLE)
        assert str(first).startswith("SCRAM-SHA-256$") and first != second
        with pytest.raises(RoleError, match="superuser"):
            set_role_password(db, "postgres", "x")
        with pytest.raises(RoleError, match="no such role"):
            set_role_password(db, "nobody_here", "x")
        with pytest.raises(RoleError, match="empty"):
            set_role_password(db, APP_ROLE, "")
    finally:
        db.close()


def test_a_migrating_user_without_createrole_gets_no_role_and_no_error(pg_server: Any) -> None:
    """A local DATABASE_URL user that owns its database but may not create roles: 010 is a no-op there
    (run with a throwaway role name, since nflp_app already exists on this server)."""
    admin = connect(pg_server.url)
    admin.run("DROP DATABASE IF EXISTS nflp_plain_owner")
    admin.run("DROP ROLE IF EXISTS nflp_plain_user")
    admin.run("CREATE ROLE nflp_plain_user LOGIN")
    admin.run("CREATE DATABASE nflp_plain_owner OWNER nflp_plain_user")
    try:
        url = as_role(pg_server.url_for("nflp_plain_owner"), "nflp_plain_user")
        conn = connect(url)
        conn.run("CREATE TABLE schema_migrations (version int)")  # what the runner makes first
        conn.run(ROLE_SQL.replace(APP_ROLE, "nflp_app_never"))
        conn.close()
        assert admin.run("SELECT count(*) FROM pg_roles WHERE rolname = 'nflp_app_never'")[0][0] == 0
    finally:
        admin.run("DROP DATABASE IF EXISTS nflp_plain_owner")
        admin.run("DROP ROLE IF EXISTS nflp_plain_user")
        admin.close()
