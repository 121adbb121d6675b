-- The GIN index over agents.tools (migration 004) served no query: the catalog's usage
-- counts, the sync and its preview read every agent's tools with jsonb_each, and
-- jsonb_exists() is a function the planner does not match to the index's ? operator.
-- It only made every save and sync write 8+ index entries per agent. The list's
-- filters and sorts get what they use instead: the "created" sort had no index (a
-- top-N sort over every live agent of the organisation).
DROP INDEX IF EXISTS agents_tools_keys_idx;
CREATE INDEX agents_org_created_idx ON agents (org_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
-- Counting a stage or type filter read the whole table (prompts included: a sequential
-- scan); the small index answers it with an index-only scan.
CREATE INDEX agents_org_stage_type_idx ON agents (org_id, stage, agent_type) WHERE deleted_at IS NULL;
