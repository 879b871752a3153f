use super::*;

/// Zou's `Task`: durations and estimates in minutes (floats).
pub static TASK: Model = Model {
    type_name: "Task",
    table: "tasks",
    columns: &[
        text("name", "main"),
        null("description", Kind::Text),
        int("priority", 0),
        int("difficulty", 3),
        col("duration", Kind::Float, Default::Float(0.0)),
        col("estimation", Kind::Float, Default::Float(0.0)),
        int("completion_rate", 0),
        int("retake_count", 0),
        int("sort_order", 0),
        null("start_date", Kind::DateTime),
        null("due_date", Kind::DateTime),
        null("real_start_date", Kind::DateTime),
        null("end_date", Kind::DateTime),
        null("done_date", Kind::DateTime),
        null("last_comment_date", Kind::DateTime),
        int("nb_assets_ready", 0),
        null("data", Kind::Json),
        int("nb_drawings", 0),
        null("shotgun_id", Kind::Int),
        null("last_preview_file_id", Kind::Uuid),
        null("project_id", Kind::Uuid),
        null("task_type_id", Kind::Uuid),
        null("task_status_id", Kind::Uuid),
        null("entity_id", Kind::Uuid),
        null("assigner_id", Kind::Uuid),
        relation("assignees"),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

pub static TIME_SPENT: Model = Model {
    type_name: "TimeSpent",
    table: "time_spents",
    columns: &[
        required("duration", Kind::Float),
        required("date", Kind::Date),
        required("task_id", Kind::Uuid),
        required("person_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

pub static COMMENT: Model = Model {
    type_name: "Comment",
    table: "comments",
    columns: &[
        null("shotgun_id", Kind::Int),
        required("object_id", Kind::Uuid),
        required("object_type", Kind::Text),
        text("text", ""),
        null("data", Kind::Json),
        col("replies", Kind::Json, Default::EmptyList),
        col("checklist", Kind::Json, Default::EmptyList),
        null("pinned", Kind::Bool),
        flag("for_client", false),
        col("links", Kind::Json, Default::EmptyList),
        null("task_status_id", Kind::Uuid),
        null("person_id", Kind::Uuid),
        null("editor_id", Kind::Uuid),
        null("preview_file_id", Kind::Uuid),
        relation("previews"),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `AttachmentFile`: a file attached to a comment (or to one of its
/// replies, `reply_id`) or to a chat message. The bytes are in the media
/// store (`crate::storage` of fennec-server), keyed by the id as Zou's file
/// store keys them. `size` is the stored byte count; `extension` is the
/// lowercased text after the name's last dot (Zou's get_file_extension).
pub static ATTACHMENT_FILE: Model = Model {
    type_name: "AttachmentFile",
    table: "attachment_files",
    columns: &[
        null("name", Kind::Text),
        int("size", 1),
        null("extension", Kind::Text),
        null("mimetype", Kind::Text),
        null("comment_id", Kind::Uuid),
        null("reply_id", Kind::Uuid),
        null("chat_message_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};
