-- Fennec's cast feeds per production (issue 16; Zou and Kitsu have none):
-- which task of an asset cast in a shot precedes which task of the shot in
-- the schedule forecast. `feeds` is a JSON list of {asset_task_type_id,
-- shot_task_type_id}; a production without a row uses Fennec's default
-- (each cast asset's last step feeds the shot's Animation), an empty list
-- turns casting dependencies off. Read and written by
-- /api/fennec/projects/{id}/cast-feeds and the forecast only.
CREATE TABLE fennec_cast_feeds (
    "project_id" UUID PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    "feeds" JSONB NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
