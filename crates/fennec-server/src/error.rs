//! `ApiError`: a status and the exact body Zou sends for it.
//!
//! Zou is not consistent — most errors are `{"error": true, "message", "data"}`,
//! generic CRUD sends `{"message"}` only, JWT errors `{"msg"}`, assignment
//! `{"error": "<text>"}` — and gazu scripts see those bodies, so each shape
//! has its own constructor.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fennec_api::error as msg;
use fennec_store::StoreError;
use serde_json::{json, Value};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, body: Value) -> Self {
        ApiError { status, body }
    }

    /// `{"error": true, "message": m, "data": null}`, 400.
    pub fn bad_request(m: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": m.into(), "data": null}),
        )
    }

    /// `{"message": m}`, 400 — generic CRUD's database errors.
    pub fn bad_request_message(m: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, json!({"message": m.into()}))
    }

    /// Pydantic-style validation failure on Zou's validated routes.
    pub fn validation(errors: Vec<(String, String)>) -> Self {
        let errors: Vec<Value> = errors
            .into_iter()
            .map(|(f, m)| json!({"field": f, "message": m}))
            .collect();
        Self::new(
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": msg::VALIDATION_ERROR, "data": {"errors": errors}}),
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            json!({"error": true, "message": msg::NOT_FOUND}),
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"error": true, "message": msg::METHOD_NOT_ALLOWED}),
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            json!({"error": true, "message": msg::FORBIDDEN}),
        )
    }

    pub fn malformed_id() -> Self {
        Self::bad_request(msg::MALFORMED_ID)
    }

    pub fn bad_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": msg::BAD_JSON}),
        )
    }

    pub fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"error": true, "message": msg::TOO_LARGE}),
        )
    }

    /// flask-jwt-extended's errors: `{"msg": m}`.
    pub fn jwt(status: StatusCode, m: &str) -> Self {
        Self::new(status, json!({"msg": m}))
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error": true, "message": msg::INTERNAL}),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    /// Constraint violations are the client's data (Zou answers 400 with
    /// its CRUD message); anything else is ours.
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unique(_) => ApiError::bad_request_message(msg::UNIQUE_EXISTS),
            StoreError::ForeignKey(_) => ApiError::bad_request_message(msg::REFERENCE_CONFLICT),
            StoreError::NotNull(_) => ApiError::bad_request_message(msg::REQUIRED_FIELD_MISSING),
            StoreError::Check(_) => ApiError::bad_request_message(msg::INTEGRITY_CONFLICT),
            StoreError::Missing(_) => ApiError::bad_request_message(msg::REQUIRED_FIELD_MISSING),
            StoreError::InvalidValue { .. } => ApiError::bad_request_message(msg::INVALID_FORMAT),
            StoreError::NotFound => ApiError::not_found(),
            other => ApiError::internal(other),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
