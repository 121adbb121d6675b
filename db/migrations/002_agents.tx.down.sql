DROP TABLE IF EXISTS agent_versions, agent_tags, agents, tags, mcp_servers, knowledge_bases, models CASCADE;
