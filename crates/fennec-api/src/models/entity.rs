use super::*;

/// Zou's `EntityType`: asset types and the built-in kinds (Shot, Sequence,
/// Episode, Scene, Edit, Concept) share this table.
pub static ENTITY_TYPE: Model = Model {
    type_name: "EntityType",
    table: "entity_types",
    columns: &[
        required("name", Kind::Text),
        null("short_name", Kind::Text),
        null("description", Kind::Text),
        flag("archived", false),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// The same rows seen through `/data/asset-types`: Zou's AssetType resource
/// adds the `task_types` list after `description`.
pub static ASSET_TYPE: Model = Model {
    type_name: "AssetType",
    table: "entity_types",
    columns: &[
        required("name", Kind::Text),
        null("short_name", Kind::Text),
        null("description", Kind::Text),
        computed("task_types"),
        flag("archived", false),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `Entity`: assets, shots, sequences, episodes and scenes in one
/// table, typed by `entity_type_id`. Unlike other models `id` comes first.
pub static ENTITY: Model = Model {
    type_name: "Entity",
    table: "entities",
    columns: &[
        ID,
        required("name", Kind::Text),
        null("code", Kind::Text),
        null("description", Kind::Text),
        null("shotgun_id", Kind::Int),
        flag("canceled", false),
        null("nb_frames", Kind::Int),
        int("nb_entities_out", 0),
        flag("is_casting_standby", false),
        flag("is_shared", false),
        text("status", "running"),
        required("project_id", Kind::Uuid),
        required("entity_type_id", Kind::Uuid),
        null("parent_id", Kind::Uuid),
        null("source_id", Kind::Uuid),
        null("preview_file_id", Kind::Uuid),
        col("data", Kind::Json, Default::EmptyObject),
        null("ready_for", Kind::Uuid),
        null("created_by", Kind::Uuid),
        CREATED_AT,
        UPDATED_AT,
    ],
};
