-- Zou 1.0.97's PreviewFile (issue 14's groundwork): the rows gazu and Kitsu
-- read as an entity's previews by task type. Columns as Zou names them;
-- `source_file_id` names an output file, which Fennec does not have yet,
-- so it carries no key. The task key's cascade is a safety net: cascade.rs
-- removes a task's previews itself, as Zou does. A person with previews is
-- kept (Zou's database refuses to orphan them) until a forced removal
-- clears the author.

CREATE TABLE preview_files (
    seq BIGSERIAL NOT NULL,
    "name" VARCHAR(250),
    "original_name" VARCHAR(250),
    "revision" BIGINT,
    "position" BIGINT,
    "extension" VARCHAR(6),
    "description" TEXT,
    "path" VARCHAR(400),
    "source" VARCHAR(40),
    "file_size" BIGINT,
    "status" VARCHAR(255) NOT NULL,
    "validation_status" VARCHAR(255) NOT NULL,
    "annotations" JSONB,
    "width" BIGINT,
    "height" BIGINT,
    "duration" DOUBLE PRECISION,
    "data" JSONB,
    "token_in" BIGINT,
    "token_out" BIGINT,
    "task_id" UUID REFERENCES tasks(id) ON DELETE CASCADE,
    "person_id" UUID REFERENCES persons(id),
    "source_file_id" UUID,
    "shotgun_id" BIGINT UNIQUE,
    "is_movie" BOOLEAN,
    "url" VARCHAR(600),
    "uploaded_movie_url" VARCHAR(600),
    "uploaded_movie_name" VARCHAR(150),
    "id" UUID PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    CONSTRAINT preview_uc UNIQUE ("name", "task_id", "revision")
);
CREATE UNIQUE INDEX preview_files_seq_idx ON preview_files (seq);
CREATE INDEX preview_files_task_id_idx ON preview_files (task_id);
CREATE INDEX preview_files_person_id_idx ON preview_files (person_id);
CREATE INDEX preview_files_source_file_id_idx ON preview_files (source_file_id);
