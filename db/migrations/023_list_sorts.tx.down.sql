ALTER TABLE agents DROP COLUMN deleted_by;
DROP INDEX agents_org_stage_idx;
DROP INDEX agents_org_type_idx;
DROP INDEX agents_org_model_idx;
DROP INDEX agents_org_created_idx;
