-- Zou 1.0.97's notifications, subscriptions and news feed (issue 12).
-- Columns as Zou names them, except the notification's kind: Zou's column
-- is `type`, which its serialisation shows as `notification_type` (and
-- `type` is the model name on the wire), so Fennec stores it under the
-- name the API uses. Playlists are not modelled yet: `playlist_id` has no
-- key. cascade.rs removes these rows itself when a comment, task or
-- person goes, as Zou does; the keys' cascades are a safety net.

CREATE TABLE notifications (
    seq INTEGER PRIMARY KEY,
    "read" BOOLEAN NOT NULL DEFAULT 0,
    "change" BOOLEAN NOT NULL DEFAULT 0,
    "person_id" BLOB NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    "author_id" BLOB NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    "comment_id" BLOB REFERENCES comments(id) ON DELETE CASCADE,
    "task_id" BLOB REFERENCES tasks(id) ON DELETE CASCADE,
    "playlist_id" BLOB,
    "reply_id" BLOB,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    "notification_type" TEXT NOT NULL,
    UNIQUE (person_id, author_id, comment_id, reply_id, playlist_id, notification_type)
);
CREATE INDEX notifications_person_id_idx ON notifications (person_id);
CREATE INDEX notifications_author_id_idx ON notifications (author_id);
CREATE INDEX notifications_comment_id_idx ON notifications (comment_id);
CREATE INDEX notifications_task_id_idx ON notifications (task_id);
CREATE INDEX notifications_reply_id_idx ON notifications (reply_id);

CREATE TABLE subscriptions (
    seq INTEGER PRIMARY KEY,
    "person_id" BLOB NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    "task_id" BLOB REFERENCES tasks(id) ON DELETE CASCADE,
    "entity_id" BLOB REFERENCES entities(id) ON DELETE CASCADE,
    "task_type_id" BLOB REFERENCES task_types(id) ON DELETE CASCADE,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (person_id, task_id),
    UNIQUE (person_id, task_type_id, entity_id)
);
CREATE INDEX subscriptions_person_id_idx ON subscriptions (person_id);
CREATE INDEX subscriptions_task_id_idx ON subscriptions (task_id);
CREATE INDEX subscriptions_entity_id_idx ON subscriptions (entity_id);

CREATE TABLE news (
    seq INTEGER PRIMARY KEY,
    "change" BOOLEAN NOT NULL DEFAULT 0,
    "author_id" BLOB NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    "comment_id" BLOB REFERENCES comments(id) ON DELETE CASCADE,
    "task_id" BLOB NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    "preview_file_id" BLOB REFERENCES preview_files(id) ON DELETE SET NULL,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX news_author_id_idx ON news (author_id);
CREATE INDEX news_comment_id_idx ON news (comment_id);
CREATE INDEX news_task_id_idx ON news (task_id);
CREATE INDEX news_created_at_idx ON news (created_at);
