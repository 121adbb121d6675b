ALTER TABLE card_refreshes DROP COLUMN IF EXISTS claimed_at;
