ALTER TABLE agent_versions DROP COLUMN message;
