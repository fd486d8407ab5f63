-- Issue 19: Directus's folders; see ../008_folders.sql.
CREATE TABLE folders (
    id      TEXT PRIMARY KEY NOT NULL,
    name    TEXT NOT NULL,
    parent  TEXT
);
CREATE INDEX folders_parent ON folders (parent);
-- The query layer's _eq compares in the column's own collation, so this index serves filter[folder][name][_eq].
CREATE INDEX folders_name ON folders (name);

INSERT INTO folders (id, name, parent)
    SELECT DISTINCT folder, folder, NULL FROM files WHERE folder IS NOT NULL;

-- Moves the generation on at commit (001_files.sql).
CREATE CONSTRAINT TRIGGER folders_generation AFTER INSERT OR UPDATE OR DELETE ON folders
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_generation_bump();
