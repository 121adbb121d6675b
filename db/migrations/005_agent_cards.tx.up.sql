-- The cached A2A card of each external agent, and when it is next due.
CREATE TABLE agent_cards (
    agent_id        bigint PRIMARY KEY REFERENCES agents ON DELETE CASCADE,
    org_id          bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    card            jsonb,            -- normalised (v1.0) JSON of the last good card
    spec_version    text NOT NULL DEFAULT '',
    etag            text NOT NULL DEFAULT '',
    source_url      text NOT NULL DEFAULT '',
    fetched_at      timestamptz,
    last_attempt_at timestamptz,
    last_error      text NOT NULL DEFAULT '',
    failures        integer NOT NULL DEFAULT 0,
    next_refresh_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_cards_due_idx ON agent_cards (next_refresh_at);
CREATE INDEX agent_cards_org_idx ON agent_cards (org_id);

-- Every refresh, good or bad, with the cards before and after for the diff view.
CREATE TABLE card_refreshes (
    id            bigserial PRIMARY KEY,
    org_id        bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    agent_id      bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
    by_label      text NOT NULL,      -- a person, a token, or "scheduler"
    outcome       text NOT NULL CHECK (outcome IN ('changed', 'unchanged', 'error')),
    error         text NOT NULL DEFAULT '',
    url           text NOT NULL DEFAULT '',
    spec_version  text NOT NULL DEFAULT '',
    old_card      jsonb,
    new_card      jsonb,
    change_report jsonb,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX card_refreshes_agent_idx ON card_refreshes (agent_id, id DESC);
CREATE INDEX card_refreshes_org_idx ON card_refreshes (org_id, id DESC);

-- Organisation rules: skills with this tag (or any skill, '*') get these roles.
CREATE TABLE skill_role_rules (
    id         bigserial PRIMARY KEY,
    org_id     bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    match      text NOT NULL,
    roles      text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, match)
);

-- Roles of each skill of an external agent (auto-applied on refresh, editable).
CREATE TABLE agent_skill_roles (
    agent_id bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
    skill_id text NOT NULL,
    roles    text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (agent_id, skill_id)
);
