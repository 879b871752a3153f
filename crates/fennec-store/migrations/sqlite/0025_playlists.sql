-- Zou 1.0.97's Playlist, BuildJob and PlaylistShareLink (issue 14's
-- playlists). `shots` is Zou's JSON list of `{"entity_id",
-- "preview_file_id"}` entries; it names previews and entities without
-- keys, as Zou's does. No key cascades: cascade.rs removes a playlist's
-- build jobs, share links and notifications with it, and the playlists of
-- a removed production or forced episode, as Zou's cascade does. The
-- author key has no cascade either: Zou's database refuses to orphan the
-- playlists of a removed person.

CREATE TABLE playlists (
    seq INTEGER PRIMARY KEY,
    "name" TEXT NOT NULL,
    "shots" TEXT,
    "project_id" BLOB REFERENCES projects(id),
    "episode_id" BLOB REFERENCES entities(id),
    "task_type_id" BLOB REFERENCES task_types(id),
    "for_client" BOOLEAN,
    "for_entity" TEXT,
    "is_for_all" BOOLEAN,
    "created_by" BLOB REFERENCES persons(id),
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT playlist_uc UNIQUE ("name", "project_id", "episode_id")
);
CREATE INDEX playlists_project_id_idx ON playlists (project_id);
CREATE INDEX playlists_episode_id_idx ON playlists (episode_id);
CREATE INDEX playlists_task_type_id_idx ON playlists (task_type_id);
CREATE INDEX playlists_created_by_idx ON playlists (created_by);

CREATE TABLE build_jobs (
    seq INTEGER PRIMARY KEY,
    "status" TEXT NOT NULL,
    "job_type" TEXT NOT NULL,
    "ended_at" TEXT,
    "message" TEXT,
    "playlist_id" BLOB NOT NULL REFERENCES playlists(id),
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX build_jobs_playlist_id_idx ON build_jobs (playlist_id);

CREATE TABLE playlist_share_links (
    seq INTEGER PRIMARY KEY,
    "token" TEXT NOT NULL UNIQUE,
    "playlist_id" BLOB NOT NULL REFERENCES playlists(id),
    "created_by" BLOB NOT NULL REFERENCES persons(id),
    "expiration_date" TEXT,
    "is_active" BOOLEAN NOT NULL,
    "can_comment" BOOLEAN NOT NULL,
    "password" TEXT,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX playlist_share_links_playlist_idx ON playlist_share_links (playlist_id, is_active);
CREATE INDEX playlist_share_links_created_by_idx ON playlist_share_links (created_by);
