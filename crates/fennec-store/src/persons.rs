//! Person look-ups that need what the API never shows (password hashes).

use chrono::NaiveDateTime;
use uuid::Uuid;

use crate::db::Exec;
use crate::{on, Result};

/// What login needs to know about a person.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub id: Uuid,
    pub password_hash: Option<String>,
    pub active: bool,
    pub role: String,
    pub failed_attempts: i64,
    pub last_failed: Option<NaiveDateTime>,
}

/// The person with this e-mail (case-insensitive, as Kitsu's login form)
/// or, as Zou also accepts, this desktop login.
pub async fn credentials_by_email(
    exec: &mut impl Exec,
    email: &str,
) -> Result<Option<Credentials>> {
    let sql = "SELECT id, password, active, role, login_failed_attemps, last_login_failed \
               FROM persons WHERE lower(email) = lower($1) \
               OR (desktop_login = $1 AND desktop_login != '') ORDER BY seq LIMIT 1";
    type CredentialRow = (
        Uuid,
        Option<String>,
        Option<bool>,
        Option<String>,
        Option<i64>,
        Option<NaiveDateTime>,
    );
    let row: Option<CredentialRow> =
        on!(exec, c => sqlx::query_as(sql).bind(email).fetch_optional(&mut *c).await?);
    Ok(row.map(
        |(id, password_hash, active, role, failed, last_failed)| Credentials {
            id,
            password_hash,
            active: active.unwrap_or(true),
            role: role.unwrap_or_else(|| "user".into()),
            failed_attempts: failed.unwrap_or(0),
            last_failed,
        },
    ))
}

/// Counts a failed login (atomically, so concurrent guesses all count).
pub async fn record_failed_login(exec: &mut impl Exec, id: Uuid, at: NaiveDateTime) -> Result<()> {
    let sql = "UPDATE persons SET login_failed_attemps = COALESCE(login_failed_attemps, 0) + 1, \
               last_login_failed = $2 WHERE id = $1";
    on!(exec, c => sqlx::query(sql).bind(id).bind(at).execute(&mut *c).await?.rows_affected());
    Ok(())
}

pub async fn reset_failed_logins(exec: &mut impl Exec, id: Uuid) -> Result<()> {
    let sql = "UPDATE persons SET login_failed_attemps = 0 WHERE id = $1";
    on!(exec, c => sqlx::query(sql).bind(id).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// Who a token speaks for, in one round trip: role and active flag of its
/// subject (`None` when the person no longer exists) and whether the token
/// was revoked.
pub async fn token_identity(
    exec: &mut impl Exec,
    id: Uuid,
    jti: &str,
) -> Result<(Option<(String, bool)>, bool)> {
    let sql = "SELECT p.role, p.active, \
               EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = $2) \
               FROM (SELECT 1 AS one) o LEFT JOIN persons p ON p.id = $1";
    let row: (Option<String>, Option<bool>, bool) =
        on!(exec, c => sqlx::query_as(sql).bind(id).bind(jti).fetch_one(&mut *c).await?);
    let (role, active, revoked) = row;
    let person = role.map(|r| (r, active.unwrap_or(true)));
    Ok((person, revoked))
}

pub async fn set_password_hash(exec: &mut impl Exec, id: Uuid, hash: &str) -> Result<()> {
    let sql = "UPDATE persons SET password = $1 WHERE id = $2";
    on!(exec, c => sqlx::query(sql).bind(hash).bind(id).execute(&mut *c).await?.rows_affected());
    Ok(())
}

pub async fn count_admins(exec: &mut impl Exec) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM persons WHERE role = 'admin'";
    Ok(on!(exec, c => sqlx::query_scalar(sql).fetch_one(&mut *c).await?))
}

/// Whether the person has a password (Zou lets an admin set another
/// admin's password only while that admin has none).
pub async fn has_password(exec: &mut impl Exec, id: Uuid) -> Result<bool> {
    let sql = "SELECT password FROM persons WHERE id = $1";
    let hash: Option<Option<String>> =
        on!(exec, c => sqlx::query_scalar(sql).bind(id).fetch_optional(&mut *c).await?);
    Ok(hash.flatten().is_some_and(|h| !h.is_empty()))
}

/// A person's second factors, with the secrets the API never shows
/// (Zou's totp_secret and otp_recovery_codes columns).
#[derive(Clone, Debug, Default)]
pub struct TwoFactor {
    pub totp_enabled: bool,
    pub email_otp_enabled: bool,
    pub fido_enabled: bool,
    pub totp_secret: Option<String>,
    /// bcrypt hashes of the recovery codes not spent yet.
    pub recovery_codes: Vec<String>,
    pub preferred: Option<String>,
}

impl TwoFactor {
    /// Zou's person_two_factor_authentication_enabled.
    pub fn any_enabled(&self) -> bool {
        self.totp_enabled || self.email_otp_enabled || self.fido_enabled
    }
}

pub async fn two_factor(exec: &mut impl Exec, id: Uuid) -> Result<Option<TwoFactor>> {
    let sql = "SELECT totp_enabled, email_otp_enabled, fido_enabled, totp_secret, \
               otp_recovery_codes, preferred_two_factor_authentication \
               FROM persons WHERE id = $1";
    type Row = (
        Option<bool>,
        Option<bool>,
        Option<bool>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> =
        on!(exec, c => sqlx::query_as(sql).bind(id).fetch_optional(&mut *c).await?);
    Ok(
        row.map(|(totp, email, fido, secret, codes, preferred)| TwoFactor {
            totp_enabled: totp.unwrap_or(false),
            email_otp_enabled: email.unwrap_or(false),
            fido_enabled: fido.unwrap_or(false),
            totp_secret: secret,
            recovery_codes: codes
                .and_then(|c| serde_json::from_str(&c).ok())
                .unwrap_or_default(),
            preferred,
        }),
    )
}

/// Writes the TOTP side of `tf` (the flag, the secret, the recovery codes,
/// the preferred method); the e-mail and FIDO flags are left alone.
pub async fn set_two_factor(exec: &mut impl Exec, id: Uuid, tf: &TwoFactor) -> Result<()> {
    let sql = "UPDATE persons SET totp_enabled = $1, totp_secret = $2, \
               otp_recovery_codes = $3, preferred_two_factor_authentication = $4 \
               WHERE id = $5";
    let codes = (!tf.recovery_codes.is_empty())
        .then(|| serde_json::to_string(&tf.recovery_codes).unwrap_or_default());
    on!(exec, c => sqlx::query(sql)
        .bind(tf.totp_enabled)
        .bind(tf.totp_secret.clone())
        .bind(codes.clone())
        .bind(tf.preferred.clone())
        .bind(id)
        .execute(&mut *c)
        .await?
        .rows_affected());
    Ok(())
}
