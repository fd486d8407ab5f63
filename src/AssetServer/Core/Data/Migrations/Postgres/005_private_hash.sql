-- Directus v8's private_hash (issue 11); see ../005_private_hash.sql.
ALTER TABLE files ADD COLUMN private_hash TEXT;
UPDATE files SET private_hash = md5(random()::text || clock_timestamp()::text || id);
CREATE UNIQUE INDEX files_private_hash ON files (private_hash);
