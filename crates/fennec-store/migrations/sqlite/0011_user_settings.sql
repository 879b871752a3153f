-- The caller's own settings of Zou's user blueprint (issue 12): saved
-- searches and their groups, and desktop session logins. Tables and
-- columns as Zou 1.0.97 names them. The keys' cascades are a safety net:
-- the routes remove a group's filters themselves, as Zou does.

CREATE TABLE search_filter_groups (
    seq INTEGER PRIMARY KEY,
    "list_type" TEXT NOT NULL,
    "entity_type" TEXT,
    "name" TEXT NOT NULL DEFAULT '',
    "color" TEXT NOT NULL DEFAULT '',
    "is_shared" BOOLEAN NOT NULL DEFAULT 0,
    "person_id" BLOB REFERENCES persons(id) ON DELETE CASCADE,
    "project_id" BLOB REFERENCES projects(id) ON DELETE CASCADE,
    "department_id" BLOB REFERENCES departments(id) ON DELETE SET NULL,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX search_filter_groups_person_id_idx ON search_filter_groups (person_id);
CREATE INDEX search_filter_groups_project_id_idx ON search_filter_groups (project_id);

CREATE TABLE search_filters (
    seq INTEGER PRIMARY KEY,
    "list_type" TEXT NOT NULL,
    "entity_type" TEXT,
    "name" TEXT NOT NULL DEFAULT '',
    "search_query" TEXT NOT NULL DEFAULT '',
    "is_shared" BOOLEAN NOT NULL DEFAULT 0,
    "department_id" BLOB REFERENCES departments(id) ON DELETE SET NULL,
    "search_filter_group_id" BLOB REFERENCES search_filter_groups(id) ON DELETE CASCADE,
    "person_id" BLOB REFERENCES persons(id) ON DELETE CASCADE,
    "project_id" BLOB REFERENCES projects(id) ON DELETE CASCADE,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX search_filters_person_id_idx ON search_filters (person_id);
CREATE INDEX search_filters_project_id_idx ON search_filters (project_id);
CREATE INDEX search_filters_group_idx ON search_filters (search_filter_group_id);

CREATE TABLE desktop_login_logs (
    seq INTEGER PRIMARY KEY,
    "person_id" BLOB NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    "date" TEXT NOT NULL,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX desktop_login_logs_person_id_idx ON desktop_login_logs (person_id);
