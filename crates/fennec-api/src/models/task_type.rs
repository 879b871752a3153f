use super::*;

pub static TASK_TYPE: Model = Model {
    type_name: "TaskType",
    table: "task_types",
    columns: &[
        required("name", Kind::Text),
        null("short_name", Kind::Text),
        null("description", Kind::Text),
        text("color", "#FFFFFF"),
        int("priority", 1),
        text("for_entity", "Asset"),
        flag("allow_timelog", true),
        flag("archived", false),
        null("shotgun_id", Kind::Int),
        null("department_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};
