-- Issue 19: Directus's folders ({id, name, parent}), a tree that files are filed in (files.folder).
CREATE TABLE folders (
    id      TEXT PRIMARY KEY NOT NULL,
    name    TEXT NOT NULL,
    parent  TEXT
);
-- Children of a folder (moves on delete, the admin page's tree, filter[parent]).
CREATE INDEX folders_parent ON folders (parent);
-- filter[folder][name][_eq]=… on files looks folders up by name.
CREATE INDEX folders_name ON folders (name);

-- Before folders existed a file's folder was any UUID. Each one named becomes a folder (named by its id), so no file
-- loses its folder and every stored folder reference is one that exists.
INSERT INTO folders (id, name, parent)
    SELECT DISTINCT folder, folder, NULL FROM files WHERE folder IS NOT NULL;
-- files.folder is indexed since 001_files.sql (files_folder).
