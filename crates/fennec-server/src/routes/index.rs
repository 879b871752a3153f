//! Zou's `index` blueprint.

use axum::Json;
use serde_json::{json, Value};

/// GET /  — gazu's `host_is_valid` and `get_api_version` read this; no auth.
pub async fn api_version() -> Json<Value> {
    Json(json!({"api": fennec_api::API_NAME, "version": fennec_api::API_VERSION}))
}

/// GET /config — what Kitsu's web front end reads before anything else
/// (its index.html preloads it), no auth, with Zou 1.0.97's keys and the
/// values of a Fennec install: self-hosted, no Crisp chat, no search
/// indexer, no SAML/OIDC, no 2FA enforcement, Zou's default locale,
/// time zone and movie bitrates; no preview accounts (Zou's per-production
/// guest logins, which Fennec does not have, so Kitsu hides their menu).
/// `dark_theme_by_default` is the organisation's setting.
pub async fn config(
    axum::extract::State(state): axum::extract::State<crate::app::AppState>,
) -> crate::error::ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let orgs = fennec_store::rows::list(
        &mut conn,
        &fennec_api::models::ORGANISATION,
        &Default::default(),
        false,
    )
    .await?;
    let dark = orgs
        .first()
        .and_then(|o| o.get("dark_theme_by_default"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(Json(json!({
        "is_self_hosted": true,
        "crisp_token": "",
        "dark_theme_by_default": dark,
        "indexer_configured": false,
        "saml_enabled": false,
        "saml_idp_name": "",
        "oidc_enabled": false,
        "oidc_idp_name": "",
        "default_locale": "en_US",
        "default_timezone": crate::quotas::DEFAULT_TIMEZONE.name(),
        "enforce_2fa": false,
        "movie_highdef_bitrate": 28,
        "movie_lowdef_bitrate": 6,
        "preview_accounts_enabled": false,
    })))
}
