-- Issue 21: a library of a million files stays fast to list, sort, search and count.
--
-- This script is the cheap part, run by start-up's migration: the counters, the search table and the triggers that
-- keep them in step from now on. The expensive part (the sort and filter indexes, and filling the search table with
-- the rows already there) is built after start-up by Data/IndexBuilds/IndexBuilder.cs, in batches, recorded in
-- index_builds (011_index_builds.sql) so that a restart resumes it; until the search table is full, queries scan.

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
-- so the text is not stored twice. Filled with the rows already there by the index builder (FillSearchTable).
CREATE VIRTUAL TABLE files_search USING fts5(
    title, filename_download, description, location, tags, type,
    content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1');
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
