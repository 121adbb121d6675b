DROP TABLE IF EXISTS audit_log, app_secrets, login_failures, sessions, api_tokens, memberships, users, organizations CASCADE;
DROP FUNCTION IF EXISTS audit_log_append_only();
