-- Fennec's explicit finish-to-start links between tasks (issue 16; Zou and
-- Kitsu have none): the successor may not start before the predecessor's
-- forecast finish plus `lag_days` studio working days. Fennec's own table,
-- read by the schedule forecast and /api/fennec/.../task-links only.
CREATE TABLE fennec_task_links (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    "id" BLOB NOT NULL UNIQUE,
    "project_id" BLOB NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    "predecessor_id" BLOB NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    "successor_id" BLOB NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    "lag_days" INTEGER NOT NULL DEFAULT 0,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (predecessor_id, successor_id)
);
CREATE INDEX fennec_task_links_project_id_idx ON fennec_task_links (project_id);
CREATE INDEX fennec_task_links_successor_id_idx ON fennec_task_links (successor_id);
