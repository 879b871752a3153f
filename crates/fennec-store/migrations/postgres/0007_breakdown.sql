-- Zou's breakdown (issue 11): entity links (the casting: an asset cast in a
-- shot, an asset, an episode), asset instances and the instance casting of
-- shots, and the links between concepts and entities. The keys' cascades
-- are a safety net only: cascade.rs removes these rows with their entities.
CREATE TABLE entity_links (
    seq BIGSERIAL NOT NULL,
    "entity_in_id" UUID NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    "entity_out_id" UUID NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    "data" JSONB,
    "nb_occurences" BIGINT,
    "label" VARCHAR(80),
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    UNIQUE (entity_in_id, entity_out_id)
);
CREATE UNIQUE INDEX entity_links_seq_idx ON entity_links (seq);
CREATE INDEX entity_links_entity_out_id_idx ON entity_links (entity_out_id);

CREATE TABLE asset_instances (
    seq BIGSERIAL NOT NULL,
    "asset_id" UUID NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    "name" VARCHAR(80),
    "number" BIGINT,
    "description" VARCHAR(200),
    "active" BOOLEAN,
    "data" JSONB,
    "scene_id" UUID REFERENCES entities(id) ON DELETE CASCADE,
    "target_asset_id" UUID REFERENCES entities(id) ON DELETE CASCADE,
    -- Deprecated in Zou, still serialised.
    "entity_id" UUID REFERENCES entities(id) ON DELETE CASCADE,
    "entity_type_id" UUID REFERENCES entity_types(id),
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    UNIQUE (asset_id, target_asset_id, scene_id, number)
);
CREATE UNIQUE INDEX asset_instances_seq_idx ON asset_instances (seq);
CREATE INDEX asset_instances_scene_id_idx ON asset_instances (scene_id);
CREATE INDEX asset_instances_target_asset_id_idx ON asset_instances (target_asset_id);

CREATE TABLE asset_instance_link (
    seq BIGSERIAL PRIMARY KEY,
    entity_id UUID NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    asset_instance_id UUID NOT NULL REFERENCES asset_instances(id) ON DELETE CASCADE,
    UNIQUE (entity_id, asset_instance_id)
);
CREATE INDEX asset_instance_link_asset_instance_id_idx ON asset_instance_link (asset_instance_id);

CREATE TABLE entity_concept_links (
    seq BIGSERIAL NOT NULL,
    "entity_in_id" UUID NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    "entity_out_id" UUID NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    UNIQUE (entity_in_id, entity_out_id)
);
CREATE UNIQUE INDEX entity_concept_links_seq_idx ON entity_concept_links (seq);
CREATE INDEX entity_concept_links_entity_out_id_idx ON entity_concept_links (entity_out_id);
