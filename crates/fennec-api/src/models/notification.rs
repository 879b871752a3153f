use super::*;

/// Zou's `Notification`: one person told of an assignment, a comment, a
/// mention or a reply. Zou serialises its kind column (`type`) as
/// `notification_type`, appended last, and puts the model name in `type`
/// where the column stood; the computed `type` keeps that place.
pub static NOTIFICATION: Model = Model {
    type_name: "Notification",
    table: "notifications",
    columns: &[
        flag("read", false),
        flag("change", false),
        computed("type"),
        required("person_id", Kind::Uuid),
        required("author_id", Kind::Uuid),
        null("comment_id", Kind::Uuid),
        null("task_id", Kind::Uuid),
        null("playlist_id", Kind::Uuid),
        null("reply_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
        required("notification_type", Kind::Text),
    ],
};

/// Zou's `Subscription`: a person following a task (or, deprecated, a
/// sequence's tasks of one type).
pub static SUBSCRIPTION: Model = Model {
    type_name: "Subscription",
    table: "subscriptions",
    columns: &[
        required("person_id", Kind::Uuid),
        null("task_id", Kind::Uuid),
        null("entity_id", Kind::Uuid),
        null("task_type_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `News`: one entry of a production's activity feed, made with each
/// comment on a task (concepts' excepted).
pub static NEWS: Model = Model {
    type_name: "News",
    table: "news",
    columns: &[
        flag("change", false),
        required("author_id", Kind::Uuid),
        null("comment_id", Kind::Uuid),
        required("task_id", Kind::Uuid),
        null("preview_file_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};
