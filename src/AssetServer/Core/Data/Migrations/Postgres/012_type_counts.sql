-- Issue 21: the files of each type, as SQLite keeps them (../010_query_indexes.sql), for a count grouped by type and a
-- type's filter_count without reading a million index entries. type_key tells a null type ('-') from '' ('=').
-- Moved as total_count is (010_query_indexes.sql): each statement adds its per-type changes to a transaction-local
-- setting, and at commit the deferred files_total_count trigger, which follows files_generation, applies them in
-- key order, so every writer locks data_generation, then row_counts, then these rows, in one order.
CREATE TABLE type_counts (type_key TEXT PRIMARY KEY NOT NULL, type TEXT, row_count BIGINT NOT NULL);
INSERT INTO type_counts (type_key, type, row_count)
    SELECT CASE WHEN type IS NULL THEN '-' ELSE '=' || type END, type, COUNT(*) FROM files GROUP BY type;

-- Adds moved rows of each type to the transaction's notes (a JSON object: type_key -> [type, change]).
CREATE FUNCTION files_type_note(changes JSONB) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('assetserver.files_type_delta', COALESCE((
        SELECT jsonb_object_agg(key, jsonb_build_array(type, moved))
        FROM (SELECT key, MAX(value->>0) AS type, SUM((value->>1)::BIGINT) AS moved
              FROM (SELECT * FROM jsonb_each(COALESCE(NULLIF(current_setting('assetserver.files_type_delta', true), '')::JSONB, '{}'))
                    UNION ALL SELECT * FROM jsonb_each(changes)) AS both_notes
              GROUP BY key) AS summed
        WHERE moved <> 0), '{}')::TEXT, true);
$$;

CREATE FUNCTION files_type_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes JSONB;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_object_agg(k, jsonb_build_array(t, n)) INTO changes FROM
            (SELECT CASE WHEN type IS NULL THEN '-' ELSE '=' || type END AS k, type AS t, COUNT(*) AS n FROM added GROUP BY type) AS g;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_object_agg(k, jsonb_build_array(t, -n)) INTO changes FROM
            (SELECT CASE WHEN type IS NULL THEN '-' ELSE '=' || type END AS k, type AS t, COUNT(*) AS n FROM removed GROUP BY type) AS g;
    ELSE
        SELECT jsonb_object_agg(k, jsonb_build_array(t, n)) INTO changes FROM
            (SELECT CASE WHEN type IS NULL THEN '-' ELSE '=' || type END AS k, type AS t, SUM(n) AS n FROM
                (SELECT type, 1 AS n FROM added UNION ALL SELECT type, -1 FROM removed) AS moved
             GROUP BY type HAVING SUM(n) <> 0) AS g;
    END IF;
    IF changes IS NOT NULL THEN PERFORM files_type_note(changes); END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER files_type_added AFTER INSERT ON files REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION files_type_changes();
CREATE TRIGGER files_type_removed AFTER DELETE ON files REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION files_type_changes();
CREATE TRIGGER files_type_updated AFTER UPDATE ON files REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION files_type_changes();

-- The commit-time step of 010 applies the type notes too, and now fires for an update as well (a type changed).
CREATE OR REPLACE FUNCTION files_count_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta BIGINT := COALESCE(NULLIF(current_setting('assetserver.files_count_delta', true), ''), '0')::BIGINT;
    types JSONB := COALESCE(NULLIF(current_setting('assetserver.files_type_delta', true), ''), '{}')::JSONB;
BEGIN
    IF delta <> 0 THEN
        UPDATE row_counts SET row_count = row_count + delta WHERE table_name = 'files';
        PERFORM set_config('assetserver.files_count_delta', '0', true);
    END IF;
    IF types <> '{}'::JSONB THEN
        INSERT INTO type_counts (type_key, type, row_count)
            SELECT key, value->>0, (value->>1)::BIGINT FROM jsonb_each(types) ORDER BY key
            ON CONFLICT (type_key) DO UPDATE SET row_count = type_counts.row_count + excluded.row_count;
        PERFORM set_config('assetserver.files_type_delta', '{}', true);
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER files_total_count ON files;
CREATE CONSTRAINT TRIGGER files_total_count AFTER INSERT OR UPDATE OR DELETE ON files
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION files_count_apply();
