//! Fennec's own web pages: static HTML whose script logs in and reads the
//! JSON API, so the page itself needs no auth and no build step.
//!
//! Policy:
//! * Each page is one response: its CSS and JS are inlined at request time
//!   (`include_str!` at build time), so it works wherever the router is
//!   mounted (`/fennec/...` or `/api/fennec/...`, trailing slash or not)
//!   without asset URLs to resolve.
//! * A per-response nonce in a strict Content-Security-Policy allows only
//!   those inline blocks and same-origin requests: the page cannot load or
//!   send anything elsewhere, and an injected script would not run.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rand::distributions::Alphanumeric;
use rand::Rng;

use crate::app::AppState;

const TIMELINE_HTML: &str = include_str!("../pages/timeline.html");
const TIMELINE_CSS: &str = include_str!("../pages/timeline.css");
const TIMELINE_JS: &str = include_str!("../pages/timeline.js");

pub fn routes() -> Router<AppState> {
    Router::new().route("/fennec/timeline", get(timeline))
}

/// The page with its inline blocks carrying `nonce`.
fn timeline_page(nonce: &str) -> String {
    TIMELINE_HTML
        .replace("{{css}}", TIMELINE_CSS)
        .replace("{{js}}", TIMELINE_JS)
        .replace("{{nonce}}", nonce)
}

fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; \
         connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
}

/// GET /fennec/timeline — the producer's timeline: Gantt chart per group,
/// risks and milestones of a project as of a date.
async fn timeline() -> Response {
    let nonce: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                content_security_policy(&nonce),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::REFERRER_POLICY, "no-referrer".to_owned()),
        ],
        timeline_page(&nonce),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_inlines_its_assets_under_the_nonce() {
        let page = timeline_page("abc123");
        assert!(!page.contains("{{"), "a placeholder was left");
        assert!(page.contains("<script nonce=\"abc123\">"));
        assert!(page.contains("<style nonce=\"abc123\">"));
        assert!(page.contains(TIMELINE_JS.trim()));
        // Nothing from elsewhere: the CSP forbids it, and so does the page.
        for remote in [
            "src=\"http",
            "href=\"http",
            "url(http",
            "fetch(\"http",
            "@import",
        ] {
            assert!(!page.contains(remote), "the page loads {remote}…");
        }
        assert!(content_security_policy("abc123").contains("script-src 'nonce-abc123'"));
    }
}
