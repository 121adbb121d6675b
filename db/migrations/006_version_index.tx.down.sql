CREATE INDEX agent_versions_agent_idx ON agent_versions (agent_id, number DESC);
