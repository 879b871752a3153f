//! `fennec risk` and `fennec timeline`: the schedule routes from a shell,
//! for producers and for cron jobs (`risk` exits non-zero when anything is
//! late or will slip).

use anyhow::Context;
use fennec_client::schedule::ScheduleQuery;
use fennec_client::Client;
use serde_json::Value;

/// Where and as whom the client commands connect.
#[derive(Clone, Debug, clap::Args)]
pub struct Connection {
    /// The server's API root.
    #[arg(long, env = "FENNEC_HOST", default_value = "http://127.0.0.1:8080/api")]
    pub host: String,
    /// Log in with this e-mail…
    #[arg(long, env = "FENNEC_EMAIL")]
    pub email: Option<String>,
    /// …and this password.
    #[arg(long, env = "FENNEC_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Or use an access token obtained elsewhere.
    #[arg(long, env = "FENNEC_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

impl Connection {
    pub async fn client(&self) -> anyhow::Result<Client> {
        let client = Client::new(&self.host);
        if let Some(t) = &self.token {
            return Ok(client.with_token(t));
        }
        let (Some(email), Some(password)) = (&self.email, &self.password) else {
            anyhow::bail!(
                "give --email and --password (or FENNEC_EMAIL / FENNEC_PASSWORD, or FENNEC_TOKEN)"
            );
        };
        let mut client = client;
        client
            .log_in(email, password)
            .await
            .with_context(|| format!("logging in to {}", self.host))?;
        Ok(client)
    }
}

#[derive(Clone, Debug, clap::Args)]
pub struct RiskArgs {
    /// The project, by name or id.
    #[arg(long)]
    pub project: String,
    /// Compute as of this day (YYYY-MM-DD); today by default.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Only risks of this severity and above: low, medium, high.
    #[arg(long)]
    pub severity: Option<String>,
    /// Print the server's JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Clone, Debug, clap::Args)]
pub struct TimelineArgs {
    /// The project, by name or id.
    #[arg(long)]
    pub project: String,
    /// project, episode, sequence, entity, entity_type, task_type or person.
    #[arg(long, default_value = "sequence")]
    pub group_by: String,
    /// Compute as of this day (YYYY-MM-DD); today by default.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Also write the Gantt as an SVG file.
    #[arg(long)]
    pub svg: Option<std::path::PathBuf>,
    /// Columns for the bars in the terminal.
    #[arg(long, default_value_t = 60)]
    pub width: usize,
    #[command(flatten)]
    pub connection: Connection,
}

fn s(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn task_label(r: &Value) -> String {
    let t = &r["task"];
    if t.is_null() {
        return r["milestone"].as_str().unwrap_or("-").to_owned();
    }
    if let Some(full) = t["full_name"].as_str() {
        return full.to_owned();
    }
    let entity = t["entity"]["name"].as_str().unwrap_or("?");
    let tt = t["task_type"]["name"].as_str().unwrap_or("?");
    format!("{entity} / {tt}")
}

/// The risk table; returns whether anything is late or will slip.
pub fn risk_table(answer: &Value) -> (String, bool) {
    let risks = answer["risks"].as_array().cloned().unwrap_or_default();
    let mut rows = vec![[
        "SEVERITY".to_owned(),
        "KIND".to_owned(),
        "TASK".to_owned(),
        "PERSON".to_owned(),
        "DUE".to_owned(),
        "FORECAST".to_owned(),
        "SLIP".to_owned(),
    ]];
    let mut alarming = false;
    for r in &risks {
        let kind = r["kind"].as_str().unwrap_or("");
        if matches!(
            kind,
            "late" | "will_slip" | "milestone_slip" | "project_end_slip"
        ) {
            alarming = true;
        }
        rows.push([
            s(&r["severity"]),
            kind.to_owned(),
            task_label(r),
            s(&r["person"]["name"]),
            s(&r["numbers"]["due"]),
            s(&r["numbers"]["forecast"]),
            s(&r["numbers"]["slip_days"]),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
                .min(48)
        })
        .collect();
    let mut out = format!(
        "{} as of {}: {} risks, {} late, {} slipping, {} unassigned\n",
        s(&answer["project"]["name"]),
        s(&answer["as_of"]),
        risks.len(),
        s(&answer["summary"]["late_tasks"]),
        s(&answer["summary"]["slipping_tasks"]),
        s(&answer["summary"]["unassigned_tasks"]),
    );
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                let c: String = c.chars().take(*w).collect();
                format!("{c:<w$}")
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    (out, alarming)
}

/// `fennec risk`: exit code 2 when anything is late or will slip.
pub async fn risk(args: RiskArgs) -> anyhow::Result<i32> {
    let client = args.connection.client().await?;
    let project = client.project_by_name(&args.project).await?;
    let id = project["id"].as_str().unwrap_or_default().to_owned();
    let query = ScheduleQuery {
        as_of: args.as_of.clone(),
        severity: args.severity.clone(),
        ..Default::default()
    };
    let answer = client.risks(&id, &query).await?;
    let (table, alarming) = risk_table(&answer);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        print!("{table}");
    }
    Ok(if alarming { 2 } else { 0 })
}

/// `fennec timeline`: a Gantt in the terminal, and optionally an SVG.
pub async fn timeline(args: TimelineArgs) -> anyhow::Result<i32> {
    let client = args.connection.client().await?;
    let project = client.project_by_name(&args.project).await?;
    let id = project["id"].as_str().unwrap_or_default().to_owned();
    let query = ScheduleQuery {
        as_of: args.as_of.clone(),
        ..Default::default()
    };
    let answer = client.timeline(&id, &args.group_by, &query).await?;
    let tl: fennec_schedule::Timeline =
        serde_json::from_value(answer).context("reading the timeline")?;
    let name = project["name"].as_str().unwrap_or("project");
    println!("{name} by {}", args.group_by);
    print!("{}", crate::gantt::text(&tl, args.width));
    if let Some(path) = &args.svg {
        let title = format!("{name} by {} (as of {})", args.group_by, tl.as_of);
        std::fs::write(path, crate::gantt::svg(&tl, &title))
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_table_flags_late_and_slipping_work() {
        let answer = serde_json::json!({
            "project": {"name": "Show"}, "as_of": "2024-03-04",
            "summary": {"late_tasks": 1, "slipping_tasks": 0, "unassigned_tasks": 0},
            "risks": [{"kind": "late", "severity": "high",
                       "task": {"entity": {"name": "Lamp"}, "task_type": {"name": "Modeling"}},
                       "person": null, "milestone": null,
                       "numbers": {"due": "2024-03-01", "forecast": "2024-03-05", "slip_days": 2}}]
        });
        let (table, alarming) = risk_table(&answer);
        assert!(alarming);
        assert!(table.contains("Lamp / Modeling"), "{table}");
        assert!(table.lines().nth(2).unwrap().starts_with("high"), "{table}");
        let calm = serde_json::json!({"risks": [{"kind": "unassigned", "severity": "low",
            "task": null, "person": null, "milestone": null, "numbers": {}}]});
        assert!(!risk_table(&calm).1);
    }
}

#[derive(Clone, Debug, clap::Args)]
pub struct CriticalPathArgs {
    /// The project, by name or id.
    #[arg(long)]
    pub project: String,
    /// Compute as of this day (YYYY-MM-DD); today by default.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Print the server's JSON instead of the chains.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connection: Connection,
}

/// The chains of a critical-path answer, one block per target.
pub fn critical_path_text(answer: &Value) -> String {
    let mut out = format!(
        "{} as of {}\n",
        s(&answer["project"]["name"]),
        s(&answer["as_of"])
    );
    for t in answer["targets"].as_array().into_iter().flatten() {
        let slack = t["slack"].as_object();
        let zero = slack.map_or(0, |m| m.values().filter(|v| v.as_i64() == Some(0)).count());
        out.push_str(&format!(
            "\n{} (date {}): forecast finish {}; {} tasks on the path, {} of {} with no slack\n",
            s(&t["name"]),
            s(&t["date"]),
            s(&t["finish"]),
            t["path"].as_array().map_or(0, Vec::len),
            zero,
            slack.map_or(0, |m| m.len()),
        ));
        for p in t["path"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "  {}  {}  {}  slack {}\n",
                s(&p["start"]),
                s(&p["finish"]),
                s(&p["full_name"]),
                s(&p["slack_days"]),
            ));
        }
    }
    out
}

/// `fennec critical-path`.
pub async fn critical_path(args: CriticalPathArgs) -> anyhow::Result<i32> {
    let client = args.connection.client().await?;
    let project = client.project_by_name(&args.project).await?;
    let id = project["id"].as_str().unwrap_or_default().to_owned();
    let query = ScheduleQuery {
        as_of: args.as_of.clone(),
        ..Default::default()
    };
    let answer = client.critical_path(&id, &query).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        print!("{}", critical_path_text(&answer));
    }
    Ok(0)
}

#[derive(Clone, Debug, clap::Args)]
pub struct LinkArgs {
    /// The project, by name or id.
    #[arg(long)]
    pub project: String,
    /// The task that must finish first (id)…
    #[arg(long, requires = "successor")]
    pub predecessor: Option<String>,
    /// …before this one starts (id).
    #[arg(long, requires = "predecessor")]
    pub successor: Option<String>,
    /// Studio working days between the two.
    #[arg(long, default_value_t = 0)]
    pub lag_days: u32,
    /// Remove the link with this id instead.
    #[arg(long, conflicts_with_all = ["predecessor", "successor"])]
    pub remove: Option<String>,
    /// With no link to add or remove: list the pipeline's links too.
    #[arg(long)]
    pub pipeline: bool,
    #[command(flatten)]
    pub connection: Connection,
}

/// `fennec link`: adds, removes or lists task links.
pub async fn link(args: LinkArgs) -> anyhow::Result<i32> {
    let client = args.connection.client().await?;
    let project = client.project_by_name(&args.project).await?;
    let id = project["id"].as_str().unwrap_or_default().to_owned();
    let answer = if let Some(link) = &args.remove {
        client.unlink_tasks(link).await?;
        println!("removed {link}");
        return Ok(0);
    } else if let (Some(p), Some(su)) = (&args.predecessor, &args.successor) {
        client.link_tasks(&id, p, su, args.lag_days).await?
    } else {
        client.task_links(&id, args.pipeline).await?
    };
    println!("{}", serde_json::to_string_pretty(&answer)?);
    Ok(0)
}
