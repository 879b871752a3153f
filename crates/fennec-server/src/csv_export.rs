//! CSV exports of a production's breakdown (Zou's `export/csv` resources
//! for shots, assets, edits and casting): the same columns, order, sorting
//! and file name as Zou 1.0.97, so a file Kitsu exported and one Fennec
//! exported import alike in either.
//!
//! Zou writes with Python's `csv.writer(delimiter=";")`: minimal quoting,
//! CRLF line ends, `None` as an empty cell and other values as Python's
//! `str()` prints them.

use std::collections::{BTreeMap, HashMap};

use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows::{self, Row, Select};
use fennec_store::SqlValue;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::present::{id_of, uuid_field};
use crate::refs::RefData;

/// One CSV line.
pub type Line = Vec<String>;

/// `;`-separated, minimally quoted, CRLF-terminated: what Python's csv
/// writer produces with Zou's settings.
pub fn to_csv(lines: &[Line]) -> ApiResult<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::new());
    for line in lines {
        w.write_record(line).map_err(ApiError::internal)?;
    }
    w.into_inner().map_err(ApiError::internal)
}

/// Zou's export file name: `kitsu_` and the slug of "<project> <what>",
/// underscores for separators (it slugifies twice, the second time with
/// `_`).
pub fn file_name(project_name: &str, what: &str) -> String {
    let slug = slug::slugify(format!("{project_name} {what}")).replace('-', "_");
    format!("kitsu_{slug}.csv")
}

/// A JSON value as Python's `str()` writes it into a cell.
pub fn py_str(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => {
            if n.is_f64() {
                let f = n.as_f64().unwrap_or_default();
                if f.fract() == 0.0 && f.abs() < 1e16 {
                    format!("{f:.1}")
                } else {
                    f.to_string()
                }
            } else {
                n.to_string()
            }
        }
        other => other.to_string(),
    }
}

fn text(row: &Row, key: &str) -> String {
    row.get(key).map(py_str).unwrap_or_default()
}

/// A person's `full_name` as Zou's model builds it.
pub fn full_name(p: &Row) -> String {
    let first = p.get("first_name").and_then(Value::as_str).unwrap_or("");
    let last = p.get("last_name").and_then(Value::as_str).unwrap_or("");
    if !first.is_empty() && !last.is_empty() {
        format!("{first} {last}")
    } else {
        format!("{first}{last}")
    }
}

/// A production's entities, tasks and the names the exports print.
pub struct Production {
    pub project: Row,
    pub entities: HashMap<Uuid, Row>,
    tasks: HashMap<Uuid, Vec<Row>>,
    assignees: HashMap<Uuid, Vec<Uuid>>,
    persons: HashMap<Uuid, String>,
    descriptors: Vec<Row>,
    pub refs: RefData,
}

impl Production {
    pub async fn load(exec: &mut impl Exec, project: Row) -> ApiResult<Production> {
        let pid = id_of(&project);
        let by_project = Select::default().eq("project_id", SqlValue::Uuid(pid));
        let entities: HashMap<Uuid, Row> = rows::list(exec, &models::ENTITY, &by_project, false)
            .await?
            .into_iter()
            .map(|r| (id_of(&r), r))
            .collect();
        let task_list = rows::list(exec, &models::TASK, &by_project, false).await?;
        let ids: Vec<Uuid> = task_list.iter().map(id_of).collect();
        let assignees = links::TASK_ASSIGNEES.rights_of_many(exec, &ids).await?;
        let mut tasks: HashMap<Uuid, Vec<Row>> = HashMap::new();
        for t in task_list {
            if let Some(e) = uuid_field(&t, "entity_id") {
                tasks.entry(e).or_default().push(t);
            }
        }
        let persons = rows::list(exec, &models::PERSON, &Select::default(), false)
            .await?
            .iter()
            .map(|p| (id_of(p), full_name(p)))
            .collect();
        let mut descriptors =
            rows::list(exec, &models::METADATA_DESCRIPTOR, &by_project, false).await?;
        descriptors.sort_by(|a, b| {
            let key = |r: &Row| (r.get("position").and_then(Value::as_i64), text(r, "name"));
            key(a).cmp(&key(b))
        });
        Ok(Production {
            project,
            entities,
            tasks,
            assignees,
            persons,
            descriptors,
            refs: RefData::load(exec).await?,
        })
    }

    pub fn project_name(&self) -> String {
        text(&self.project, "name")
    }

    pub fn is_tv_show(&self) -> bool {
        self.project.get("production_type").and_then(Value::as_str) == Some("tvshow")
    }

    pub fn kind_of(&self, e: &Row) -> &str {
        uuid_field(e, "entity_type_id").map_or("Entity", |t| self.refs.entity_types.kind(t))
    }

    pub fn type_name(&self, e: &Row) -> String {
        uuid_field(e, "entity_type_id")
            .and_then(|t| self.refs.entity_types.name(t))
            .unwrap_or("")
            .to_owned()
    }

    pub fn of_kind(&self, kind: &str) -> Vec<&Row> {
        self.entities
            .values()
            .filter(|e| self.kind_of(e) == kind)
            .collect()
    }

    pub fn parent(&self, e: &Row, key: &str) -> Option<&Row> {
        uuid_field(e, key).and_then(|p| self.entities.get(&p))
    }

    pub fn name_of(&self, e: Option<&Row>) -> Option<String> {
        e.map(|e| text(e, "name"))
    }

    /// Whether one of the entity's tasks is assigned to `person` (Zou's
    /// `assigned_to` filter, which reads the caller, whatever id is given).
    pub fn assigned_to(&self, e: &Row, person: Uuid) -> bool {
        self.tasks.get(&id_of(e)).is_some_and(|ts| {
            ts.iter().any(|t| {
                self.assignees
                    .get(&id_of(t))
                    .is_some_and(|a| a.contains(&person))
            })
        })
    }

    /// The descriptor columns of `entity_type`: (header, field, data type).
    fn descriptor_columns(&self, entity_type: &str) -> Vec<(String, String, String)> {
        self.descriptors
            .iter()
            .filter(|d| d.get("entity_type").and_then(Value::as_str) == Some(entity_type))
            .map(|d| (text(d, "name"), text(d, "field_name"), text(d, "data_type")))
            .collect()
    }

    /// Task type names of the listed entities' tasks, by priority then name.
    fn validation_columns(&self, list: &[&Row]) -> Vec<String> {
        let mut seen: BTreeMap<(i64, String), ()> = BTreeMap::new();
        for e in list {
            for t in self.tasks.get(&id_of(e)).into_iter().flatten() {
                if let Some(tt) =
                    uuid_field(t, "task_type_id").and_then(|i| self.refs.task_types.get(&i))
                {
                    let priority = tt.get("priority").and_then(Value::as_i64).unwrap_or(0);
                    seen.insert((priority, text(tt, "name")), ());
                }
            }
        }
        let mut names: Vec<String> = Vec::new();
        for ((_, name), _) in seen {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// Days of work logged on the entity's tasks (8-hour days), as Zou
    /// prints them.
    fn time_spent(&self, e: &Row) -> String {
        let minutes: f64 = self
            .tasks
            .get(&id_of(e))
            .into_iter()
            .flatten()
            .filter_map(|t| t.get("duration").and_then(Value::as_f64))
            .sum();
        let days = if minutes > 0.0 {
            minutes / 8.0 / 60.0
        } else {
            0.0
        };
        format!("{days:.2}")
    }

    /// The headers and rows of an entity export: `fixed` columns, then the
    /// descriptor columns, then a status and an "Assignations" column per
    /// task type.
    fn entity_lines(
        &self,
        headers: &[&str],
        descriptor_type: &str,
        list: &[&Row],
        fixed: impl Fn(&Row) -> Line,
    ) -> Vec<Line> {
        let descriptors = self.descriptor_columns(descriptor_type);
        let validations = self.validation_columns(list);
        let mut head: Line = headers.iter().map(|h| (*h).to_owned()).collect();
        head.extend(descriptors.iter().map(|(n, _, _)| n.clone()));
        for v in &validations {
            head.push(v.clone());
            head.push("Assignations".into());
        }
        let mut lines = vec![head];
        for e in list {
            let mut line = fixed(e);
            let data = e.get("data").and_then(Value::as_object);
            for (_, field, data_type) in &descriptors {
                let v = data
                    .and_then(|d| d.get(field))
                    .map(py_str)
                    .unwrap_or_default();
                if data_type == "boolean" {
                    line.push(
                        if v.to_lowercase() == "true" {
                            "true"
                        } else {
                            "false"
                        }
                        .into(),
                    );
                } else {
                    line.push(v);
                }
            }
            let mut by_type: HashMap<String, (String, String)> = HashMap::new();
            for t in self.tasks.get(&id_of(e)).into_iter().flatten() {
                let tt = uuid_field(t, "task_type_id").and_then(|i| self.refs.task_types.get(&i));
                let st = uuid_field(t, "task_status_id").and_then(|i| self.refs.statuses.get(&i));
                let (Some(tt), Some(st)) = (tt, st) else {
                    continue;
                };
                let names: Vec<String> = self
                    .assignees
                    .get(&id_of(t))
                    .into_iter()
                    .flatten()
                    .filter_map(|p| self.persons.get(p).cloned())
                    .collect();
                by_type.insert(text(tt, "name"), (text(st, "short_name"), names.join(",")));
            }
            for v in &validations {
                let (status, people) = by_type.get(v).cloned().unwrap_or_default();
                line.push(status);
                line.push(people);
            }
            lines.push(line);
        }
        lines
    }

    fn time_and_description(&self, e: &Row) -> [String; 2] {
        [text(e, "description"), self.time_spent(e)]
    }
}

/// Which episode an export is narrowed to (`episode_id`): Kitsu's `all`
/// and `main` pseudo-episodes, or one episode.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum EpisodeFilter {
    All,
    Main,
    One(Uuid),
}

impl EpisodeFilter {
    /// Zou's `check_criterion_id_format`: a malformed id is a 400.
    pub fn parse(v: Option<&str>) -> ApiResult<Option<EpisodeFilter>> {
        Ok(match v {
            None => None,
            Some("all") => Some(EpisodeFilter::All),
            Some("main") => Some(EpisodeFilter::Main),
            Some(s) => Some(EpisodeFilter::One(Uuid::parse_str(s).map_err(|_| {
                ApiError::bad_request(format!("Invalid UUID format for episode_id: {s}"))
            })?)),
        })
    }
}

/// Optional narrowing of the shots and assets exports.
pub struct Narrow {
    pub id: Option<Uuid>,
    pub episode: Option<EpisodeFilter>,
    pub assigned_to: Option<Uuid>,
}

/// Zou's `ShotsCsvExport`.
pub fn shots(p: &Production, narrow: &Narrow) -> Vec<Line> {
    let mut list: Vec<(&Row, Option<&Row>, &Row)> = Vec::new();
    for shot in p.of_kind("Shot") {
        // Zou joins the sequence: a shot outside any sequence is left out.
        let Some(seq) = p.parent(shot, "parent_id") else {
            continue;
        };
        let episode = p.parent(seq, "parent_id");
        let keep = narrow.id.is_none_or(|i| i == id_of(shot))
            && match narrow.episode {
                None | Some(EpisodeFilter::All) => true,
                Some(EpisodeFilter::Main) => episode.is_none(),
                Some(EpisodeFilter::One(e)) => episode.is_some_and(|x| id_of(x) == e),
            }
            && narrow.assigned_to.is_none_or(|u| p.assigned_to(shot, u));
        if keep {
            list.push((shot, episode, seq));
        }
    }
    list.sort_by_key(|(s, e, q)| (p.name_of(*e), text(q, "name"), text(s, "name")));
    let names: HashMap<Uuid, (String, String)> = list
        .iter()
        .map(|(s, e, q)| {
            (
                id_of(s),
                (p.name_of(*e).unwrap_or_default(), text(q, "name")),
            )
        })
        .collect();
    let shots: Vec<&Row> = list.iter().map(|(s, _, _)| *s).collect();
    let project = p.project_name();
    p.entity_lines(
        &[
            "Project",
            "Episode",
            "Sequence",
            "Name",
            "Description",
            "Time Spent",
            "Frames",
            "Frame In",
            "Frame Out",
            "FPS",
        ],
        "Shot",
        &shots,
        |s| {
            let (episode, sequence) = names.get(&id_of(s)).cloned().unwrap_or_default();
            let data = s.get("data").and_then(Value::as_object);
            let d = |k: &str| data.and_then(|d| d.get(k)).map(py_str).unwrap_or_default();
            let [description, time] = p.time_and_description(s);
            vec![
                project.clone(),
                episode,
                sequence,
                text(s, "name"),
                description,
                time,
                text(s, "nb_frames"),
                d("frame_in"),
                d("frame_out"),
                d("fps"),
            ]
        },
    )
}

/// Zou's `AssetsCsvExport`.
pub fn assets(p: &Production, narrow: &Narrow, cast_in_episode: &[(Uuid, Uuid)]) -> Vec<Line> {
    let mut list: Vec<&Row> = p
        .of_kind("Asset")
        .into_iter()
        .filter(|a| {
            let source = uuid_field(a, "source_id");
            narrow.id.is_none_or(|i| i == id_of(a))
                && match narrow.episode {
                    None | Some(EpisodeFilter::All) => true,
                    Some(EpisodeFilter::Main) => source.is_none(),
                    Some(EpisodeFilter::One(e)) => {
                        source == Some(e) || cast_in_episode.contains(&(e, id_of(a)))
                    }
                }
                && narrow.assigned_to.is_none_or(|u| p.assigned_to(a, u))
        })
        .collect();
    list.sort_by_key(|a| (p.type_name(a), text(a, "name")));
    let project = p.project_name();
    p.entity_lines(
        &["Project", "Type", "Name", "Description", "Time Spent"],
        "Asset",
        &list,
        |a| {
            let [description, time] = p.time_and_description(a);
            vec![
                project.clone(),
                p.type_name(a),
                text(a, "name"),
                description,
                time,
            ]
        },
    )
}

/// Zou's `EditsCsvExport` (the production's edits, unfiltered).
pub fn edits(p: &Production) -> Vec<Line> {
    let mut list: Vec<&Row> = p.of_kind("Edit");
    list.sort_by_key(|e| (p.name_of(p.parent(e, "parent_id")), text(e, "name")));
    let project = p.project_name();
    p.entity_lines(
        &["Project", "Episode", "Name", "Description", "Time Spent"],
        "Edit",
        &list,
        |e| {
            let [description, time] = p.time_and_description(e);
            vec![
                project.clone(),
                p.name_of(p.parent(e, "parent_id")).unwrap_or_default(),
                text(e, "name"),
                description,
                time,
            ]
        },
    )
}

/// One casting link as the casting export reads it.
pub struct CastLink {
    pub entity_in: Uuid,
    pub entity_out: Uuid,
    pub nb_occurences: Option<i64>,
    pub label: Option<String>,
}

/// Zou's `CastingCsvExport`: shot casting (`is_shot_casting`), asset
/// casting (assets in assets, the main pack appended for a TV show), the
/// main pack alone (`episode_id=main`) or the episodes' own casting
/// (`episode_id=all`).
pub fn casting(
    p: &Production,
    links: &[CastLink],
    episode: Option<&str>,
    shot_casting: bool,
) -> ApiResult<Vec<Line>> {
    let tv = p.is_tv_show();
    let with_episode = tv && episode != Some("all");
    let mut head: Line = [
        "Parent",
        "Name",
        "Asset Type",
        "Asset",
        "Occurences",
        "Label",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    if with_episode {
        head.insert(0, "Episode".into());
    }
    let episode_id = match episode {
        None | Some("all") | Some("main") => None,
        // Zou compares it with the episodes' ids in SQL: not an id, no row.
        Some(s) => Some(Uuid::parse_str(s).unwrap_or(Uuid::nil())),
    };
    let shot_type = p.refs.entity_types.id_of("Shot");
    let episode_type = p.refs.entity_types.id_of("Episode");
    // (sort key, line) pairs: Zou orders each query by the names it prints.
    let mut out: Vec<(Vec<String>, Line)> = Vec::new();
    let occ = |l: &CastLink| l.nb_occurences.map(|n| n.to_string()).unwrap_or_default();
    let label = |l: &CastLink| l.label.clone().unwrap_or_default();
    let main_pack = |out: &mut Vec<(Vec<String>, Line)>| {
        let mut part = Vec::new();
        for l in links {
            let (Some(parent), Some(asset)) =
                (p.entities.get(&l.entity_in), p.entities.get(&l.entity_out))
            else {
                continue;
            };
            let t = uuid_field(parent, "entity_type_id");
            if uuid_field(parent, "source_id").is_some() || t == shot_type || t == episode_type {
                continue;
            }
            let key = vec![
                p.type_name(parent),
                text(parent, "name"),
                p.type_name(asset),
                text(asset, "name"),
            ];
            let mut line = vec![
                p.type_name(parent),
                text(parent, "name"),
                p.type_name(asset),
                text(asset, "name"),
                occ(l),
                label(l),
            ];
            if with_episode {
                line.insert(0, "MP".into());
            }
            part.push((key, line));
        }
        part.sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(part);
    };
    if episode == Some("main") {
        // Outside a TV show Zou's row builder gets one cell too many for its
        // header and fails (500) as soon as there is a row: Fennec writes
        // the rows under the header, without the episode cell.
        main_pack(&mut out);
    } else if episode == Some("all") {
        for l in links {
            let (Some(parent), Some(asset)) =
                (p.entities.get(&l.entity_in), p.entities.get(&l.entity_out))
            else {
                continue;
            };
            if uuid_field(parent, "entity_type_id") != episode_type
                || uuid_field(parent, "source_id").is_some()
            {
                continue;
            }
            let key = vec![
                p.type_name(parent),
                text(parent, "name"),
                p.type_name(asset),
                text(asset, "name"),
            ];
            let line = vec![
                p.type_name(parent),
                text(parent, "name"),
                p.type_name(asset),
                text(asset, "name"),
                occ(l),
                label(l),
            ];
            out.push((key, line));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
    } else if shot_casting {
        for l in links {
            let (Some(shot), Some(asset)) =
                (p.entities.get(&l.entity_in), p.entities.get(&l.entity_out))
            else {
                continue;
            };
            if uuid_field(shot, "entity_type_id") != shot_type {
                continue;
            }
            let Some(seq) = p.parent(shot, "parent_id") else {
                continue;
            };
            let mut key = vec![
                text(seq, "name"),
                text(shot, "name"),
                p.type_name(asset),
                text(asset, "name"),
            ];
            if tv {
                let Some(ep) = p.parent(seq, "parent_id") else {
                    continue;
                };
                if episode_id.is_some_and(|e| e != id_of(ep)) {
                    continue;
                }
                key.insert(0, text(ep, "name"));
            }
            // The line is its sort key, then the link's occurrences and label.
            let mut line = key.clone();
            line.extend([occ(l), label(l)]);
            out.push((key, line));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
    } else {
        for l in links {
            let (Some(parent), Some(asset)) =
                (p.entities.get(&l.entity_in), p.entities.get(&l.entity_out))
            else {
                continue;
            };
            if uuid_field(parent, "entity_type_id") == shot_type {
                continue;
            }
            // Zou's row prints the parent's type as Parent, or the empty
            // "parent name" slot when it is empty (always: it is "").
            let mut key = vec![
                p.type_name(parent),
                text(parent, "name"),
                p.type_name(asset),
                text(asset, "name"),
            ];
            if tv {
                let Some(ep) = p.parent(parent, "source_id") else {
                    continue;
                };
                if episode_id.is_some_and(|e| e != id_of(ep)) {
                    continue;
                }
                key.insert(0, text(ep, "name"));
            }
            // The line is its sort key, then the link's occurrences and label.
            let mut line = key.clone();
            line.extend([occ(l), label(l)]);
            out.push((key, line));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        if tv {
            main_pack(&mut out);
        }
    }
    let mut lines = vec![head];
    lines.extend(out.into_iter().map(|(_, l)| l));
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_as_python_writes_them() {
        assert_eq!(py_str(&json!(null)), "");
        assert_eq!(py_str(&json!(12)), "12");
        assert_eq!(py_str(&json!(24.0)), "24.0");
        assert_eq!(py_str(&json!(23.976)), "23.976");
        assert_eq!(py_str(&json!(true)), "True");
        assert_eq!(py_str(&json!("a;b")), "a;b");
    }

    #[test]
    fn csv_is_semicolon_separated_minimally_quoted_crlf() {
        let lines = vec![
            vec!["Name".to_owned(), "Description".to_owned()],
            vec!["SH010".to_owned(), "a;b \"c\"".to_owned()],
            vec!["SH020".to_owned(), String::new()],
        ];
        let out = String::from_utf8(to_csv(&lines).expect("csv")).expect("utf-8");
        assert_eq!(
            out,
            "Name;Description\r\nSH010;\"a;b \"\"c\"\"\"\r\nSH020;\r\n"
        );
    }

    #[test]
    fn file_names_are_zou_slugs() {
        assert_eq!(file_name("My Film", "shots"), "kitsu_my_film_shots.csv");
        assert_eq!(
            file_name("Été 2026!", "casting"),
            "kitsu_ete_2026_casting.csv"
        );
    }

    #[test]
    fn full_names() {
        let p = |f: &str, l: &str| {
            let mut r = Row::new();
            r.insert("first_name".into(), json!(f));
            r.insert("last_name".into(), json!(l));
            r
        };
        assert_eq!(full_name(&p("Ada", "Lovelace")), "Ada Lovelace");
        assert_eq!(full_name(&p("Ada", "")), "Ada");
    }
}
