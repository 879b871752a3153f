//! Entity chats as Zou 1.0.97 serves them (its chats blueprint, and the
//! chat routes of its user blueprint): who reaches a chat, its reads, its
//! messages. Queries are in fennec-store's `chats.rs`; the handlers in
//! `routes/chats.rs`.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use fennec_api::models;
use fennec_store::chats as store;
use fennec_store::db::Exec;
use fennec_store::rows::{self, Row};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::auth::permissions::{check_project_access, on_project};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::SchemaBody;
use crate::present::uuid_field;
use crate::reach::check_entity_access;

/// Attachments are files: Fennec has no file storage yet (issue 14), so a
/// message that carries one is refused whole rather than posted without it.
pub const ATTACHMENTS_NEED_STORAGE: &str =
    "Chat message attachments need file storage, which this server does not have yet.";

/// Zou's checks before any chat route: the entity exists (404), the caller
/// is on its production's team (403) and, a vendor, holds a task on it.
pub async fn reach_entity(exec: &mut impl Exec, user: &CurrentUser, id: Uuid) -> ApiResult<Row> {
    let entity = rows::get(exec, &models::ENTITY, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut caller = user.clone();
    if let Some(project) = uuid_field(&entity, "project_id") {
        check_project_access(exec, user, project).await?;
        caller = on_project(exec, user, project).await?;
    }
    check_entity_access(exec, &caller, Some(id)).await?;
    Ok(entity)
}

/// GET /data/entities/{id}/chat: the chat with its participants, and a
/// `messages` list that Zou always leaves empty (it looks the messages up
/// by the entity's id instead of the chat's); Kitsu reads them from the
/// messages route.
pub async fn chat(exec: &mut impl Exec, entity: Uuid) -> ApiResult<Row> {
    let chat = store::chat_for(exec, entity).await?;
    let mut chat = store::with_participants(exec, chat).await?;
    chat.insert("messages".into(), json!([]));
    Ok(chat)
}

/// A message as Zou's reads show it: its columns, then its attachments
/// (none: they need storage, issue 14).
pub fn shown(mut message: Row) -> Row {
    message.insert("attachment_files".into(), json!([]));
    message
}

/// The message `id` of the entity's chat: 404 when there is none (Zou
/// fails with a 500 there), 403 when it belongs to another chat.
pub async fn message_of(exec: &mut impl Exec, entity: Uuid, id: &str) -> ApiResult<Row> {
    let chat = store::chat_for(exec, entity).await?;
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    let message = store::message(exec, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if message.get("chat_id") != chat.get("id") {
        return Err(ApiError::forbidden());
    }
    Ok(message)
}

/// GET /data/user/chats: the caller's chats on open productions, in Zou's
/// `present()` form plus the entity's name, production and preview.
pub async fn chats_of(exec: &mut impl Exec, person: Uuid) -> ApiResult<Vec<Value>> {
    let found = store::chats_of_person(exec, person).await?;
    Ok(found
        .into_iter()
        .map(|c| {
            json!({
                "id": c.id.to_string(),
                "object_id": c.object_id.to_string(),
                "last_message": c.last_message.as_ref().map(fennec_api::time::format_datetime),
                "entity_name": c.entity_name,
                "project_id": c.project_id.to_string(),
                "preview_file_id": c.preview_file_id.map(|p| p.to_string()),
            })
        })
        .collect())
}

/// Joining answers the chat without relations (Zou's plain `serialize()`).
pub async fn join(exec: &mut impl Exec, entity: Uuid, person: Uuid) -> ApiResult<Row> {
    let chat = store::chat_for(exec, entity).await?;
    let id = uuid_field(&chat, "id").unwrap_or_default();
    store::CHAT_PARTICIPANTS.add(exec, id, person).await?;
    Ok(chat)
}

pub async fn leave(exec: &mut impl Exec, entity: Uuid, person: Uuid) -> ApiResult<()> {
    let chat = store::chat_for(exec, entity).await?;
    let id = uuid_field(&chat, "id").unwrap_or_default();
    store::CHAT_PARTICIPANTS.remove(exec, id, person).await?;
    Ok(())
}

/// The body of a new message: Zou validates `message` (a string) from a
/// JSON body, a form, or a multipart form whose file parts are the
/// attachments.
pub struct MessageBody {
    pub fields: Map<String, Value>,
    pub has_files: bool,
}

impl<S: Send + Sync> FromRequest<S> for MessageBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let SchemaBody(fields) = SchemaBody::from_request(req, state).await?;
            return Ok(MessageBody {
                fields,
                has_files: false,
            });
        }
        let mut form = Multipart::from_request(req, state)
            .await
            .map_err(|_| ApiError::bad_json())?;
        let mut fields = Map::new();
        let mut has_files = false;
        while let Some(field) = form.next_field().await.map_err(|_| ApiError::bad_json())? {
            if field.file_name().is_some() {
                has_files = true;
                continue;
            }
            let name = field.name().unwrap_or_default().to_owned();
            let text = field.text().await.map_err(|_| ApiError::bad_json())?;
            fields.entry(name).or_insert(Value::String(text));
        }
        Ok(MessageBody { fields, has_files })
    }
}

/// Zou's `ChatMessageSchema`: `message`, a string, required.
pub fn message_text(fields: &Map<String, Value>) -> ApiResult<String> {
    match fields.get("message") {
        Some(Value::String(s)) => Ok(s.clone()),
        None => Err(ApiError::validation(vec![(
            "message".into(),
            "Field required".into(),
        )])),
        Some(_) => Err(ApiError::validation(vec![(
            "message".into(),
            "Input should be a valid string".into(),
        )])),
    }
}

/// POST /data/entities/{id}/chat/messages after the entity checks: only a
/// participant posts (400 otherwise, Zou's wording).
pub async fn post(
    exec: &mut impl Exec,
    entity: Uuid,
    person: Uuid,
    body: MessageBody,
) -> ApiResult<Row> {
    let text = message_text(&body.fields)?;
    let chat = store::chat_for(exec, entity).await?;
    let chat_id = uuid_field(&chat, "id").unwrap_or_default();
    if !store::CHAT_PARTICIPANTS
        .contains(exec, chat_id, person)
        .await?
    {
        return Err(ApiError::bad_request(
            "You are not a participant of this chat",
        ));
    }
    if body.has_files {
        return Err(ApiError::bad_request(ATTACHMENTS_NEED_STORAGE));
    }
    Ok(store::add_message(exec, chat_id, person, &text).await?)
}
