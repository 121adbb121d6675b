-- "Used by" lookups (issue 18): which agents' call_agent may call an agent, which agents'
-- search_knowledge_base may search a knowledge base, which agents use an MCP server.
-- Without these, each lookup (and each step of the transitive walk) reads every agent.
-- The expressions must match db/dependents.go's configIDsExpr exactly.
CREATE INDEX agents_callable_agent_ids_idx ON agents
    USING gin ((tools -> 'call_agent' -> 'config' -> 'callableAgentIds') jsonb_path_ops);
CREATE INDEX agents_accessible_kb_ids_idx ON agents
    USING gin ((tools -> 'search_knowledge_base' -> 'config' -> 'accessibleKnowledgeBaseIds') jsonb_path_ops);
CREATE INDEX agents_mcp_servers_idx ON agents USING gin (mcp_servers);
