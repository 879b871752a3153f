//! Server settings shared by every replica through the database.

use crate::db::Exec;
use crate::{on, Result};

pub async fn get(exec: &mut impl Exec, key: &str) -> Result<Option<String>> {
    let sql = "SELECT value FROM fennec_settings WHERE key = $1";
    Ok(on!(exec, c => sqlx::query_scalar(sql).bind(key).fetch_optional(&mut *c).await?))
}

/// Stores `value` under `key` unless a value is there already, and returns
/// the value that won (so two replicas starting at once agree).
pub async fn get_or_insert(exec: &mut impl Exec, key: &str, value: &str) -> Result<String> {
    let sql = "INSERT INTO fennec_settings (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    on!(exec, c => sqlx::query(sql).bind(key).bind(value).execute(&mut *c).await?.rows_affected());
    Ok(get(exec, key).await?.unwrap_or_else(|| value.to_owned()))
}
