//! Zou's `chats` blueprint (an entity's chat and its messages) and the
//! chat routes of its `user` blueprint (the caller's chats, joining and
//! leaving): gazu's `user.all_chats`, `join_chat` and `leave_chat`, and
//! Kitsu's chat panel. The logic is in `crate::chats`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::chats::{self, MessageBody};
use crate::error::ApiResult;
use crate::extract::{path_id, Path};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/user/chats", get(user_chats))
        .route(
            "/actions/user/chats/{entity_id}/join",
            post(join).delete(leave),
        )
        .route("/data/entities/{entity_id}/chat", get(chat))
        .route(
            "/data/entities/{entity_id}/chat/messages",
            get(messages).post(new_message),
        )
        .route(
            "/data/entities/{entity_id}/chat/messages/{message_id}",
            get(message).delete(delete_message),
        )
}

/// GET /data/user/chats — gazu's `user.all_chats`.
async fn user_chats(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    Ok(Json(Value::from(
        chats::chats_of(&mut conn, user.id).await?,
    )))
}

/// POST /actions/user/chats/{entity_id}/join — gazu's `user.join_chat`
/// (200, the chat without its participants; joining twice is harmless).
async fn join(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let entity = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    chats::reach_entity(&mut tx, &user, entity).await?;
    let chat = chats::join(&mut tx, entity, user.id).await?;
    // Zou's join_chat: `chat:joined`, with no production.
    let data = json!({ "chat_id": chat.get("id"), "person_id": user.id.to_string() });
    crate::events::emit(&mut tx, Some(user.id), "chat:joined", data, None).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(chat)))
}

/// DELETE /actions/user/chats/{entity_id}/join — gazu's `user.leave_chat`
/// (204, also when the caller was not in it).
async fn leave(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let entity = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    chats::reach_entity(&mut tx, &user, entity).await?;
    chats::leave(&mut tx, entity, user.id).await?;
    // Zou's leave_chat: `chat:left`, also for one who was not in it.
    let chat = fennec_store::chats::chat_for(&mut tx, entity).await?;
    let data = json!({ "chat_id": chat.get("id"), "person_id": user.id.to_string() });
    crate::events::emit(&mut tx, Some(user.id), "chat:left", data, None).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /data/entities/{entity_id}/chat — the chat, made on first read.
async fn chat(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let entity = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    chats::reach_entity(&mut tx, &user, entity).await?;
    let chat = chats::chat(&mut tx, entity).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(chat)))
}

/// GET /data/entities/{entity_id}/chat/messages — oldest first.
async fn messages(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let entity = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    chats::reach_entity(&mut tx, &user, entity).await?;
    let chat = fennec_store::chats::chat_for(&mut tx, entity).await?;
    let chat_id = crate::present::uuid_field(&chat, "id").unwrap_or_default();
    let list = fennec_store::chats::messages(&mut tx, chat_id).await?;
    tx.commit().await?;
    Ok(Json(Value::Array(
        list.into_iter()
            .map(|m| Value::Object(chats::shown(m)))
            .collect(),
    )))
}

/// POST /data/entities/{entity_id}/chat/messages — a participant's
/// message (201, without `attachment_files`, as Zou answers a message
/// posted without files).
async fn new_message(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: MessageBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let entity = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    chats::reach_entity(&mut tx, &user, entity).await?;
    let message = chats::post(&mut tx, entity, user.id, body).await;
    // The chat Zou makes on the way stays even when the message is refused.
    let message = match message {
        Ok(m) => m,
        Err(e) => {
            tx.commit().await?;
            return Err(e);
        }
    };
    // Zou's create_chat_message: `chat:new-message`, with no production.
    let data = json!({
        "chat_id": message.get("chat_id"),
        "chat_message_id": message.get("id"),
        "last_message": message.get("created_at"),
    });
    crate::events::emit(&mut tx, Some(user.id), "chat:new-message", data, None).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(message))))
}

/// GET /data/entities/{entity_id}/chat/messages/{message_id}.
async fn message(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, message_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let entity = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    chats::reach_entity(&mut tx, &user, entity).await?;
    let message = chats::message_of(&mut tx, entity, &message_id).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(chats::shown(message))))
}

/// DELETE /data/entities/{entity_id}/chat/messages/{message_id} — by its
/// author or an admin (403 for anyone else).
async fn delete_message(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, message_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let entity = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    chats::reach_entity(&mut tx, &user, entity).await?;
    let message = chats::message_of(&mut tx, entity, &message_id).await?;
    let author = crate::present::uuid_field(&message, "person_id");
    if author != Some(user.id) && !user.is_admin() {
        return Err(crate::error::ApiError::forbidden());
    }
    let id = crate::present::uuid_field(&message, "id").unwrap_or_default();
    fennec_store::chats::delete_message(&mut tx, id).await?;
    // Zou's delete_chat_message: `chat:deleted-message`.
    let data = json!({ "chat_id": message.get("chat_id"), "chat_message_id": message_id });
    crate::events::emit(&mut tx, Some(user.id), "chat:deleted-message", data, None).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
