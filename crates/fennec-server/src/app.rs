//! Building the application: database, default data, first admin, router.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use fennec_store::{defaults, persons, rows, settings, Db};
use rand::distributions::Alphanumeric;
use rand::Rng;
use tower::Layer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::normalize_path::{NormalizePath, NormalizePathLayer};
use tower_http::trace::TraceLayer;

use crate::auth::jwt::Keys;
use crate::auth::password;
use crate::config::ServeConfig;
use crate::routes;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<ServeConfig>,
    pub keys: Arc<Keys>,
    /// A hash checked when a login names nobody, so that such a login takes
    /// as long as a wrong password (no e-mail enumeration by timing).
    pub dummy_password_hash: Arc<String>,
    /// Task types, statuses and entity types, cached briefly.
    pub refs: Arc<crate::refs::RefCache>,
    /// What the token check found, per token, for a second.
    pub identities: Arc<crate::auth::identity_cache::IdentityCache>,
    /// Where preview files and thumbnails are kept (storage.rs).
    pub media: crate::storage::Media,
    /// Schedule analyses at once (schedule_gate.rs).
    pub schedule_gate: crate::schedule_gate::ScheduleGate,
}

pub struct App {
    pub state: AppState,
    /// Set when this start created the first admin with a generated
    /// password, so the caller can print it once.
    pub generated_admin_password: Option<String>,
    /// The front end served at `/` (`--ui`), when there is one.
    pub ui: Option<crate::ui::UiDir>,
}

fn random_string(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

impl App {
    /// Opens (creating and migrating if needed) the database, loads Kitsu's
    /// default data and the first admin on a fresh one.
    pub async fn build(config: ServeConfig) -> Result<App, BuildError> {
        // Checked before the database is touched: a wrong folder is a
        // typo to fix, not a reason to create a database.
        let ui = match &config.ui {
            Some(dir) => Some(crate::ui::UiDir::open(dir).map_err(BuildError::Other)?),
            None => None,
        };
        let media = crate::storage::Media::open(&config.media, &config.database.database_url)
            .await
            .map_err(BuildError::Other)?;
        let db = Db::connect(&config.database.database_url).await?;
        db.migrate().await?;
        defaults::load(&db).await?;
        {
            // Revocations of tokens that have expired anyway are dead weight.
            let mut conn = db.conn().await?;
            fennec_store::tokens::purge_expired(&mut conn, fennec_api::time::now()).await?;
        }
        let generated_admin_password = ensure_first_admin(&db, &config).await?;
        let secret = match &config.secret_key {
            Some(k) if !k.is_empty() => k.clone(),
            // Stored in the database so that every replica of it signs and
            // checks tokens with the same key.
            _ => {
                let mut conn = db.conn().await?;
                settings::get_or_insert(&mut conn, "secret_key", &random_string(64)).await?
            }
        };
        let dummy = password::hash(&random_string(24), config.bcrypt_cost)
            .await
            .map_err(|e| BuildError::Other(format!("cannot hash: {}", e.body)))?;
        let identities = Arc::new(crate::auth::identity_cache::IdentityCache::new(
            db.is_sqlite(),
        ));
        let state = AppState {
            db,
            keys: Arc::new(Keys::new(&secret)),
            dummy_password_hash: Arc::new(dummy),
            refs: Arc::new(crate::refs::RefCache::default()),
            identities,
            media,
            schedule_gate: crate::schedule_gate::ScheduleGate::new(config.schedule_workers),
            config: Arc::new(config),
        };
        // Movies a stopped server was encoding would stay "processing"
        // for ever (Kitsu's endless spinner).
        crate::preview_frames::recover_stale(&state)
            .await
            .map_err(|e| BuildError::Other(format!("preview recovery: {}", e.body)))?;
        Ok(App {
            state,
            generated_admin_password,
            ui,
        })
    }

    pub fn router(&self) -> NormalizePath<Router> {
        let mut router = routes::router(self.state.clone());
        if let Some(ui) = &self.ui {
            router = router.layer(axum::middleware::from_fn_with_state(
                ui.clone(),
                crate::ui::serve_ui,
            ));
        }
        let router = router
            .layer(axum::middleware::from_fn(run_to_completion))
            .layer(DefaultBodyLimit::max(self.state.config.body_limit))
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(axum::middleware::from_fn(crate::access_log::log_request))
            .layer(TraceLayer::new_for_http());
        // Zou accepts a trailing slash on every route.
        NormalizePathLayer::trim_trailing_slash().layer(router)
    }

    pub async fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let service = axum::ServiceExt::<axum::extract::Request>::into_make_service(self.router());
        // Without TCP_NODELAY, a streamed answer's last small segment waits
        // for the client's delayed ACK: ~40 ms per request on kept-alive
        // connections (Nagle), measured in bench/.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY");
            }
        });
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await
    }
}

/// Runs each request to its end even when the client goes away: a handler
/// dropped in the middle of a transaction would leave its connection in
/// the pool with the transaction half done (the next request on it then
/// fails), and a write the client may or may not have seen half applied.
async fn run_to_completion(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::spawn(next.run(req)).await {
        Ok(response) => response,
        Err(e) => axum::response::IntoResponse::into_response(crate::error::ApiError::internal(
            format!("request task failed: {e}"),
        )),
    }
}

/// A bug must still answer Zou's JSON 500, and the process must live on.
fn panic_response(cause: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let text = cause
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| cause.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "unknown panic".into());
    axum::response::IntoResponse::into_response(crate::error::ApiError::internal(format!(
        "panic: {text}"
    )))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Creates the first admin when the database has none. Returns the
/// generated password when none was configured.
async fn ensure_first_admin(db: &Db, config: &ServeConfig) -> Result<Option<String>, BuildError> {
    let mut tx = db.begin().await?;
    if let fennec_store::Tx::Postgres(t, _) = &mut tx {
        fennec_store::db::advisory_lock(t, 7310002).await?;
    }
    if persons::count_admins(&mut tx).await? > 0 {
        tx.commit().await?;
        return Ok(None);
    }
    let (pw, generated) = match &config.admin_password {
        Some(p) if !p.is_empty() => (p.clone(), None),
        _ => {
            let p = random_string(16);
            (p.clone(), Some(p))
        }
    };
    let hash = password::hash(&pw, config.bcrypt_cost)
        .await
        .map_err(|e| BuildError::Other(format!("cannot hash the admin password: {}", e.body)))?;
    create_admin(&mut tx, &config.admin_email, &hash).await?;
    tx.commit().await?;
    Ok(generated)
}

/// Inserts an admin person (or makes an existing one with that e-mail an
/// active admin with this password hash).
pub async fn create_admin(
    exec: &mut impl fennec_store::db::Exec,
    email: &str,
    password_hash: &str,
) -> Result<uuid::Uuid, fennec_store::StoreError> {
    use fennec_api::models::PERSON;
    use fennec_store::SqlValue;
    let col = |n: &str| PERSON.column(n).expect("person column");
    if let Some(c) = persons::credentials_by_email(exec, email).await? {
        rows::update(
            exec,
            &PERSON,
            c.id,
            vec![
                (col("role"), SqlValue::Text("admin".into())),
                (col("active"), SqlValue::Bool(true)),
                (col("password"), SqlValue::Text(password_hash.into())),
            ],
        )
        .await?;
        return Ok(c.id);
    }
    let row = rows::insert(
        exec,
        &PERSON,
        vec![
            (col("first_name"), SqlValue::Text("Super".into())),
            (col("last_name"), SqlValue::Text("Admin".into())),
            (col("email"), SqlValue::Text(email.into())),
            // Zou's create-admin fills these with "" (the CRUD leaves null).
            (col("phone"), SqlValue::Text(String::new())),
            (col("desktop_login"), SqlValue::Text(String::new())),
            (col("role"), SqlValue::Text("admin".into())),
            (col("password"), SqlValue::Text(password_hash.into())),
        ],
    )
    .await?;
    Ok(crate::present::id_of(&row))
}

/// Why the app could not start.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Store(#[from] fennec_store::StoreError),
    #[error("{0}")]
    Other(String),
}
