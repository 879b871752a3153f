-- Zou's DayOff and Milestone, which the schedule forecast reads.
CREATE TABLE day_offs (
    seq BIGSERIAL NOT NULL,
    "date" DATE NOT NULL,
    "end_date" DATE NOT NULL,
    "description" TEXT,
    "person_id" UUID NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX day_offs_seq_idx ON day_offs (seq);
CREATE INDEX day_offs_person_id_idx ON day_offs (person_id, date);

CREATE TABLE milestones (
    seq BIGSERIAL NOT NULL,
    "date" DATE,
    "name" TEXT NOT NULL,
    "project_id" UUID NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    "task_type_id" UUID REFERENCES task_types(id),
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX milestones_seq_idx ON milestones (seq);
CREATE INDEX milestones_project_id_idx ON milestones (project_id);
