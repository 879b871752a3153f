-- Zou's task status short names are unique: gazu looks statuses up by them
-- (get_task_status_by_short_name takes the first match).
CREATE UNIQUE INDEX task_statuses_short_name_idx ON task_statuses (short_name);
