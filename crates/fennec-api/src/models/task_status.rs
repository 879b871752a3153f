use super::*;

pub static TASK_STATUS: Model = Model {
    type_name: "TaskStatus",
    table: "task_statuses",
    columns: &[
        required("name", Kind::Text),
        flag("archived", false),
        required("short_name", Kind::Text),
        null("description", Kind::Text),
        // Zou's column has no default: a status without a colour is refused.
        required("color", Kind::Text),
        int("priority", 1),
        flag("is_done", false),
        flag("is_artist_allowed", true),
        flag("is_client_allowed", true),
        flag("is_retake", false),
        flag("is_feedback_request", false),
        flag("is_default", false),
        flag("is_wip", false),
        null("shotgun_id", Kind::Int),
        flag("for_concept", false),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};
