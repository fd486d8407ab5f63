-- Issue 21: what the background index builder (Data/IndexBuilds/IndexBuilder.cs) has done: a row per step, done when
-- done_on is set; progress is the last numeric_id a batch of the search table's fill committed. Its own script, so a
-- library that ran an earlier 010 (which built everything at once) gets it too, and the builder then finds its
-- indexes there (IF NOT EXISTS) and its rows in the search table (skipped).
CREATE TABLE index_builds (name TEXT PRIMARY KEY NOT NULL, progress INTEGER NOT NULL DEFAULT 0, done_on TEXT);
