-- Issue 17: the file name when the bytes were stored; see ../007_upload_filename.sql.
ALTER TABLE files ADD COLUMN upload_filename TEXT;
UPDATE files SET upload_filename = filename_download;
