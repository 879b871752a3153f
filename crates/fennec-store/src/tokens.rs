//! Revoked JWTs. Stored in the database (not in memory, not in Redis) so a
//! logout holds after a restart and on every replica sharing the database.

use chrono::NaiveDateTime;

use crate::db::Exec;
use crate::{on, Result};

pub async fn revoke(exec: &mut impl Exec, jti: &str, expires_at: NaiveDateTime) -> Result<()> {
    let sql = "INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    on!(exec, c => sqlx::query(sql).bind(jti).bind(expires_at).execute(&mut *c).await?.rows_affected());
    exec.identities_changed();
    Ok(())
}

/// Forgets revocations of tokens that have expired anyway.
pub async fn purge_expired(exec: &mut impl Exec, now: NaiveDateTime) -> Result<u64> {
    let sql = "DELETE FROM revoked_tokens WHERE expires_at < $1";
    Ok(on!(exec, c => sqlx::query(sql).bind(now).execute(&mut *c).await?.rows_affected()))
}
