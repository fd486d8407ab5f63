-- Issue 21: as seed.sqlite.sql, with generate_series; dates a second apart.
INSERT INTO files (id, storage, filename_disk, filename_download, title, type, folder, created_on, modified_on, filesize,
                   width, height, duration, description, location, tags, uploaded_on, checksum,
                   numeric_id, document_id, upload_hash, upload_ext)
SELECT '00000000-0000-4000-8000-' || lpad(num::text, 12, '0'), 'local', '00000000-0000-4000-8000-' || lpad(num::text, 12, '0') || '.jpg',
       'IMG_' || num || '.jpg', word || ' ' || num,
       CASE i % 10 WHEN 5 THEN 'image/png' WHEN 6 THEN 'image/png' WHEN 7 THEN 'image/webp' WHEN 8 THEN 'video/mp4'
                   WHEN 9 THEN 'application/pdf' ELSE 'image/jpeg' END,
       CASE i % 4 WHEN 0 THEN NULL ELSE 'f0000000-0000-4000-8000-' || lpad((i % 4)::text, 12, '0') END,
       stamp, stamp, 1000 + (num * 7919) % 5000000, 640 + (i % 50) * 64, 480 + (i % 40) * 48,
       CASE WHEN i % 10 = 8 THEN 1000 * (i % 600) END,
       CASE WHEN i % 2 = 0 THEN 'Taken by the ' || word END, CASE WHEN i % 5 = 0 THEN 'Lisbon' END,
       '["' || word || '"]', stamp, lpad(to_hex(num), 32, '0'), num, 'doc' || lpad(num::text, 21, '0'),
       'file_' || lpad(num::text, 10, '0'), '.jpg'
FROM (SELECT i, CAST(@base AS bigint) + i AS num,
             to_char(timestamp '2020-01-01' + (CAST(@base AS bigint) + i) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS stamp,
             CASE WHEN i % 1000 = 0 THEN 'harbour' WHEN i % 100 = 50 THEN 'lighthouse'
                  ELSE (ARRAY['sunset', 'beach', 'mountain', 'city', 'forest', 'river', 'portrait', 'street', 'garden',
                              'bridge', 'market', 'snow', 'desert'])[i % 13 + 1] END AS word
      FROM generate_series(1, CAST(@count AS bigint)) AS i) AS rows;
UPDATE counters SET value = value + @count WHERE name = 'files';
