-- Issue 21: a library of a million files stays fast to list, sort, search and count.
--
-- Sorts. The builder (Files/Query/FileQuerySql.cs) orders by the asked fields, then by id in the direction of the last
-- one; an index on (field, id) is read forwards for "field" and backwards for "-field", so one serves both.
DROP INDEX files_uploaded_on;
DROP INDEX files_filesize;
CREATE INDEX files_by_uploaded_on ON files (uploaded_on, id);
CREATE INDEX files_by_created_on ON files (created_on, id);
CREATE INDEX files_by_modified_on ON files (modified_on, id);
CREATE INDEX files_by_title ON files (title, id);
CREATE INDEX files_by_filename_download ON files (filename_download, id);
CREATE INDEX files_by_type ON files (type, id);
CREATE INDEX files_by_filesize ON files (filesize, id);
CREATE INDEX files_by_width ON files (width, id);
CREATE INDEX files_by_height ON files (height, id);
CREATE INDEX files_by_duration ON files (duration, id);
-- Strapi's default order (its id).
CREATE INDEX files_by_numeric_id ON files (numeric_id, id);

-- The common filters with the default order, newest first: a type, a folder. They replace the single-column indexes
-- of 001_files.sql.
DROP INDEX files_type;
DROP INDEX files_folder;
CREATE INDEX files_type_newest ON files (type, uploaded_on, id);
CREATE INDEX files_folder_newest ON files (folder, uploaded_on, id);
-- A mime group (type _starts_with "image/") newest first: the type up to its slash, as the builder writes it.
CREATE INDEX files_mime_group_newest ON files (substr(type, 1, instr(type, '/')), uploaded_on, id);

-- total_count: the number of rows, moved in the write's own transaction.
CREATE TABLE row_counts (table_name TEXT PRIMARY KEY NOT NULL, row_count INTEGER NOT NULL);
INSERT INTO row_counts (table_name, row_count) VALUES ('files', (SELECT COUNT(*) FROM files));
CREATE TRIGGER files_count_insert AFTER INSERT ON files BEGIN
    UPDATE row_counts SET row_count = row_count + 1 WHERE table_name = 'files';
END;
CREATE TRIGGER files_count_delete AFTER DELETE ON files BEGIN
    UPDATE row_counts SET row_count = row_count - 1 WHERE table_name = 'files';
END;

-- aggregate[count]=*&groupBy[]=type: the files of each type, moved by the same writes (type_key tells a null type
-- from an empty one). A million rows would otherwise be read for a handful of groups.
CREATE TABLE type_counts (type_key TEXT PRIMARY KEY NOT NULL, type TEXT, row_count INTEGER NOT NULL);
INSERT INTO type_counts (type_key, type, row_count)
    SELECT CASE WHEN type IS NULL THEN '-' ELSE '=' || type END, type, COUNT(*) FROM files GROUP BY type;
CREATE TRIGGER files_type_count_insert AFTER INSERT ON files BEGIN
    INSERT INTO type_counts (type_key, type, row_count) VALUES (CASE WHEN new.type IS NULL THEN '-' ELSE '=' || new.type END, new.type, 1)
        ON CONFLICT (type_key) DO UPDATE SET row_count = row_count + 1;
END;
CREATE TRIGGER files_type_count_delete AFTER DELETE ON files BEGIN
    UPDATE type_counts SET row_count = row_count - 1 WHERE type_key = CASE WHEN old.type IS NULL THEN '-' ELSE '=' || old.type END;
END;
CREATE TRIGGER files_type_count_update AFTER UPDATE OF type ON files WHEN old.type IS NOT new.type BEGIN
    UPDATE type_counts SET row_count = row_count - 1 WHERE type_key = CASE WHEN old.type IS NULL THEN '-' ELSE '=' || old.type END;
    INSERT INTO type_counts (type_key, type, row_count) VALUES (CASE WHEN new.type IS NULL THEN '-' ELSE '=' || new.type END, new.type, 1)
        ON CONFLICT (type_key) DO UPDATE SET row_count = row_count + 1;
END;

-- Substring search (search=, _contains, _icontains, …) over the searchable fields (Files/FileFields.cs Searchable):
-- trigrams of each value as lower() folds it (the server's lower() is .NET's invariant one, Data/Database.cs), so a
-- lowered term's trigrams find every row the scan would; the statement still tests the scan's own predicate on
-- them. Keyed by numeric_id, which every file has and never changes (rowid may be renumbered by VACUUM); contentless,
-- so the text is not stored twice.
CREATE VIRTUAL TABLE files_search USING fts5(
    title, filename_download, description, location, tags, type,
    content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1');
INSERT INTO files_search (rowid, title, filename_download, description, location, tags, type)
    SELECT numeric_id, lower(title), lower(filename_download), lower(description), lower(location), lower(tags), lower(type)
    FROM files WHERE numeric_id IS NOT NULL;
CREATE TRIGGER files_search_insert AFTER INSERT ON files WHEN new.numeric_id IS NOT NULL BEGIN
    INSERT INTO files_search (rowid, title, filename_download, description, location, tags, type)
    VALUES (new.numeric_id, lower(new.title), lower(new.filename_download), lower(new.description), lower(new.location), lower(new.tags), lower(new.type));
END;
CREATE TRIGGER files_search_delete AFTER DELETE ON files WHEN old.numeric_id IS NOT NULL BEGIN
    DELETE FROM files_search WHERE rowid = old.numeric_id;
END;
CREATE TRIGGER files_search_update AFTER UPDATE OF title, filename_download, description, location, tags, type, numeric_id ON files BEGIN
    DELETE FROM files_search WHERE rowid = old.numeric_id;
    INSERT INTO files_search (rowid, title, filename_download, description, location, tags, type)
    SELECT new.numeric_id, lower(new.title), lower(new.filename_download), lower(new.description), lower(new.location), lower(new.tags), lower(new.type)
    WHERE new.numeric_id IS NOT NULL;
END;
