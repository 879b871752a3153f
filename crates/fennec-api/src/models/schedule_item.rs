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
