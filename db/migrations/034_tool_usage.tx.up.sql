-- The catalog page counted, per view, how many live agents hold each tool and how many
-- hold an outdated definition by unpacking every agent's tools (80,000 entries on the
-- bench data: ~110 ms of PostgreSQL CPU per view, growing with the fleet). tool_usage
-- keeps those counts per organisation, maintained by triggers on every write of agents
-- (a statement trigger with transition tables: the sync's one UPDATE of 7,000 agents is
-- one aggregate, not 7,000 upserts) and rebuilt when the catalog's current definitions
-- change (what "outdated" is measured against).
--
-- Rows are signed deltas, summed on read: writers only INSERT, so concurrent saves of
-- one organisation never wait on a shared counter row. A writer that finds more than
-- tool_usage_fold_at rows for its organisation folds them into one row per tool
-- (skipping rows another transaction holds), so a read sums at most a few hundred rows.
-- The row named '' counts, in outdated, the agents holding at least one outdated tool
-- (its agents column stays 0).
CREATE TABLE tool_usage (
    org_id   bigint NOT NULL,
    name     text   NOT NULL,
    agents   bigint NOT NULL,
    outdated bigint NOT NULL
);
CREATE INDEX tool_usage_org_idx ON tool_usage (org_id, name);
-- The server's role has the default privileges (migration 010): it inserts through the
-- triggers, and folding locks rows FOR UPDATE (which needs UPDATE) and deletes them.

-- The counts are relative to the catalog: an agent write computes its delta against
-- the current definitions while holding this shared lock (the catalog load's key,
-- db.catalogLockKey), and a catalog change rebuilds every count under the exclusive
-- one, so no delta is computed against a catalog the rebuild has replaced.
CREATE FUNCTION tool_usage_lock_shared() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(27973175172951911);
    RETURN NULL;
END $$;

-- The one statement that turns agent rows into count deltas. pairs is a query giving
-- (o_org, o_tools, n_org, n_tools) per changed agent: its organisation and tools before
-- and after, the tools NULL on a side where the agent does not count (absent or
-- deleted). A tool is outdated as db.entryOutdated says (a live native tool whose
-- stored reference or inline copy is not the current definition);
-- TestToolUsageMatchesTheRecount holds the two equal. Each side is reduced to its tool
-- names and its outdated ones, and a side's names are counted only when they differ
-- from the other side's: a sync, which changes definitions and no names, writes one
-- row per tool it brought up to date, not one per tool of every agent it touched.
-- The current definitions are read as scalar subqueries of a materialized CTE (InitPlans,
-- computed once per statement): cross-joined into the lateral subqueries instead, the
-- same statement over the bench's 10,200 agents took 3.4 times as long (137 ms against
-- 40 ms). Returns the organisations whose counts changed.
CREATE FUNCTION tool_usage_delta_sql(pairs text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
    SELECT format($q$
        WITH pairs AS (%s),
        cur AS MATERIALIZED (SELECT coalesce(jsonb_object_agg(name, encode(definition_ref, 'hex')), '{}'::jsonb) AS refs,
                       coalesce(jsonb_object_agg(name, definition), '{}'::jsonb) AS defs
                FROM catalog_tools WHERE kind = 'native' AND removed_at IS NULL),
        x AS (
            SELECT p.o_org, p.n_org, o.names AS o_names, o.stale AS o_stale, n.names AS n_names, n.stale AS n_stale
            FROM pairs p
            CROSS JOIN LATERAL (SELECT array_agg(t.key) AS names, array_agg(t.key) FILTER (WHERE jsonb_exists((SELECT refs FROM cur), t.key)
                AND CASE WHEN jsonb_exists(t.value, '$def') THEN t.value ->> '$def' <> (SELECT refs FROM cur) ->> t.key
                    ELSE (t.value - 'config') <> (SELECT defs FROM cur) -> t.key END) AS stale FROM jsonb_each(p.o_tools) t) o
            CROSS JOIN LATERAL (SELECT array_agg(t.key) AS names, array_agg(t.key) FILTER (WHERE jsonb_exists((SELECT refs FROM cur), t.key)
                AND CASE WHEN jsonb_exists(t.value, '$def') THEN t.value ->> '$def' <> (SELECT refs FROM cur) ->> t.key
                    ELSE (t.value - 'config') <> (SELECT defs FROM cur) -> t.key END) AS stale FROM jsonb_each(p.n_tools) t) n),
        d AS (
            SELECT o_org AS org_id, unnest(o_names) AS name, -1 AS agents, 0 AS outdated FROM x
                WHERE o_names IS DISTINCT FROM n_names OR o_org IS DISTINCT FROM n_org
            UNION ALL SELECT n_org, unnest(n_names), 1, 0 FROM x WHERE o_names IS DISTINCT FROM n_names OR o_org IS DISTINCT FROM n_org
            UNION ALL SELECT o_org, unnest(o_stale), 0, -1 FROM x WHERE o_stale IS DISTINCT FROM n_stale OR o_org IS DISTINCT FROM n_org
            UNION ALL SELECT n_org, unnest(n_stale), 0, 1 FROM x WHERE o_stale IS DISTINCT FROM n_stale OR o_org IS DISTINCT FROM n_org
            UNION ALL SELECT o_org, '', 0, -1 FROM x WHERE o_stale IS NOT NULL AND (n_stale IS NULL OR o_org IS DISTINCT FROM n_org)
            UNION ALL SELECT n_org, '', 0, 1 FROM x WHERE n_stale IS NOT NULL AND (o_stale IS NULL OR o_org IS DISTINCT FROM n_org)),
        ins AS (
            INSERT INTO tool_usage (org_id, name, agents, outdated)
            SELECT org_id, name, sum(agents), sum(outdated) FROM d GROUP BY org_id, name
            HAVING sum(agents) <> 0 OR sum(outdated) <> 0
            RETURNING org_id)
        SELECT DISTINCT org_id FROM ins$q$, pairs)
$f$;

-- How many rows an organisation's counts may reach before a writer folds them.
CREATE FUNCTION tool_usage_fold_at() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 256';

-- Folds an organisation's rows into one per tool, leaving rows another transaction
-- holds (being folded, or not committed) for a later fold: it never waits.
CREATE FUNCTION tool_usage_fold(org bigint) RETURNS void LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM tool_usage WHERE ctid IN (SELECT ctid FROM tool_usage WHERE org_id = org FOR UPDATE SKIP LOCKED)
        RETURNING name, agents, outdated)
    INSERT INTO tool_usage (org_id, name, agents, outdated)
    SELECT org, name, sum(agents), sum(outdated) FROM gone GROUP BY name HAVING sum(agents) <> 0 OR sum(outdated) <> 0
$$;

-- The statement trigger on agents: the rows whose tools, liveness or organisation
-- changed become deltas (an UPDATE that changes none of them, such as a save of the
-- prompt, costs one join of its transition tables and writes nothing).
-- jit off: the row estimates of jsonb_each (100 a call) put a sync-sized statement far
-- above jit_above_cost, and compiling it took 50 ms of its 270.
CREATE FUNCTION tool_usage_track() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    pairs text;
    org bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        pairs := 'SELECT NULL::bigint AS o_org, NULL::jsonb AS o_tools, org_id AS n_org, tools AS n_tools FROM usage_new WHERE deleted_at IS NULL';
    ELSIF TG_OP = 'DELETE' THEN
        pairs := 'SELECT org_id AS o_org, tools AS o_tools, NULL::bigint AS n_org, NULL::jsonb AS n_tools FROM usage_old WHERE deleted_at IS NULL';
    ELSE
        -- A set difference, not EXISTS over a join: EXISTS plans a fast-start nested
        -- loop, which for an UPDATE of 10,000 agents that changes no tools (publishing
        -- them) compared every old row with every new one (80 s on the bench data).
        IF NOT EXISTS (SELECT id, org_id, tools, deleted_at IS NULL FROM usage_old
                EXCEPT ALL SELECT id, org_id, tools, deleted_at IS NULL FROM usage_new) THEN
            RETURN NULL;
        END IF;
        pairs := 'SELECT o.org_id AS o_org, CASE WHEN o.deleted_at IS NULL THEN o.tools END AS o_tools,
                n.org_id AS n_org, CASE WHEN n.deleted_at IS NULL THEN n.tools END AS n_tools
            FROM usage_old o JOIN usage_new n ON n.id = o.id
            WHERE o.tools IS DISTINCT FROM n.tools OR (o.deleted_at IS NULL) <> (n.deleted_at IS NULL) OR o.org_id <> n.org_id';
    END IF;
    FOR org IN EXECUTE tool_usage_delta_sql(pairs) LOOP
        IF (SELECT count(*) FROM tool_usage u WHERE u.org_id = org) > tool_usage_fold_at() THEN
            PERFORM tool_usage_fold(org);
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

-- Every count again from the agents, under the exclusive lock: after a change of the
-- catalog's current definitions, and once here.
CREATE FUNCTION tool_usage_rebuild() RETURNS void LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(27973175172951911);
    DELETE FROM tool_usage;
    EXECUTE tool_usage_delta_sql('SELECT NULL::bigint AS o_org, NULL::jsonb AS o_tools, org_id AS n_org, tools AS n_tools FROM agents WHERE deleted_at IS NULL');
END $$;

-- The statement trigger on catalog_tools: rebuild when a tool's current definition,
-- kind or liveness changed (a load that changes nothing rebuilds nothing).
CREATE FUNCTION tool_usage_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Each branch names only the transition tables its event has.
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM usage_new) THEN
            RETURN NULL;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM usage_old) THEN
            RETURN NULL;
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM usage_old o FULL JOIN usage_new n ON n.name = o.name
            WHERE o.name IS NULL OR n.name IS NULL OR o.definition_ref IS DISTINCT FROM n.definition_ref
               OR o.definition IS DISTINCT FROM n.definition OR o.kind <> n.kind OR (o.removed_at IS NULL) <> (n.removed_at IS NULL)) THEN
        RETURN NULL;
    END IF;
    PERFORM tool_usage_rebuild();
    RETURN NULL;
END $$;

CREATE TRIGGER agents_tool_usage_lock BEFORE INSERT OR UPDATE OR DELETE ON agents
    FOR EACH STATEMENT EXECUTE FUNCTION tool_usage_lock_shared();
CREATE TRIGGER agents_tool_usage_insert AFTER INSERT ON agents REFERENCING NEW TABLE AS usage_new
    FOR EACH STATEMENT EXECUTE FUNCTION tool_usage_track();
CREATE TRIGGER agents_tool_usage_update AFTER UPDATE ON agents REFERENCING OLD TABLE AS usage_old NEW TABLE AS usage_new
    FOR EACH STATEMENT EXECUTE FUNCTION tool_usage_track();
CREATE TRIGGER agents_tool_usage_delete AFTER DELETE ON agents REFERENCING OLD TABLE AS usage_old
    FOR EACH STATEMENT EXECUTE FUNCTION tool_usage_track();
-- TRUNCATE fires no row or transition-table trigger: empty the counts with it.
CREATE FUNCTION tool_usage_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tool_usage_rebuild();
    RETURN NULL;
END $$;
CREATE TRIGGER agents_tool_usage_truncate AFTER TRUNCATE ON agents
    FOR EACH STATEMENT EXECUTE FUNCTION tool_usage_truncated();

CREATE TRIGGER catalog_tools_tool_usage_insert AFTER INSERT ON catalog_tools REFERENCING NEW TABLE AS usage_new
    FOR EACH STATEMENT EXECUTE FUNCTION tool_usage_catalog_changed();
CREATE TRIGGER catalog_tools_tool_usage_update AFTER UPDATE ON catalog_tools REFERENCING OLD TABLE AS usage_old NEW TABLE AS usage_new
    FOR EACH STATEMENT EXECUTE FUNCTION tool_usage_catalog_changed();
CREATE TRIGGER catalog_tools_tool_usage_delete AFTER DELETE ON catalog_tools REFERENCING OLD TABLE AS usage_old
    FOR EACH STATEMENT EXECUTE FUNCTION tool_usage_catalog_changed();

SELECT tool_usage_rebuild();
