-- The application role (issue 12): what predict, cache-warm, admin and benchmark log in as. It gets
-- DML on the application's tables, USAGE on their sequences and EXECUTE on the search functions,
-- and nothing else: not a superuser, cannot create databases or roles, no CREATE on the schema, no
-- temporary tables, owner of nothing, so it cannot CREATE, DROP, ALTER, TRUNCATE or index a table.
-- The master user keeps migrations and index maintenance. The password is set by the migrations
-- custom resource from the role's own secret (nfl_predictor/db/roles.py), never written here.
--
-- Safe to run twice and concurrently: every statement is a no-op the second time, and roles are
-- cluster-wide, so another database's migration on the same server (tests) may have made it
-- between the check and the CREATE: that is caught, not an error.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nflp_app') THEN
        CREATE ROLE nflp_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN
        NULL;
    -- A local DATABASE_URL user without CREATEROLE: no role, nothing to grant (everything keeps
    -- working as that user). In AWS the master user has CREATEROLE, and the migrations function then
    -- fails the deploy if the role is missing when it sets its password (db/roles.py).
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'nflp_app not created (%): the application connects as the migrating user', SQLERRM;
END $$;

DO $$
DECLARE
    s text := current_schema();
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nflp_app') THEN
        RETURN;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO nflp_app', current_database());
    -- PUBLIC may create temporary tables by default: the application never needs one.
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC, nflp_app', current_database());
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO nflp_app', s);
    -- PostgreSQL 15+ no longer grants CREATE on public to PUBLIC; older clusters (or an edited
    -- schema) might: say it outright.
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC, nflp_app', s);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO nflp_app', s);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO nflp_app', s);
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO nflp_app', s);
    -- The migration history is the migrating user's: the application may read it (health), not write it.
    REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM nflp_app;
    -- Tables, sequences and functions later migrations create (as this same user) get the same grants.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO nflp_app', s);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO nflp_app', s);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT EXECUTE ON FUNCTIONS TO nflp_app', s);
END $$;

-- The monitoring snapshot counts other sessions in pg_stat_activity (read-only statistics). Granting
-- it needs admin rights on pg_read_all_stats, which a managed master user may lack: then the counts
-- cover the role's own sessions only, and the migration still succeeds.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'nflp_app') THEN
        GRANT pg_read_all_stats TO nflp_app;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'nflp_app: pg_read_all_stats not granted (%)', SQLERRM;
END $$;
