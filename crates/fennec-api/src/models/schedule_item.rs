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

/// Zou's `ProductionScheduleVersion`: a named copy of a production's task
/// dates that Kitsu's production schedule edits apart from the production.
pub static PRODUCTION_SCHEDULE_VERSION: Model = Model {
    type_name: "ProductionScheduleVersion",
    table: "production_schedule_versions",
    columns: &[
        required("name", Kind::Text),
        required("project_id", Kind::Uuid),
        null("production_schedule_from", Kind::Uuid),
        flag("locked", false),
        flag("canceled", false),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `ProductionScheduleVersionTaskLink`: one task's dates, estimate
/// and assignees in a schedule version.
pub static PRODUCTION_SCHEDULE_VERSION_TASK_LINK: Model = Model {
    type_name: "ProductionScheduleVersionTaskLink",
    table: "production_schedule_version_task_links",
    columns: &[
        required("production_schedule_version_id", Kind::Uuid),
        required("task_id", Kind::Uuid),
        null("start_date", Kind::DateTime),
        null("due_date", Kind::DateTime),
        col("estimation", Kind::Float, Default::Float(0.0)),
        relation("assignees"),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};
