CREATE TABLE organizations (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    slug        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                  bigserial PRIMARY KEY,
    email               text NOT NULL,
    name                text NOT NULL,
    password_hash       text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE memberships (
    org_id     bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('admin', 'builder', 'reviewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

-- API tokens: only the SHA-256 of the secret is kept; prefix lets people recognise it.
CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    org_id       bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    user_id      bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    name         text NOT NULL,
    prefix       text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_org_idx ON api_tokens (org_id, id DESC);

-- Logged-in console sessions. The cookie (gorilla/sessions) names a row; deleting the
-- row ends the session everywhere, so logout and password changes really log out.
CREATE TABLE sessions (
    id_hash    bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    org_id     bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    seen_at    timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Failed logins, for throttling per account and per address across every instance.
CREATE TABLE login_failures (
    id     bigserial PRIMARY KEY,
    email  text NOT NULL,
    ip     text NOT NULL,
    at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (lower(email), at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, at);

-- Shared secrets (session keys) so that every instance agrees without configuration.
CREATE TABLE app_secrets (
    name  text PRIMARY KEY,
    value bytea NOT NULL
);

-- The audit log is append-only: a trigger refuses UPDATE and DELETE.
CREATE TABLE audit_log (
    id             bigserial PRIMARY KEY,
    org_id         bigint REFERENCES organizations ON DELETE CASCADE,
    actor_user_id  bigint,
    actor_token_id bigint,
    actor          text NOT NULL DEFAULT '',
    action         text NOT NULL,
    object_type    text NOT NULL DEFAULT '',
    object_id      text NOT NULL DEFAULT '',
    summary        text NOT NULL DEFAULT '',
    ip             text NOT NULL DEFAULT '',
    via            text NOT NULL DEFAULT '',
    route          text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_org_idx ON audit_log (org_id, id DESC);
CREATE INDEX audit_log_org_action_idx ON audit_log (org_id, action, id DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
