-- Fleet-wide operations as change requests (issue 19): a sync request covers the
-- organisation (no agent); a card request holds an external agent's fetched card as
-- pending until it is approved.
ALTER TABLE change_requests ALTER COLUMN agent_id DROP NOT NULL;
ALTER TABLE change_requests DROP CONSTRAINT change_requests_kind_check;
ALTER TABLE change_requests ADD CONSTRAINT change_requests_kind_check
    CHECK (kind IN ('edit', 'delete', 'restore', 'sync', 'card'));
ALTER TABLE change_requests ADD CONSTRAINT change_requests_agent_kind_check
    CHECK ((kind = 'sync') = (agent_id IS NULL));

-- At most one open sync request per organisation and one open card request per agent:
-- a new sync or a scheduled refresh updates the open one instead of opening another.
CREATE UNIQUE INDEX change_requests_open_sync_idx ON change_requests (org_id)
    WHERE kind = 'sync' AND status IN ('open', 'approved', 'changes_requested');
CREATE UNIQUE INDEX change_requests_open_card_idx ON change_requests (agent_id)
    WHERE kind = 'card' AND status IN ('open', 'approved', 'changes_requested');

-- A refresh of a protected agent whose card changed is recorded as pending.
ALTER TABLE card_refreshes DROP CONSTRAINT card_refreshes_outcome_check;
ALTER TABLE card_refreshes ADD CONSTRAINT card_refreshes_outcome_check
    CHECK (outcome IN ('changed', 'unchanged', 'error', 'pending'));
