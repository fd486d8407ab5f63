-- What other dialects call a file (issue 10): Strapi's integer id and documentId, its public name under /uploads
-- (hash + ext), the alternative text, and links to the entries that use a file. Every file gets them, whichever API
-- uploaded it, so that a file is the same record in every dialect.
ALTER TABLE files ADD COLUMN numeric_id INTEGER;
ALTER TABLE files ADD COLUMN document_id TEXT;
ALTER TABLE files ADD COLUMN upload_hash TEXT;
ALTER TABLE files ADD COLUMN upload_ext TEXT;
ALTER TABLE files ADD COLUMN alternative_text TEXT;

-- Numbers are handed out once and never reused, as an autoincrement key would be.
CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);

-- Files from before this migration: numbered in upload order, named from their id, extension from the disk name.
UPDATE files SET
    numeric_id = (SELECT COUNT(*) FROM files AS earlier
                  WHERE earlier.created_on < files.created_on OR (earlier.created_on = files.created_on AND earlier.id <= files.id)),
    document_id = lower(hex(randomblob(12))),
    upload_hash = 'file_' || lower(hex(randomblob(5))),
    upload_ext = '.' || replace(filename_disk, rtrim(filename_disk, replace(filename_disk, '.', '')), '');
INSERT INTO counters (name, value) VALUES ('files', (SELECT COUNT(*) FROM files));

CREATE UNIQUE INDEX files_numeric_id ON files (numeric_id);
CREATE UNIQUE INDEX files_document_id ON files (document_id);
CREATE UNIQUE INDEX files_upload_hash ON files (upload_hash);

-- Strapi's "related": the entries (content type + id + field) a file was uploaded for.
CREATE TABLE file_links (
    file_id   TEXT NOT NULL,
    position  INTEGER NOT NULL,
    ref       TEXT NOT NULL,
    ref_id    TEXT NOT NULL,
    field     TEXT,
    source    TEXT,
    PRIMARY KEY (file_id, position)
);
