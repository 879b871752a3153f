//! Zou's generic CRUD blueprint: `/data/<model>` and `/data/<model>/<id>`
//! (the handlers are in `generic_crud`, shared with the tasks routes).

use axum::routing::get;
use axum::Router;

use crate::app::AppState;
use crate::generic_crud::{create, list, read, remove, update};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/{model}", get(list).post(create))
        .route("/data/{model}/{id}", get(read).put(update).delete(remove))
}
