-- When the scheduler claimed the card for each scheduled refresh (NULL for refreshes a
-- person asked for). "Once per interval" is a rule on claims (SPEC §5), so it is checked
-- on these times, not on when a slow fetch happened to finish.
ALTER TABLE card_refreshes ADD COLUMN claimed_at timestamptz;
