-- Issue 13: an object put into the store before its row commits is recorded here first (own transaction) and the
-- record goes in the transaction of the row that references it. What a crash leaves is then known without listing
-- the bucket: a start-up sweep aborts the multipart upload (upload_id) and deletes the object if no row has it.
CREATE TABLE storage_intents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    upload_id TEXT,
    node TEXT NOT NULL,
    started_on TEXT NOT NULL
);
CREATE INDEX storage_intents_node ON storage_intents (node);
