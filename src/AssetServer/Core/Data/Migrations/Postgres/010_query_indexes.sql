-- Issue 21; see ../010_query_indexes.sql. Each sort index is declared as the builder orders (Files/Query/
-- FileQuerySql.cs): text in byte order (COLLATE "C"), NULLs first ascending, so a forward scan answers "field" and a
-- backward one "-field" (DESC NULLS LAST, id DESC NULLS LAST). A mismatch in either makes PostgreSQL sort the table.
DROP INDEX files_uploaded_on;
DROP INDEX files_filesize;
CREATE INDEX files_by_uploaded_on ON files (uploaded_on COLLATE "C" NULLS FIRST, id COLLATE "C" NULLS FIRST);
CREATE INDEX files_by_created_on ON files (created_on COLLATE "C" NULLS FIRST, id COLLATE "C" NULLS FIRST);
CREATE INDEX files_by_modified_on ON files (modified_on COLLATE "C" NULLS FIRST, id COLLATE "C" NULLS FIRST);
CREATE INDEX files_by_title ON files (title COLLATE "C" NULLS FIRST, id COLLATE "C" NULLS FIRST);
CREATE INDEX files_by_filename_download ON files (filename_download COLLATE "C" NULLS FIRST, id COLLATE "C" NULLS FIRST);
CREATE INDEX files_by_type ON files (type COLLATE "C" NULLS FIRST, id COLLATE "C" NULLS FIRST);
CREATE INDEX files_by_filesize ON files (filesize NULLS FIRST, id COLLATE "C" NULLS FIRST);
CREATE INDEX files_by_width ON files (width NULLS FIRST, id COLLATE "C" NULLS FIRST);
CREATE INDEX files_by_height ON files (height NULLS FIRST, id COLLATE "C" NULLS FIRST);
CREATE INDEX files_by_duration ON files (duration NULLS FIRST, id COLLATE "C" NULLS FIRST);
CREATE INDEX files_by_numeric_id ON files (numeric_id NULLS FIRST, id COLLATE "C" NULLS FIRST);

-- A type, a folder or a mime group (_eq compares in the column's own collation) with the default order, newest first.
DROP INDEX files_type;
DROP INDEX files_folder;
CREATE INDEX files_type_newest ON files (type, uploaded_on COLLATE "C" NULLS FIRST, id COLLATE "C" NULLS FIRST);
CREATE INDEX files_folder_newest ON files (folder, uploaded_on COLLATE "C" NULLS FIRST, id COLLATE "C" NULLS FIRST);
CREATE INDEX files_mime_group_newest ON files ((substr(type, 1, strpos(type, '/'))), uploaded_on COLLATE "C" NULLS FIRST, id COLLATE "C" NULLS FIRST);

-- total_count: each statement notes how many rows it added or removed in a transaction-local setting (undone with
-- its savepoint); at commit a deferred trigger moves the counter once by the sum, as data_generation is moved
-- (001_files.sql), so the counter's row lock is taken at the end, after data_generation's, and a bulk write updates it
-- once rather than once per row.
CREATE TABLE row_counts (table_name TEXT PRIMARY KEY NOT NULL, row_count BIGINT NOT NULL);
INSERT INTO row_counts (table_name, row_count) VALUES ('files', (SELECT COUNT(*) FROM files));
CREATE FUNCTION files_count_note() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved BIGINT;
BEGIN
    IF TG_OP = 'INSERT' THEN SELECT COUNT(*) INTO moved FROM added; ELSE SELECT -COUNT(*) INTO moved FROM removed; END IF;
    PERFORM set_config('assetserver.files_count_delta',
        (COALESCE(NULLIF(current_setting('assetserver.files_count_delta', true), ''), '0')::BIGINT + moved)::TEXT, true);
    RETURN NULL;
END
$$;
CREATE TRIGGER files_count_added AFTER INSERT ON files REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION files_count_note();
CREATE TRIGGER files_count_removed AFTER DELETE ON files REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION files_count_note();
CREATE FUNCTION files_count_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta BIGINT := COALESCE(NULLIF(current_setting('assetserver.files_count_delta', true), ''), '0')::BIGINT;
BEGIN
    IF delta <> 0 THEN
        UPDATE row_counts SET row_count = row_count + delta WHERE table_name = 'files';
        PERFORM set_config('assetserver.files_count_delta', '0', true);
    END IF;
    RETURN NULL;
END
$$;
-- Deferred triggers of one event fire in name order: this one is named to follow files_generation, so every
-- transaction locks data_generation first and row_counts second, whatever its first write was (an UPDATE fires
-- only files_generation; in the other order an UPDATE-then-DELETE and an INSERT deadlocked).
CREATE CONSTRAINT TRIGGER files_total_count AFTER INSERT OR DELETE ON files
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION files_count_apply();

-- Substring search over the searchable fields: trigram GIN indexes on lower(field), which LIKE '%term%' reads.
-- pg_trgm is a trusted extension (PostgreSQL 13+), in Debian's postgresql package.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX files_search_title ON files USING gin (lower(title) gin_trgm_ops);
CREATE INDEX files_search_filename_download ON files USING gin (lower(filename_download) gin_trgm_ops);
CREATE INDEX files_search_description ON files USING gin (lower(description) gin_trgm_ops);
CREATE INDEX files_search_location ON files USING gin (lower(location) gin_trgm_ops);
CREATE INDEX files_search_tags ON files USING gin (lower(tags) gin_trgm_ops);
CREATE INDEX files_search_type ON files USING gin (lower(type) gin_trgm_ops);

-- sort=id: the primary key's index compares in the database's collation, the builder in byte order.
CREATE INDEX files_by_id ON files (id COLLATE "C" NULLS FIRST);
