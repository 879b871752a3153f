-- Grows a Zou database filled by bench/zou_import/fill.py to 20 018 tasks
-- (2 000 more shots of ten tasks, each with its assignees, a comment and a
-- time spent per assignee), for the import rate in bench/README.md.
BEGIN;
CREATE TEMP TABLE src_shot AS SELECT * FROM entity WHERE name = 'SH001' LIMIT 1;
CREATE TEMP TABLE new_shots AS
  SELECT gen_random_uuid() AS id, n FROM generate_series(1, 2000) AS n;
INSERT INTO entity (id, created_at, updated_at, name, code, description, shotgun_id, canceled, nb_frames, nb_entities_out, is_casting_standby, status, project_id, entity_type_id, parent_id, source_id, preview_file_id, data, ready_for, created_by, is_shared)
SELECT ns.id, now(), now(), 'BX' || lpad(ns.n::text, 5, '0'), s.code, s.description, NULL, s.canceled, s.nb_frames, 0, s.is_casting_standby, s.status, s.project_id, s.entity_type_id, s.parent_id, NULL, NULL, s.data, s.ready_for, s.created_by, s.is_shared
FROM new_shots ns, src_shot s;
CREATE TEMP TABLE src_task AS SELECT t.* FROM task t JOIN entity e ON e.id = t.entity_id WHERE e.name = 'SH001' LIMIT 1;
CREATE TEMP TABLE new_tasks AS
  SELECT gen_random_uuid() AS id, ns.id AS entity_id, k FROM new_shots ns, generate_series(0, 9) AS k;
INSERT INTO task (id, created_at, updated_at, name, description, priority, difficulty, duration, estimation, completion_rate, retake_count, sort_order, start_date, due_date, real_start_date, end_date, done_date, last_comment_date, nb_assets_ready, data, shotgun_id, last_preview_file_id, project_id, task_type_id, task_status_id, entity_id, assigner_id, nb_drawings)
SELECT nt.id, now(), now(), 'main' || nt.k, s.description, s.priority, s.difficulty, 0, 0, 0, 0, 0, s.start_date, s.due_date, s.real_start_date, s.end_date, s.done_date, s.last_comment_date, 0, s.data, NULL, NULL, s.project_id, s.task_type_id, s.task_status_id, nt.entity_id, s.assigner_id, 0
FROM new_tasks nt, src_task s;
INSERT INTO task_person_link (task_id, person_id)
SELECT nt.id, tpl.person_id FROM new_tasks nt, src_task s JOIN task_person_link tpl ON tpl.task_id = s.id;
INSERT INTO comment (id, created_at, updated_at, shotgun_id, object_id, object_type, text, data, replies, checklist, pinned, links, task_status_id, person_id, editor_id, preview_file_id, for_client)
SELECT gen_random_uuid(), now(), now(), NULL, nt.id, 'Task', 'bench comment', NULL, '[]', '[]', false, '{}', s.task_status_id, (SELECT person_id FROM task_person_link WHERE task_id = s.id LIMIT 1), NULL, NULL, false
FROM new_tasks nt, src_task s;
INSERT INTO time_spent (id, created_at, updated_at, duration, date, task_id, person_id)
SELECT gen_random_uuid(), now(), now(), 60, DATE '2031-01-01' + (nt.k), nt.id, tpl.person_id FROM new_tasks nt, src_task s JOIN task_person_link tpl ON tpl.task_id = s.id;
COMMIT;
