-- Zou's breakdown (issue 11): entity links (the casting: an asset cast in a
-- shot, an asset, an episode), asset instances and the instance casting of
-- shots, and the links between concepts and entities. The keys' cascades
-- are a safety net only: cascade.rs removes these rows with their entities.
CREATE TABLE entity_links (
    seq INTEGER PRIMARY KEY,
    "entity_in_id" BLOB NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    "entity_out_id" BLOB NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    "data" TEXT,
    "nb_occurences" INTEGER,
    "label" TEXT,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (entity_in_id, entity_out_id)
);
CREATE INDEX entity_links_entity_out_id_idx ON entity_links (entity_out_id);

CREATE TABLE asset_instances (
    seq INTEGER PRIMARY KEY,
    "asset_id" BLOB NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    "name" TEXT,
    "number" INTEGER,
    "description" TEXT,
    "active" BOOLEAN,
    "data" TEXT,
    "scene_id" BLOB REFERENCES entities(id) ON DELETE CASCADE,
    "target_asset_id" BLOB REFERENCES entities(id) ON DELETE CASCADE,
    -- Deprecated in Zou, still serialised.
    "entity_id" BLOB REFERENCES entities(id) ON DELETE CASCADE,
    "entity_type_id" BLOB REFERENCES entity_types(id),
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (asset_id, target_asset_id, scene_id, number)
);
CREATE INDEX asset_instances_scene_id_idx ON asset_instances (scene_id);
CREATE INDEX asset_instances_target_asset_id_idx ON asset_instances (target_asset_id);

CREATE TABLE asset_instance_link (
    seq INTEGER PRIMARY KEY,
    entity_id BLOB NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    asset_instance_id BLOB NOT NULL REFERENCES asset_instances(id) ON DELETE CASCADE,
    UNIQUE (entity_id, asset_instance_id)
);
CREATE INDEX asset_instance_link_asset_instance_id_idx ON asset_instance_link (asset_instance_id);

CREATE TABLE entity_concept_links (
    seq INTEGER PRIMARY KEY,
    "entity_in_id" BLOB NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    "entity_out_id" BLOB NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    UNIQUE (entity_in_id, entity_out_id)
);
CREATE INDEX entity_concept_links_entity_out_id_idx ON entity_concept_links (entity_out_id);
