use super::*;

/// Zou's `DayOff`: a person's absence from `date` to `end_date` inclusive.
pub static DAY_OFF: Model = Model {
    type_name: "DayOff",
    table: "day_offs",
    columns: &[
        required("date", Kind::Date),
        required("end_date", Kind::Date),
        null("description", Kind::Text),
        required("person_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `Milestone`: a named production date, optionally for one task type.
pub static MILESTONE: Model = Model {
    type_name: "Milestone",
    table: "milestones",
    columns: &[
        null("date", Kind::Date),
        required("name", Kind::Text),
        required("project_id", Kind::Uuid),
        null("task_type_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};
