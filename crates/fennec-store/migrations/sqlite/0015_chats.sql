-- Entity chats of Zou 1.0.97 (issue 12): one chat per entity, made on
-- first read as Zou's chats_service makes it, its participants and its
-- messages. `object_id` has no foreign key because Zou's has none (a chat
-- names "an object", today always an entity). Message attachments need
-- file storage (issue 14): no table for them yet. The keys on persons
-- have no cascade: Zou refuses to delete a person who takes part in a
-- chat ("Some data are still linked to given person.", even forced).

CREATE TABLE chats (
    seq INTEGER PRIMARY KEY,
    "object_id" BLOB NOT NULL,
    "object_type" TEXT NOT NULL DEFAULT 'entity',
    "last_message" TEXT,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
-- One chat per object: two first reads at once must not make two.
CREATE UNIQUE INDEX chats_object_idx ON chats (object_id, object_type);

CREATE TABLE chat_participants (
    seq INTEGER PRIMARY KEY,
    chat_id BLOB NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES persons(id),
    UNIQUE (chat_id, person_id)
);
CREATE INDEX chat_participants_person_id_idx ON chat_participants (person_id);

CREATE TABLE chat_messages (
    seq INTEGER PRIMARY KEY,
    "chat_id" BLOB NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    "person_id" BLOB NOT NULL REFERENCES persons(id),
    "text" TEXT,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE INDEX chat_messages_chat_id_idx ON chat_messages (chat_id);
CREATE INDEX chat_messages_person_id_idx ON chat_messages (person_id);
