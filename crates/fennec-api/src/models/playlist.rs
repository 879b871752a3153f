use super::*;

/// Zou's `Playlist`: a production's review list. `shots` is Zou's JSON
/// list of `{"entity_id", "preview_file_id"}` entries (any entity kind,
/// despite the name); `episode_id` null with `is_for_all` false is Kitsu's
/// "main pack", with `is_for_all` true its "all" list. `build_jobs` is the
/// backref of Zou's `BuildJob`, shown with relations.
pub static PLAYLIST: Model = Model {
    type_name: "Playlist",
    table: "playlists",
    columns: &[
        required("name", Kind::Text),
        null("shots", Kind::Json),
        null("project_id", Kind::Uuid),
        null("episode_id", Kind::Uuid),
        null("task_type_id", Kind::Uuid),
        flag("for_client", false),
        text("for_entity", "shot"),
        flag("is_for_all", false),
        relation("build_jobs"),
        null("created_by", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `BuildJob`: one build of a playlist's movie (`job_type` movie) or
/// archive, `running` until it ends `succeeded` or `failed`.
pub static BUILD_JOB: Model = Model {
    type_name: "BuildJob",
    table: "build_jobs",
    columns: &[
        text("status", "running"),
        text("job_type", "movie"),
        null("ended_at", Kind::DateTime),
        null("message", Kind::Text),
        required("playlist_id", Kind::Uuid),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};

/// Zou's `PlaylistShareLink`: a token that opens a playlist to guests.
/// The password is a bcrypt hash and never serialised (Zou shows
/// `has_password` instead, computed by the server).
pub static PLAYLIST_SHARE_LINK: Model = Model {
    type_name: "PlaylistShareLink",
    table: "playlist_share_links",
    columns: &[
        required("token", Kind::Text),
        required("playlist_id", Kind::Uuid),
        required("created_by", Kind::Uuid),
        null("expiration_date", Kind::DateTime),
        flag("is_active", true),
        flag("can_comment", true),
        hidden("password", Kind::Text),
        ID,
        CREATED_AT,
        UPDATED_AT,
    ],
};
