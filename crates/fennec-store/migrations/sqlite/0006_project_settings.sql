-- Per-production settings (gazu's project module): metadata descriptors
-- (custom fields whose values live in entities' `data`), status
-- automations, preview background files, budgets and their entries.
-- Tables and columns as Zou 1.0.97 names them.

CREATE TABLE metadata_descriptors (
    seq INTEGER PRIMARY KEY,
    "project_id" BLOB NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    "entity_type" TEXT NOT NULL,
    "task_type_id" BLOB REFERENCES task_types(id),
    "name" TEXT NOT NULL,
    "data_type" TEXT,
    "field_name" TEXT NOT NULL,
    "choices" TEXT,
    "for_client" BOOLEAN,
    "position" INTEGER,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX metadata_descriptors_project_id_idx ON metadata_descriptors (project_id);
-- Zou's partial unique indexes: a name and a field name are unique per
-- project and entity type (and task type, for Task descriptors).
CREATE UNIQUE INDEX metadata_descriptors_name_uc ON metadata_descriptors (project_id, entity_type, name) WHERE task_type_id IS NULL;
CREATE UNIQUE INDEX metadata_descriptors_field_uc ON metadata_descriptors (project_id, entity_type, field_name) WHERE task_type_id IS NULL;
CREATE UNIQUE INDEX metadata_descriptors_tt_name_uc ON metadata_descriptors (project_id, entity_type, task_type_id, name) WHERE task_type_id IS NOT NULL;
CREATE UNIQUE INDEX metadata_descriptors_tt_field_uc ON metadata_descriptors (project_id, entity_type, task_type_id, field_name) WHERE task_type_id IS NOT NULL;

CREATE TABLE department_metadata_descriptor_link (
    seq INTEGER PRIMARY KEY,
    metadata_descriptor_id BLOB NOT NULL REFERENCES metadata_descriptors(id) ON DELETE CASCADE,
    department_id BLOB NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
    UNIQUE (metadata_descriptor_id, department_id)
);
CREATE INDEX department_metadata_descriptor_link_department_id_idx ON department_metadata_descriptor_link (department_id);

CREATE TABLE status_automations (
    seq INTEGER PRIMARY KEY,
    "entity_type" TEXT,
    "in_task_type_id" BLOB REFERENCES task_types(id),
    "in_task_status_id" BLOB REFERENCES task_statuses(id),
    "out_field_type" TEXT NOT NULL,
    "out_task_type_id" BLOB REFERENCES task_types(id),
    "out_task_status_id" BLOB REFERENCES task_statuses(id),
    "import_last_revision" BOOLEAN,
    "archived" BOOLEAN,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);

CREATE TABLE project_status_automation_link (
    seq INTEGER PRIMARY KEY,
    project_id BLOB NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    status_automation_id BLOB NOT NULL REFERENCES status_automations(id),
    UNIQUE (project_id, status_automation_id)
);
CREATE INDEX project_status_automation_link_sa_idx ON project_status_automation_link (status_automation_id);

CREATE TABLE preview_background_files (
    seq INTEGER PRIMARY KEY,
    "name" TEXT NOT NULL,
    "archived" BOOLEAN,
    "is_default" BOOLEAN,
    "original_name" TEXT,
    "extension" TEXT,
    "file_size" INTEGER,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);

CREATE TABLE project_preview_background_file_link (
    seq INTEGER PRIMARY KEY,
    project_id BLOB NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    preview_background_file_id BLOB NOT NULL REFERENCES preview_background_files(id) ON DELETE CASCADE,
    UNIQUE (project_id, preview_background_file_id)
);
CREATE INDEX project_preview_background_file_link_file_idx ON project_preview_background_file_link (preview_background_file_id);

CREATE TABLE budgets (
    seq INTEGER PRIMARY KEY,
    "project_id" BLOB REFERENCES projects(id) ON DELETE CASCADE,
    "revision" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "currency" TEXT,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX budgets_project_id_idx ON budgets (project_id);

CREATE TABLE budget_entries (
    seq INTEGER PRIMARY KEY,
    "budget_id" BLOB NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    "department_id" BLOB NOT NULL REFERENCES departments(id),
    "person_id" BLOB REFERENCES persons(id),
    "start_date" TEXT NOT NULL,
    "months_duration" INTEGER NOT NULL,
    "daily_salary" REAL NOT NULL,
    "position" TEXT,
    "seniority" TEXT,
    "exceptions" TEXT,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX budget_entries_budget_id_idx ON budget_entries (budget_id);
