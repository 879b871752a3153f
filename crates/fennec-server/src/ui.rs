//! Serving a build of Kitsu's web front end (`fennec serve --ui DIR`), so
//! one process replaces Zou, gunicorn and the nginx that Kitsu's
//! installation puts in front of them.
//!
//! Policy, as Kitsu's nginx lays a studio's server out:
//! * `/api/...` is the API, always (the front end calls nothing else).
//! * Any other GET or HEAD is the front end: a file of DIR when there is
//!   one, else `index.html` (the Vue router reads the path: a reload on
//!   `/productions/<id>/shots` must load the app). Missing files under
//!   `/assets/` are a 404 instead, so a stale build shows its real error
//!   rather than "text/html is not a valid JavaScript MIME type".
//! * Zou's own paths at the root (`/data/...`, `/auth/...`, what a reverse
//!   proxy forwards) and Fennec's pages (`/fennec/...`) keep answering the
//!   API: no Kitsu page lives under those prefixes.
//! * `/socket.io` (Kitsu's live events, events.rs) stays the API's, never
//!   the app's HTML.
//! * Vite's hashed files under `/assets/` are cached for good; everything
//!   else is revalidated, so a new build is picked up on the next load.

use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// First path segments that stay the API's when the front end is served.
const API_ROOTS: &[&str] = &[
    "api",
    "data",
    "actions",
    "auth",
    "import",
    "export",
    "fennec",
    "config",
    "socket.io",
];

/// The front end's folder, checked at start-up.
#[derive(Clone, Debug)]
pub struct UiDir {
    root: PathBuf,
}

impl UiDir {
    /// DIR must hold the build's `index.html`; anything else is a mistake
    /// better reported at start-up than as a blank page.
    pub fn open(dir: &Path) -> Result<UiDir, String> {
        let root = dir.canonicalize().map_err(|e| {
            format!(
                "--ui {}: {e} (give the folder of a Kitsu front-end build, the one holding index.html)",
                dir.display()
            )
        })?;
        if !root.join("index.html").is_file() {
            return Err(format!(
                "--ui {}: no index.html in this folder (give the folder of a Kitsu front-end build, \
                 usually its dist/ folder)",
                dir.display()
            ));
        }
        Ok(UiDir { root })
    }

    /// The file a request path names, when it is a plain relative path
    /// inside the folder (no `..`, no absolute part, no hidden file).
    fn file_for(&self, path: &str) -> Option<PathBuf> {
        let decoded = percent_decode(path)?;
        let relative = Path::new(decoded.trim_start_matches('/'));
        let mut out = self.root.clone();
        for part in relative.components() {
            match part {
                Component::Normal(p) if !p.to_string_lossy().starts_with('.') => out.push(p),
                Component::CurDir => {}
                _ => return None,
            }
        }
        Some(out)
    }
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).ok()?;
    (!s.contains('\0') && !s.contains('\\')).then_some(s)
}

/// The content type a browser needs for each kind of file a Vite build
/// holds (a module script served as anything but JavaScript is refused).
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

fn is_api_path(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    API_ROOTS.contains(&first)
}

/// Middleware: answers the front end's requests, passes the API's on.
pub async fn serve_ui(State(ui): State<UiDir>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    if !(method == Method::GET || method == Method::HEAD) || is_api_path(req.uri().path()) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    let found = match ui.file_for(&path) {
        Some(file) if tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_file()) => Some(file),
        Some(_) | None if path.starts_with("/assets/") => None,
        _ => Some(ui.root.join("index.html")),
    };
    let Some(file) = found else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    let bytes = match tokio::fs::read(&file).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(file = %file.display(), error = %e, "cannot read a front-end file");
            return (StatusCode::INTERNAL_SERVER_ERROR, "Cannot read the file").into_response();
        }
    };
    let cache = if path.starts_with("/assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let len = bytes.len();
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&file)),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_folder() {
        let ui = UiDir {
            root: PathBuf::from("/srv/ui"),
        };
        assert_eq!(
            ui.file_for("/assets/index-1.js"),
            Some(PathBuf::from("/srv/ui/assets/index-1.js"))
        );
        assert_eq!(ui.file_for("/../etc/passwd"), None);
        assert_eq!(ui.file_for("/assets/%2e%2e/%2e%2e/etc/passwd"), None);
        assert_eq!(ui.file_for("/.git/config"), None);
        assert_eq!(ui.file_for("/a%00b"), None);
        assert_eq!(ui.file_for("/"), Some(PathBuf::from("/srv/ui")));
    }

    #[test]
    fn api_prefixes() {
        assert!(is_api_path("/api/data/projects"));
        assert!(is_api_path("/data/projects"));
        assert!(is_api_path("/fennec/timeline"));
        assert!(!is_api_path("/"));
        assert!(!is_api_path("/productions/1/shots"));
        assert!(!is_api_path("/apis"));
    }

    #[test]
    fn module_scripts_are_javascript() {
        assert!(content_type(Path::new("a/index-Cs3aq699.js")).starts_with("text/javascript"));
        assert_eq!(content_type(Path::new("x.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("x.woff2")), "font/woff2");
    }
}
