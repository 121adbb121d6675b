-- The UNIQUE (agent_id, number) index already serves newest-first scans of a history.
DROP INDEX IF EXISTS agent_versions_agent_idx;
