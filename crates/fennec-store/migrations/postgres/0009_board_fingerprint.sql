-- The with-tasks boards' ETag reads the latest update and the count of a
-- production's entities and tasks on every request: these indexes answer
-- both from the index alone instead of visiting every row.
CREATE INDEX entities_project_id_updated_at_idx ON entities (project_id, updated_at);
CREATE INDEX tasks_project_id_updated_at_idx ON tasks (project_id, updated_at);
