-- Zou's DayOff and Milestone, which the schedule forecast reads.
CREATE TABLE day_offs (
    seq INTEGER PRIMARY KEY,
    "date" TEXT NOT NULL,
    "end_date" TEXT NOT NULL,
    "description" TEXT,
    "person_id" BLOB NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX day_offs_person_id_idx ON day_offs (person_id, date);

CREATE TABLE milestones (
    seq INTEGER PRIMARY KEY,
    "date" TEXT,
    "name" TEXT NOT NULL,
    "project_id" BLOB NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    "task_type_id" BLOB REFERENCES task_types(id),
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX milestones_project_id_idx ON milestones (project_id);
