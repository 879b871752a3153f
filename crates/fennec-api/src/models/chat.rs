use super::*;

/// Zou's `Chat`: the chat feed of one entity (`object_id`), made the first
/// time anyone reads or joins it. `participants` is a relationship, shown
/// only where Zou serialises with relations (the chat read).
pub static CHAT: Model = Model {
    type_name: "Chat",
    table: "chats",
    columns: &[
        required("object_id", Kind::Uuid),
        text("object_type", "entity"),
        null("last_message", Kind::DateTime),
        relation("participants"),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `ChatMessage`: one message of a chat. Zou's reads add the
/// message's `attachment_files` after `type`; those need file storage
/// (issue 14), so Fennec's messages never have any.
pub static CHAT_MESSAGE: Model = Model {
    type_name: "ChatMessage",
    table: "chat_messages",
    columns: &[
        required("chat_id", Kind::Uuid),
        required("person_id", Kind::Uuid),
        null("text", Kind::Text),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};
