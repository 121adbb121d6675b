-- Under the review policy, a sync that affects protected agents waits for approval.
-- The admin chooses whether unprotected agents wait with the rest (the default) or
-- sync at once while the protected ones wait.
ALTER TABLE review_policies ADD COLUMN sync_unprotected_now boolean NOT NULL DEFAULT false;
