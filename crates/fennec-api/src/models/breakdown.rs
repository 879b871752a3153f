use super::*;

/// Zou's `EntityLink`: an asset cast in a shot, an asset (set dressing) or
/// an episode, `nb_occurences` times. `data` carries `{"auto": true}` on the
/// episode links Zou mirrors from the casting of the episode's shots.
pub static ENTITY_LINK: Model = Model {
    type_name: "EntityLink",
    table: "entity_links",
    columns: &[
        required("entity_in_id", Kind::Uuid),
        required("entity_out_id", Kind::Uuid),
        null("data", Kind::Json),
        int("nb_occurences", 1),
        text("label", ""),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `AssetInstance`: one numbered instance of an asset in a layout
/// scene (`scene_id`) or inside another asset (`target_asset_id`).
pub static ASSET_INSTANCE: Model = Model {
    type_name: "AssetInstance",
    table: "asset_instances",
    columns: &[
        required("asset_id", Kind::Uuid),
        null("name", Kind::Text),
        null("number", Kind::Int),
        null("description", Kind::Text),
        flag("active", true),
        null("data", Kind::Json),
        null("scene_id", Kind::Uuid),
        null("target_asset_id", Kind::Uuid),
        // Deprecated by Zou, still in its serialisation.
        null("entity_id", Kind::Uuid),
        null("entity_type_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `EntityConceptLink`: a concept linked to the entity it depicts.
pub static ENTITY_CONCEPT_LINK: Model = Model {
    type_name: "EntityConceptLink",
    table: "entity_concept_links",
    columns: &[
        required("entity_in_id", Kind::Uuid),
        required("entity_out_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};
