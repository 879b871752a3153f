-- Zou 1.0.97's Playlist, BuildJob and PlaylistShareLink (issue 14's
-- playlists). `shots` is Zou's JSON list of `{"entity_id",
-- "preview_file_id"}` entries; it names previews and entities without
-- keys, as Zou's does. No key cascades: cascade.rs removes a playlist's
-- build jobs, share links and notifications with it, and the playlists of
-- a removed production or forced episode, as Zou's cascade does. The
-- author key has no cascade either: Zou's database refuses to orphan the
-- playlists of a removed person.

CREATE TABLE playlists (
    seq BIGSERIAL NOT NULL,
    "name" VARCHAR(80) NOT NULL,
    "shots" JSONB,
    "project_id" UUID REFERENCES projects(id),
    "episode_id" UUID REFERENCES entities(id),
    "task_type_id" UUID REFERENCES task_types(id),
    "for_client" BOOLEAN,
    "for_entity" VARCHAR(10),
    "is_for_all" BOOLEAN,
    "created_by" UUID REFERENCES persons(id),
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    CONSTRAINT playlist_uc UNIQUE ("name", "project_id", "episode_id")
);
CREATE UNIQUE INDEX playlists_seq_idx ON playlists (seq);
CREATE INDEX playlists_project_id_idx ON playlists (project_id);
CREATE INDEX playlists_episode_id_idx ON playlists (episode_id);
CREATE INDEX playlists_task_type_id_idx ON playlists (task_type_id);
CREATE INDEX playlists_created_by_idx ON playlists (created_by);

CREATE TABLE build_jobs (
    seq BIGSERIAL NOT NULL,
    "status" VARCHAR(255) NOT NULL,
    "job_type" VARCHAR(255) NOT NULL,
    "ended_at" TIMESTAMP,
    "message" TEXT,
    "playlist_id" UUID NOT NULL REFERENCES playlists(id),
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX build_jobs_seq_idx ON build_jobs (seq);
CREATE INDEX build_jobs_playlist_id_idx ON build_jobs (playlist_id);

CREATE TABLE playlist_share_links (
    seq BIGSERIAL NOT NULL,
    "token" VARCHAR(64) NOT NULL UNIQUE,
    "playlist_id" UUID NOT NULL REFERENCES playlists(id),
    "created_by" UUID NOT NULL REFERENCES persons(id),
    "expiration_date" TIMESTAMP,
    "is_active" BOOLEAN NOT NULL,
    "can_comment" BOOLEAN NOT NULL,
    "password" VARCHAR(255),
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX playlist_share_links_seq_idx ON playlist_share_links (seq);
CREATE INDEX playlist_share_links_playlist_idx ON playlist_share_links (playlist_id, is_active);
CREATE INDEX playlist_share_links_created_by_idx ON playlist_share_links (created_by);
