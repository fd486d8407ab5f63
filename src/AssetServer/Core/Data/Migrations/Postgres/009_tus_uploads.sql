-- Issue 19: resumable (tus) uploads in progress. Not files: no row in files until the last byte is in. The offset is
-- acknowledged to the client only after the bytes up to it are durable and this row says so, so it survives kill -9.
CREATE TABLE tus_uploads (
    id TEXT PRIMARY KEY NOT NULL,
    length BIGINT NOT NULL,
    upload_offset BIGINT NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL,
    replaces TEXT,
    owner TEXT NOT NULL,
    created_on TEXT NOT NULL,
    expires_on TEXT NOT NULL
);
CREATE INDEX tus_uploads_expires_on ON tus_uploads (expires_on);
