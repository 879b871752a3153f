-- Fennec's schema: one table per Zou model, columns as Zou names them.
-- `seq` keeps creation order, which Zou's unordered lists show on a fresh database.

CREATE TABLE organisations (
    seq BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "hours_by_day" DOUBLE PRECISION,
    "has_avatar" BOOLEAN,
    "use_original_file_name" BOOLEAN,
    "timesheets_locked" BOOLEAN,
    "format_duration_in_hours" BOOLEAN,
    "hd_by_default" BOOLEAN,
    "chat_token_slack" TEXT,
    "chat_webhook_mattermost" TEXT,
    "chat_token_discord" TEXT,
    "dark_theme_by_default" BOOLEAN,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    UNIQUE (name)
);
CREATE UNIQUE INDEX organisations_seq_idx ON organisations (seq);

CREATE TABLE project_statuses (
    seq BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "color" TEXT,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    UNIQUE (name)
);
CREATE UNIQUE INDEX project_statuses_seq_idx ON project_statuses (seq);

CREATE TABLE departments (
    seq BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "color" TEXT NOT NULL,
    "archived" BOOLEAN,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    UNIQUE (name)
);
CREATE UNIQUE INDEX departments_seq_idx ON departments (seq);

CREATE TABLE task_statuses (
    seq BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "archived" BOOLEAN,
    "short_name" TEXT NOT NULL,
    "description" TEXT,
    "color" TEXT,
    "priority" BIGINT,
    "is_done" BOOLEAN,
    "is_artist_allowed" BOOLEAN,
    "is_client_allowed" BOOLEAN,
    "is_retake" BOOLEAN,
    "is_feedback_request" BOOLEAN,
    "is_default" BOOLEAN,
    "is_wip" BOOLEAN,
    "shotgun_id" BIGINT,
    "for_concept" BOOLEAN,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX task_statuses_seq_idx ON task_statuses (seq);

CREATE TABLE task_types (
    seq BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "short_name" TEXT,
    "description" TEXT,
    "color" TEXT,
    "priority" BIGINT,
    "for_entity" TEXT,
    "allow_timelog" BOOLEAN,
    "archived" BOOLEAN,
    "shotgun_id" BIGINT,
    "department_id" UUID REFERENCES departments(id),
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX task_types_seq_idx ON task_types (seq);

CREATE TABLE entity_types (
    seq BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "short_name" TEXT,
    "description" TEXT,
    "archived" BOOLEAN,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    UNIQUE (name)
);
CREATE UNIQUE INDEX entity_types_seq_idx ON entity_types (seq);

CREATE TABLE persons (
    seq BIGSERIAL NOT NULL,
    "first_name" TEXT NOT NULL,
    "last_name" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "country" TEXT,
    "contract_type" TEXT,
    "active" BOOLEAN,
    "archived" BOOLEAN,
    "last_presence" DATE,
    "desktop_login" TEXT,
    "password" TEXT,
    "totp_enabled" BOOLEAN,
    "email_otp_enabled" BOOLEAN,
    "fido_enabled" BOOLEAN,
    "preferred_two_factor_authentication" TEXT,
    "shotgun_id" BIGINT,
    "timezone" TEXT,
    "locale" TEXT,
    "use_12_hour_clock" BOOLEAN,
    "display_date_format" TEXT,
    "data" JSONB,
    "role" TEXT,
    "position" TEXT,
    "seniority" TEXT,
    "daily_salary" BIGINT,
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
    "preview_project_id" UUID,
    "preview_opened_at" TIMESTAMP,
    "preview_open_until" TIMESTAMP,
    "expiration_date" DATE,
    "is_generated_from_ldap" BOOLEAN,
    "ldap_uid" TEXT,
    "studio_id" UUID,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    UNIQUE (email)
);
CREATE UNIQUE INDEX persons_seq_idx ON persons (seq);

CREATE TABLE projects (
    seq BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT,
    "description" TEXT,
    "shotgun_id" BIGINT,
    "file_tree" JSONB,
    "data" JSONB,
    "has_avatar" BOOLEAN,
    "fps" TEXT,
    "ratio" TEXT,
    "resolution" TEXT,
    "production_type" TEXT,
    "production_style" TEXT,
    "start_date" DATE,
    "end_date" DATE,
    "man_days" BIGINT,
    "nb_episodes" BIGINT,
    "episode_span" BIGINT,
    "max_retakes" BIGINT,
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
    "revision_padding" BIGINT,
    "hd_bitrate_compression" BIGINT,
    "ld_bitrate_compression" BIGINT,
    "project_status_id" UUID REFERENCES project_statuses(id),
    "default_preview_background_file_id" UUID,
    "from_schedule_version_id" UUID,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    UNIQUE (name)
);
CREATE UNIQUE INDEX projects_seq_idx ON projects (seq);

CREATE TABLE entities (
    seq BIGSERIAL NOT NULL,
    "id" UUID PRIMARY KEY,
    "name" TEXT NOT NULL,
    "code" TEXT,
    "description" TEXT,
    "shotgun_id" BIGINT,
    "canceled" BOOLEAN,
    "nb_frames" BIGINT,
    "nb_entities_out" BIGINT,
    "is_casting_standby" BOOLEAN,
    "is_shared" BOOLEAN,
    "status" TEXT,
    "project_id" UUID NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    "entity_type_id" UUID NOT NULL REFERENCES entity_types(id),
    "parent_id" UUID REFERENCES entities(id),
    "source_id" UUID,
    "preview_file_id" UUID,
    "data" JSONB,
    "ready_for" UUID,
    "created_by" UUID,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE INDEX entities_project_id_entity_type_id_idx ON entities (project_id, entity_type_id);
CREATE INDEX entities_parent_id_idx ON entities (parent_id);
CREATE UNIQUE INDEX entities_seq_idx ON entities (seq);

CREATE TABLE tasks (
    seq BIGSERIAL NOT NULL,
    "name" TEXT,
    "description" TEXT,
    "priority" BIGINT,
    "difficulty" BIGINT,
    "duration" DOUBLE PRECISION,
    "estimation" DOUBLE PRECISION,
    "completion_rate" BIGINT,
    "retake_count" BIGINT,
    "sort_order" BIGINT,
    "start_date" TIMESTAMP,
    "due_date" TIMESTAMP,
    "real_start_date" TIMESTAMP,
    "end_date" TIMESTAMP,
    "done_date" TIMESTAMP,
    "last_comment_date" TIMESTAMP,
    "nb_assets_ready" BIGINT,
    "data" JSONB,
    "nb_drawings" BIGINT,
    "shotgun_id" BIGINT,
    "last_preview_file_id" UUID,
    "project_id" UUID REFERENCES projects(id) ON DELETE CASCADE,
    "task_type_id" UUID REFERENCES task_types(id),
    "task_status_id" UUID REFERENCES task_statuses(id),
    "entity_id" UUID REFERENCES entities(id) ON DELETE CASCADE,
    "assigner_id" UUID REFERENCES persons(id),
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    UNIQUE (project_id, task_type_id, entity_id, name)
);
CREATE INDEX tasks_project_id_idx ON tasks (project_id);
CREATE INDEX tasks_entity_id_idx ON tasks (entity_id);
CREATE INDEX tasks_task_type_id_idx ON tasks (task_type_id);
CREATE INDEX tasks_task_status_id_idx ON tasks (task_status_id);
CREATE UNIQUE INDEX tasks_seq_idx ON tasks (seq);

CREATE TABLE time_spents (
    seq BIGSERIAL NOT NULL,
    "duration" DOUBLE PRECISION NOT NULL,
    "date" DATE NOT NULL,
    "task_id" UUID NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    "person_id" UUID NOT NULL REFERENCES persons(id),
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    UNIQUE (task_id, person_id, date)
);
CREATE INDEX time_spents_person_id_date_idx ON time_spents (person_id, date);
CREATE UNIQUE INDEX time_spents_seq_idx ON time_spents (seq);

CREATE TABLE comments (
    seq BIGSERIAL NOT NULL,
    "shotgun_id" BIGINT,
    "object_id" UUID NOT NULL,
    "object_type" TEXT NOT NULL,
    "text" TEXT,
    "data" JSONB,
    "replies" JSONB,
    "checklist" JSONB,
    "pinned" BOOLEAN,
    "for_client" BOOLEAN,
    "links" JSONB,
    "task_status_id" UUID REFERENCES task_statuses(id),
    "person_id" UUID REFERENCES persons(id),
    "editor_id" UUID,
    "preview_file_id" UUID,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE INDEX comments_object_id_idx ON comments (object_id);
CREATE UNIQUE INDEX comments_seq_idx ON comments (seq);

-- Many-to-many links (Zou's association tables); `seq` keeps link order.
CREATE TABLE project_person_link (
    seq BIGSERIAL NOT NULL,
    project_id UUID NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    UNIQUE (project_id, person_id)
);
CREATE INDEX project_person_link_person_id_idx ON project_person_link (person_id);
CREATE TABLE project_asset_type_link (
    seq BIGSERIAL NOT NULL,
    project_id UUID NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    asset_type_id UUID NOT NULL REFERENCES entity_types(id) ON DELETE CASCADE,
    UNIQUE (project_id, asset_type_id)
);
CREATE INDEX project_asset_type_link_asset_type_id_idx ON project_asset_type_link (asset_type_id);
CREATE TABLE project_task_type_link (
    seq BIGSERIAL NOT NULL,
    project_id UUID NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    task_type_id UUID NOT NULL REFERENCES task_types(id) ON DELETE CASCADE,
    priority BIGINT,
    UNIQUE (project_id, task_type_id)
);
CREATE INDEX project_task_type_link_task_type_id_idx ON project_task_type_link (task_type_id);
CREATE TABLE project_task_status_link (
    seq BIGSERIAL NOT NULL,
    project_id UUID NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    task_status_id UUID NOT NULL REFERENCES task_statuses(id) ON DELETE CASCADE,
    priority BIGINT,
    roles_for_board JSONB,
    UNIQUE (project_id, task_status_id)
);
CREATE INDEX project_task_status_link_task_status_id_idx ON project_task_status_link (task_status_id);
CREATE TABLE assignations (
    seq BIGSERIAL NOT NULL,
    task_id UUID NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    UNIQUE (task_id, person_id)
);
CREATE INDEX assignations_person_id_idx ON assignations (person_id);
CREATE TABLE department_link (
    seq BIGSERIAL NOT NULL,
    person_id UUID NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    department_id UUID NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
    UNIQUE (person_id, department_id)
);
CREATE INDEX department_link_department_id_idx ON department_link (department_id);
CREATE TABLE asset_type_task_type_link (
    seq BIGSERIAL NOT NULL,
    asset_type_id UUID NOT NULL REFERENCES entity_types(id) ON DELETE CASCADE,
    task_type_id UUID NOT NULL REFERENCES task_types(id) ON DELETE CASCADE,
    UNIQUE (asset_type_id, task_type_id)
);
CREATE INDEX asset_type_task_type_link_task_type_id_idx ON asset_type_task_type_link (task_type_id);

-- Logged-out tokens, by JWT id, so a logout holds after a restart and on every replica.
CREATE TABLE revoked_tokens (
    jti TEXT PRIMARY KEY,
    expires_at TIMESTAMP NOT NULL
);

-- Server settings that replicas must share (the generated JWT secret).
CREATE TABLE fennec_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
