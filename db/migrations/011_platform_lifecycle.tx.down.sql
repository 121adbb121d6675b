DROP INDEX IF EXISTS api_tokens_user_idx;
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE memberships DROP COLUMN deactivated_at;
ALTER TABLE users DROP COLUMN platform_operator;
