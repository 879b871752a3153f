//! One log line per request at the default level, for operators: method,
//! path, status, duration and who made it (the person id of a valid token,
//! `-` otherwise). The query string is left out: it can carry tokens.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use uuid::Uuid;

/// The caller, filled in by the `CurrentUser` extractor once the token is
/// checked; the log line reads it after the answer.
#[derive(Clone, Default)]
pub struct Caller(Arc<OnceLock<Uuid>>);

impl Caller {
    pub fn set(&self, id: Uuid) {
        self.0.set(id).ok();
    }
}

pub async fn log_request(mut req: Request, next: Next) -> Response {
    let caller = Caller::default();
    req.extensions_mut().insert(caller.clone());
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let user = caller
        .0
        .get()
        .map_or_else(|| "-".to_owned(), Uuid::to_string);
    tracing::info!(
        target: "fennec::access",
        "{method} {path} {} {ms:.1}ms user={user}",
        response.status().as_u16()
    );
    response
}
