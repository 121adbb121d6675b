-- Versions store content by reference: the prompt, the other fields, and the tools map
-- are content-addressed blobs, and each tool's definition and config are blobs of their
-- own. A save that changes one field writes one small blob and a ~150-byte version row;
-- a tool sync shares one schema blob across every agent.
CREATE TABLE agent_blobs (
    hash bytea PRIMARY KEY,   -- first 16 bytes of sha256(body::text)
    body jsonb NOT NULL
);

CREATE FUNCTION agent_blob_put(b jsonb) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
    h bytea;
BEGIN
    IF b IS NULL OR b = 'null'::jsonb THEN
        RETURN NULL;
    END IF;
    h := substring(sha256(convert_to(b::text, 'UTF8')) FROM 1 FOR 16);
    INSERT INTO agent_blobs (hash, body) VALUES (h, b) ON CONFLICT (hash) DO NOTHING;
    RETURN h;
END $$;

-- tools_ref names a blob {toolName: {"s": hex(definition blob), "c": hex(config blob) | null}}.
CREATE FUNCTION agent_tools_put(tools jsonb) RETURNS bytea LANGUAGE sql AS $$
    SELECT agent_blob_put(coalesce(jsonb_object_agg(t.key, jsonb_build_object(
               's', encode(agent_blob_put(t.value - 'config'), 'hex'),
               'c', encode(agent_blob_put(t.value -> 'config'), 'hex'))), '{}'::jsonb))
    FROM jsonb_each(coalesce(tools, '{}'::jsonb)) t
$$;

-- The whole snapshot back from its references (one expression, usable in any query).
CREATE FUNCTION agent_snapshot(fields_ref bytea, prompt_ref bytea, tools_ref bytea) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT f.body
        || jsonb_build_object('systemPrompt', coalesce((SELECT p.body FROM agent_blobs p WHERE p.hash = prompt_ref), 'null'::jsonb))
        || jsonb_build_object('tools', coalesce((
               SELECT jsonb_object_agg(t.key, CASE WHEN c.body IS NULL THEN s.body ELSE s.body || jsonb_build_object('config', c.body) END)
               FROM agent_blobs tb
               CROSS JOIN LATERAL jsonb_each(tb.body) t
               LEFT JOIN agent_blobs s ON s.hash = decode(t.value ->> 's', 'hex')
               LEFT JOIN agent_blobs c ON c.hash = decode(t.value ->> 'c', 'hex')
               WHERE tb.hash = tools_ref), '{}'::jsonb))
    FROM agent_blobs f WHERE f.hash = fields_ref
$$;

ALTER TABLE agent_versions
    ADD COLUMN fields_ref bytea,
    ADD COLUMN prompt_ref bytea,
    ADD COLUMN tools_ref bytea;

UPDATE agent_versions SET
    fields_ref = agent_blob_put(snapshot - 'systemPrompt' - 'tools'),
    prompt_ref = agent_blob_put(snapshot -> 'systemPrompt'),
    tools_ref  = agent_tools_put(snapshot -> 'tools');

ALTER TABLE agent_versions DROP COLUMN snapshot;
ALTER TABLE agent_versions ALTER COLUMN fields_ref SET NOT NULL;
CREATE INDEX agent_versions_agent_source_idx ON agent_versions (agent_id, source, number DESC);

-- History is immutable: versions are appended, never changed.
CREATE FUNCTION agent_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'agent_versions is append-only';
END $$;
CREATE TRIGGER agent_versions_immutable BEFORE UPDATE ON agent_versions
    FOR EACH ROW EXECUTE FUNCTION agent_versions_immutable();

CREATE INDEX audit_log_org_actor_idx ON audit_log (org_id, actor, id DESC);
CREATE INDEX audit_log_org_object_idx ON audit_log (org_id, object_type, id DESC);
CREATE INDEX audit_log_org_action_pattern_idx ON audit_log (org_id, action text_pattern_ops, id DESC);
