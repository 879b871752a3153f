-- Zou 1.0.97's event log (`api_event`, issue 15): every event that a write
-- emits, with its author and production. The row is written in the write's
-- own transaction, and so is the NOTIFY that carries the event to every
-- replica: PostgreSQL delivers it at commit, in commit order, and never for
-- a rolled-back transaction. `data` is the event's JSON text (Zou's JSONB;
-- no query reads inside it). No foreign keys: Zou's log outlives the
-- people and productions it names.

CREATE TABLE api_events (
    seq BIGSERIAL NOT NULL,
    "name" VARCHAR(80) NOT NULL,
    "user_id" UUID,
    "project_id" UUID,
    "data" TEXT NOT NULL,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX api_events_seq_idx ON api_events (seq);
CREATE INDEX api_events_name_idx ON api_events (name);
CREATE INDEX api_events_created_at_idx ON api_events (created_at);
CREATE INDEX api_events_project_id_created_at_idx ON api_events (project_id, created_at);
