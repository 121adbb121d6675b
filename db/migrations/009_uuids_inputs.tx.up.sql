-- Seed 003 addresses organisations and agents by UUID; the integer id stays the primary
-- id (seed 001). An agent's UUID is unique within its organisation: an export imported
-- into another organisation keeps its UUID there.
ALTER TABLE organizations ADD COLUMN uuid uuid NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX organizations_uuid_key ON organizations (uuid);
ALTER TABLE agents ADD COLUMN uuid uuid NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX agents_org_uuid_key ON agents (org_id, uuid);

-- Seed 003's inputs ([{type, name, description, required}]) and tinesStoryImportId.
ALTER TABLE agents ADD COLUMN inputs jsonb;
ALTER TABLE agents ADD COLUMN tines_story_import_id uuid;
