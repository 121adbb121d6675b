DROP INDEX IF EXISTS agents_org_name_pattern_idx;
