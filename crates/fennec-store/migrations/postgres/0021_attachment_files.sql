-- Zou 1.0.97's `attachment_file`: a file attached to a comment (gazu's
-- add_comment with attachments, add_attachment_files_to_comment) or to a
-- chat message. The bytes are in the media store under
-- `files/attachments/…/{id}` (Zou's file store key). Both keys cascade:
-- Zou's remove_comment takes the comment's attachments with it (rows and
-- files), and so does the removal of a task, an entity or a production.
-- `reply_id` names an entry of the comment's `replies` JSON: no key.

CREATE TABLE attachment_files (
    seq BIGSERIAL NOT NULL,
    "name" VARCHAR(250),
    "size" BIGINT,
    "extension" VARCHAR(6),
    "mimetype" VARCHAR(255),
    "comment_id" UUID REFERENCES comments(id) ON DELETE CASCADE,
    "reply_id" UUID,
    "chat_message_id" UUID REFERENCES chat_messages(id) ON DELETE CASCADE,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE INDEX attachment_files_comment_id_idx ON attachment_files (comment_id);
CREATE INDEX attachment_files_chat_message_id_idx ON attachment_files (chat_message_id);
