//! Entity chats (Zou 1.0.97's `chats_service`): one chat per entity, made
//! on first use, its participants and its messages.

use chrono::NaiveDateTime;
use fennec_api::models::{CHAT, CHAT_MESSAGE};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::db::Exec;
use crate::links::Link;
use crate::rows::{self, Filter, Order, Row, Select};
use crate::value::SqlValue;
use crate::{on, Result};

/// Who takes part in a chat (Zou's `chat_participant`).
pub const CHAT_PARTICIPANTS: Link = Link {
    table: "chat_participants",
    left: "chat_id",
    right: "person_id",
};

/// The chat of an entity, made when there is none yet, as Zou's
/// `get_chat_raw` makes it on any read. The unique object index lets two
/// first reads race: the loser reads the winner's row.
pub async fn chat_for(exec: &mut impl Exec, object_id: Uuid) -> Result<Row> {
    if let Some(chat) = find(exec, object_id).await? {
        return Ok(chat);
    }
    let now = fennec_api::time::now();
    let sql =
        "INSERT INTO chats (object_id, object_type, last_message, id, created_at, updated_at) \
               VALUES ($1, 'entity', NULL, $2, $3, $3) ON CONFLICT DO NOTHING";
    let id = Uuid::new_v4();
    on!(exec, c => sqlx::query(sql).bind(object_id).bind(id).bind(now).execute(&mut *c).await?.rows_affected());
    find(exec, object_id)
        .await?
        .ok_or(crate::StoreError::NotFound)
}

async fn find(exec: &mut impl Exec, object_id: Uuid) -> Result<Option<Row>> {
    let select = Select::default()
        .eq("object_id", SqlValue::Uuid(object_id))
        .eq("object_type", SqlValue::Text("entity".into()));
    Ok(rows::list(exec, &CHAT, &select, false)
        .await?
        .into_iter()
        .next())
}

/// The chat with its participants' ids in the `participants` slot of its
/// key order (Zou's `serialize(relations=True)`).
pub async fn with_participants(exec: &mut impl Exec, mut chat: Row) -> Result<Row> {
    let id = row_id(&chat);
    let people = CHAT_PARTICIPANTS.rights(exec, id).await?;
    let people: Vec<Value> = people.iter().map(|p| json!(p.to_string())).collect();
    let mut out = Row::with_capacity(chat.len() + 1);
    for c in CHAT.columns {
        if c.name == "participants" {
            out.insert("participants".into(), Value::Array(people.clone()));
        } else if let Some(v) = chat.remove(c.name) {
            out.insert(c.name.into(), v);
        }
    }
    out.extend(chat);
    Ok(out)
}

fn row_id(row: &Row) -> Uuid {
    row.get("id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .unwrap_or_default()
}

/// The messages of a chat, oldest first (Zou orders them by creation).
pub async fn messages(exec: &mut impl Exec, chat_id: Uuid) -> Result<Vec<Row>> {
    let select = Select {
        filters: vec![Filter::Eq("chat_id", SqlValue::Uuid(chat_id))],
        order: Order::Created,
        ..Select::default()
    };
    rows::list(exec, &CHAT_MESSAGE, &select, false).await
}

pub async fn message(exec: &mut impl Exec, id: Uuid) -> Result<Option<Row>> {
    rows::get(exec, &CHAT_MESSAGE, id, false).await
}

/// Writes a message and stamps the chat's `last_message` with its
/// creation time, as Zou does.
pub async fn add_message(
    exec: &mut impl Exec,
    chat_id: Uuid,
    person_id: Uuid,
    text: &str,
) -> Result<Row> {
    let col = |n| CHAT_MESSAGE.column(n).expect("chat message column");
    let message = rows::insert(
        exec,
        &CHAT_MESSAGE,
        vec![
            (col("chat_id"), SqlValue::Uuid(chat_id)),
            (col("person_id"), SqlValue::Uuid(person_id)),
            (col("text"), SqlValue::Text(text.to_owned())),
        ],
    )
    .await?;
    let at = message
        .get("created_at")
        .and_then(Value::as_str)
        .and_then(fennec_api::time::parse_datetime)
        .unwrap_or_else(fennec_api::time::now);
    let last = CHAT.column("last_message").expect("chat column");
    rows::update(exec, &CHAT, chat_id, vec![(last, SqlValue::DateTime(at))]).await?;
    Ok(message)
}

pub async fn delete_message(exec: &mut impl Exec, id: Uuid) -> Result<bool> {
    rows::delete(exec, &CHAT_MESSAGE, id).await
}

/// One chat of a person's list (Zou's `get_chats_for_person`).
#[derive(Debug, Clone)]
pub struct PersonChat {
    pub id: Uuid,
    pub object_id: Uuid,
    pub last_message: Option<NaiveDateTime>,
    pub entity_name: String,
    pub project_id: Uuid,
    pub preview_file_id: Option<Uuid>,
}

/// The chats a person takes part in, on entities of open productions,
/// with the entity's full name as Zou builds it: "Episode / Sequence /
/// Shot", "Episode / Sequence", "Asset type / Asset", an episode's own
/// name.
pub async fn chats_of_person(exec: &mut impl Exec, person_id: Uuid) -> Result<Vec<PersonChat>> {
    let sql = "SELECT c.id, c.object_id, c.last_message, e.name, et.name, p.name, p.parent_id, \
               gp.name, e.project_id, e.preview_file_id \
               FROM chats c \
               JOIN chat_participants cp ON cp.chat_id = c.id AND cp.person_id = $1 \
               JOIN entities e ON e.id = c.object_id \
               JOIN entity_types et ON et.id = e.entity_type_id \
               JOIN projects pr ON pr.id = e.project_id \
               JOIN project_statuses ps ON ps.id = pr.project_status_id \
               LEFT JOIN entities p ON p.id = e.parent_id \
               LEFT JOIN entities gp ON gp.id = p.parent_id \
               WHERE ps.name = 'Open' ORDER BY c.seq";
    type R = (
        Uuid,
        Uuid,
        Option<NaiveDateTime>,
        String,
        String,
        Option<String>,
        Option<Uuid>,
        Option<String>,
        Uuid,
        Option<Uuid>,
    );
    let found: Vec<R> =
        on!(exec, c => sqlx::query_as(sql).bind(person_id).fetch_all(&mut *c).await?);
    Ok(found
        .into_iter()
        .map(
            |(
                id,
                object_id,
                last_message,
                name,
                kind,
                parent,
                parent_parent,
                grand,
                project_id,
                preview,
            )| {
                let entity_name = match kind.as_str() {
                    "Shot" => match (parent, grand) {
                        (Some(seq), Some(ep)) if parent_parent.is_some() => {
                            format!("{ep} / {seq} / {name}")
                        }
                        (Some(seq), _) => format!("{seq} / {name}"),
                        _ => name,
                    },
                    "Episode" => name,
                    "Sequence" => match parent {
                        Some(ep) => format!("{ep} / {name}"),
                        None => name,
                    },
                    _ => format!("{kind} / {name}"),
                };
                PersonChat {
                    id,
                    object_id,
                    last_message,
                    entity_name,
                    project_id,
                    preview_file_id: preview,
                }
            },
        )
        .collect())
}
