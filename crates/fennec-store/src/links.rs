//! Zou's association tables (project team, project task types, task
//! assignees, …): two ids per row, kept in link order.

use uuid::Uuid;

use crate::db::Exec;
use crate::{on, Result};

/// A many-to-many table: `table(left, right)`.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    pub table: &'static str,
    pub left: &'static str,
    pub right: &'static str,
}

pub const PROJECT_TEAM: Link = Link {
    table: "project_person_link",
    left: "project_id",
    right: "person_id",
};
pub const PROJECT_ASSET_TYPES: Link = Link {
    table: "project_asset_type_link",
    left: "project_id",
    right: "asset_type_id",
};
pub const PROJECT_TASK_TYPES: Link = Link {
    table: "project_task_type_link",
    left: "project_id",
    right: "task_type_id",
};
pub const PROJECT_TASK_STATUSES: Link = Link {
    table: "project_task_status_link",
    left: "project_id",
    right: "task_status_id",
};
pub const TASK_ASSIGNEES: Link = Link {
    table: "assignations",
    left: "task_id",
    right: "person_id",
};
pub const PERSON_DEPARTMENTS: Link = Link {
    table: "department_link",
    left: "person_id",
    right: "department_id",
};
pub const ASSET_TYPE_TASK_TYPES: Link = Link {
    table: "asset_type_task_type_link",
    left: "asset_type_id",
    right: "task_type_id",
};

/// A production's status automations (Zou's `ProjectStatusAutomationLink`).
pub const PROJECT_STATUS_AUTOMATIONS: Link = Link {
    table: "project_status_automation_link",
    left: "project_id",
    right: "status_automation_id",
};
/// A production's preview background files.
pub const PROJECT_PREVIEW_BACKGROUND_FILES: Link = Link {
    table: "project_preview_background_file_link",
    left: "project_id",
    right: "preview_background_file_id",
};
/// The departments a metadata descriptor is shown to.
pub const DESCRIPTOR_DEPARTMENTS: Link = Link {
    table: "department_metadata_descriptor_link",
    left: "metadata_descriptor_id",
    right: "department_id",
};

/// The people a comment's text mentions (Zou's `comment_mentions`).
pub const COMMENT_MENTIONS: Link = Link {
    table: "comment_mentions",
    left: "comment_id",
    right: "person_id",
};
/// The departments a comment's text mentions.
pub const COMMENT_DEPARTMENT_MENTIONS: Link = Link {
    table: "comment_department_mentions",
    left: "comment_id",
    right: "department_id",
};
/// The people who acknowledged a comment (Zou's `comment_acknoledgments`).
pub const COMMENT_ACKNOWLEDGEMENTS: Link = Link {
    table: "comment_acknoledgments",
    left: "comment_id",
    right: "person_id",
};
/// The preview files a comment carries (Zou's `comment_preview_link`).
pub const COMMENT_PREVIEWS: Link = Link {
    table: "comment_preview_links",
    left: "comment_id",
    right: "preview_file_id",
};

impl Link {
    /// The right-hand ids linked to `left`, in link order.
    pub async fn rights(&self, exec: &mut impl Exec, left: Uuid) -> Result<Vec<Uuid>> {
        let sql = format!(
            "SELECT {} FROM {} WHERE {} = $1 ORDER BY seq",
            self.right, self.table, self.left
        );
        Ok(on!(exec, c => sqlx::query_scalar(&sql).bind(left).fetch_all(&mut *c).await?))
    }

    /// The left-hand ids linked to `right`.
    pub async fn lefts(&self, exec: &mut impl Exec, right: Uuid) -> Result<Vec<Uuid>> {
        let sql = format!(
            "SELECT {} FROM {} WHERE {} = $1 ORDER BY seq",
            self.left, self.table, self.right
        );
        Ok(on!(exec, c => sqlx::query_scalar(&sql).bind(right).fetch_all(&mut *c).await?))
    }

    pub async fn contains(&self, exec: &mut impl Exec, left: Uuid, right: Uuid) -> Result<bool> {
        let sql = format!(
            "SELECT COUNT(*) FROM {} WHERE {} = $1 AND {} = $2",
            self.table, self.left, self.right
        );
        let n: i64 = on!(exec, c => sqlx::query_scalar(&sql).bind(left).bind(right).fetch_one(&mut *c).await?);
        Ok(n > 0)
    }

    /// Links `left` to `right`; linking twice is a no-op.
    pub async fn add(&self, exec: &mut impl Exec, left: Uuid, right: Uuid) -> Result<()> {
        let sql = format!(
            "INSERT INTO {} ({}, {}) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            self.table, self.left, self.right
        );
        on!(exec, c => sqlx::query(&sql).bind(left).bind(right).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    pub async fn remove(&self, exec: &mut impl Exec, left: Uuid, right: Uuid) -> Result<bool> {
        let sql = format!(
            "DELETE FROM {} WHERE {} = $1 AND {} = $2",
            self.table, self.left, self.right
        );
        let n = on!(exec, c => sqlx::query(&sql).bind(left).bind(right).execute(&mut *c).await?.rows_affected());
        Ok(n > 0)
    }

    /// Replaces every link of `left` by `rights`, keeping their order.
    pub async fn set(&self, exec: &mut impl Exec, left: Uuid, rights: &[Uuid]) -> Result<()> {
        let sql = format!("DELETE FROM {} WHERE {} = $1", self.table, self.left);
        on!(exec, c => sqlx::query(&sql).bind(left).execute(&mut *c).await?.rows_affected());
        for r in rights {
            self.add(exec, left, *r).await?;
        }
        Ok(())
    }
}

impl Link {
    /// Right-hand ids of many lefts at once, in link order: one query per
    /// chunk instead of one per row (task lists with their assignees).
    pub async fn rights_of_many(
        &self,
        exec: &mut impl Exec,
        lefts: &[Uuid],
    ) -> Result<std::collections::HashMap<Uuid, Vec<Uuid>>> {
        let mut out: std::collections::HashMap<Uuid, Vec<Uuid>> = Default::default();
        for chunk in lefts.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {}, {} FROM {} WHERE {} IN ({}) ORDER BY seq",
                self.left,
                self.right,
                self.table,
                self.left,
                placeholders.join(", ")
            );
            let pairs: Vec<(Uuid, Uuid)> = on!(exec, c => {
                let mut q = sqlx::query_as(&sql);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(&mut *c).await?
            });
            for (l, r) in pairs {
                out.entry(l).or_default().push(r);
            }
        }
        Ok(out)
    }
}

/// A person's role on one production (Zou's `ProjectPersonLink.role`):
/// `None` when not in its team, `Some(None)` when he keeps his global role.
pub async fn team_role(
    exec: &mut impl Exec,
    project: Uuid,
    person: Uuid,
) -> Result<Option<Option<String>>> {
    let row: Option<(Option<String>,)> = on!(exec, c => sqlx::query_as(
        "SELECT role FROM project_person_link WHERE project_id = $1 AND person_id = $2")
        .bind(project).bind(person).fetch_optional(&mut *c).await?);
    Ok(row.map(|(r,)| r))
}

/// Sets (or, with `None`, clears) a team member's role on the production;
/// false when the person is not in its team.
pub async fn set_team_role(
    exec: &mut impl Exec,
    project: Uuid,
    person: Uuid,
    role: Option<&str>,
) -> Result<bool> {
    let done = on!(exec, c => sqlx::query(
        "UPDATE project_person_link SET role = $3 WHERE project_id = $1 AND person_id = $2")
        .bind(project).bind(person).bind(role).execute(&mut *c).await?.rows_affected());
    Ok(done > 0)
}

/// The explicit roles of a production's team, by person.
pub async fn team_roles(
    exec: &mut impl Exec,
    project: Uuid,
) -> Result<std::collections::HashMap<Uuid, String>> {
    let rows: Vec<(Uuid, String)> = on!(exec, c => sqlx::query_as(
        "SELECT person_id, role FROM project_person_link WHERE project_id = $1 AND role IS NOT NULL")
        .bind(project).fetch_all(&mut *c).await?);
    Ok(rows.into_iter().collect())
}
