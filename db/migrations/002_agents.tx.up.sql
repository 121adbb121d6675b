CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Model registry: bundled ids are loaded at start; admins may add more.
CREATE TABLE models (
    id           text PRIMARY KEY,          -- provider:model
    display_name text NOT NULL,
    provider     text NOT NULL,
    builtin      boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE knowledge_bases (
    id         bigserial PRIMARY KEY,
    org_id     bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX knowledge_bases_org_idx ON knowledge_bases (org_id, id);

CREATE TABLE mcp_servers (
    id         bigserial PRIMARY KEY,
    org_id     bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    name       text NOT NULL,
    url        text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mcp_servers_org_idx ON mcp_servers (org_id, id);

CREATE TABLE tags (
    id          bigserial PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    name        text NOT NULL,
    color       text NOT NULL DEFAULT 'slate',
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tags_org_name_key ON tags (org_id, lower(name));

CREATE TABLE agents (
    id                    bigserial PRIMARY KEY,
    org_id                bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    name                  text NOT NULL,
    description           text,
    logo_url              text,
    conversation_starters jsonb,
    model                 text,
    max_tool_roundtrips   integer CHECK (max_tool_roundtrips >= 1),
    system_prompt         text,
    tools                 jsonb NOT NULL DEFAULT '{}',
    integrations          jsonb,
    mcp_servers           bigint[],
    stage                 text NOT NULL DEFAULT 'development' CHECK (stage IN ('development', 'released')),
    show_in_chat          boolean NOT NULL DEFAULT true,
    email_slug            text,
    planning_mode         text CHECK (planning_mode IN ('never', 'always', 'auto')),
    context_docs          jsonb,
    agent_type            text NOT NULL DEFAULT 'native' CHECK (agent_type IN ('native', 'external')),
    external_config       jsonb,
    published_version_id  bigint,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    deleted_at            timestamptz
);
-- emailSlug is unique across all agents of every organisation (seed 001).
CREATE UNIQUE INDEX agents_email_slug_key ON agents (email_slug);
-- The list: newest first within an organisation, with filters on stage and type.
CREATE INDEX agents_org_updated_idx ON agents (org_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX agents_org_deleted_idx ON agents (org_id, deleted_at DESC) WHERE deleted_at IS NOT NULL;
CREATE INDEX agents_org_name_idx ON agents (org_id, lower(name), id);
CREATE INDEX agents_name_trgm_idx ON agents USING gin (name gin_trgm_ops);

CREATE TABLE agent_tags (
    agent_id bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
    tag_id   bigint NOT NULL REFERENCES tags ON DELETE CASCADE,
    PRIMARY KEY (agent_id, tag_id)
);
CREATE INDEX agent_tags_tag_idx ON agent_tags (tag_id, agent_id);

-- Immutable history: one row per change, numbered per agent.
CREATE TABLE agent_versions (
    id              bigserial PRIMARY KEY,
    org_id          bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    agent_id        bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
    number          integer NOT NULL,
    source          text NOT NULL,
    author_user_id  bigint,
    author_token_id bigint,
    author          text NOT NULL DEFAULT '',
    summary         text NOT NULL DEFAULT '',
    snapshot        jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agent_id, number)
);
CREATE INDEX agent_versions_agent_idx ON agent_versions (agent_id, number DESC);
