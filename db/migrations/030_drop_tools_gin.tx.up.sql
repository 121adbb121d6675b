-- The GIN index over agents.tools (migration 004) served no query: the catalog's usage
-- counts, the sync and its preview read every agent's tools with jsonb_each, and
-- jsonb_exists() is a function the planner does not match to the index's ? operator.
-- It only made every save and sync write 8+ index entries per agent. The list's
-- filters and sorts have what they use in 023 (created, model, type, stage; a btree
-- serves both directions, and a stage or type count reads its small index).
DROP INDEX IF EXISTS agents_tools_keys_idx;
