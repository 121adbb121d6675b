-- The platform tool catalog (shared by every organisation). catalog_tools holds the
-- current definition of each tool; catalog_tool_versions keeps every definition ever
-- loaded, so older ones stay readable; catalog_imports records each load.
CREATE TABLE catalog_tools (
    name          text PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('native', 'provider')),
    category      text NOT NULL,
    description   text NOT NULL,
    parameters    jsonb,
    config_schema jsonb,
    definition    jsonb NOT NULL,   -- what an agent stores: {description, parameters} or {"isProviderTool": true}
    version       text NOT NULL,
    removed_at    timestamptz,      -- left the catalog: kept on agents, reported by sync
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE catalog_tool_versions (
    name          text NOT NULL,
    version       text NOT NULL,
    kind          text NOT NULL,
    category      text NOT NULL,
    description   text NOT NULL,
    parameters    jsonb,
    config_schema jsonb,
    definition    jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, version)
);

CREATE TABLE catalog_imports (
    id              bigserial PRIMARY KEY,
    catalog_version text NOT NULL,
    checksum        text NOT NULL,
    source          text NOT NULL,   -- bundled | upload | cli
    imported_by     text NOT NULL DEFAULT '',
    changed         text[] NOT NULL DEFAULT '{}',
    added           text[] NOT NULL DEFAULT '{}',
    removed         text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX catalog_imports_checksum_idx ON catalog_imports (checksum);

-- Which agents use a tool: a GIN index over the tool names of each agent's tools.
CREATE INDEX agents_tools_keys_idx ON agents USING gin (tools);
