-- Zou 1.0.97's ScheduleItem (issue 13): a production's dates per task type
-- (object_id NULL) and, per task type, per episode, sequence, asset type or
-- edit (object_id). Zou makes them on first read of the production's
-- schedule lists; Kitsu's production schedule moves them with PUT
-- /data/schedule-items/{id}. `object_id` has no foreign key because Zou's
-- has none (it names an entity or an entity type). The other keys have no
-- cascade: cascade.rs removes the items with their production, task type
-- or entity, as Zou's cascade and its forced task type delete do.

CREATE TABLE schedule_items (
    seq INTEGER PRIMARY KEY,
    "start_date" TEXT,
    "end_date" TEXT,
    "man_days" INTEGER,
    "project_id" BLOB REFERENCES projects(id),
    "task_type_id" BLOB REFERENCES task_types(id),
    "object_id" BLOB,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
-- Zou's schedule_item_uc; the partial index also keeps one task type item
-- (no object) per production when two first reads race (NULLs are distinct
-- in a plain unique index).
CREATE UNIQUE INDEX schedule_items_uc ON schedule_items (project_id, task_type_id, object_id);
CREATE UNIQUE INDEX schedule_items_task_type_uc ON schedule_items (project_id, task_type_id)
    WHERE object_id IS NULL;
CREATE INDEX schedule_items_task_type_id_idx ON schedule_items (task_type_id);
CREATE INDEX schedule_items_object_id_idx ON schedule_items (object_id);

-- Zou's Studio and CustomAction: studio-wide lists Kitsu's front end reads
-- at start-up, admins' to write.
CREATE TABLE studios (
    seq INTEGER PRIMARY KEY,
    "name" TEXT NOT NULL UNIQUE,
    "color" TEXT NOT NULL,
    "archived" BOOLEAN,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);

CREATE TABLE custom_actions (
    seq INTEGER PRIMARY KEY,
    "name" TEXT NOT NULL,
    "url" TEXT,
    "entity_type" TEXT,
    "is_ajax" BOOLEAN,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
