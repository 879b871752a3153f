-- Zou 1.0.97's `attachment_file`: a file attached to a comment (gazu's
-- add_comment with attachments, add_attachment_files_to_comment) or to a
-- chat message. The bytes are in the media store under
-- `files/attachments/…/{id}` (Zou's file store key). Both keys cascade:
-- Zou's remove_comment takes the comment's attachments with it (rows and
-- files), and so does the removal of a task, an entity or a production.
-- `reply_id` names an entry of the comment's `replies` JSON: no key.

CREATE TABLE attachment_files (
    seq INTEGER PRIMARY KEY,
    "name" TEXT,
    "size" INTEGER,
    "extension" TEXT,
    "mimetype" TEXT,
    "comment_id" BLOB REFERENCES comments(id) ON DELETE CASCADE,
    "reply_id" BLOB,
    "chat_message_id" BLOB REFERENCES chat_messages(id) ON DELETE CASCADE,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX attachment_files_comment_id_idx ON attachment_files (comment_id);
CREATE INDEX attachment_files_chat_message_id_idx ON attachment_files (chat_message_id);
