DROP TRIGGER IF EXISTS agent_versions_immutable ON agent_versions;
DROP FUNCTION IF EXISTS agent_versions_immutable();
ALTER TABLE agent_versions ADD COLUMN snapshot jsonb;
UPDATE agent_versions SET snapshot = agent_snapshot(fields_ref, prompt_ref, tools_ref);
ALTER TABLE agent_versions DROP COLUMN fields_ref, DROP COLUMN prompt_ref, DROP COLUMN tools_ref;
DROP FUNCTION agent_snapshot(bytea, bytea, bytea);
DROP FUNCTION agent_tools_put(jsonb);
DROP FUNCTION agent_blob_put(jsonb);
DROP TABLE agent_blobs;
