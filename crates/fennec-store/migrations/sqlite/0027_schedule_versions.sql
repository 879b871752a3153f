-- Zou 1.0.97's ProductionScheduleVersion (issue 13): a named copy of a
-- production's task dates, estimates and assignees that Kitsu's production
-- schedule edits apart from the production and may apply to it. The keys
-- cascade as Zou's do (project, task, person and version ON DELETE
-- CASCADE; the version a copy came from ON DELETE SET NULL): nothing Zou
-- keeps hangs on these rows, so the database's cascade is the rule here.
CREATE TABLE production_schedule_versions (
    seq INTEGER PRIMARY KEY,
    "name" TEXT NOT NULL,
    "project_id" BLOB NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    "production_schedule_from" BLOB REFERENCES production_schedule_versions(id) ON DELETE SET NULL,
    "locked" BOOLEAN,
    "canceled" BOOLEAN,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (name, project_id)
);
CREATE INDEX production_schedule_versions_project_id_idx ON production_schedule_versions (project_id);
CREATE INDEX production_schedule_versions_from_idx ON production_schedule_versions (production_schedule_from);

CREATE TABLE production_schedule_version_task_links (
    seq INTEGER PRIMARY KEY,
    "production_schedule_version_id" BLOB NOT NULL REFERENCES production_schedule_versions(id) ON DELETE CASCADE,
    "task_id" BLOB NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    "start_date" TEXT,
    "due_date" TEXT,
    "estimation" REAL,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (production_schedule_version_id, task_id)
);
CREATE INDEX production_schedule_version_task_links_task_id_idx
    ON production_schedule_version_task_links (task_id);

CREATE TABLE production_schedule_version_task_link_person_link (
    seq INTEGER PRIMARY KEY,
    production_schedule_version_task_link_id BLOB NOT NULL
        REFERENCES production_schedule_version_task_links(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    UNIQUE (production_schedule_version_task_link_id, person_id)
);
CREATE INDEX production_schedule_version_task_link_person_link_person_idx
    ON production_schedule_version_task_link_person_link (person_id);
