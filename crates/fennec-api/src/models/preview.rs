use super::*;

/// Zou's `PreviewFile`: a file under review, attached to a task (a
/// comment's preview); several of one revision are its extra previews,
/// ordered by `position`. `status` and `validation_status` are Zou's
/// choices (processing/ready/broken/missing; validated/rejected/neutral).
/// `is_movie`, `url` and the `uploaded_movie_*` columns are deprecated in
/// Zou but still serialised.
pub static PREVIEW_FILE: Model = Model {
    type_name: "PreviewFile",
    table: "preview_files",
    columns: &[
        null("name", Kind::Text),
        null("original_name", Kind::Text),
        int("revision", 1),
        int("position", 1),
        null("extension", Kind::Text),
        null("description", Kind::Text),
        null("path", Kind::Text),
        null("source", Kind::Text),
        int("file_size", 0),
        text("status", "processing"),
        text("validation_status", "neutral"),
        null("annotations", Kind::Json),
        int("width", 0),
        int("height", 0),
        col("duration", Kind::Float, Default::Float(0.0)),
        null("data", Kind::Json),
        null("token_in", Kind::Int),
        null("token_out", Kind::Int),
        null("task_id", Kind::Uuid),
        null("person_id", Kind::Uuid),
        null("source_file_id", Kind::Uuid),
        null("shotgun_id", Kind::Int),
        flag("is_movie", false),
        null("url", Kind::Text),
        null("uploaded_movie_url", Kind::Text),
        null("uploaded_movie_name", Kind::Text),
        ID,
        CREATED_AT,
        UPDATED_AT,
        // The backref of Zou's comment-preview links, last of its
        // descriptors; Fennec does not link comments to previews yet.
        relation("comments"),
    ],
};
