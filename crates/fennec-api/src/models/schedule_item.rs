use super::*;

/// Zou's `ScheduleItem`: the dates of a task type in a production
/// (`object_id` null) or of one episode, sequence, asset type or edit for
/// a task type. Made on first read of the production's schedule lists.
pub static SCHEDULE_ITEM: Model = Model {
    type_name: "ScheduleItem",
    table: "schedule_items",
    columns: &[
        null("start_date", Kind::Date),
        null("end_date", Kind::Date),
        null("man_days", Kind::Int),
        null("project_id", Kind::Uuid),
        null("task_type_id", Kind::Uuid),
        null("object_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `Studio`: a studio of the organisation (Kitsu lists them at
/// start-up).
pub static STUDIO: Model = Model {
    type_name: "Studio",
    table: "studios",
    columns: &[
        required("name", Kind::Text),
        required("color", Kind::Text),
        flag("archived", false),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `CustomAction`: a link Kitsu's front end offers on entities.
pub static CUSTOM_ACTION: Model = Model {
    type_name: "CustomAction",
    table: "custom_actions",
    columns: &[
        required("name", Kind::Text),
        null("url", Kind::Text),
        text("entity_type", "all"),
        flag("is_ajax", false),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};
