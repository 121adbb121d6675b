-- The audit log is filtered by the acting member (actor_user_id, chosen from the
-- organisation's users) and by a date range (created_at), newest first.
CREATE INDEX audit_log_org_actor_user_idx ON audit_log (org_id, actor_user_id, id DESC);
CREATE INDEX audit_log_org_created_idx ON audit_log (org_id, created_at DESC);
