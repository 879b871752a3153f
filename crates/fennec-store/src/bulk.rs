//! Multi-row inserts for loading many rows at once (`fennec seed`,
//! imports).
//!
//! Policy: one `INSERT … VALUES (…), (…), …` per chunk, chunked under the
//! backend's limit on bound parameters, run on whatever the caller gives
//! (normally one transaction for many chunks). Rows of a model are filled
//! exactly as [`crate::rows::insert`] fills them — given values, the
//! model's defaults for the rest, `id`/`created_at`/`updated_at` unless
//! given — so bulk-loaded rows read back the same as rows created through
//! the API.

use fennec_api::models::{Column, Model};
use uuid::Uuid;

use crate::db::{Exec, Raw};
use crate::links::Link;
use crate::rows::bind_any;
use crate::value::SqlValue;
use crate::{on, Result, StoreError};

/// SQLite's `SQLITE_MAX_VARIABLE_NUMBER` (the default since SQLite 3.32).
pub const SQLITE_MAX_PARAMS: usize = 32_766;
/// PostgreSQL's protocol counts a statement's parameters in 16 bits.
pub const POSTGRES_MAX_PARAMS: usize = 65_535;

/// The most parameters one statement may bind on this connection.
pub fn max_params(exec: &mut impl Exec) -> usize {
    match exec.raw() {
        Raw::Sqlite(_) => SQLITE_MAX_PARAMS,
        Raw::Postgres(_) => POSTGRES_MAX_PARAMS,
    }
}

/// Inserts rows into `table`: `values` holds them one after the other,
/// each `columns.len()` values in column order. Returns the rows inserted.
pub async fn insert_rows(
    exec: &mut impl Exec,
    table: &str,
    columns: &[&str],
    values: &[SqlValue],
) -> Result<u64> {
    let width = columns.len();
    if width == 0 || !values.len().is_multiple_of(width) {
        return Err(StoreError::InvalidValue {
            field: table.to_owned(),
            value: format!("{} values for {width} columns", values.len()),
        });
    }
    let sqlite = matches!(exec.raw(), Raw::Sqlite(_));
    let per_chunk = (max_params(exec) / width).max(1);
    let head = format!(
        "INSERT INTO {table} ({}) VALUES ",
        columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut inserted = 0;
    // Every full chunk has the same text, so each connection prepares it
    // once (sqlx's statement cache) and reuses it.
    let mut full_chunk_sql: Option<String> = None;
    for chunk in values.chunks(per_chunk * width) {
        let rows = chunk.len() / width;
        let sql = if rows == per_chunk {
            full_chunk_sql
                .get_or_insert_with(|| values_sql(&head, width, rows, sqlite))
                .clone()
        } else {
            values_sql(&head, width, rows, sqlite)
        };
        inserted += on!(exec, c => {
            let mut q = sqlx::query(&sql);
            for v in chunk {
                q = bind_any(q, v);
            }
            q.execute(&mut *c).await?.rows_affected()
        });
    }
    Ok(inserted)
}

fn values_sql(head: &str, width: usize, rows: usize, sqlite: bool) -> String {
    let mut sql = String::with_capacity(head.len() + rows * width * 7);
    sql.push_str(head);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for i in 0..width {
            if i > 0 {
                sql.push_str(", ");
            }
            n += 1;
            if sqlite {
                sql.push('?');
            } else {
                sql.push('$');
                sql.push_str(&n.to_string());
            }
        }
        sql.push(')');
    }
    sql
}

/// Inserts link rows `(left, right)` in the given order (which becomes
/// the link order).
pub async fn insert_links(
    exec: &mut impl Exec,
    link: &Link,
    pairs: &[(Uuid, Uuid)],
) -> Result<u64> {
    let values: Vec<SqlValue> = pairs
        .iter()
        .flat_map(|(l, r)| [SqlValue::Uuid(*l), SqlValue::Uuid(*r)])
        .collect();
    insert_rows(exec, link.table, &[link.left, link.right], &values).await
}

/// Rows of one model waiting to be inserted together.
pub struct ModelRows {
    model: &'static Model,
    columns: Vec<&'static Column>,
    names: Vec<&'static str>,
    template: Vec<SqlValue>,
    values: Vec<SqlValue>,
    id_index: Option<usize>,
    created_index: Option<usize>,
    updated_index: Option<usize>,
}

impl ModelRows {
    pub fn new(model: &'static Model) -> ModelRows {
        let columns: Vec<&'static Column> = model.stored_columns().collect();
        let template = columns.iter().map(|c| SqlValue::default_for(c)).collect();
        let position = |name: &str| columns.iter().position(|c| c.name == name);
        ModelRows {
            model,
            names: columns.iter().map(|c| c.name).collect(),
            id_index: position("id"),
            created_index: position("created_at"),
            updated_index: position("updated_at"),
            columns,
            template,
            values: Vec::new(),
        }
    }

    pub fn model(&self) -> &'static Model {
        self.model
    }

    /// Rows waiting.
    pub fn len(&self) -> usize {
        self.values.len() / self.columns.len().max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Adds a row from the given `(column, value)` pairs; the model's
    /// defaults fill the other columns, a new id and the current time fill
    /// `id`, `created_at` and `updated_at` unless given. Returns the id.
    pub fn push<'a>(
        &mut self,
        given: impl IntoIterator<Item = (&'a str, SqlValue)>,
    ) -> Result<Uuid> {
        let start = self.values.len();
        self.values.extend_from_slice(&self.template);
        let row = &mut self.values[start..];
        let mut has = [false; 3];
        for (name, v) in given {
            let Some(i) = self.names.iter().position(|n| *n == name) else {
                self.values.truncate(start);
                return Err(StoreError::InvalidValue {
                    field: name.to_owned(),
                    value: format!("{} has no stored column {name}", self.model.type_name),
                });
            };
            for (k, idx) in [self.id_index, self.created_index, self.updated_index]
                .into_iter()
                .enumerate()
            {
                if idx == Some(i) {
                    has[k] = true;
                }
            }
            row[i] = v;
        }
        let now = fennec_api::time::now();
        if let (false, Some(i)) = (has[0], self.id_index) {
            row[i] = SqlValue::Uuid(Uuid::new_v4());
        }
        for (k, idx) in [(1, self.created_index), (2, self.updated_index)] {
            if let (false, Some(i)) = (has[k], idx) {
                row[i] = SqlValue::DateTime(now);
            }
        }
        if let Some(c) = self
            .columns
            .iter()
            .zip(row.iter())
            .find(|(c, v)| c.required && v.is_null())
            .map(|(c, _)| c.name)
        {
            self.values.truncate(start);
            return Err(StoreError::Missing(c.to_owned()));
        }
        let id = match self.id_index.map(|i| &self.values[start + i]) {
            Some(SqlValue::Uuid(u)) => *u,
            _ => Uuid::nil(),
        };
        Ok(id)
    }

    /// Inserts the waiting rows and empties the buffer; returns how many.
    pub async fn flush(&mut self, exec: &mut impl Exec) -> Result<u64> {
        if self.values.is_empty() {
            return Ok(0);
        }
        let n = insert_rows(exec, self.model.table, &self.names, &self.values).await?;
        self.values.clear();
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_per_backend() {
        assert_eq!(
            values_sql("INSERT INTO t (a, b) VALUES ", 2, 2, true),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
        assert_eq!(
            values_sql("INSERT INTO t (a, b) VALUES ", 2, 2, false),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }

    #[test]
    fn push_fills_defaults_and_checks_required() {
        let mut rows = ModelRows::new(&fennec_api::models::TIME_SPENT);
        let err = rows.push([("duration", SqlValue::Float(60.0))]);
        assert!(matches!(err, Err(StoreError::Missing(_))));
        assert!(rows.is_empty());
        let err = rows.push([("no_such_column", SqlValue::Float(60.0))]);
        assert!(matches!(err, Err(StoreError::InvalidValue { .. })));
        let task = Uuid::new_v4();
        let id = rows
            .push([
                ("duration", SqlValue::Float(60.0)),
                ("date", SqlValue::Date(chrono::NaiveDate::MIN)),
                ("task_id", SqlValue::Uuid(task)),
                ("person_id", SqlValue::Uuid(task)),
            ])
            .expect("complete row");
        assert!(!id.is_nil());
        assert_eq!(rows.len(), 1);
    }
}
