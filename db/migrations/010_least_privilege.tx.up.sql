-- The server runs as agentconsole_app (or a login role that is a member of it); the
-- migrations run as the owner of every table. The app role gets what the server needs
-- and no more: it owns nothing, so it cannot ALTER TABLE … DISABLE TRIGGER, and it is no
-- superuser, so it cannot SET session_replication_role to skip triggers.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'agentconsole_app') THEN
        CREATE ROLE agentconsole_app NOLOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'the role agentconsole_app does not exist and % may not create it', current_user
        USING HINT = 'CREATE ROLE agentconsole_app LOGIN PASSWORD ''…'' as an administrator, then migrate again';
END $$;

-- Nobody but the owner creates objects here (PostgreSQL 15 already says so; older
-- servers let every role create in public).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO agentconsole_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO agentconsole_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO agentconsole_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO agentconsole_app;
-- Whatever a later migration creates is usable by the server without a GRANT of its own
-- (default privileges apply to objects the role running the migrations creates).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO agentconsole_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO agentconsole_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO agentconsole_app;

-- Migration bookkeeping is the owner's alone.
REVOKE ALL ON bun_migrations, bun_migration_locks FROM agentconsole_app;

-- History and the audit trail are append-only: read and append, nothing else.
REVOKE UPDATE, TRUNCATE ON agent_versions FROM agentconsole_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM agentconsole_app;
-- TRUNCATE fires no row trigger: refuse it with a statement trigger too (for a role that
-- was granted TRUNCATE, or the owner by mistake).
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
