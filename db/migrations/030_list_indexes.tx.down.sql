DROP INDEX IF EXISTS agents_org_stage_type_idx;
DROP INDEX IF EXISTS agents_org_created_idx;
CREATE INDEX agents_tools_keys_idx ON agents USING gin (tools);
