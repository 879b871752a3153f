use super::*;

/// Zou's `SearchFilter`: a saved search of one list (asset list, to-do
/// list…), the caller's own or shared with a production's team.
pub static SEARCH_FILTER: Model = Model {
    type_name: "SearchFilter",
    table: "search_filters",
    columns: &[
        required("list_type", Kind::Text),
        null("entity_type", Kind::Text),
        text("name", ""),
        text("search_query", ""),
        flag("is_shared", false),
        null("department_id", Kind::Uuid),
        null("search_filter_group_id", Kind::Uuid),
        null("person_id", Kind::Uuid),
        null("project_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `SearchFilterGroup`: a section of saved searches.
pub static SEARCH_FILTER_GROUP: Model = Model {
    type_name: "SearchFilterGroup",
    table: "search_filter_groups",
    columns: &[
        required("list_type", Kind::Text),
        null("entity_type", Kind::Text),
        text("name", ""),
        text("color", ""),
        flag("is_shared", false),
        null("person_id", Kind::Uuid),
        null("project_id", Kind::Uuid),
        null("department_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `DesktopLoginLog`: one desktop session login of a person.
pub static DESKTOP_LOGIN_LOG: Model = Model {
    type_name: "DesktopLoginLog",
    table: "desktop_login_logs",
    columns: &[
        required("person_id", Kind::Uuid),
        required("date", Kind::DateTime),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};
