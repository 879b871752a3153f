-- Zou 1.0.97's notifications, subscriptions and news feed (issue 12).
-- Columns as Zou names them, except the notification's kind: Zou's column
-- is `type`, which its serialisation shows as `notification_type` (and
-- `type` is the model name on the wire), so Fennec stores it under the
-- name the API uses. Playlists are not modelled yet: `playlist_id` has no
-- key. cascade.rs removes these rows itself when a comment, task or
-- person goes, as Zou does; the keys' cascades are a safety net.

CREATE TABLE notifications (
    seq BIGSERIAL NOT NULL,
    "read" BOOLEAN NOT NULL DEFAULT FALSE,
    "change" BOOLEAN NOT NULL DEFAULT FALSE,
    "person_id" UUID NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    "author_id" UUID NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    "comment_id" UUID REFERENCES comments(id) ON DELETE CASCADE,
    "task_id" UUID REFERENCES tasks(id) ON DELETE CASCADE,
    "playlist_id" UUID,
    "reply_id" UUID,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "notification_type" VARCHAR(80) NOT NULL,
    UNIQUE (person_id, author_id, comment_id, reply_id, playlist_id, notification_type)
);
CREATE UNIQUE INDEX notifications_seq_idx ON notifications (seq);
CREATE INDEX notifications_person_id_idx ON notifications (person_id);
CREATE INDEX notifications_author_id_idx ON notifications (author_id);
CREATE INDEX notifications_comment_id_idx ON notifications (comment_id);
CREATE INDEX notifications_task_id_idx ON notifications (task_id);
CREATE INDEX notifications_reply_id_idx ON notifications (reply_id);

CREATE TABLE subscriptions (
    seq BIGSERIAL NOT NULL,
    "person_id" UUID NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    "task_id" UUID REFERENCES tasks(id) ON DELETE CASCADE,
    "entity_id" UUID REFERENCES entities(id) ON DELETE CASCADE,
    "task_type_id" UUID REFERENCES task_types(id) ON DELETE CASCADE,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    UNIQUE (person_id, task_id),
    UNIQUE (person_id, task_type_id, entity_id)
);
CREATE UNIQUE INDEX subscriptions_seq_idx ON subscriptions (seq);
CREATE INDEX subscriptions_person_id_idx ON subscriptions (person_id);
CREATE INDEX subscriptions_task_id_idx ON subscriptions (task_id);
CREATE INDEX subscriptions_entity_id_idx ON subscriptions (entity_id);

CREATE TABLE news (
    seq BIGSERIAL NOT NULL,
    "change" BOOLEAN NOT NULL DEFAULT FALSE,
    "author_id" UUID NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    "comment_id" UUID REFERENCES comments(id) ON DELETE CASCADE,
    "task_id" UUID NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    "preview_file_id" UUID REFERENCES preview_files(id) ON DELETE SET NULL,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX news_seq_idx ON news (seq);
CREATE INDEX news_author_id_idx ON news (author_id);
CREATE INDEX news_comment_id_idx ON news (comment_id);
CREATE INDEX news_task_id_idx ON news (task_id);
CREATE INDEX news_created_at_idx ON news (created_at);
