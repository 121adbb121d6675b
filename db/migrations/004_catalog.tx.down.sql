DROP INDEX IF EXISTS agents_tools_keys_idx;
DROP TABLE IF EXISTS catalog_imports, catalog_tool_versions, catalog_tools;
