//! Zou's `source` blueprint, for a production's breakdown: CSV imports of
//! shots, assets, edits and casting, and OpenTimelineIO imports of shots
//! (gazu's `import_shots_with_csv`, `import_assets_with_csv`,
//! `import_otio`; Kitsu's import dialogs). Each import is one
//! transaction: see `csv_import` for the policy.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::rows::{self, Row};
use serde_json::Value;

use crate::app::AppState;
use crate::auth::permissions::check_manager_project_access;
use crate::auth::CurrentUser;
use crate::csv_import::{
    at_line, read_table, AssetImport, CastingImport, Ctx, EditImport, ShotImport,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, Path, QueryPairs};
use crate::otio;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/import/csv/projects/{id}/shots", post(import_shots))
        .route("/import/csv/projects/{id}/assets", post(import_assets))
        .route("/import/csv/projects/{id}/edits", post(import_edits))
        .route("/import/csv/projects/{id}/casting", post(import_casting))
        .route("/import/otio/projects/{id}", post(import_otio))
        .route(
            "/import/otio/projects/{id}/episodes/{episode_id}",
            post(import_otio_episode),
        )
}

/// What a multipart upload carries: the `file` part gazu and Kitsu send,
/// its name, and the form's other fields.
struct Upload {
    file: Vec<u8>,
    file_name: String,
    fields: Vec<(String, String)>,
}

impl Upload {
    fn field(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A part that cannot be read: too large is the 413 every other route
/// answers past the body limit, anything else the client's 400.
fn unreadable(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::too_large();
    }
    ApiError::new(
        StatusCode::BAD_REQUEST,
        serde_json::json!({"error": true, "message": format!("The upload could not be read: {e}")}),
    )
}

async fn read_upload(multipart: Result<Multipart, MultipartRejection>) -> ApiResult<Upload> {
    let bad = |m: String| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"error": true, "message": m}),
        )
    };
    let mut multipart =
        multipart.map_err(|e| bad(format!("A multipart upload is expected: {e}")))?;
    let mut file = None;
    let mut fields = Vec::new();
    while let Some(part) = multipart.next_field().await.map_err(unreadable)? {
        let name = part.name().unwrap_or("").to_owned();
        if name == "file" && file.is_none() {
            let file_name = part.file_name().unwrap_or("").to_owned();
            let bytes = part.bytes().await.map_err(unreadable)?;
            file = Some((bytes.to_vec(), file_name));
        } else {
            let text = part.text().await.map_err(unreadable)?;
            fields.push((name, text));
        }
    }
    // Zou's request.files["file"] fails as a 400 too, with Werkzeug's text.
    let (file, file_name) = file
        .ok_or_else(|| bad("No file given: the upload goes in the form field \"file\".".into()))?;
    Ok(Upload {
        file,
        file_name,
        fields,
    })
}

/// The production of the path (404) and Zou's check for imports: its
/// managers (and admins).
async fn managed_project(exec: &mut impl Exec, user: &CurrentUser, id: &str) -> ApiResult<Row> {
    let id = path_id(id)?;
    let project = rows::get(exec, &models::PROJECT, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_manager_project_access(exec, user, id).await?;
    Ok(project)
}

#[derive(Clone, Copy)]
enum Kind {
    Shots,
    Assets,
    Edits,
    Casting,
}

async fn import_csv(
    state: AppState,
    user: CurrentUser,
    id: String,
    query: QueryPairs,
    multipart: Result<Multipart, MultipartRejection>,
    kind: Kind,
) -> ApiResult<(StatusCode, Json<Value>)> {
    {
        let mut conn = state.db.conn().await?;
        managed_project(&mut conn, &user, &id).await?;
    }
    let upload = read_upload(multipart).await?;
    let table = read_table(&upload.file)?;
    // Zou's ArgsMixin reads `update` from the query string, true only when
    // it says "true".
    let update = query
        .get("update")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let mut tx = state.db.begin().await?;
    let project = managed_project(&mut tx, &user, &id).await?;
    let descriptor_kind = match kind {
        Kind::Shots => "Shot",
        Kind::Assets | Kind::Casting => "Asset",
        Kind::Edits => "Edit",
    };
    let ctx = Ctx::load(&mut tx, project, user.id, update, descriptor_kind).await?;
    let mut out = Vec::new();
    // The importers share no trait (each `row` is its own async fn); the
    // loop is the same for all: one row after another, a failure named by
    // its line.
    macro_rules! each_row {
        ($imp:expr) => {{
            let mut imp = $imp;
            for (line, row) in &table.rows {
                out.push(imp.row(&mut tx, row).await.map_err(|f| at_line(*line, f))?);
            }
        }};
    }
    match kind {
        Kind::Shots => each_row!(ShotImport::new(&ctx)),
        Kind::Assets => each_row!(AssetImport::new(&mut tx, &ctx).await?),
        Kind::Edits => each_row!(EditImport::new(&ctx)),
        Kind::Casting => each_row!(CastingImport::new(&mut tx, &ctx).await?),
    }
    tx.commit().await?;
    // Asset types may have been created or joined the production.
    state.refs.invalidate();
    Ok((StatusCode::CREATED, Json(Value::Array(out))))
}

/// One handler per CSV route, all of them `import_csv` with its kind.
macro_rules! csv_import_handler {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        async fn $name(
            State(state): State<AppState>,
            user: CurrentUser,
            Path(id): Path<String>,
            query: QueryPairs,
            multipart: Result<Multipart, MultipartRejection>,
        ) -> ApiResult<(StatusCode, Json<Value>)> {
            import_csv(state, user, id, query, multipart, $kind).await
        }
    };
}

csv_import_handler!(
    /// POST /import/csv/projects/{project_id}/shots
    import_shots,
    Kind::Shots
);
csv_import_handler!(
    /// POST /import/csv/projects/{project_id}/assets
    import_assets,
    Kind::Assets
);
csv_import_handler!(
    /// POST /import/csv/projects/{project_id}/edits
    import_edits,
    Kind::Edits
);
csv_import_handler!(
    /// POST /import/csv/projects/{project_id}/casting
    import_casting,
    Kind::Casting
);

async fn otio_import(
    state: AppState,
    user: CurrentUser,
    id: String,
    episode: Option<String>,
    query: QueryPairs,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    {
        let mut conn = state.db.conn().await?;
        managed_project(&mut conn, &user, &id).await?;
    }
    let upload = read_upload(multipart).await?;
    // gazu sends its options as form fields; a query string works too.
    let option = |k: &str| upload.field(k).or_else(|| query.get(k)).map(str::to_owned);
    let naming = option("naming_convention").unwrap_or_else(|| {
        if episode.is_some() {
            "${project_name}_${episode_name}-${sequence_name}-${shot_name}".into()
        } else {
            "${project_name}_${sequence_name}-${shot_name}".into()
        }
    });
    let match_case = option("match_case")
        .map(|v| fennec_store::value::parse_bool(&v).unwrap_or(true))
        .unwrap_or(true);
    let timeline = otio::parse(&upload.file_name, &upload.file).map_err(ApiError::from)?;
    let episode = match episode {
        Some(e) => Some(path_id(&e)?),
        None => None,
    };
    let mut tx = state.db.begin().await?;
    let project = managed_project(&mut tx, &user, &id).await?;
    let ctx = Ctx::load(&mut tx, project, user.id, true, "Shot").await?;
    let result = otio::import(&mut tx, &ctx, episode, &naming, match_case, &timeline)
        .await
        .map_err(ApiError::from)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(result)))
}

/// POST /import/otio/projects/{project_id}
async fn import_otio(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    otio_import(state, user, id, None, query, multipart).await
}

/// POST /import/otio/projects/{project_id}/episodes/{episode_id}
async fn import_otio_episode(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, episode)): Path<(String, String)>,
    query: QueryPairs,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    otio_import(state, user, id, Some(episode), query, multipart).await
}
