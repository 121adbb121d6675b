-- The agents list sorts by any of its columns (name, updated, created, model, type,
-- stage; either direction: a btree serves both). Each live-agents sort has an index
-- whose order is the ORDER BY, so a page is read in index order with no sort step.
-- Name and updated already had one (002).
CREATE INDEX agents_org_created_idx ON agents (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX agents_org_model_idx ON agents (org_id, model, lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX agents_org_type_idx ON agents (org_id, agent_type, lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX agents_org_stage_idx ON agents (org_id, stage, lower(name), id) WHERE deleted_at IS NULL;

-- Who deleted an agent (the actor's label, as versions name their author): the
-- Deleted view shows when and by whom, also after a bulk delete, which writes one
-- audit entry for all of its agents.
ALTER TABLE agents ADD COLUMN deleted_by text;
