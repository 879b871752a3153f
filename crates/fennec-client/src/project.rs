//! gazu's `project` module: the calls Fennec's CLI needs.

use serde_json::Value;

use crate::{Client, ClientError, Result};

impl Client {
    /// `GET data/projects` — the projects the caller may see.
    pub async fn all_projects(&self) -> Result<Vec<Value>> {
        self.get("data/projects", &[]).await
    }

    /// A project by name (case-insensitive, as Zou's `name` filter), or by
    /// id when `name_or_id` is one.
    pub async fn project_by_name(&self, name_or_id: &str) -> Result<Value> {
        if uuid::Uuid::parse_str(name_or_id).is_ok() {
            return self.get(&format!("data/projects/{name_or_id}"), &[]).await;
        }
        let found: Vec<Value> = self.get("data/projects", &[("name", name_or_id)]).await?;
        found
            .into_iter()
            .find(|p| {
                p.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name_or_id))
            })
            .ok_or_else(|| ClientError::NotFound(format!("no project named {name_or_id:?}")))
    }
}
