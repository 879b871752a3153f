//! Fennec's schedule routes (`/fennec/projects/{id}/...`).

use serde_json::Value;

use crate::{Client, Result};

/// Filters shared by the schedule routes.
#[derive(Clone, Debug, Default)]
pub struct ScheduleQuery {
    /// `YYYY-MM-DD`; the server's today when unset.
    pub as_of: Option<String>,
    pub task_type_id: Option<String>,
    pub episode_id: Option<String>,
    pub person_id: Option<String>,
    /// `low`, `medium` or `high`: that severity and above (risks only).
    pub severity: Option<String>,
}

impl ScheduleQuery {
    fn pairs(&self) -> Vec<(&str, &str)> {
        let mut q = Vec::new();
        for (k, v) in [
            ("as_of", &self.as_of),
            ("task_type_id", &self.task_type_id),
            ("episode_id", &self.episode_id),
            ("person_id", &self.person_id),
            ("severity", &self.severity),
        ] {
            if let Some(v) = v {
                q.push((k, v.as_str()));
            }
        }
        q
    }
}

impl Client {
    pub async fn risks(&self, project_id: &str, query: &ScheduleQuery) -> Result<Value> {
        self.get(
            &format!("fennec/projects/{project_id}/risks"),
            &query.pairs(),
        )
        .await
    }

    pub async fn forecast(&self, project_id: &str, query: &ScheduleQuery) -> Result<Value> {
        self.get(
            &format!("fennec/projects/{project_id}/forecast"),
            &query.pairs(),
        )
        .await
    }

    pub async fn timeline(
        &self,
        project_id: &str,
        group_by: &str,
        query: &ScheduleQuery,
    ) -> Result<Value> {
        let mut q = query.pairs();
        q.push(("group_by", group_by));
        self.get(&format!("fennec/projects/{project_id}/timeline"), &q)
            .await
    }
}
