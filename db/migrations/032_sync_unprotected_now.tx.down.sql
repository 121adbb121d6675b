ALTER TABLE review_policies DROP COLUMN sync_unprotected_now;
