-- "Used by" lookups (issue 18): which agents' call_agent may call an agent, which agents'
-- search_knowledge_base may search a knowledge base, which agents use an MCP server.
-- Without these, each lookup (and each step of the transitive walk) reads every agent.
-- The expressions must match db/dependents.go's configIDsExpr exactly. fastupdate is off:
-- GIN's pending list holds ids written since the last (auto)vacuum and every lookup scans
-- it linearly; the transitive walk makes one lookup per caller. Measured on 10,000 agents
-- calling up a binary tree right after a bulk write: 3 ms per lookup and 20-137 s for
-- the walk with it, 0.003 ms and about 1.4 s without.
CREATE INDEX agents_callable_agent_ids_idx ON agents
    USING gin ((tools -> 'call_agent' -> 'config' -> 'callableAgentIds') jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX agents_accessible_kb_ids_idx ON agents
    USING gin ((tools -> 'search_knowledge_base' -> 'config' -> 'accessibleKnowledgeBaseIds') jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX agents_mcp_servers_idx ON agents USING gin (mcp_servers) WITH (fastupdate = off);
