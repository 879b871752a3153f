-- Zou 1.0.97's event log (`api_event`, issue 15): every event that a write
-- emits, with its author and production. The row is written in the write's
-- own transaction, so an event exists only for a change that committed.
-- On SQLite the row is also how the event reaches the process's live
-- clients: writes are serialised, so `seq` is commit order. `data` is the
-- event's JSON text (Zou's JSONB; no query reads inside it).

CREATE TABLE api_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "user_id" BLOB,
    "project_id" BLOB,
    "data" TEXT NOT NULL,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX api_events_name_idx ON api_events (name);
CREATE INDEX api_events_created_at_idx ON api_events (created_at);
CREATE INDEX api_events_project_id_created_at_idx ON api_events (project_id, created_at);
