-- Zou 1.0.97's PreviewFile (issue 14's groundwork): the rows gazu and Kitsu
-- read as an entity's previews by task type. Columns as Zou names them;
-- `source_file_id` names an output file, which Fennec does not have yet,
-- so it carries no key. The task key's cascade is a safety net: cascade.rs
-- removes a task's previews itself, as Zou does. A person with previews is
-- kept (Zou's database refuses to orphan them) until a forced removal
-- clears the author.

CREATE TABLE preview_files (
    seq INTEGER PRIMARY KEY,
    "name" TEXT,
    "original_name" TEXT,
    "revision" INTEGER,
    "position" INTEGER,
    "extension" TEXT,
    "description" TEXT,
    "path" TEXT,
    "source" TEXT,
    "file_size" INTEGER,
    "status" TEXT NOT NULL,
    "validation_status" TEXT NOT NULL,
    "annotations" TEXT,
    "width" INTEGER,
    "height" INTEGER,
    "duration" REAL,
    "data" TEXT,
    "token_in" INTEGER,
    "token_out" INTEGER,
    "task_id" BLOB REFERENCES tasks(id) ON DELETE CASCADE,
    "person_id" BLOB REFERENCES persons(id),
    "source_file_id" BLOB,
    "shotgun_id" INTEGER UNIQUE,
    "is_movie" BOOLEAN,
    "url" TEXT,
    "uploaded_movie_url" TEXT,
    "uploaded_movie_name" TEXT,
    "id" BLOB NOT NULL UNIQUE,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT preview_uc UNIQUE ("name", "task_id", "revision")
);
CREATE INDEX preview_files_task_id_idx ON preview_files (task_id);
CREATE INDEX preview_files_person_id_idx ON preview_files (person_id);
CREATE INDEX preview_files_source_file_id_idx ON preview_files (source_file_id);
