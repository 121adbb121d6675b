DROP TRIGGER tags_changed ON tags;
DROP TRIGGER models_changed ON models;
DROP TRIGGER catalog_tools_changed ON catalog_tools;
DROP FUNCTION count_tags_change();
DROP FUNCTION count_models_change();
DROP FUNCTION count_catalog_change();
ALTER TABLE organizations DROP COLUMN tags_changes;
DROP TABLE platform_changes;
