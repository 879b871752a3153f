//! One description per Zou model: its columns in Zou's serialisation order,
//! their kinds and defaults.
//!
//! Zou serialises a model by walking its SQLAlchemy columns in declaration
//! order and appending `type`; relationship lists (`team`, `assignees`, …)
//! appear in the middle of that order, and only when relations are asked
//! for. gazu scripts and the recordings depend on that order, so it is
//! written here once and every JSON body is produced by walking it.

mod breakdown;
mod calendar;
mod chat;
mod entity;
mod notification;
mod organisation;
mod person;
mod playlist;
mod preview;
mod project;
mod project_settings;
mod schedule_item;
mod task;
mod task_status;
mod task_type;
mod user_settings;

pub use breakdown::{ASSET_INSTANCE, ENTITY_CONCEPT_LINK, ENTITY_LINK};
pub use calendar::{DAY_OFF, MILESTONE};
pub use chat::{CHAT, CHAT_MESSAGE};
pub use entity::{ASSET_TYPE, ENTITY, ENTITY_TYPE};
pub use notification::{NEWS, NOTIFICATION, SUBSCRIPTION};
pub use organisation::{DEPARTMENT, ORGANISATION, ORGANISATION_ADMIN_ONLY, PROJECT_STATUS};
pub use person::PERSON;
pub use playlist::{BUILD_JOB, PLAYLIST, PLAYLIST_SHARE_LINK};
pub use preview::PREVIEW_FILE;
pub use project::PROJECT;
pub use project_settings::{
    BUDGET, BUDGET_ENTRY, METADATA_DESCRIPTOR, PREVIEW_BACKGROUND_FILE, STATUS_AUTOMATION,
};
pub use schedule_item::{
    CUSTOM_ACTION, PRODUCTION_SCHEDULE_VERSION, PRODUCTION_SCHEDULE_VERSION_TASK_LINK,
    SCHEDULE_ITEM, STUDIO,
};
pub use task::{ATTACHMENT_FILE, COMMENT, TASK, TIME_SPENT};
pub use task_status::TASK_STATUS;
pub use task_type::TASK_TYPE;
pub use user_settings::{DESKTOP_LOGIN_LOG, SEARCH_FILTER, SEARCH_FILTER_GROUP};

/// How a column is stored and parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Uuid,
    Text,
    Bool,
    Int,
    Float,
    DateTime,
    Date,
    Json,
}

/// The value a column takes when a create request does not give one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(&'static str),
    EmptyObject,
    EmptyList,
}

/// Where a column shows up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    /// Stored and serialised.
    Shown,
    /// Stored, never serialised (password hashes).
    Hidden,
    /// Not stored: computed when serialised (`full_name`).
    Computed,
    /// Not stored: a relationship list, serialised only with relations.
    Relation,
}

#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub default: Default,
    /// Zou's `nullable=False` without a default: a create without it fails
    /// with "A required field is missing.".
    pub required: bool,
    pub wire: Wire,
}

impl Column {
    pub const fn is_stored(&self) -> bool {
        matches!(self.wire, Wire::Shown | Wire::Hidden)
    }
}

pub(crate) const fn col(name: &'static str, kind: Kind, default: Default) -> Column {
    Column {
        name,
        kind,
        default,
        required: false,
        wire: Wire::Shown,
    }
}

pub(crate) const fn required(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        default: Default::Null,
        required: true,
        wire: Wire::Shown,
    }
}

pub(crate) const fn hidden(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        default: Default::Null,
        required: false,
        wire: Wire::Hidden,
    }
}

pub(crate) const fn computed(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Text,
        default: Default::Null,
        required: false,
        wire: Wire::Computed,
    }
}

pub(crate) const fn relation(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Json,
        default: Default::EmptyList,
        required: false,
        wire: Wire::Relation,
    }
}

pub(crate) const fn null(name: &'static str, kind: Kind) -> Column {
    col(name, kind, Default::Null)
}

pub(crate) const fn text(name: &'static str, default: &'static str) -> Column {
    col(name, Kind::Text, Default::Text(default))
}

pub(crate) const fn flag(name: &'static str, default: bool) -> Column {
    col(name, Kind::Bool, Default::Bool(default))
}

pub(crate) const fn int(name: &'static str, default: i64) -> Column {
    col(name, Kind::Int, Default::Int(default))
}

pub(crate) const ID: Column = col("id", Kind::Uuid, Default::Null);
pub(crate) const CREATED_AT: Column = col("created_at", Kind::DateTime, Default::Null);
pub(crate) const UPDATED_AT: Column = col("updated_at", Kind::DateTime, Default::Null);

/// A Zou model as the API shows it.
#[derive(Debug)]
pub struct Model {
    /// The `type` value of its JSON (entities override it per kind).
    pub type_name: &'static str,
    /// The table holding it.
    pub table: &'static str,
    pub columns: &'static [Column],
}

impl Model {
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn stored_columns(&self) -> impl Iterator<Item = &'static Column> {
        self.columns.iter().filter(|c| c.is_stored())
    }
}

/// Every model, for tests that walk them all (migration parity, fixtures).
pub static ALL: &[&Model] = &[
    &PERSON,
    &ORGANISATION,
    &PROJECT_STATUS,
    &DEPARTMENT,
    &TASK_STATUS,
    &TASK_TYPE,
    &ENTITY_TYPE,
    &ASSET_TYPE,
    &PROJECT,
    &ENTITY,
    &TASK,
    &TIME_SPENT,
    &COMMENT,
    &ATTACHMENT_FILE,
    &DAY_OFF,
    &MILESTONE,
    &ENTITY_LINK,
    &ASSET_INSTANCE,
    &ENTITY_CONCEPT_LINK,
    &METADATA_DESCRIPTOR,
    &STATUS_AUTOMATION,
    &PREVIEW_BACKGROUND_FILE,
    &BUDGET,
    &BUDGET_ENTRY,
    &SEARCH_FILTER,
    &SEARCH_FILTER_GROUP,
    &DESKTOP_LOGIN_LOG,
    &PREVIEW_FILE,
    &CHAT,
    &CHAT_MESSAGE,
    &SCHEDULE_ITEM,
    &STUDIO,
    &CUSTOM_ACTION,
    &PLAYLIST,
    &BUILD_JOB,
    &PLAYLIST_SHARE_LINK,
    &PRODUCTION_SCHEDULE_VERSION,
    &PRODUCTION_SCHEDULE_VERSION_TASK_LINK,
];

/// Fills the keys a model computes from its own columns (Zou's hybrid
/// properties), once a row's stored values are in place.
pub fn finish(model: &Model, row: &mut serde_json::Map<String, serde_json::Value>) {
    if model.table == PERSON.table {
        let first = row.get("first_name").and_then(|v| v.as_str()).unwrap_or("");
        let last = row.get("last_name").and_then(|v| v.as_str()).unwrap_or("");
        let full = format!("{first} {last}").trim().to_owned();
        row.insert("full_name".into(), serde_json::Value::String(full));
    }
}

/// The length of Zou's `String(n)` columns: a longer value is refused by its
/// PostgreSQL ("One of the provided values has an invalid format."), and
/// Fennec refuses it the same way on both databases.
pub fn max_len(table: &str, column: &str) -> Option<usize> {
    Some(match (table, column) {
        ("projects", "name" | "code" | "homepage") => 80,
        ("projects", "fps" | "ratio") => 10,
        ("projects", "resolution") => 12,
        ("projects", "production_type") => 20,
        ("projects", "production_style") => 255,
        ("persons", "first_name" | "last_name" | "desktop_login") => 80,
        ("persons", "email" | "contract_type" | "role" | "position" | "seniority") => 255,
        ("persons", "phone") => 30,
        ("persons", "country") => 2,
        ("persons", "timezone") => 50,
        ("persons", "locale") => 10,
        ("persons", "display_date_format") => 20,
        (
            "persons",
            "notifications_slack_userid"
            | "notifications_mattermost_userid"
            | "notifications_discord_userid",
        ) => 60,
        ("task_types", "name") => 40,
        ("playlists", "name") => 80,
        ("playlists", "for_entity") => 10,
        ("task_types", "short_name") => 20,
        ("task_types", "for_entity") => 30,
        ("task_statuses", "name") => 40,
        ("task_statuses", "short_name") => 10,
        ("task_types" | "task_statuses" | "departments" | "project_statuses", "color") => 7,
        ("entities", "name" | "code") => 160,
        ("entities", "status") => 255,
        ("entity_types", "name") => 30,
        ("entity_types", "short_name") => 20,
        ("tasks", "name") => 80,
        ("departments", "name") => 80,
        ("project_statuses", "name") => 20,
        ("milestones", "name") => 40,
        ("organisations", "name") => 80,
        ("entity_links", "label") => 80,
        ("asset_instances", "name") => 80,
        ("asset_instances", "description") => 200,
        ("metadata_descriptors", "name" | "field_name") => 120,
        ("metadata_descriptors", "entity_type") => 60,
        ("status_automations", "entity_type") => 40,
        ("search_filters" | "search_filter_groups", "list_type" | "entity_type") => 80,
        ("search_filters" | "search_filter_groups", "name") => 200,
        ("search_filters", "search_query") => 500,
        ("search_filter_groups", "color") => 8,
        ("preview_background_files", "name") => 40,
        ("preview_background_files", "original_name") => 250,
        ("preview_background_files", "extension") => 6,
        ("budgets", "name") => 255,
        ("budgets", "currency") => 3,
        ("preview_files", "name" | "original_name") => 250,
        ("preview_files", "extension") => 6,
        ("preview_files", "path") => 400,
        ("preview_files", "source") => 40,
        ("preview_files", "status" | "validation_status") => 255,
        ("preview_files", "url" | "uploaded_movie_url") => 600,
        ("preview_files", "uploaded_movie_name") => 150,
        _ => return None,
    })
}
