-- Issue 21; see ../010_query_indexes.sql. The cheap part: the counter and the trigram extension. The indexes are
-- built after start-up by Data/IndexBuilds/IndexBuilder.cs (CREATE INDEX CONCURRENTLY, one node at a time), each
-- declared there as the builder orders; until one is built, the planner scans as before.

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

-- pg_trgm (the substring search's GIN indexes) is a trusted extension (PostgreSQL 13+), in Debian's postgresql package.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
