-- Agents reference the catalog's tool definitions instead of copying them: a sync of
-- 10,000 agents rewrote every copy (issue 8). A tool of agents.tools whose definition
-- (the tool without its config) is a catalog definition is stored as
-- {"$def": hex(hash), "config": …}, the hash naming the definition's agent_blobs row —
-- the same reference a version's tools map holds. Any other tool (provider-specific,
-- hand-edited, from a catalog before this one) keeps its definition inline. Readers see
-- whole definitions through agent_tools_expand; writers store agent_tools_compact.

ALTER TABLE catalog_tools ADD COLUMN definition_ref bytea;
ALTER TABLE catalog_tool_versions ADD COLUMN definition_ref bytea;

CREATE FUNCTION catalog_definition_ref() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.definition_ref := agent_blob_put(NEW.definition);
    RETURN NEW;
END $$;
CREATE TRIGGER catalog_tools_definition_ref BEFORE INSERT OR UPDATE OF definition ON catalog_tools
    FOR EACH ROW EXECUTE FUNCTION catalog_definition_ref();
CREATE TRIGGER catalog_tool_versions_definition_ref BEFORE INSERT ON catalog_tool_versions
    FOR EACH ROW EXECUTE FUNCTION catalog_definition_ref();

UPDATE catalog_tools SET definition_ref = agent_blob_put(definition);
UPDATE catalog_tool_versions SET definition_ref = agent_blob_put(definition);
CREATE INDEX catalog_tool_versions_ref_idx ON catalog_tool_versions (name, definition_ref);

-- Whole tools from stored ones. Only a catalog definition of that tool is ever read
-- (clients cannot send "$def"; this keeps any other blob out of reach regardless).
CREATE FUNCTION agent_tools_expand(tools jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_object_agg(t.key, CASE WHEN b.body IS NULL THEN t.value ELSE b.body || (t.value - '$def') END), '{}'::jsonb)
    FROM jsonb_each(tools) t
    LEFT JOIN LATERAL (SELECT b.body FROM agent_blobs b WHERE b.hash = decode(t.value ->> '$def', 'hex')
        AND EXISTS (SELECT 1 FROM catalog_tool_versions v WHERE v.name = t.key AND v.definition_ref = b.hash)) b ON true
$$;

-- The definition of one stored tool, whichever way it is stored.
CREATE FUNCTION agent_tool_definition(name text, tool jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT (agent_tools_expand(jsonb_build_object(name, tool)) -> name) - 'config'
$$;

-- Stored tools from whole ones: a definition the catalog has (under the tool's name)
-- becomes a reference.
CREATE FUNCTION agent_tools_compact(tools jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_object_agg(t.key, CASE WHEN NOT EXISTS (SELECT 1 FROM catalog_tool_versions v WHERE v.name = t.key AND v.definition_ref = h.ref)
            THEN t.value
            ELSE jsonb_build_object('$def', encode(h.ref, 'hex'))
                 || CASE WHEN jsonb_exists(t.value, 'config') THEN jsonb_build_object('config', t.value -> 'config') ELSE '{}'::jsonb END END), '{}'::jsonb)
    FROM jsonb_each(tools) t
    CROSS JOIN LATERAL (SELECT substring(sha256(convert_to((t.value - 'config')::text, 'UTF8')) FROM 1 FOR 16) AS ref) h
$$;

-- A version's tools map for stored tools: references are used as they are, and a
-- config is taken from the previous map (prev) when the tool had it there unchanged
-- — the sync rewrites definitions only, so it hashes nothing but the map itself.
CREATE FUNCTION agent_tools_put_stored(tools jsonb, prev jsonb, configs_unchanged boolean) RETURNS bytea LANGUAGE sql AS $$
    SELECT agent_blob_put(coalesce(jsonb_object_agg(t.key, jsonb_build_object(
               's', coalesce(t.value ->> '$def', encode(agent_blob_put(t.value - 'config'), 'hex')),
               'c', CASE WHEN configs_unchanged AND prev -> t.key IS NOT NULL THEN prev -> t.key -> 'c'
                         ELSE to_jsonb(encode(agent_blob_put(t.value -> 'config'), 'hex')) END)), '{}'::jsonb))
    FROM jsonb_each(coalesce(tools, '{}'::jsonb)) t
$$;

UPDATE agents SET tools = agent_tools_compact(tools) WHERE tools <> '{}'::jsonb;
