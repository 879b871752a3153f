-- Fennec's schema: one table per Zou model, columns as Zou names them.
-- `seq` keeps creation order, which Zou's unordered lists show on a fresh database.

CREATE TABLE organisations (
    seq INTEGER PRIMARY KEY,
    "name" TEXT NOT NULL,
    "hours_by_day" REAL,
    "has_avatar" BOOLEAN,
    "use_original_file_name" BOOLEAN,
    "timesheets_locked" BOOLEAN,
    "format_duration_in_hours" BOOLEAN,
    "hd_by_default" BOOLEAN,
    "chat_token_slack" TEXT,
    "chat_webhook_mattermost" TEXT,
    "chat_token_discord" TEXT,
    "dark_theme_by_default" BOOLEAN,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (name)
);

CREATE TABLE project_statuses (
    seq INTEGER PRIMARY KEY,
    "name" TEXT NOT NULL,
    "color" TEXT,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (name)
);

CREATE TABLE departments (
    seq INTEGER PRIMARY KEY,
    "name" TEXT NOT NULL,
    "color" TEXT NOT NULL,
    "archived" BOOLEAN,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (name)
);

CREATE TABLE task_statuses (
    seq INTEGER PRIMARY KEY,
    "name" TEXT NOT NULL,
    "archived" BOOLEAN,
    "short_name" TEXT NOT NULL,
    "description" TEXT,
    "color" TEXT,
    "priority" INTEGER,
    "is_done" BOOLEAN,
    "is_artist_allowed" BOOLEAN,
    "is_client_allowed" BOOLEAN,
    "is_retake" BOOLEAN,
    "is_feedback_request" BOOLEAN,
    "is_default" BOOLEAN,
    "is_wip" BOOLEAN,
    "shotgun_id" INTEGER,
    "for_concept" BOOLEAN,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);

CREATE TABLE task_types (
    seq INTEGER PRIMARY KEY,
    "name" TEXT NOT NULL,
    "short_name" TEXT,
    "description" TEXT,
    "color" TEXT,
    "priority" INTEGER,
    "for_entity" TEXT,
    "allow_timelog" BOOLEAN,
    "archived" BOOLEAN,
    "shotgun_id" INTEGER,
    "department_id" BLOB REFERENCES departments(id),
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);

CREATE TABLE entity_types (
    seq INTEGER PRIMARY KEY,
    "name" TEXT NOT NULL,
    "short_name" TEXT,
    "description" TEXT,
    "archived" BOOLEAN,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (name)
);

CREATE TABLE persons (
    seq INTEGER PRIMARY KEY,
    "first_name" TEXT NOT NULL,
    "last_name" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "country" TEXT,
    "contract_type" TEXT,
    "active" BOOLEAN,
    "archived" BOOLEAN,
    "last_presence" TEXT,
    "desktop_login" TEXT,
    "password" TEXT,
    "totp_enabled" BOOLEAN,
    "email_otp_enabled" BOOLEAN,
    "fido_enabled" BOOLEAN,
    "preferred_two_factor_authentication" TEXT,
    "shotgun_id" INTEGER,
    "timezone" TEXT,
    "locale" TEXT,
    "use_12_hour_clock" BOOLEAN,
    "display_date_format" TEXT,
    "data" TEXT,
    "role" TEXT,
    "position" TEXT,
    "seniority" TEXT,
    "daily_salary" INTEGER,
    "has_avatar" BOOLEAN,
    "notifications_enabled" BOOLEAN,
    "notifications_slack_enabled" BOOLEAN,
    "notifications_slack_userid" TEXT,
    "notifications_mattermost_enabled" BOOLEAN,
    "notifications_mattermost_userid" TEXT,
    "notifications_discord_enabled" BOOLEAN,
    "notifications_discord_userid" TEXT,
    "is_bot" BOOLEAN,
    "is_guest" BOOLEAN,
    "preview_project_id" BLOB,
    "preview_opened_at" TEXT,
    "preview_open_until" TEXT,
    "expiration_date" TEXT,
    "is_generated_from_ldap" BOOLEAN,
    "ldap_uid" TEXT,
    "studio_id" BLOB,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (email)
);

CREATE TABLE projects (
    seq INTEGER PRIMARY KEY,
    "name" TEXT NOT NULL,
    "code" TEXT,
    "description" TEXT,
    "shotgun_id" INTEGER,
    "file_tree" TEXT,
    "data" TEXT,
    "has_avatar" BOOLEAN,
    "fps" TEXT,
    "ratio" TEXT,
    "resolution" TEXT,
    "production_type" TEXT,
    "production_style" TEXT,
    "start_date" TEXT,
    "end_date" TEXT,
    "man_days" INTEGER,
    "nb_episodes" INTEGER,
    "episode_span" INTEGER,
    "max_retakes" INTEGER,
    "is_clients_isolated" BOOLEAN,
    "is_client_stats_visible" BOOLEAN,
    "is_client_task_list_visible" BOOLEAN,
    "is_client_task_panel_visible" BOOLEAN,
    "is_preview_download_allowed" BOOLEAN,
    "is_set_preview_automated" BOOLEAN,
    "homepage" TEXT,
    "is_publish_default_for_artists" BOOLEAN,
    "is_bot_collaboration_enabled" BOOLEAN,
    "is_single_preview_per_revision" BOOLEAN,
    "is_frame_in_numbering" BOOLEAN,
    "revision_padding" INTEGER,
    "hd_bitrate_compression" INTEGER,
    "ld_bitrate_compression" INTEGER,
    "project_status_id" BLOB REFERENCES project_statuses(id),
    "default_preview_background_file_id" BLOB,
    "from_schedule_version_id" BLOB,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (name)
);

CREATE TABLE entities (
    seq INTEGER PRIMARY KEY,
    "id" BLOB NOT NULL UNIQUE,
    "name" TEXT NOT NULL,
    "code" TEXT,
    "description" TEXT,
    "shotgun_id" INTEGER,
    "canceled" BOOLEAN,
    "nb_frames" INTEGER,
    "nb_entities_out" INTEGER,
    "is_casting_standby" BOOLEAN,
    "is_shared" BOOLEAN,
    "status" TEXT,
    "project_id" BLOB NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    "entity_type_id" BLOB NOT NULL REFERENCES entity_types(id),
    "parent_id" BLOB REFERENCES entities(id),
    "source_id" BLOB,
    "preview_file_id" BLOB,
    "data" TEXT,
    "ready_for" BLOB,
    "created_by" BLOB,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX entities_project_id_entity_type_id_idx ON entities (project_id, entity_type_id);
CREATE INDEX entities_parent_id_idx ON entities (parent_id);

CREATE TABLE tasks (
    seq INTEGER PRIMARY KEY,
    "name" TEXT,
    "description" TEXT,
    "priority" INTEGER,
    "difficulty" INTEGER,
    "duration" REAL,
    "estimation" REAL,
    "completion_rate" INTEGER,
    "retake_count" INTEGER,
    "sort_order" INTEGER,
    "start_date" TEXT,
    "due_date" TEXT,
    "real_start_date" TEXT,
    "end_date" TEXT,
    "done_date" TEXT,
    "last_comment_date" TEXT,
    "nb_assets_ready" INTEGER,
    "data" TEXT,
    "nb_drawings" INTEGER,
    "shotgun_id" INTEGER,
    "last_preview_file_id" BLOB,
    "project_id" BLOB REFERENCES projects(id) ON DELETE CASCADE,
    "task_type_id" BLOB REFERENCES task_types(id),
    "task_status_id" BLOB REFERENCES task_statuses(id),
    "entity_id" BLOB REFERENCES entities(id) ON DELETE CASCADE,
    "assigner_id" BLOB REFERENCES persons(id),
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (project_id, task_type_id, entity_id, name)
);
CREATE INDEX tasks_project_id_idx ON tasks (project_id);
CREATE INDEX tasks_entity_id_idx ON tasks (entity_id);
CREATE INDEX tasks_task_type_id_idx ON tasks (task_type_id);
CREATE INDEX tasks_task_status_id_idx ON tasks (task_status_id);

CREATE TABLE time_spents (
    seq INTEGER PRIMARY KEY,
    "duration" REAL NOT NULL,
    "date" TEXT NOT NULL,
    "task_id" BLOB NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    "person_id" BLOB NOT NULL REFERENCES persons(id),
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (task_id, person_id, date)
);
CREATE INDEX time_spents_person_id_date_idx ON time_spents (person_id, date);

CREATE TABLE comments (
    seq INTEGER PRIMARY KEY,
    "shotgun_id" INTEGER,
    "object_id" BLOB NOT NULL,
    "object_type" TEXT NOT NULL,
    "text" TEXT,
    "data" TEXT,
    "replies" TEXT,
    "checklist" TEXT,
    "pinned" BOOLEAN,
    "for_client" BOOLEAN,
    "links" TEXT,
    "task_status_id" BLOB REFERENCES task_statuses(id),
    "person_id" BLOB REFERENCES persons(id),
    "editor_id" BLOB,
    "preview_file_id" BLOB,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX comments_object_id_idx ON comments (object_id);

-- Many-to-many links (Zou's association tables); `seq` keeps link order.
CREATE TABLE project_person_link (
    seq INTEGER PRIMARY KEY,
    project_id BLOB NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    UNIQUE (project_id, person_id)
);
CREATE INDEX project_person_link_person_id_idx ON project_person_link (person_id);
CREATE TABLE project_asset_type_link (
    seq INTEGER PRIMARY KEY,
    project_id BLOB NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    asset_type_id BLOB NOT NULL REFERENCES entity_types(id) ON DELETE CASCADE,
    UNIQUE (project_id, asset_type_id)
);
CREATE INDEX project_asset_type_link_asset_type_id_idx ON project_asset_type_link (asset_type_id);
CREATE TABLE project_task_type_link (
    seq INTEGER PRIMARY KEY,
    project_id BLOB NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    task_type_id BLOB NOT NULL REFERENCES task_types(id) ON DELETE CASCADE,
    priority INTEGER,
    UNIQUE (project_id, task_type_id)
);
CREATE INDEX project_task_type_link_task_type_id_idx ON project_task_type_link (task_type_id);
CREATE TABLE project_task_status_link (
    seq INTEGER PRIMARY KEY,
    project_id BLOB NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    task_status_id BLOB NOT NULL REFERENCES task_statuses(id) ON DELETE CASCADE,
    priority INTEGER,
    roles_for_board TEXT,
    UNIQUE (project_id, task_status_id)
);
CREATE INDEX project_task_status_link_task_status_id_idx ON project_task_status_link (task_status_id);
CREATE TABLE assignations (
    seq INTEGER PRIMARY KEY,
    task_id BLOB NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    UNIQUE (task_id, person_id)
);
CREATE INDEX assignations_person_id_idx ON assignations (person_id);
CREATE TABLE department_link (
    seq INTEGER PRIMARY KEY,
    person_id BLOB NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    department_id BLOB NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
    UNIQUE (person_id, department_id)
);
CREATE INDEX department_link_department_id_idx ON department_link (department_id);
CREATE TABLE asset_type_task_type_link (
    seq INTEGER PRIMARY KEY,
    asset_type_id BLOB NOT NULL REFERENCES entity_types(id) ON DELETE CASCADE,
    task_type_id BLOB NOT NULL REFERENCES task_types(id) ON DELETE CASCADE,
    UNIQUE (asset_type_id, task_type_id)
);
CREATE INDEX asset_type_task_type_link_task_type_id_idx ON asset_type_task_type_link (task_type_id);

-- Logged-out tokens, by JWT id, so a logout holds after a restart and on every replica.
CREATE TABLE revoked_tokens (
    jti TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);

-- Server settings that replicas must share (the generated JWT secret).
CREATE TABLE fennec_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
