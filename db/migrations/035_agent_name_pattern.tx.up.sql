-- The editor's clone name ("Copy of X", "Copy of X (2)", …) looks up the names taken in
-- the organisation. The trigram index answered it by intersecting the posting lists of
-- trigrams every generated name shares: 3.7 ms per editor view over 10,000 agents. A
-- byte-order btree answers the equality and the "X (" prefix range (db/editor_side.go)
-- in 0.03 ms, in a generic plan too (its bounds are expressions of the parameters).
CREATE INDEX agents_org_name_pattern_idx ON agents (org_id, name text_pattern_ops) WHERE deleted_at IS NULL;
