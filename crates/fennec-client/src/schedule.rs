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

    /// `GET fennec/projects/{id}/critical-path`: the chain deciding the
    /// project end and each milestone, with every task's slack.
    pub async fn critical_path(&self, project_id: &str, query: &ScheduleQuery) -> Result<Value> {
        self.get(
            &format!("fennec/projects/{project_id}/critical-path"),
            &query.pairs(),
        )
        .await
    }

    /// The project's explicit task links (and the pipeline's with
    /// `pipeline`).
    pub async fn task_links(&self, project_id: &str, pipeline: bool) -> Result<Value> {
        let q: &[(&str, &str)] = if pipeline {
            &[("pipeline", "true")]
        } else {
            &[]
        };
        self.get(&format!("fennec/projects/{project_id}/task-links"), q)
            .await
    }

    /// Links `successor` to start after `predecessor` finishes, plus
    /// `lag_days` working days; a cycle is refused (the error names it).
    pub async fn link_tasks(
        &self,
        project_id: &str,
        predecessor: &str,
        successor: &str,
        lag_days: u32,
    ) -> Result<Value> {
        let body = serde_json::json!({
            "predecessor_id": predecessor,
            "successor_id": successor,
            "lag_days": lag_days,
        });
        self.post(&format!("fennec/projects/{project_id}/task-links"), &body)
            .await
    }

    /// Removes a link.
    pub async fn unlink_tasks(&self, link_id: &str) -> Result<Value> {
        self.delete(&format!("fennec/task-links/{link_id}")).await
    }

    /// `GET fennec/projects/{id}/causes`: the risks grouped by cause, and
    /// (with `remedies`) each slipping milestone's remedies.
    pub async fn causes(
        &self,
        project_id: &str,
        query: &ScheduleQuery,
        remedies: bool,
    ) -> Result<Value> {
        let mut q = query.pairs();
        if !remedies {
            q.push(("remedies", "false"));
        }
        self.get(&format!("fennec/projects/{project_id}/causes"), &q)
            .await
    }

    /// `POST fennec/projects/{id}/what-if`: the forecast with `changes`
    /// (a JSON list, see the route), written nowhere.
    pub async fn what_if(
        &self,
        project_id: &str,
        query: &ScheduleQuery,
        changes: Vec<Value>,
    ) -> Result<Value> {
        let mut path = format!("fennec/projects/{project_id}/what-if");
        if let Some(d) = &query.as_of {
            path.push_str(&format!("?as_of={d}"));
        }
        self.post(&path, &serde_json::json!({ "changes": changes }))
            .await
    }
}
