-- A task's last comment (the artist's to-do, Kitsu's My Tasks) is
-- `WHERE object_id = ? ORDER BY seq DESC LIMIT 1`. With only separate
-- indexes on object_id and seq, PostgreSQL walked the seq index backwards
-- and filtered by object_id: 2 ms per task, 0.55 s of a 216-task to-do on
-- a 20 160-task production (bench/README.md). One index serves both.
CREATE INDEX IF NOT EXISTS comments_object_id_seq_idx ON comments (object_id, seq);
