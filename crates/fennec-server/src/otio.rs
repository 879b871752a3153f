//! Shots from an OpenTimelineIO timeline (Zou's `source/otio.py`, gazu's
//! `import_otio`): each clip of each video track is a shot, found by the
//! production's naming convention or created, with the frame range the
//! clip has in its track.
//!
//! Zou reads any format the Python `opentimelineio` adapters know. Fennec
//! reads the native `.otio` JSON itself (serde) and refuses other formats
//! (EDL, FCP XML, AAF…) with a 400 that says to convert them to `.otio`
//! first. Like the CSV imports, an OTIO import is one transaction: a clip
//! that cannot be placed rejects the file and nothing changes.

use std::collections::HashMap;

use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::rows::{self, Row, Select};
use fennec_store::SqlValue;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::csv_import::{cached_entity, Ctx, ImportError};
use crate::error::{ApiError, ApiResult};
use crate::hierarchy::{col, get_or_create_entity};
use crate::present::{id_of, uuid_field};

#[derive(Deserialize, Clone, Copy, Debug)]
struct RationalTime {
    value: f64,
    rate: f64,
}

impl RationalTime {
    fn rescaled(self, rate: f64) -> f64 {
        if self.rate == rate || self.rate == 0.0 {
            self.value
        } else {
            self.value * rate / self.rate
        }
    }
}

#[derive(Deserialize, Clone, Copy, Debug)]
struct TimeRange {
    duration: RationalTime,
}

/// Any OTIO object: what the import reads of it.
#[derive(Deserialize, Debug, Default)]
struct Object {
    #[serde(rename = "OTIO_SCHEMA", default)]
    schema: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    children: Vec<Object>,
    #[serde(default)]
    tracks: Option<Box<Object>>,
    #[serde(default)]
    source_range: Option<TimeRange>,
    #[serde(default)]
    available_range: Option<TimeRange>,
    #[serde(default)]
    media_reference: Option<Box<Object>>,
    #[serde(default)]
    media_references: Option<HashMap<String, Object>>,
    #[serde(default)]
    active_media_reference_key: Option<String>,
    #[serde(default)]
    name_prefix: Option<String>,
    #[serde(default)]
    target_url: Option<String>,
}

impl Object {
    fn schema_name(&self) -> &str {
        self.schema.split('.').next().unwrap_or("")
    }

    fn media(&self) -> Option<&Object> {
        if let Some(m) = &self.media_reference {
            return Some(m);
        }
        let refs = self.media_references.as_ref()?;
        let key = self
            .active_media_reference_key
            .as_deref()
            .unwrap_or("DEFAULT_MEDIA");
        refs.get(key)
    }

    /// OTIO's `trimmed_range`: the source range, or the media's range.
    fn trimmed_range(&self) -> Option<TimeRange> {
        self.source_range
            .or_else(|| self.media().and_then(|m| m.available_range))
    }
}

/// A clip as the import uses it.
#[derive(Debug)]
pub struct Clip {
    name: String,
    frame_in: Option<i64>,
    frame_out: Option<i64>,
    nb_frames: Option<i64>,
}

pub struct Timeline {
    clips: Vec<Clip>,
}

/// Python's `os.path.splitext(name)[0]`.
fn strip_extension(name: &str) -> &str {
    let base_start = name.rfind('/').map_or(0, |i| i + 1);
    let base = &name[base_start..];
    match base.rfind('.') {
        Some(i) if base[..i].chars().any(|c| c != '.') => &name[..base_start + i],
        _ => name,
    }
}

fn clip_name(clip: &Object) -> String {
    let name = strip_extension(clip.name.as_deref().unwrap_or("")).to_owned();
    if !name.is_empty() {
        return name;
    }
    let Some(media) = clip.media() else {
        return name;
    };
    if let Some(p) = media.name_prefix.as_deref().filter(|p| !p.is_empty()) {
        return p.to_owned();
    }
    if let Some(n) = media.name.as_deref().filter(|n| !n.is_empty()) {
        return strip_extension(n).to_owned();
    }
    if let Some(u) = media.target_url.as_deref().filter(|u| !u.is_empty()) {
        let base = u.rsplit('/').next().unwrap_or(u);
        return strip_extension(base).to_owned();
    }
    name
}

/// The clips of the timeline's video tracks, with OTIO's
/// `range_in_parent` (the items before it in its track, transitions
/// overlapping and so taking no room) and `end_time_inclusive`.
fn clips_of(timeline: &Object) -> Vec<Clip> {
    let mut out = Vec::new();
    let Some(stack) = timeline.tracks.as_deref() else {
        return out;
    };
    for track in &stack.children {
        if track.schema_name() != "Track" || track.kind.as_deref() != Some("Video") {
            continue;
        }
        let mut before: Vec<RationalTime> = Vec::new();
        for item in &track.children {
            let range = item.trimmed_range();
            if item.schema_name() == "Clip" {
                let mut clip = Clip {
                    name: clip_name(item),
                    frame_in: None,
                    frame_out: None,
                    nb_frames: None,
                };
                if let Some(r) = range {
                    let rate = r.duration.rate;
                    let start: f64 = before.iter().map(|d| d.rescaled(rate)).sum();
                    let duration = r.duration.value;
                    clip.frame_in = Some(start as i64);
                    let end = if duration > 1.0 {
                        if duration.fract() != 0.0 {
                            (start + duration).floor()
                        } else {
                            start + duration - 1.0
                        }
                    } else {
                        start
                    };
                    clip.frame_out = Some(end as i64);
                }
                clip.nb_frames = item.source_range.map(|r| r.duration.value as i64);
                out.push(clip);
            }
            if item.schema_name() != "Transition" {
                if let Some(r) = range {
                    before.push(r.duration);
                }
            }
        }
    }
    out
}

/// Zou's WrongParameterException body, `{"error", "message", "data"}`.
fn bad(message: String) -> ImportError {
    ImportError::Api(ApiError::bad_request(message))
}

/// Reads an uploaded timeline: native `.otio` only.
pub fn parse(file_name: &str, bytes: &[u8]) -> Result<Timeline, ImportError> {
    let suffix = std::path::Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_lowercase();
    if suffix != "otio" {
        return Err(bad(format!(
            "Unsupported file type '.{suffix}'. Supported formats: otio. Fennec reads native \
             OpenTimelineIO files only: convert EDL, XML or other timelines to .otio first \
             (for instance with OpenTimelineIO's otioconvert)."
        )));
    }
    let root: Object = serde_json::from_slice(bytes)
        .map_err(|e| bad(format!("Failed to parse OTIO file: {e}")))?;
    if root.schema_name() != "Timeline" {
        return Err(bad(format!(
            "Failed to parse OTIO file: a Timeline is expected, not {}",
            if root.schema.is_empty() {
                "an untyped object"
            } else {
                root.schema.as_str()
            }
        )));
    }
    Ok(Timeline {
        clips: clips_of(&root),
    })
}

/// Zou's naming convention as a pattern: each placeholder a word.
fn convention_regex(convention: &str) -> ApiResult<regex::Regex> {
    let mut pattern = convention.to_owned();
    for name in ["project_name", "episode_name", "sequence_name", "shot_name"] {
        let group = format!(r"(?P<{name}>\w*)");
        pattern = pattern.replace(&format!("${{{name}}}"), &group);
        pattern = pattern.replace(&format!("${name}"), &group);
    }
    regex::Regex::new(&format!("^(?:{pattern})")).map_err(|e| {
        ApiError::bad_request(format!("The naming convention is not a valid pattern: {e}"))
    })
}

/// Python's `Template.substitute` for the convention's placeholders.
fn substitute(convention: &str, values: &[(&str, &str)]) -> String {
    let mut out = convention.to_owned();
    for (k, v) in values {
        out = out.replace(&format!("${{{k}}}"), v);
        out = out.replace(&format!("${k}"), v);
    }
    out
}

fn text(row: &Row, key: &str) -> String {
    row.get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

fn clip_error(message: &str) -> ImportError {
    ImportError::File(format!("KeyError: '{message}'"))
}

pub async fn import(
    exec: &mut impl Exec,
    ctx: &Ctx,
    episode_id: Option<Uuid>,
    convention: &str,
    match_case: bool,
    timeline: &Timeline,
) -> Result<Value, ImportError> {
    let types = &ctx.refs.entity_types;
    let shot_type = types
        .id_of("Shot")
        .ok_or_else(|| bad("The Shot entity type is missing.".into()))?;
    let project_name = text(&ctx.project, "name");
    let episode = match episode_id {
        Some(e) if ctx.is_tv_show() => {
            let row = rows::get(exec, &models::ENTITY, e, false).await?;
            let row = row
                .filter(|r| {
                    uuid_field(r, "entity_type_id").map(|t| types.kind(t)) == Some("Episode")
                })
                .ok_or_else(ApiError::not_found)?;
            Some(row)
        }
        _ => None,
    };
    if ctx.is_tv_show() && episode.is_none() {
        return Err(bad(
            "This production is a TV show: import its timeline into one of its episodes.".into(),
        ));
    }
    let all = rows::list(
        exec,
        &models::ENTITY,
        &Select::default().eq("project_id", SqlValue::Uuid(ctx.project_id)),
        false,
    )
    .await?;
    let by_id: HashMap<Uuid, &Row> = all.iter().map(|e| (id_of(e), e)).collect();
    let mut shot_map: HashMap<String, Uuid> = HashMap::new();
    for shot in all
        .iter()
        .filter(|e| uuid_field(e, "entity_type_id") == Some(shot_type))
    {
        let Some(seq) = uuid_field(shot, "parent_id").and_then(|s| by_id.get(&s)) else {
            continue;
        };
        if let Some(ep) = &episode {
            if uuid_field(seq, "parent_id") != Some(id_of(ep)) {
                continue;
            }
        }
        let seq_name = text(seq, "name");
        let shot_name = text(shot, "name");
        let ep_name = episode
            .as_ref()
            .map(|e| text(e, "name"))
            .unwrap_or_default();
        let mut values = vec![
            ("project_name", project_name.as_str()),
            ("sequence_name", seq_name.as_str()),
            ("shot_name", shot_name.as_str()),
        ];
        if episode.is_some() {
            values.push(("episode_name", ep_name.as_str()));
        }
        let mut key = substitute(convention, &values);
        if !match_case {
            key = key.to_lowercase();
        }
        shot_map.insert(key, id_of(shot));
    }
    let pattern = convention_regex(convention)?;
    let mut sequences: HashMap<String, Uuid> = HashMap::new();
    let mut created: Vec<Value> = Vec::new();
    let mut updated: Vec<Value> = Vec::new();
    let mut created_ids: Vec<Uuid> = Vec::new();
    for clip in &timeline.clips {
        let lookup = if match_case {
            clip.name.clone()
        } else {
            clip.name.to_lowercase()
        };
        let frames = |data: &mut Map<String, Value>| {
            if let Some(i) = clip.frame_in {
                data.insert("frame_in".into(), json!(i));
            }
            if let Some(o) = clip.frame_out {
                data.insert("frame_out".into(), json!(o));
            }
        };
        if let Some(shot_id) = shot_map.get(&lookup) {
            let shot = rows::get(exec, &models::ENTITY, *shot_id, false)
                .await?
                .ok_or_else(ApiError::not_found)?;
            let mut data = shot
                .get("data")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            frames(&mut data);
            let mut changes = vec![(col("data"), SqlValue::Json(Value::Object(data)))];
            if let Some(n) = clip.nb_frames {
                changes.push((col("nb_frames"), SqlValue::Int(n)));
            }
            let mut row = rows::update(exec, &models::ENTITY, *shot_id, changes)
                .await?
                .ok_or_else(ApiError::not_found)?;
            // Zou's update_shot announces it.
            let event = json!({ "shot_id": shot_id.to_string() });
            crate::events::emit(
                exec,
                Some(ctx.user),
                "shot:update",
                event,
                Some(ctx.project_id),
            )
            .await?;
            row.insert("type".into(), Value::String("Entity".into()));
            updated.push(Value::Object(row));
            continue;
        }
        let Some(caps) = pattern.captures(&clip.name) else {
            return Err(clip_error(
                "No matched value while extracting shot informations.",
            ));
        };
        let Some(seq_name) = caps.name("sequence_name").map(|m| m.as_str().to_owned()) else {
            return Err(clip_error(
                "No sequence name found while extracting shot informations.",
            ));
        };
        let Some(shot_name) = caps.name("shot_name").map(|m| m.as_str().to_owned()) else {
            return Err(clip_error(
                "No shot name found while extracting shot informations.",
            ));
        };
        let sequence = cached_entity(
            exec,
            ctx,
            &mut sequences,
            seq_name.clone(),
            "Sequence",
            episode_id,
            &seq_name,
        )
        .await?;
        let mut data = Map::new();
        frames(&mut data);
        let mut body = Map::new();
        body.insert("data".into(), Value::Object(data));
        body.insert("nb_frames".into(), json!(clip.nb_frames.unwrap_or(0)));
        let shot = get_or_create_entity(
            exec,
            ctx.project_id,
            "Shot",
            Some(sequence),
            &shot_name,
            &body,
            ctx.user,
        )
        .await?;
        created_ids.push(id_of(&shot));
        created.push(Value::Object(shot));
    }
    // Zou gives the new shots a task of each of the production's shot task
    // types.
    crate::csv_import::create_tasks_for(exec, ctx, &created_ids).await?;
    Ok(json!({"updated_shots": updated, "created_shots": created}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(v: f64) -> Value {
        json!({"OTIO_SCHEMA": "RationalTime.1", "rate": 24.0, "value": v})
    }

    fn item(schema: &str, name: &str, duration: f64) -> Value {
        json!({"OTIO_SCHEMA": schema, "name": name,
               "source_range": {"OTIO_SCHEMA": "TimeRange.1", "start_time": rt(0.0), "duration": rt(duration)}})
    }

    fn parse_items(items: Vec<Value>) -> Vec<Clip> {
        let root = json!({"OTIO_SCHEMA": "Timeline.1", "tracks": {"OTIO_SCHEMA": "Stack.1", "children": [
            {"OTIO_SCHEMA": "Track.1", "kind": "Video", "children": items},
            {"OTIO_SCHEMA": "Track.1", "kind": "Audio", "children": [item("Clip.1", "sound", 5.0)]},
        ]}});
        parse("cut.otio", root.to_string().as_bytes())
            .expect("timeline")
            .clips
    }

    // The frames Python's opentimelineio 0.18 gives for the same track
    // (range_in_parent, end_time_inclusive, to_frames).
    #[test]
    fn clips_take_their_place_in_the_track() {
        let mut transition = item("Transition.1", "dissolve", 0.0);
        transition["in_offset"] = rt(2.0);
        let clips = parse_items(vec![
            item("Clip.1", "A.mov", 24.0),
            item("Gap.1", "", 10.0),
            transition,
            item("Clip.2", "B", 1.0),
            item("Clip.1", "C", 12.5),
            item("Clip.1", "D", 3.0),
        ]);
        let got: Vec<_> = clips
            .iter()
            .map(|c| (c.name.as_str(), c.frame_in, c.frame_out, c.nb_frames))
            .collect();
        assert_eq!(
            got,
            vec![
                ("A", Some(0), Some(23), Some(24)),
                ("B", Some(34), Some(34), Some(1)),
                ("C", Some(35), Some(47), Some(12)),
                ("D", Some(47), Some(49), Some(3)),
            ]
        );
    }

    #[test]
    fn names_come_from_the_media_when_the_clip_has_none() {
        let mut c = item("Clip.1", "", 5.0);
        c["media_reference"] = json!({"OTIO_SCHEMA": "ExternalReference.1",
                                      "target_url": "file:///cuts/SQ01-SH010.v2.mov"});
        assert_eq!(parse_items(vec![c])[0].name, "SQ01-SH010.v2");
        assert_eq!(strip_extension(".hidden"), ".hidden");
        assert_eq!(strip_extension("a/b.c/d"), "a/b.c/d");
    }

    #[test]
    fn other_formats_and_bad_files_are_refused() {
        for (name, bytes) in [
            ("cut.edl", b"TITLE: x".as_slice()),
            ("cut", b"{}".as_slice()),
            ("cut.otio", b"not json".as_slice()),
            ("cut.otio", br#"{"OTIO_SCHEMA": "Clip.1"}"#.as_slice()),
        ] {
            assert!(
                matches!(parse(name, bytes), Err(ImportError::Api(e)) if e.status.as_u16() == 400),
                "{name}"
            );
        }
    }

    #[test]
    fn naming_convention() {
        let re =
            convention_regex("${project_name}_${sequence_name}-${shot_name}").expect("pattern");
        let caps = re.captures("Film_SQ01-SH010_extra").expect("match");
        assert_eq!(&caps["project_name"], "Film");
        assert_eq!(&caps["sequence_name"], "SQ01");
        assert_eq!(&caps["shot_name"], "SH010_extra");
        assert!(re.captures("no match").is_none());
        assert_eq!(
            substitute(
                "$project_name-${shot_name}",
                &[("project_name", "F"), ("shot_name", "S")]
            ),
            "F-S"
        );
    }
}
