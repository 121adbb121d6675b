-- Change counters for the server's caches (the tool catalog, the model registry, each
-- organisation's tag list). The session query returns them with the actor, so a cache
-- is checked on every request without a round trip of its own, and a change committed
-- through any instance is seen by every other instance on its next request. Triggers
-- bump them in the writing transaction, whoever writes (server, CLI, migration).
CREATE TABLE platform_changes (
    id boolean PRIMARY KEY DEFAULT true CHECK (id), -- one row
    catalog bigint NOT NULL DEFAULT 1,
    models bigint NOT NULL DEFAULT 1
);
INSERT INTO platform_changes DEFAULT VALUES;

ALTER TABLE organizations ADD COLUMN tags_changes bigint NOT NULL DEFAULT 1;

CREATE FUNCTION count_catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE platform_changes SET catalog = catalog + 1;
    RETURN NULL;
END $$;

CREATE FUNCTION count_models_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE platform_changes SET models = models + 1;
    RETURN NULL;
END $$;

-- Per row: the organisation is the row's (DELETE has no NEW, INSERT no OLD).
CREATE FUNCTION count_tags_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organizations SET tags_changes = tags_changes + 1
    WHERE id IN (CASE WHEN TG_OP = 'DELETE' THEN OLD.org_id ELSE NEW.org_id END,
                 CASE WHEN TG_OP = 'UPDATE' THEN OLD.org_id END);
    RETURN NULL;
END $$;

CREATE TRIGGER catalog_tools_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalog_tools
    FOR EACH STATEMENT EXECUTE FUNCTION count_catalog_change();
CREATE TRIGGER models_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON models
    FOR EACH STATEMENT EXECUTE FUNCTION count_models_change();
CREATE TRIGGER tags_changed AFTER INSERT OR UPDATE OR DELETE ON tags
    FOR EACH ROW EXECUTE FUNCTION count_tags_change();
