-- Platform operators change platform-wide data (the tool catalog, the model registry);
-- the flag is on the user, never an organisation role, and only the CLI sets it.
ALTER TABLE users ADD COLUMN platform_operator boolean NOT NULL DEFAULT false;

-- A member can be deactivated in one organisation (users may belong to several): their
-- sessions and tokens there end, and they cannot sign in to it.
ALTER TABLE memberships ADD COLUMN deactivated_at timestamptz;

-- API tokens may expire.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, org_id);
