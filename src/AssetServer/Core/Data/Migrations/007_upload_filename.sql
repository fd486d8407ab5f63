-- Issue 17: the file name as it was when the bytes were stored (upload or replace). Names derived from the bytes
-- (Strapi's format names, thumbnail_<name>) follow it, so renaming a file keeps them, as Strapi does.
ALTER TABLE files ADD COLUMN upload_filename TEXT;
UPDATE files SET upload_filename = filename_download;
