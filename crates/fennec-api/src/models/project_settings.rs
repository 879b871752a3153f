use super::*;

/// Zou's `MetadataDescriptor`: a custom field of a production for one kind
/// of entity (its values live in the entities' `data` under `field_name`).
/// Zou serialises it with its `departments` relation on every route.
pub static METADATA_DESCRIPTOR: Model = Model {
    type_name: "MetadataDescriptor",
    table: "metadata_descriptors",
    columns: &[
        required("project_id", Kind::Uuid),
        required("entity_type", Kind::Text),
        null("task_type_id", Kind::Uuid),
        required("name", Kind::Text),
        text("data_type", "string"),
        required("field_name", Kind::Text),
        col("choices", Kind::Json, Default::EmptyList),
        flag("for_client", false),
        null("position", Kind::Int),
        relation("departments"),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `StatusAutomation`: a status change that triggers another.
pub static STATUS_AUTOMATION: Model = Model {
    type_name: "StatusAutomation",
    table: "status_automations",
    columns: &[
        text("entity_type", "asset"),
        null("in_task_type_id", Kind::Uuid),
        null("in_task_status_id", Kind::Uuid),
        text("out_field_type", "status"),
        null("out_task_type_id", Kind::Uuid),
        null("out_task_status_id", Kind::Uuid),
        flag("import_last_revision", false),
        flag("archived", false),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `PreviewBackgroundFile`: an environment image for 3D previews.
pub static PREVIEW_BACKGROUND_FILE: Model = Model {
    type_name: "PreviewBackgroundFile",
    table: "preview_background_files",
    columns: &[
        required("name", Kind::Text),
        flag("archived", false),
        flag("is_default", false),
        null("original_name", Kind::Text),
        null("extension", Kind::Text),
        int("file_size", 0),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `Budget`: a production's quote, in revisions.
pub static BUDGET: Model = Model {
    type_name: "Budget",
    table: "budgets",
    columns: &[
        null("project_id", Kind::Uuid),
        int("revision", 1),
        required("name", Kind::Text),
        null("currency", Kind::Text),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `BudgetEntry`: a person's (or a position's) salary over months.
pub static BUDGET_ENTRY: Model = Model {
    type_name: "BudgetEntry",
    table: "budget_entries",
    columns: &[
        required("budget_id", Kind::Uuid),
        required("department_id", Kind::Uuid),
        null("person_id", Kind::Uuid),
        required("start_date", Kind::Date),
        required("months_duration", Kind::Int),
        required("daily_salary", Kind::Float),
        text("position", "artist"),
        text("seniority", "mid"),
        null("exceptions", Kind::Json),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};
