DROP INDEX agents_mcp_servers_idx;
DROP INDEX agents_accessible_kb_ids_idx;
DROP INDEX agents_callable_agent_ids_idx;
