-- The caller's own settings of Zou's user blueprint (issue 12): saved
-- searches and their groups, and desktop session logins. Tables and
-- columns as Zou 1.0.97 names them. The keys' cascades are a safety net:
-- the routes remove a group's filters themselves, as Zou does.

CREATE TABLE search_filter_groups (
    seq BIGSERIAL NOT NULL,
    "list_type" VARCHAR(80) NOT NULL,
    "entity_type" VARCHAR(80),
    "name" VARCHAR(200) NOT NULL DEFAULT '',
    "color" VARCHAR(8) NOT NULL DEFAULT '',
    "is_shared" BOOLEAN NOT NULL DEFAULT FALSE,
    "person_id" UUID REFERENCES persons(id) ON DELETE CASCADE,
    "project_id" UUID REFERENCES projects(id) ON DELETE CASCADE,
    "department_id" UUID REFERENCES departments(id) ON DELETE SET NULL,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX search_filter_groups_seq_idx ON search_filter_groups (seq);
CREATE INDEX search_filter_groups_person_id_idx ON search_filter_groups (person_id);
CREATE INDEX search_filter_groups_project_id_idx ON search_filter_groups (project_id);

CREATE TABLE search_filters (
    seq BIGSERIAL NOT NULL,
    "list_type" VARCHAR(80) NOT NULL,
    "entity_type" VARCHAR(80),
    "name" VARCHAR(200) NOT NULL DEFAULT '',
    "search_query" VARCHAR(500) NOT NULL DEFAULT '',
    "is_shared" BOOLEAN NOT NULL DEFAULT FALSE,
    "department_id" UUID REFERENCES departments(id) ON DELETE SET NULL,
    "search_filter_group_id" UUID REFERENCES search_filter_groups(id) ON DELETE CASCADE,
    "person_id" UUID REFERENCES persons(id) ON DELETE CASCADE,
    "project_id" UUID REFERENCES projects(id) ON DELETE CASCADE,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX search_filters_seq_idx ON search_filters (seq);
CREATE INDEX search_filters_person_id_idx ON search_filters (person_id);
CREATE INDEX search_filters_project_id_idx ON search_filters (project_id);
CREATE INDEX search_filters_group_idx ON search_filters (search_filter_group_id);

CREATE TABLE desktop_login_logs (
    seq BIGSERIAL NOT NULL,
    "person_id" UUID NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    "date" TIMESTAMP NOT NULL,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX desktop_login_logs_seq_idx ON desktop_login_logs (seq);
CREATE INDEX desktop_login_logs_person_id_idx ON desktop_login_logs (person_id);
