//! The router: Zou's blueprints, each in its own module, served under
//! `/api/...` (what gazu calls) and `/...` (what a reverse proxy forwards).

use axum::routing::get;
use axum::Router;

use crate::app::AppState;
use crate::error::ApiError;

pub mod assets;
pub mod auth;
pub mod breakdown;
pub mod cast_feeds;
pub mod chats;
pub mod comments;
pub mod concepts;
pub mod crud;
pub mod day_offs;
pub mod entities;
pub mod event_log;
pub mod export;
pub mod files;
pub mod index;
pub mod pages;
pub mod persons;
pub mod playlists;
pub mod previews;
pub mod project_settings;
pub mod projects;
pub mod schedule;
pub mod schedule_items;
pub mod schedule_versions;
pub mod shots;
pub mod source;
pub mod task_actions;
pub mod tasks;
pub mod todo;
pub mod user;

fn api(state: AppState) -> Router {
    Router::new()
        .route("/", get(index::api_version))
        .route("/config", get(index::config))
        .merge(auth::routes())
        .merge(projects::routes())
        .merge(project_settings::routes())
        .merge(shots::routes())
        .merge(assets::routes())
        .merge(breakdown::routes())
        .merge(concepts::routes())
        .merge(tasks::routes())
        .merge(task_actions::routes())
        .merge(comments::routes())
        .merge(todo::routes())
        .merge(user::routes())
        .merge(chats::routes())
        .merge(day_offs::routes())
        .merge(persons::routes())
        .merge(playlists::routes())
        .merge(previews::routes())
        .merge(entities::routes())
        .merge(event_log::routes())
        .merge(files::routes())
        .merge(export::routes())
        .merge(source::routes())
        .merge(schedule::routes())
        .merge(cast_feeds::routes())
        .merge(schedule_items::routes())
        .merge(schedule_versions::routes())
        .merge(pages::routes())
        .merge(crud::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

pub fn router(state: AppState) -> Router {
    let live = state.clone();
    let api = api(state);
    let router = Router::new()
        .nest("/api", api.clone())
        .merge(api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    // Zou's event stream at /socket.io (issue 15).
    crate::events::mount(router, &live)
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// Flask answers OPTIONS on any route itself (200, empty); other methods a
/// route lacks are Zou's JSON 405.
async fn method_not_allowed(method: axum::http::Method) -> axum::response::Response {
    use axum::response::IntoResponse;
    if method == axum::http::Method::OPTIONS {
        return axum::http::StatusCode::OK.into_response();
    }
    ApiError::method_not_allowed().into_response()
}
