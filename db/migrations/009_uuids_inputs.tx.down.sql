ALTER TABLE agents DROP COLUMN tines_story_import_id;
ALTER TABLE agents DROP COLUMN inputs;
DROP INDEX agents_org_uuid_key;
ALTER TABLE agents DROP COLUMN uuid;
DROP INDEX organizations_uuid_key;
ALTER TABLE organizations DROP COLUMN uuid;
