-- Directus's activity and revisions logs (issue 11): every write to a file, by every dialect, in the same
-- transaction as the write. Columns as Directus's directus_activity and directus_revisions, plus the token's name.
CREATE TABLE activity (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    action      TEXT NOT NULL,          -- create, update, delete
    "user"      TEXT,                   -- the token's id ("admin" for the admin token)
    actor       TEXT,                   -- the token's name
    timestamp   TEXT NOT NULL,
    ip          TEXT,
    user_agent  TEXT,
    collection  TEXT NOT NULL,
    item        TEXT NOT NULL,
    origin      TEXT
);
CREATE INDEX activity_item ON activity (collection, item);

CREATE TABLE revisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    activity    INTEGER NOT NULL REFERENCES activity (id),
    collection  TEXT NOT NULL,
    item        TEXT NOT NULL,
    data        TEXT,                   -- the record after the write (JSON)
    delta       TEXT,                   -- the fields the write changed (JSON)
    parent      INTEGER,
    version     TEXT
);
CREATE INDEX revisions_item ON revisions (collection, item, id);

-- Earlier originals of replaced files (Files:KeepVersions), kept under their own disk names until pruned.
CREATE TABLE file_versions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id        TEXT NOT NULL,
    filename_disk  TEXT NOT NULL UNIQUE,
    kept_on        TEXT NOT NULL
);
CREATE INDEX file_versions_file ON file_versions (file_id, id);
