//! What an admin does to a person through Zou 1.0.97's persons blueprint
//! (and the caller to himself through its user blueprint): departments,
//! a new password, an invitation, clearing the avatar, turning two-factor
//! authentication off. Zou's check order decides which error a caller
//! sees first, so each function follows it. Handlers: `routes/persons.rs`.

use axum::http::StatusCode;
use fennec_api::models::{self, PERSON};
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows::{self, Row};
use fennec_store::SqlValue;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::auth::permissions::require_admin;
use crate::auth::user::Role;
use crate::auth::{password, CurrentUser};
use crate::error::{ApiError, ApiResult};
use crate::present::person_in_place;

/// Zou's `MIN_PASSWORD_LENGTH` default.
pub const MIN_PASSWORD_LENGTH: usize = 8;

/// Zou's own 400 of these routes: `{"error": true, "message"}`, no `data`.
fn refused(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        json!({"error": true, "message": message}),
    )
}

fn department_unknown() -> ApiError {
    ApiError::bad_request("Department ID matches no department")
}

async fn person(exec: &mut impl Exec, id: Uuid) -> ApiResult<Row> {
    rows::get(exec, &PERSON, id, false)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Zou's `check_person_is_not_bot`: 404 for no one, 403 for a bot (before
/// the role check, so an artist asking about a bot also gets 403).
async fn not_bot(exec: &mut impl Exec, id: Uuid) -> ApiResult<Row> {
    let p = person(exec, id).await?;
    if p.get("is_bot") == Some(&Value::Bool(true)) {
        return Err(ApiError::forbidden());
    }
    Ok(p)
}

/// POST /actions/persons/{id}/departments/add: admin (403), body
/// `department_id` a UUID (pydantic's 400), an existing department (400),
/// then the person (404). Answers the person with its departments, 201;
/// adding twice keeps one link.
pub async fn add_department(
    exec: &mut impl Exec,
    user: &CurrentUser,
    person_id: Uuid,
    body: &Map<String, Value>,
) -> ApiResult<Row> {
    require_admin(user)?;
    let department = match body.get("department_id") {
        None => {
            return Err(ApiError::validation(vec![(
                "department_id".into(),
                "Field required".into(),
            )]))
        }
        Some(Value::String(s)) => Uuid::parse_str(s).map_err(|e| {
            ApiError::validation(vec![(
                "department_id".into(),
                format!("Input should be a valid UUID, {}", uuid_error(&e)),
            )])
        })?,
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "department_id".into(),
                "UUID input should be a string, bytes or UUID object".into(),
            )]))
        }
    };
    rows::get(exec, &models::DEPARTMENT, department, false)
        .await?
        .ok_or_else(department_unknown)?;
    person(exec, person_id).await?;
    links::PERSON_DEPARTMENTS
        .add(exec, person_id, department)
        .await?;
    person_updated(exec, user.id, person_id).await?;
    person_in_place(exec, person_id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// pydantic's wording of a bad UUID: it parses with an older release of
/// the same Rust crate, which words an unexpected character without the
/// expected set and counts its place from 1.
pub(crate) fn uuid_error(e: &uuid::Error) -> String {
    let text = e.to_string();
    if !text.starts_with("invalid character") {
        return text;
    }
    let Some(at) = text.find("found `") else {
        return text;
    };
    let found = &text[at..];
    match found.rsplit_once(" at ") {
        Some((head, place)) => match place.trim().parse::<usize>() {
            Ok(n) => format!("invalid character: {head} at {}", n + 1),
            Err(_) => format!("invalid character: {found}"),
        },
        None => format!("invalid character: {found}"),
    }
}

/// DELETE /actions/persons/{id}/departments/{department_id}: admin (403),
/// a department that exists (400, also for a malformed id), the person
/// (404); 204 whether or not the person was in it.
pub async fn remove_department(
    exec: &mut impl Exec,
    user: &CurrentUser,
    person_id: Uuid,
    department: &str,
) -> ApiResult<()> {
    require_admin(user)?;
    let department = Uuid::parse_str(department).map_err(|_| department_unknown())?;
    rows::get(exec, &models::DEPARTMENT, department, false)
        .await?
        .ok_or_else(department_unknown)?;
    person(exec, person_id).await?;
    links::PERSON_DEPARTMENTS
        .remove(exec, person_id, department)
        .await?;
    person_updated(exec, user.id, person_id).await
}

/// Zou's `person:update` (`{"person_id"}`, no production), which its
/// department and avatar changes emit.
async fn person_updated(exec: &mut impl Exec, caller: Uuid, person_id: Uuid) -> ApiResult<()> {
    let data = serde_json::json!({ "person_id": person_id.to_string() });
    crate::events::emit(exec, Some(caller), "person:update", data, None).await
}

/// Zou's `ChangePasswordSchema`: two non-empty strings that match.
fn new_password(body: &Map<String, Value>) -> ApiResult<String> {
    let mut errors = Vec::new();
    let mut values = Vec::new();
    for field in ["password", "password_2"] {
        match body.get(field) {
            None => errors.push((field.into(), "Field required".into())),
            Some(Value::String(s)) if s.is_empty() => errors.push((
                field.into(),
                "String should have at least 1 character".into(),
            )),
            Some(Value::String(s)) => values.push(s.clone()),
            Some(_) => errors.push((field.into(), "Input should be a valid string".into())),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    if values[0] != values[1] {
        return Err(ApiError::validation(vec![(
            String::new(),
            "Value error, Confirmation password doesn't match.".into(),
        )]));
    }
    Ok(values.swap_remove(0))
}

/// POST /actions/persons/{id}/change-password: not a bot (404/403), admin
/// (403), the body (400), not another admin who has a password (400),
/// at least 8 characters (400). `{"success": true}`; the person logs in
/// with the new password at once. Zou then mails the person; Fennec has
/// no mail server, so it only logs the change.
pub async fn change_password(
    exec: &mut impl Exec,
    user: &CurrentUser,
    person_id: Uuid,
    body: &Map<String, Value>,
    bcrypt_cost: u32,
) -> ApiResult<Value> {
    let target = not_bot(exec, person_id).await?;
    require_admin(user)?;
    let new = new_password(body)?;
    if person_id != user.id
        && target.get("role").and_then(Value::as_str) == Some("admin")
        && fennec_store::persons::has_password(exec, person_id).await?
    {
        return Err(refused("An admin can't change another admin's password."));
    }
    if new.chars().count() < MIN_PASSWORD_LENGTH {
        return Err(refused("Password is too short."));
    }
    let hash = password::hash(&new, bcrypt_cost).await?;
    fennec_store::persons::set_password_hash(exec, person_id, &hash).await?;
    tracing::warn!(
        admin = %user.id,
        person = %person_id,
        "an admin changed a person's password"
    );
    Ok(json!({"success": true}))
}

/// GET /actions/persons/{id}/invite: not a bot (404/403), admin (403).
/// Zou mails an invitation and answers `Email sent` even when its mail
/// server fails (it logs the failure). Fennec has no mail server: it
/// answers what Zou answers then, and logs that nothing was sent.
pub async fn invite(exec: &mut impl Exec, user: &CurrentUser, person_id: Uuid) -> ApiResult<Value> {
    let target = not_bot(exec, person_id).await?;
    require_admin(user)?;
    let email = target.get("email").and_then(Value::as_str).unwrap_or("");
    tracing::warn!(
        person = %person_id,
        email,
        "invitation not sent: no mail server is configured"
    );
    Ok(json!({"success": true, "message": "Email sent"}))
}

/// Zou's `clear_avatar`: `has_avatar` false (404 for no one). The picture
/// itself belongs to file storage (issue 14), which Fennec lacks.
pub async fn clear_avatar(exec: &mut impl Exec, caller: Uuid, person_id: Uuid) -> ApiResult<()> {
    let column = PERSON.column("has_avatar").expect("person column");
    rows::update(
        exec,
        &PERSON,
        person_id,
        vec![(column, SqlValue::Bool(false))],
    )
    .await?
    .ok_or_else(ApiError::not_found)?;
    person_updated(exec, caller, person_id).await
}

/// DELETE /actions/persons/{id}/disable-two-factor-authentication: not a
/// bot (404/403), admin (403), not another admin (400), a person with a
/// second factor on (400); turns every method off.
pub async fn disable_two_factor(
    exec: &mut impl Exec,
    user: &CurrentUser,
    person_id: Uuid,
) -> ApiResult<Value> {
    let target = not_bot(exec, person_id).await?;
    require_admin(user)?;
    if Role::parse(target.get("role").and_then(Value::as_str).unwrap_or("")) == Role::Admin
        && person_id != user.id
    {
        return Err(refused("An admin can't disable 2FA for other admins."));
    }
    let on = |k: &str| target.get(k) == Some(&Value::Bool(true));
    if !(on("totp_enabled") || on("email_otp_enabled") || on("fido_enabled")) {
        return Err(refused(
            "Two factor authentication not enabled for this user.",
        ));
    }
    let col = |n| PERSON.column(n).expect("person column");
    rows::update(
        exec,
        &PERSON,
        person_id,
        vec![
            (col("totp_enabled"), SqlValue::Bool(false)),
            (col("email_otp_enabled"), SqlValue::Bool(false)),
            (col("fido_enabled"), SqlValue::Bool(false)),
            (
                col("preferred_two_factor_authentication"),
                SqlValue::Null(fennec_api::models::Kind::Text),
            ),
        ],
    )
    .await?;
    // Zou's disable_two_factor_authentication_for_person also drops the
    // TOTP secret and the recovery codes (columns the API never shows).
    fennec_store::persons::set_two_factor(exec, person_id, &Default::default()).await?;
    tracing::warn!(admin = %user.id, person = %person_id, "an admin disabled a person's 2FA");
    Ok(json!({"success": true}))
}
