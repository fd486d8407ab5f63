-- Directus v8's private_hash (issue 11): the unguessable name of a file under /:project/assets/. Rotating it
-- (POST /:project/files/:id/private_hash) stops the old one at once.
ALTER TABLE files ADD COLUMN private_hash TEXT;
UPDATE files SET private_hash = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX files_private_hash ON files (private_hash);
