use super::*;

pub static ORGANISATION: Model = Model {
    type_name: "Organisation",
    table: "organisations",
    columns: &[
        required("name", Kind::Text),
        col("hours_by_day", Kind::Float, Default::Float(8.0)),
        flag("has_avatar", false),
        flag("use_original_file_name", false),
        flag("timesheets_locked", false),
        flag("format_duration_in_hours", false),
        flag("hd_by_default", false),
        text("chat_token_slack", ""),
        text("chat_webhook_mattermost", ""),
        text("chat_token_discord", ""),
        flag("dark_theme_by_default", false),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

pub static PROJECT_STATUS: Model = Model {
    type_name: "ProjectStatus",
    table: "project_statuses",
    columns: &[
        required("name", Kind::Text),
        // No default in Zou: a status without a colour is refused.
        required("color", Kind::Text),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

pub static DEPARTMENT: Model = Model {
    type_name: "Department",
    table: "departments",
    columns: &[
        required("name", Kind::Text),
        required("color", Kind::Text),
        flag("archived", false),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Organisation keys Zou shows to admins only (chat integration secrets).
pub const ORGANISATION_ADMIN_ONLY: &[&str] = &[
    "chat_token_slack",
    "chat_webhook_mattermost",
    "chat_token_discord",
];
