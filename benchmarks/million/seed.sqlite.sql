-- Issue 21: @count file rows cloned in SQL (uploads would take hours), numbered after the files already there
-- (@base + i). Titles, sizes, types, folders and dates vary; "harbour" is in the title of one row in 1,000,
-- "lighthouse" in one in 100 (a word between the search's shapes).
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count),
words(k, word) AS (VALUES (0, 'sunset'), (1, 'beach'), (2, 'mountain'), (3, 'city'), (4, 'forest'), (5, 'river'),
    (6, 'portrait'), (7, 'street'), (8, 'garden'), (9, 'bridge'), (10, 'market'), (11, 'snow'), (12, 'desert')),
rows AS (SELECT @base + i AS num, i, CASE WHEN i % 1000 = 0 THEN 'harbour' WHEN i % 100 = 50 THEN 'lighthouse' ELSE (SELECT word FROM words WHERE k = i % 13) END AS word FROM n)
INSERT INTO files (id, storage, filename_disk, filename_download, title, type, folder, created_on, modified_on, filesize,
                   width, height, duration, description, location, tags, uploaded_on, checksum,
                   numeric_id, document_id, upload_hash, upload_ext)
SELECT printf('00000000-0000-4000-8000-%012d', num), 'local', printf('00000000-0000-4000-8000-%012d.jpg', num),
       printf('IMG_%d.jpg', num), printf('%s %d', word, num),
       CASE i % 10 WHEN 5 THEN 'image/png' WHEN 6 THEN 'image/png' WHEN 7 THEN 'image/webp' WHEN 8 THEN 'video/mp4'
                   WHEN 9 THEN 'application/pdf' ELSE 'image/jpeg' END,
       CASE i % 4 WHEN 0 THEN NULL ELSE printf('f0000000-0000-4000-8000-%012d', i % 4) END,
       strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-01', printf('+%d seconds', num)),
       strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-01', printf('+%d seconds', num)),
       1000 + (num * 7919) % 5000000, 640 + (i % 50) * 64, 480 + (i % 40) * 48,
       CASE WHEN i % 10 = 8 THEN 1000 * (i % 600) END,
       CASE WHEN i % 2 = 0 THEN 'Taken by the ' || word END, CASE WHEN i % 5 = 0 THEN 'Lisbon' END,
       '["' || word || '"]',
       strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-01', printf('+%d seconds', num)),
       printf('%032x', num), num, printf('doc%021d', num), printf('file_%010d', num), '.jpg'
FROM rows;
UPDATE counters SET value = value + @count WHERE name = 'files';
