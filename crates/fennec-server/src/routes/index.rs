//! Zou's `index` blueprint.

use axum::Json;
use serde_json::{json, Value};

/// GET /  — gazu's `host_is_valid` and `get_api_version` read this; no auth.
pub async fn api_version() -> Json<Value> {
    Json(json!({"api": fennec_api::API_NAME, "version": fennec_api::API_VERSION}))
}
