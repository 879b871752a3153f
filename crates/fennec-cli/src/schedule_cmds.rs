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
    /// Print the causes and remedies only, not every risk row.
    #[arg(long)]
    pub causes: bool,
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

/// A risk's person, or the people on its task.
fn person_cell(r: &Value) -> String {
    if let Some(n) = r["person"]["name"].as_str() {
        return n.to_owned();
    }
    let names: Vec<&str> = r["people"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str())
        .collect();
    if names.is_empty() {
        spare_cell(&r["spare_capacity"]).unwrap_or_else(|| "-".into())
    } else {
        names.join(", ")
    }
}

/// Where an unassigned task is forecast: "nobody (Animation spare: Ann)".
fn spare_cell(spare: &Value) -> Option<String> {
    let department = spare["department"]["name"].as_str()?;
    Some(match spare["person"]["name"].as_str() {
        Some(p) => format!("nobody ({department} spare: {p})"),
        None => format!("nobody ({department} spare)"),
    })
}

fn names_of(people: &Value) -> String {
    let names: Vec<&str> = people
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str())
        .collect();
    if names.is_empty() {
        "nobody".into()
    } else {
        names.join(", ")
    }
}

/// What a cause is about, for people to read.
fn cause_subject(c: &Value) -> String {
    match c["kind"].as_str().unwrap_or("") {
        "overloaded_person" => format!(
            "{} is overloaded by {} working days",
            s(&c["person"]["name"]),
            s(&c["days"])
        ),
        "day_off" => format!(
            "{} is off {} working days",
            s(&c["person"]["name"]),
            s(&c["days"])
        ),
        "late_upstream" => format!(
            "{} ({}) is late",
            s(&c["task"]["full_name"]),
            names_of(&c["task"]["assignees"])
        ),
        "unassigned_task" => format!(
            "{} tasks with nobody assigned",
            c["task_type"]["name"].as_str().unwrap_or("untyped")
        ),
        "missing_estimate" => format!(
            "{} tasks without an estimate",
            c["task_type"]["name"].as_str().unwrap_or("untyped")
        ),
        other => other.to_owned(),
    }
}

/// The causes and remedies of a `causes` answer: a few lines per cause
/// (its worst rows with the people on them), then each slipping
/// milestone's best remedies.
pub fn causes_text(answer: &Value, rows_per_cause: usize) -> String {
    let causes = answer["causes"].as_array().cloned().unwrap_or_default();
    let noun = if causes.len() == 1 { "cause" } else { "causes" };
    let mut out = format!("{} {noun}:\n", causes.len());
    for c in &causes {
        let tasks = c["tasks"].as_array().cloned().unwrap_or_default();
        let milestones: Vec<&str> = c["milestones"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        out.push_str(&format!(
            "  [{}] {}: {} tasks ({} late or slipping, worst {} days){}\n",
            s(&c["severity"]),
            cause_subject(c),
            tasks.len(),
            s(&c["problem_tasks"]),
            s(&c["slip_days"]),
            if milestones.is_empty() {
                String::new()
            } else {
                format!("; moves {}", milestones.join(", "))
            }
        ));
        let mut worst: Vec<&Value> = tasks
            .iter()
            .filter(|t| t["late"] == true || t["will_slip"] == true)
            .collect();
        worst.sort_by_key(|t| std::cmp::Reverse(t["slip_days"].as_i64().unwrap_or(0)));
        for t in worst.iter().take(rows_per_cause) {
            let people = match spare_cell(&t["spare_capacity"]) {
                Some(spare) if t["assignees"].as_array().is_none_or(Vec::is_empty) => spare,
                _ => names_of(&t["assignees"]),
            };
            out.push_str(&format!(
                "      {}  ({})  due {}, forecast {}, {} days\n",
                s(&t["full_name"]),
                people,
                s(&t["due"]),
                s(&t["forecast_finish"]),
                s(&t["slip_days"]),
            ));
        }
    }
    for m in answer["remedies"].as_array().into_iter().flatten() {
        let ms = &m["milestone"];
        out.push_str(&format!(
            "remedies for {} (due {}, forecast {}):\n",
            s(&ms["name"]),
            s(&ms["date"]),
            s(&ms["forecast"])
        ));
        let remedies = m["remedies"].as_array().cloned().unwrap_or_default();
        if remedies.is_empty() {
            out.push_str("      none found\n");
        }
        for r in remedies.iter().take(3) {
            let what = match r["kind"].as_str().unwrap_or("") {
                "reassign" => format!(
                    "move {} of {}'s tasks to {}",
                    r["tasks"].as_array().map_or(0, Vec::len),
                    s(&r["person"]["name"]),
                    s(&r["to_person"]["name"])
                ),
                "add_capacity" => format!(
                    "{} more hours a day for {}",
                    s(&r["hours_per_day"]),
                    s(&r["person"]["name"])
                ),
                "add_person" => format!(
                    "a {} takes {} of {}'s tasks",
                    s(&r["to_person"]["name"]),
                    r["tasks"].as_array().map_or(0, Vec::len),
                    s(&r["person"]["name"])
                ),
                other => other.to_owned(),
            };
            out.push_str(&format!(
                "      {what}: forecast {}{}\n",
                s(&r["forecast"]),
                if r["meets_date"] == true {
                    " (meets the date)"
                } else {
                    ""
                }
            ));
        }
    }
    out
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
            person_cell(r),
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
        // The causes first: a handful of lines a producer can act on,
        // then every risk row.
        let causes = client.causes(&id, &query, true).await?;
        print!("{}", causes_text(&causes, 2));
        if !args.causes {
            println!();
            print!("{table}");
        }
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

    #[test]
    fn an_unassigned_row_says_whose_spare_time_it_is_forecast_on() {
        let answer = serde_json::json!({
            "risks": [{"kind": "unassigned", "severity": "low",
                       "task": {"full_name": "E01 / SQ01 / SH0010 / Animation"},
                       "person": null, "people": [],
                       "spare_capacity": {"department": {"name": "Animation"},
                                          "person": {"name": "Ann Lee"}},
                       "numbers": {"forecast": "2024-03-08"}}]
        });
        let (table, _) = risk_table(&answer);
        assert!(
            table.contains("nobody (Animation spare: Ann Lee)"),
            "{table}"
        );
        let causes = serde_json::json!({"causes": [{"kind": "unassigned_task", "severity": "high",
            "task_type": {"name": "Animation"}, "problem_tasks": 1, "slip_days": 3, "milestones": [],
            "tasks": [{"full_name": "SH0010 / Animation", "assignees": [], "late": false,
                       "will_slip": true, "due": "2024-03-05", "forecast_finish": "2024-03-08",
                       "slip_days": 3, "spare_capacity": {"department": {"name": "Animation"},
                                                          "person": null}}]}]});
        let text = causes_text(&causes, 3);
        assert!(text.contains("(nobody (Animation spare))"), "{text}");
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

#[derive(Clone, Debug, clap::Args)]
pub struct WhatIfArgs {
    /// The project, by name or id.
    #[arg(long)]
    pub project: String,
    /// Compute as of this day (YYYY-MM-DD); today by default.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Give a task to someone else: TASK_ID=PERSON_ID (replaces all its
    /// assignees).
    #[arg(long, value_name = "TASK=PERSON")]
    pub reassign: Vec<String>,
    /// Add hours to each working day of a person: PERSON_ID=HOURS.
    #[arg(long, value_name = "PERSON=HOURS")]
    pub add_hours: Vec<String>,
    /// Move a task's due date: TASK_ID=YYYY-MM-DD.
    #[arg(long, value_name = "TASK=DATE")]
    pub due: Vec<String>,
    /// Any change as the route takes it, in JSON (repeatable), e.g.
    /// '{"type": "move_milestone", "name": "Delivery", "date": "2027-01-15"}'.
    #[arg(long, value_name = "JSON")]
    pub change: Vec<String>,
    /// Print the server's JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connection: Connection,
}

fn pair(v: &str) -> anyhow::Result<(&str, &str)> {
    v.split_once('=')
        .ok_or_else(|| anyhow::anyhow!("expected KEY=VALUE, got '{v}'"))
}

/// The changes the flags of `fennec what-if` describe.
pub fn what_if_changes(args: &WhatIfArgs) -> anyhow::Result<Vec<Value>> {
    let mut out = Vec::new();
    for r in &args.reassign {
        let (t, p) = pair(r)?;
        out.push(serde_json::json!({"type": "reassign", "task_id": t, "to": p}));
    }
    for a in &args.add_hours {
        let (p, h) = pair(a)?;
        let h: f64 = h.parse().with_context(|| format!("hours in '{a}'"))?;
        out.push(serde_json::json!({"type": "add_capacity", "person_id": p, "hours_per_day": h}));
    }
    for d in &args.due {
        let (t, date) = pair(d)?;
        out.push(serde_json::json!({"type": "move_due", "task_id": t, "due": date}));
    }
    for c in &args.change {
        out.push(serde_json::from_str(c).with_context(|| format!("--change '{c}'"))?);
    }
    Ok(out)
}

/// The differences of a what-if answer.
pub fn what_if_text(answer: &Value) -> String {
    let mut out = String::new();
    for m in answer["milestones"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{} (date {}): forecast {} -> {}, slip {} -> {}\n",
            s(&m["name"]),
            s(&m["before"]["date"]),
            s(&m["before"]["forecast"]),
            s(&m["after"]["forecast"]),
            s(&m["before"]["slip_days"]),
            s(&m["after"]["slip_days"]),
        ));
    }
    let tasks = answer["tasks"].as_array().cloned().unwrap_or_default();
    out.push_str(&format!("{} tasks move:\n", tasks.len()));
    for t in tasks.iter().take(20) {
        out.push_str(&format!(
            "  {}: finish {} -> {}\n",
            s(&t["full_name"]),
            s(&t["before_finish"]),
            s(&t["after_finish"]),
        ));
    }
    let count = |v: &Value, k: &str| v[k].as_u64().unwrap_or(0);
    for k in [
        "late",
        "will_slip",
        "overloaded",
        "milestone_slip",
        "project_end_slip",
    ] {
        let (b, a) = (
            count(&answer["risks_before"], k),
            count(&answer["risks_after"], k),
        );
        if a != b {
            out.push_str(&format!("{k} risks: {b} -> {a}\n"));
        }
    }
    out
}

/// `fennec what-if`: the forecast with hypothetical changes, written
/// nowhere.
pub async fn what_if(args: WhatIfArgs) -> anyhow::Result<i32> {
    let changes = what_if_changes(&args)?;
    let client = args.connection.client().await?;
    let project = client.project_by_name(&args.project).await?;
    let id = project["id"].as_str().unwrap_or_default().to_owned();
    let query = ScheduleQuery {
        as_of: args.as_of.clone(),
        ..Default::default()
    };
    let answer = client.what_if(&id, &query, changes).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        print!("{}", what_if_text(&answer));
    }
    Ok(0)
}
