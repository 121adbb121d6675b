DELETE FROM card_refreshes WHERE outcome = 'pending';
ALTER TABLE card_refreshes DROP CONSTRAINT card_refreshes_outcome_check;
ALTER TABLE card_refreshes ADD CONSTRAINT card_refreshes_outcome_check
    CHECK (outcome IN ('changed', 'unchanged', 'error'));
DROP INDEX change_requests_open_card_idx;
DROP INDEX change_requests_open_sync_idx;
DELETE FROM change_requests WHERE kind IN ('sync', 'card');
ALTER TABLE change_requests DROP CONSTRAINT change_requests_agent_kind_check;
ALTER TABLE change_requests DROP CONSTRAINT change_requests_kind_check;
ALTER TABLE change_requests ADD CONSTRAINT change_requests_kind_check CHECK (kind IN ('edit', 'delete', 'restore'));
ALTER TABLE change_requests ALTER COLUMN agent_id SET NOT NULL;
