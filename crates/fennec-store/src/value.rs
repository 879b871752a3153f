//! Typed values between Zou's JSON and the database, per column kind.
//!
//! The parsing rules are Zou's: a UUID column refuses a malformed string,
//! a boolean filter takes `True/true/1/yes`, a datetime takes a date, a
//! datetime or a datetime with an offset (dropped), and so on.

use chrono::{NaiveDate, NaiveDateTime};
use fennec_api::models::{Column, Default, Kind};
use fennec_api::time;
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::types::Json;
use sqlx::Row as _;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq)]
pub enum SqlValue {
    Null(Kind),
    Uuid(Uuid),
    Text(String),
    Bool(bool),
    Int(i64),
    Float(f64),
    DateTime(NaiveDateTime),
    Date(NaiveDate),
    Json(Value),
}

/// Why a JSON or query-string value does not fit its column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadValue {
    pub field: String,
    pub value: String,
    pub kind: Kind,
}

impl SqlValue {
    pub fn is_null(&self) -> bool {
        matches!(self, SqlValue::Null(_))
    }

    pub fn default_for(column: &Column) -> SqlValue {
        match column.default {
            Default::Null => SqlValue::Null(column.kind),
            Default::Bool(b) => SqlValue::Bool(b),
            Default::Int(i) => SqlValue::Int(i),
            Default::Float(f) => SqlValue::Float(f),
            Default::Text(s) => SqlValue::Text(s.to_owned()),
            Default::EmptyObject => SqlValue::Json(Value::Object(serde_json::Map::new())),
            Default::EmptyList => SqlValue::Json(Value::Array(vec![])),
        }
    }

    /// Converts a JSON body value for `column`, as Zou's CRUD accepts it.
    pub fn from_json(column: &Column, v: &Value) -> Result<SqlValue, BadValue> {
        let bad = || BadValue {
            field: column.name.to_owned(),
            value: match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            },
            kind: column.kind,
        };
        if v.is_null() {
            return Ok(SqlValue::Null(column.kind));
        }
        Ok(match column.kind {
            Kind::Json => SqlValue::Json(v.clone()),
            Kind::Text => match v {
                Value::String(s) => SqlValue::Text(s.clone()),
                Value::Number(n) => SqlValue::Text(n.to_string()),
                Value::Bool(b) => SqlValue::Text(if *b { "true" } else { "false" }.into()),
                _ => return Err(bad()),
            },
            Kind::Uuid => match v.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                Some(u) => SqlValue::Uuid(u),
                None => return Err(bad()),
            },
            Kind::Bool => match v {
                Value::Bool(b) => SqlValue::Bool(*b),
                Value::Number(n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
                    SqlValue::Bool(n.as_i64() == Some(1))
                }
                // A string is refused, as Zou's database refuses it.
                _ => return Err(bad()),
            },
            Kind::Int => match v {
                Value::Number(n) => match n.as_i64() {
                    Some(i) => SqlValue::Int(i),
                    None => match n.as_f64() {
                        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => SqlValue::Int(f as i64),
                        _ => return Err(bad()),
                    },
                },
                Value::String(s) => s.trim().parse().map(SqlValue::Int).map_err(|_| bad())?,
                _ => return Err(bad()),
            },
            Kind::Float => match v {
                Value::Number(n) => SqlValue::Float(n.as_f64().ok_or_else(bad)?),
                Value::String(s) => match s.trim().parse::<f64>() {
                    Ok(f) if f.is_finite() => SqlValue::Float(f),
                    _ => return Err(bad()),
                },
                _ => return Err(bad()),
            },
            Kind::DateTime => match v.as_str().and_then(time::parse_datetime) {
                Some(dt) => SqlValue::DateTime(dt),
                None => return Err(bad()),
            },
            Kind::Date => match v.as_str().and_then(time::parse_date) {
                Some(d) => SqlValue::Date(d),
                None => return Err(bad()),
            },
        })
    }

    /// Converts a query-string filter value for `column`.
    pub fn from_query(column: &Column, s: &str) -> Result<SqlValue, BadValue> {
        let bad = || BadValue {
            field: column.name.to_owned(),
            value: s.to_owned(),
            kind: column.kind,
        };
        Ok(match column.kind {
            Kind::Text => SqlValue::Text(s.to_owned()),
            Kind::Uuid => SqlValue::Uuid(Uuid::parse_str(s).map_err(|_| bad())?),
            Kind::Bool => SqlValue::Bool(parse_bool(s).ok_or_else(bad)?),
            Kind::Int => SqlValue::Int(s.trim().parse().map_err(|_| bad())?),
            Kind::Float => SqlValue::Float(s.trim().parse().map_err(|_| bad())?),
            Kind::DateTime => SqlValue::DateTime(time::parse_datetime(s).ok_or_else(bad)?),
            Kind::Date => SqlValue::Date(time::parse_date(s).ok_or_else(bad)?),
            Kind::Json => SqlValue::Json(serde_json::from_str(s).map_err(|_| bad())?),
        })
    }

    pub fn to_json(&self) -> Value {
        match self {
            SqlValue::Null(_) => Value::Null,
            SqlValue::Uuid(u) => Value::String(u.to_string()),
            SqlValue::Text(s) => Value::String(s.clone()),
            SqlValue::Bool(b) => Value::Bool(*b),
            SqlValue::Int(i) => Value::from(*i),
            SqlValue::Float(f) => Value::from(*f),
            SqlValue::DateTime(dt) => Value::String(time::format_datetime(dt)),
            SqlValue::Date(d) => Value::String(time::format_date(d)),
            SqlValue::Json(v) => v.clone(),
        }
    }
}

/// Zou's boolean parsing for filters (`True/true/1/yes`, and the negatives).
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "t" | "y" => Some(true),
        "false" | "0" | "no" | "f" | "n" => Some(false),
        _ => None,
    }
}

/// Binds a [`SqlValue`] on any query kind of either backend.
macro_rules! bind_value_body {
    ($q:expr, $v:expr) => {{
        use chrono::{NaiveDate, NaiveDateTime};
        use sqlx::types::Json;
        match $v {
            SqlValue::Null(kind) => match kind {
                Kind::Uuid => $q.bind(None::<Uuid>),
                Kind::Text => $q.bind(None::<String>),
                Kind::Bool => $q.bind(None::<bool>),
                Kind::Int => $q.bind(None::<i64>),
                Kind::Float => $q.bind(None::<f64>),
                Kind::DateTime => $q.bind(None::<NaiveDateTime>),
                Kind::Date => $q.bind(None::<NaiveDate>),
                Kind::Json => $q.bind(None::<Json<Value>>),
            },
            SqlValue::Uuid(u) => $q.bind(*u),
            SqlValue::Text(s) => $q.bind(s.as_str()),
            SqlValue::Bool(b) => $q.bind(*b),
            SqlValue::Int(i) => $q.bind(*i),
            SqlValue::Float(f) => $q.bind(*f),
            SqlValue::DateTime(dt) => $q.bind(*dt),
            SqlValue::Date(d) => $q.bind(*d),
            SqlValue::Json(j) => $q.bind(Json(j)),
        }
    }};
}

macro_rules! bind_fn {
    ($name:ident, $db:ty, $args:ty) => {
        pub fn $name<'q>(
            q: sqlx::query::Query<'q, $db, $args>,
            v: &'q SqlValue,
        ) -> sqlx::query::Query<'q, $db, $args> {
            bind_value_body!(q, v)
        }
    };
}

bind_fn!(bind_sqlite, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>);
bind_fn!(bind_pg, sqlx::Postgres, sqlx::postgres::PgArguments);

macro_rules! decode_fn {
    ($name:ident, $row:ty, $datetime:path) => {
        /// Reads column `idx` of `row` as Zou's JSON for `kind`.
        pub fn $name(row: &$row, idx: usize, kind: Kind) -> Result<Value, sqlx::Error> {
            Ok(match kind {
                Kind::Uuid => row
                    .try_get::<Option<Uuid>, _>(idx)?
                    .map_or(Value::Null, |u| Value::String(u.to_string())),
                Kind::Text => row
                    .try_get::<Option<String>, _>(idx)?
                    .map_or(Value::Null, Value::String),
                Kind::Bool => row
                    .try_get::<Option<bool>, _>(idx)?
                    .map_or(Value::Null, Value::Bool),
                Kind::Int => row
                    .try_get::<Option<i64>, _>(idx)?
                    .map_or(Value::Null, Value::from),
                Kind::Float => row
                    .try_get::<Option<f64>, _>(idx)?
                    .map_or(Value::Null, Value::from),
                Kind::DateTime => $datetime(row, idx)?
                    .map_or(Value::Null, |d| Value::String(time::format_datetime(&d))),
                Kind::Date => row
                    .try_get::<Option<NaiveDate>, _>(idx)?
                    .map_or(Value::Null, |d| Value::String(time::format_date(&d))),
                Kind::Json => row
                    .try_get::<Option<Json<Value>>, _>(idx)?
                    .map_or(Value::Null, |j| j.0),
            })
        }
    };
}

decode_fn!(decode_sqlite, SqliteRow, sqlite_datetime);
decode_fn!(decode_pg, PgRow, pg_datetime);

/// A stored time, as sqlx writes it (text), read without chrono's format
/// parser, which sqlx's own decoding runs for every value (`perf` on one
/// shot's tasks, bench/README.md); any other storage goes through sqlx.
fn sqlite_datetime(row: &SqliteRow, idx: usize) -> Result<Option<NaiveDateTime>, sqlx::Error> {
    match row.try_get::<Option<&str>, _>(idx) {
        Ok(None) => return Ok(None),
        Ok(Some(text)) => {
            if let Some(dt) = crate::sqlite_stream::parse_datetime(text) {
                return Ok(Some(dt));
            }
        }
        Err(_) => {}
    }
    row.try_get::<Option<NaiveDateTime>, _>(idx)
}

fn pg_datetime(row: &PgRow, idx: usize) -> Result<Option<NaiveDateTime>, sqlx::Error> {
    row.try_get::<Option<NaiveDateTime>, _>(idx)
}
