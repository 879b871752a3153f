//! Zou's TOTP second factor (RFC 6238 through `totp-rs`) and its recovery
//! codes: enrolment (pre-enable, enable, disable own) and the check login
//! and the disabling make. Zou (auth_service) stores the base32 secret on
//! the person and bcrypt hashes of sixteen ten-character recovery codes,
//! each spendable once instead of a code.

use fennec_store::db::Exec;
use fennec_store::persons::{self, TwoFactor};
use rand::Rng;
use serde_json::Value;
use totp_rs::{Algorithm, Secret, TOTP};
use uuid::Uuid;

use super::password;
use crate::error::{ApiError, ApiResult};

/// pyotp's defaults, which Zou uses: SHA-1, six digits, 30 s steps, and
/// `valid_window=1` (the step before and after also pass).
fn totp(secret: &str, issuer: Option<String>, account: String) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().ok()?;
    Some(TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        issuer,
        account,
    ))
}

/// A new base32 secret of 160 bits (pyotp.random_base32's 32 characters).
pub fn new_secret() -> String {
    let raw: [u8; 20] = rand::rngs::OsRng.gen();
    Secret::Raw(raw.to_vec()).to_encoded().to_string()
}

/// The otpauth:// URI an authenticator app reads; Zou names the issuer
/// "Kitsu {organisation name}" and the account by the e-mail.
pub fn provisioning_uri(secret: &str, email: &str, organisation: &str) -> String {
    totp(
        secret,
        Some(format!("Kitsu {organisation}")),
        email.to_owned(),
    )
    .map(|t| t.get_url())
    .unwrap_or_default()
}

/// Whether `code` is the current code of `secret` (or the one before or after).
pub fn check_code(secret: &str, code: &str) -> bool {
    totp(secret, None, String::new())
        .and_then(|t| t.check_current(code.trim()).ok())
        .unwrap_or(false)
}

/// Sixteen codes of ten upper-case letters and digits, as Zou issues them.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rngs::OsRng;
    (0..16)
        .map(|_| {
            (0..10)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect()
        })
        .collect()
}

async fn hash_all(codes: &[String], cost: u32) -> ApiResult<Vec<String>> {
    let jobs = codes.iter().map(|c| password::hash(c, cost));
    futures_util::future::try_join_all(jobs).await
}

/// The second factors a login (or a disabling) may carry: Zou's
/// LoginSchema / TwoFactorAuthSchema fields.
#[derive(Default)]
pub struct Offered {
    pub totp: Option<String>,
    pub email_otp: Option<String>,
    pub fido: bool,
    pub recovery_code: Option<String>,
}

impl Offered {
    /// Reads the fields; a non-string one is Zou's pydantic error.
    pub fn from_body(
        body: &serde_json::Map<String, Value>,
        errors: &mut Vec<(String, String)>,
    ) -> Offered {
        let mut text = |k: &str| match body.get(k) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                errors.push((k.to_owned(), "Input should be a valid string".to_owned()));
                None
            }
        };
        Offered {
            totp: text("totp"),
            email_otp: text("email_otp"),
            recovery_code: text("recovery_code"),
            fido: matches!(
                body.get("fido_authentication_response"),
                Some(Value::Object(_))
            ),
        }
    }
}

pub enum Check {
    Passed,
    Wrong,
    /// No usable factor given: Zou's MissingOTPException, which names the
    /// preferred method and the enabled ones.
    Missing {
        preferred: Option<String>,
        enabled: Vec<&'static str>,
    },
}

/// Zou's check_two_factor_authentication: the first factor the person has
/// enabled and offered decides; a recovery code otherwise (spent when it
/// matches). Fennec sends no e-mail codes and registers no FIDO keys, so
/// those, when offered for a method enabled elsewhere, fail.
pub async fn check(
    exec: &mut impl Exec,
    person: Uuid,
    tf: &TwoFactor,
    offered: &Offered,
) -> ApiResult<Check> {
    if tf.totp_enabled && offered.totp.is_some() {
        let code = offered.totp.as_deref().unwrap_or("");
        let ok = tf
            .totp_secret
            .as_deref()
            .is_some_and(|s| check_code(s, code));
        return Ok(if ok { Check::Passed } else { Check::Wrong });
    }
    if (tf.email_otp_enabled && offered.email_otp.is_some()) || (tf.fido_enabled && offered.fido) {
        return Ok(Check::Wrong);
    }
    if let Some(code) = &offered.recovery_code {
        for (i, hash) in tf.recovery_codes.iter().enumerate() {
            if password::verify(code, hash).await {
                let mut left = tf.clone();
                left.recovery_codes.remove(i);
                persons::set_two_factor(exec, person, &left).await?;
                return Ok(Check::Passed);
            }
        }
        return Ok(Check::Wrong);
    }
    let mut enabled = vec!["recovery_code"];
    for (on, name) in [
        (tf.totp_enabled, "totp"),
        (tf.email_otp_enabled, "email_otp"),
        (tf.fido_enabled, "fido"),
    ] {
        if on {
            enabled.push(name);
        }
    }
    Ok(Check::Missing {
        preferred: tf.preferred.clone(),
        enabled,
    })
}

async fn state_of(exec: &mut impl Exec, person: Uuid) -> ApiResult<TwoFactor> {
    persons::two_factor(exec, person)
        .await?
        .ok_or_else(ApiError::not_found)
}

pub enum Refusal {
    AlreadyEnabled,
    NotEnabled,
    WrongCode,
}

/// Zou's pre_enable_totp: a fresh secret, TOTP still off.
pub async fn pre_enable(exec: &mut impl Exec, person: Uuid) -> ApiResult<Result<String, Refusal>> {
    let mut tf = state_of(exec, person).await?;
    if tf.totp_enabled {
        return Ok(Err(Refusal::AlreadyEnabled));
    }
    let secret = new_secret();
    tf.totp_secret = Some(secret.clone());
    persons::set_two_factor(exec, person, &tf).await?;
    Ok(Ok(secret))
}

/// Zou's enable_totp: the code must match the pre-enabled secret; the
/// recovery codes are issued (and returned in clear) only if the person
/// has none yet, else None; TOTP becomes the preferred method if none is.
pub async fn enable(
    exec: &mut impl Exec,
    person: Uuid,
    code: &str,
    bcrypt_cost: u32,
) -> ApiResult<Result<Option<Vec<String>>, Refusal>> {
    let mut tf = state_of(exec, person).await?;
    if tf.totp_enabled {
        return Ok(Err(Refusal::AlreadyEnabled));
    }
    if !tf
        .totp_secret
        .as_deref()
        .is_some_and(|s| check_code(s, code))
    {
        return Ok(Err(Refusal::WrongCode));
    }
    tf.totp_enabled = true;
    let mut issued = None;
    if tf.recovery_codes.is_empty() {
        let codes = new_recovery_codes();
        tf.recovery_codes = hash_all(&codes, bcrypt_cost).await?;
        issued = Some(codes);
    }
    if tf.preferred.is_none() {
        tf.preferred = Some("totp".to_owned());
    }
    persons::set_two_factor(exec, person, &tf).await?;
    Ok(Ok(issued))
}

/// Zou's DELETE /auth/totp: some factor must be on and a valid factor (or
/// recovery code) given; then TOTP goes off with its secret, the preferred
/// method falls back to FIDO then e-mail, and with nothing left the
/// recovery codes and the preference go.
pub async fn disable_own(
    exec: &mut impl Exec,
    person: Uuid,
    offered: &Offered,
) -> ApiResult<Result<(), Refusal>> {
    let tf = state_of(exec, person).await?;
    if !tf.any_enabled() {
        return Ok(Err(Refusal::NotEnabled));
    }
    match check(exec, person, &tf, offered).await? {
        Check::Passed => {}
        Check::Wrong | Check::Missing { .. } => return Ok(Err(Refusal::WrongCode)),
    }
    // Re-read: a spent recovery code is gone.
    let mut tf = state_of(exec, person).await?;
    if !tf.totp_enabled {
        return Ok(Err(Refusal::NotEnabled));
    }
    tf.totp_enabled = false;
    tf.totp_secret = None;
    if !tf.any_enabled() {
        tf.recovery_codes.clear();
        tf.preferred = None;
    } else if tf.preferred.as_deref() == Some("totp") {
        tf.preferred = if tf.fido_enabled {
            Some("fido".to_owned())
        } else {
            Some("email_otp".to_owned())
        };
    }
    persons::set_two_factor(exec, person, &tf).await?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_secret_checks_its_own_code() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        let t = totp(&secret, None, String::new()).unwrap();
        let code = t.generate_current().unwrap();
        assert!(check_code(&secret, &code));
        assert!(!check_code(&secret, "abcdef"));
        assert!(!check_code("not base32!", &code));
    }

    #[test]
    fn the_uri_names_kitsu_and_the_account() {
        let uri = provisioning_uri("JBSWY3DPEHPK3PXP", "a@b.c", "Studio");
        assert!(uri.starts_with("otpauth://totp/Kitsu%20Studio:a%40b.c?secret=JBSWY3DPEHPK3PXP"));
        assert!(uri.contains("issuer=Kitsu%20Studio"));
    }

    #[test]
    fn recovery_codes_are_sixteen_of_ten() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 16);
        assert!(codes.iter().all(|c| c.len() == 10
            && c.chars()
                .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())));
    }
}
