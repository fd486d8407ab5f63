-- The file records: one row per original, columns named as Directus's directus_files.
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
    filesize          INTEGER NOT NULL DEFAULT 0,
    width             INTEGER,
    height            INTEGER,
    duration          INTEGER,
    embed             TEXT,
    description       TEXT,
    location          TEXT,
    tags              TEXT,      -- JSON array of strings
    metadata          TEXT,      -- JSON object: exif, iptc, icc, xmp
    focal_point_x     INTEGER,
    focal_point_y     INTEGER,
    uploaded_on       TEXT,
    checksum          TEXT
);

-- The default sort (uploaded_on desc, id) and the common filters.
CREATE INDEX files_uploaded_on ON files (uploaded_on DESC, id);
CREATE INDEX files_type ON files (type);
CREATE INDEX files_folder ON files (folder);
CREATE INDEX files_filesize ON files (filesize);
