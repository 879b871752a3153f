//! Zou's `export` blueprint, for a production's breakdown: shots, assets,
//! edits and casting as CSV files (gazu's `export_shots_with_csv`,
//! `export_assets_with_csv`; Kitsu's export buttons).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::rows;
use fennec_store::Conn;

use crate::app::AppState;
use crate::auth::permissions::{check_project_access, on_project};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::csv_export::{self as export, CastLink, EpisodeFilter, Line, Narrow, Production};
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, Path, QueryPairs};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/export/csv/projects/{id}/shots.csv", get(shots_csv))
        .route("/export/csv/projects/{id}/assets.csv", get(assets_csv))
        .route("/export/csv/projects/{id}/edits.csv", get(edits_csv))
        .route("/export/csv/projects/{id}/casting.csv", get(casting_csv))
}

/// The production (404), then Zou's checks: the project's team, vendors
/// excluded.
async fn production(exec: &mut impl Exec, user: &CurrentUser, id: &str) -> ApiResult<Production> {
    let id = path_id(id)?;
    let project = rows::get(exec, &models::PROJECT, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_project_access(exec, user, id).await?;
    if on_project(exec, user, id).await?.role == Role::Vendor {
        return Err(ApiError::forbidden());
    }
    Production::load(exec, project).await
}

/// Zou's CSV answer: `text/csv`, sent as an attachment.
fn csv_response(lines: &[Line], file_name: String) -> ApiResult<Response> {
    let body = export::to_csv(lines)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename={file_name}"),
            ),
        ],
        body,
    )
        .into_response())
}

fn narrow(query: &QueryPairs, user: &CurrentUser) -> ApiResult<Narrow> {
    let id = match query.get("id") {
        Some(s) => Some(
            uuid::Uuid::parse_str(s)
                .map_err(|_| ApiError::bad_request(format!("Invalid UUID format for id: {s}")))?,
        ),
        None => None,
    };
    Ok(Narrow {
        id,
        episode: EpisodeFilter::parse(query.get("episode_id"))?,
        // Zou keeps the entities with a task assigned to the caller,
        // whatever person the parameter names.
        assigned_to: query.get("assigned_to").map(|_| user.id),
    })
}

/// The production of the path with Zou's checks, and the connection that
/// read it (for the routes that read more).
async fn open(state: &AppState, user: &CurrentUser, id: &str) -> ApiResult<(Conn, Production)> {
    let mut conn = state.db.conn().await?;
    let p = production(&mut conn, user, id).await?;
    Ok((conn, p))
}

/// The production's casting: every link from a shot, episode or asset to
/// the asset it casts.
async fn cast_links(conn: &mut Conn, p: &Production) -> ApiResult<Vec<CastLink>> {
    Ok(
        fennec_store::breakdown::project_links(conn, crate::present::id_of(&p.project), None)
            .await?
            .into_iter()
            .map(|l| CastLink {
                entity_in: l.entity_in_id,
                entity_out: l.entity_out_id,
                nb_occurences: l.nb_occurences,
                label: l.label,
            })
            .collect(),
    )
}

/// GET /export/csv/projects/{project_id}/shots.csv
async fn shots_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let (_, p) = open(&state, &user, &id).await?;
    let narrow = narrow(&query, &user)?;
    let lines = export::shots(&p, &narrow);
    csv_response(&lines, export::file_name(&p.project_name(), "shots"))
}

/// GET /export/csv/projects/{project_id}/assets.csv
async fn assets_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let (mut conn, p) = open(&state, &user, &id).await?;
    let narrow = narrow(&query, &user)?;
    // An asset cast in an episode belongs to its export too.
    let cast: Vec<(uuid::Uuid, uuid::Uuid)> = cast_links(&mut conn, &p)
        .await?
        .iter()
        .map(|l| (l.entity_in, l.entity_out))
        .collect();
    let lines = export::assets(&p, &narrow, &cast);
    csv_response(&lines, export::file_name(&p.project_name(), "assets"))
}

/// GET /export/csv/projects/{project_id}/edits.csv
async fn edits_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (_, p) = open(&state, &user, &id).await?;
    let lines = export::edits(&p);
    csv_response(&lines, export::file_name(&p.project_name(), "edits"))
}

/// GET /export/csv/projects/{project_id}/casting.csv
async fn casting_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let (mut conn, p) = open(&state, &user, &id).await?;
    let links = cast_links(&mut conn, &p).await?;
    let shot_casting = query
        .get("is_shot_casting")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let lines = export::casting(&p, &links, query.get("episode_id"), shot_casting)?;
    csv_response(&lines, export::file_name(&p.project_name(), "casting"))
}
