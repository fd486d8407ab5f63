-- PostgreSQL twin of ../001_files.sql: same tables, columns and indexes. Integers are BIGINT (what SQLite's INTEGER
-- reads back as); timestamps and JSON stay TEXT, so values round-trip byte-identical across providers.
CREATE TABLE files (
    id                TEXT PRIMARY KEY NOT NULL,
    storage           TEXT NOT NULL DEFAULT 'local',
    filename_disk     TEXT NOT NULL,
    filename_download TEXT NOT NULL,
    title             TEXT,
    type              TEXT,
    folder            TEXT,
    uploaded_by       TEXT,
    created_on        TEXT NOT NULL,
    modified_by       TEXT,
    modified_on       TEXT NOT NULL,
    charset           TEXT,
    filesize          BIGINT NOT NULL DEFAULT 0,
    width             BIGINT,
    height            BIGINT,
    duration          BIGINT,
    embed             TEXT,
    description       TEXT,
    location          TEXT,
    tags              TEXT,      -- JSON array of strings
    metadata          TEXT,      -- JSON object: exif, iptc, icc, xmp
    focal_point_x     BIGINT,
    focal_point_y     BIGINT,
    uploaded_on       TEXT,
    checksum          TEXT
);

-- The default sort (uploaded_on desc, id) and the common filters. Lists sort text in byte order with SQLite's NULL
-- placement (Files/Query/FileQuerySql.cs), so the sort index is declared the same way.
CREATE INDEX files_uploaded_on ON files (uploaded_on COLLATE "C" DESC NULLS LAST, id COLLATE "C");
CREATE INDEX files_type ON files (type);
CREATE INDEX files_folder ON files (folder);
CREATE INDEX files_filesize ON files (filesize);

-- The generation every write moves on (Data/DataVersion.cs): caches on every node compare it per request. Deferred
-- triggers bump it once per transaction, at commit, whoever writes (this server, another node, psql); taking its
-- row lock last of all means it never joins a deadlock.
CREATE TABLE data_generation (value BIGINT NOT NULL);
INSERT INTO data_generation (value) VALUES (1);

CREATE FUNCTION data_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('assetserver.generation_bumped', true) IS DISTINCT FROM 'on' THEN
        UPDATE data_generation SET value = value + 1;
        PERFORM set_config('assetserver.generation_bumped', 'on', true);
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER files_generation AFTER INSERT OR UPDATE OR DELETE ON files
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_generation_bump();
