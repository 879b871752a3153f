//! Zou's quota statistics (`quotas_service`): shots done per person, or
//! per task type for one person, counted by day, ISO week, month and year,
//! in frames, seconds, drawings and shots. The rows come from
//! `fennec_store::quotas`; this is the arithmetic, kept as Zou's:
//!
//! * weighted: a time spent takes its share of the task's duration (of the
//!   shot's frames and the task's drawings); a task nobody logged time on
//!   is spread evenly over the business days from its WIP date to its end
//!   date, drawings counted whole on each day;
//! * raw: a shot counts whole, on its end day, for each assignee.
//!
//! Day keys are the caller's local days: time spent dates are calendar days
//! already, task dates are UTC instants converted to the caller's timezone.
//! Numbers keep Python's types (frames, drawings and raw counts are
//! integers, seconds and weighted counts floats) and its rounding (half to
//! even; weighted counts to two decimals once every share is in).

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use fennec_store::db::Exec;
use fennec_store::quotas::{self as rows, QuotaScope};
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult};

/// Zou's `DEFAULT_TIMEZONE`, for a person who set none.
pub const DEFAULT_TIMEZONE: Tz = chrono_tz::Europe::Paris;

/// Zou's `count_mode` argument: (weighted, feedback).
pub fn count_mode(mode: Option<&str>) -> ApiResult<(bool, bool)> {
    let mode = mode.unwrap_or("weighted");
    if !matches!(mode, "weighted" | "weighteddone" | "feedback" | "done") {
        // Zou's message, its typo included.
        return Err(ApiError::bad_request(
            "count_mode must be equal to weighted, weigtheddone, feedback, or done",
        ));
    }
    Ok((mode.contains("weighted"), !mode.contains("done")))
}

/// A person's timezone setting as a zone (the default when unset or
/// unknown).
pub fn timezone(setting: Option<&str>) -> Tz {
    setting
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_TIMEZONE)
}

/// Keys in first-insertion order, as Python's dicts keep them.
#[derive(Default)]
struct Ordered<V> {
    index: HashMap<String, usize>,
    items: Vec<(String, V)>,
}

impl<V: Default> Ordered<V> {
    /// The value of `key`, and whether it was just created.
    fn entry(&mut self, key: &str) -> (&mut V, bool) {
        let (i, new) = match self.index.get(key) {
            Some(i) => (*i, false),
            None => {
                self.items.push((key.to_owned(), V::default()));
                self.index.insert(key.to_owned(), self.items.len() - 1);
                (self.items.len() - 1, true)
            }
        };
        (&mut self.items[i].1, new)
    }
}

#[derive(Default)]
struct Bucket {
    frames: i64,
    seconds: f64,
    count: f64,
    drawings: i64,
}

#[derive(Default)]
struct Period {
    buckets: Ordered<Bucket>,
    /// How many buckets each enclosing period has (absent on years).
    entries: Ordered<i64>,
}

#[derive(Default)]
struct Entry {
    day: Period,
    week: Period,
    month: Period,
    year: Period,
}

/// When a share of work happened.
#[derive(Clone, Copy)]
enum When {
    /// A calendar day (a time spent's date).
    Day(NaiveDate),
    /// A UTC instant (a task's dates).
    Instant(NaiveDateTime),
}

struct Quotas {
    entries: Ordered<Entry>,
    tz: Tz,
    fps: f64,
    weighted: bool,
}

impl Quotas {
    fn add(&mut self, entry_id: &str, when: When, frames: i64, drawings: i64, count: f64) {
        let day = match when {
            When::Day(d) => d,
            When::Instant(t) => self.tz.from_utc_datetime(&t).date_naive(),
        };
        let day_key = day.format("%Y-%m-%d").to_string();
        let month_key = day.format("%Y-%m").to_string();
        let year_key = day.format("%Y").to_string();
        let iso = day.iso_week();
        let week_key = format!("{}-{}", iso.year(), iso.week());
        let week_year = iso.year().to_string();
        let seconds = frames as f64 / self.fps;
        let (entry, _) = self.entries.entry(entry_id);
        for (period, key, parent) in [
            (&mut entry.day, &day_key, Some(&month_key)),
            (&mut entry.week, &week_key, Some(&week_year)),
            (&mut entry.month, &month_key, Some(&year_key)),
            (&mut entry.year, &year_key, None),
        ] {
            let (bucket, new) = period.buckets.entry(key);
            bucket.frames += frames;
            bucket.seconds += seconds;
            bucket.count += count;
            bucket.drawings += drawings;
            if let (true, Some(parent)) = (new, parent) {
                *period.entries.entry(parent).0 += 1;
            }
        }
    }

    fn to_json(&self) -> Value {
        let count = |c: f64| {
            if self.weighted {
                json!(round2(c))
            } else {
                json!(c as i64)
            }
        };
        let period = |p: &Period, with_entries: bool| {
            let mut out = Map::new();
            let field = |f: &dyn Fn(&Bucket) -> Value| {
                Value::Object(
                    p.buckets
                        .items
                        .iter()
                        .map(|(k, b)| (k.clone(), f(b)))
                        .collect(),
                )
            };
            out.insert("frames".into(), field(&|b| json!(b.frames)));
            out.insert("seconds".into(), field(&|b| json!(b.seconds)));
            out.insert("count".into(), field(&|b| count(b.count)));
            if with_entries {
                out.insert(
                    "entries".into(),
                    Value::Object(
                        p.entries
                            .items
                            .iter()
                            .map(|(k, n)| (k.clone(), json!(n)))
                            .collect(),
                    ),
                );
            }
            out.insert("drawings".into(), field(&|b| json!(b.drawings)));
            Value::Object(out)
        };
        Value::Object(
            self.entries
                .items
                .iter()
                .map(|(id, e)| {
                    (
                        id.clone(),
                        json!({
                            "day": period(&e.day, true),
                            "week": period(&e.week, true),
                            "month": period(&e.month, true),
                            "year": period(&e.year, false),
                        }),
                    )
                })
                .collect(),
        )
    }
}

/// Python's `round(x)`: to the nearest integer, ties to even.
fn round_int(x: f64) -> i64 {
    x.round_ties_even() as i64
}

/// Python's `round(x, 2)`: the decimal nearest the double's exact value,
/// ties to even, read back as a double.
fn round2(x: f64) -> f64 {
    format!("{x:.2}").parse().unwrap_or(x)
}

/// Python's `timedelta.days` of `end - start`: whole days, floored.
fn whole_days(start: NaiveDateTime, end: NaiveDateTime) -> i64 {
    let micros = (end - start).num_microseconds().unwrap_or(i64::MAX);
    micros.div_euclid(86_400_000_000)
}

fn is_weekday(t: NaiveDateTime) -> bool {
    t.weekday().num_days_from_monday() < 5
}

/// Zou's `get_business_days`: the weekdays among the days after `start`,
/// up to the whole days to `end`.
fn business_days(start: NaiveDateTime, end: NaiveDateTime) -> i64 {
    (1..=whole_days(start, end))
        .filter(|k| is_weekday(start + Duration::days(*k)))
        .count() as i64
}

fn id_key(id: Option<uuid::Uuid>) -> String {
    id.map_or_else(|| "None".to_owned(), |u| u.to_string())
}

/// Zou's `get_weighted_quotas` / `get_raw_quotas` for `scope`, keyed by
/// person (or, for one person's quotas, by task type) and `total`.
pub async fn quotas(
    exec: &mut impl Exec,
    scope: &QuotaScope,
    weighted: bool,
    fps: f64,
    tz: Tz,
) -> ApiResult<Value> {
    let mut q = Quotas {
        entries: Ordered::default(),
        tz,
        fps,
        weighted,
    };
    let entry_of = |person: uuid::Uuid, task_type: Option<uuid::Uuid>| match scope.person {
        Some(_) => id_key(task_type),
        None => person.to_string(),
    };
    if weighted {
        for r in rows::spent_rows(exec, scope).await? {
            if r.task_duration <= 0.0 {
                continue;
            }
            let share = r.duration / r.task_duration;
            let frames = round_int(r.nb_frames.unwrap_or(0) as f64 * share);
            let drawings = round_int(r.nb_drawings.unwrap_or(0) as f64 * share);
            let id = entry_of(r.person_id, r.task_type_id);
            for e in [id.as_str(), "total"] {
                q.add(e, When::Day(r.date), frames, drawings, share);
            }
        }
        for r in rows::assignee_rows(exec, scope, true).await? {
            let Some(start) = r.real_start_date else {
                continue;
            };
            let days = business_days(start, r.end) + 1;
            let frames = r.nb_frames.map_or(0, |f| round_int(f as f64 / days as f64));
            let drawings = r.nb_drawings.unwrap_or(0);
            let id = entry_of(r.person_id, r.task_type_id);
            for k in 0..=whole_days(start, r.end) {
                let day = start + Duration::days(k);
                if is_weekday(day) {
                    for e in [id.as_str(), "total"] {
                        q.add(e, When::Instant(day), frames, drawings, 1.0 / days as f64);
                    }
                }
            }
        }
    } else {
        for r in rows::assignee_rows(exec, scope, false).await? {
            let id = entry_of(r.person_id, r.task_type_id);
            for e in [id.as_str(), "total"] {
                q.add(
                    e,
                    When::Instant(r.end),
                    r.nb_frames.unwrap_or(0),
                    r.nb_drawings.unwrap_or(0),
                    1.0,
                );
            }
        }
    }
    Ok(q.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap()
    }

    #[test]
    fn rounding_follows_python() {
        assert_eq!(round_int(2.5), 2);
        assert_eq!(round_int(3.5), 4);
        assert_eq!(round_int(12.4), 12);
        assert_eq!(round2(0.125), 0.12);
        assert_eq!(round2(0.375), 0.38);
        assert_eq!(round2(1.0 / 3.0), 0.33);
        assert_eq!(round2(2.675), 2.67); // 2.67499999… as a double
    }

    #[test]
    fn business_days_count_weekdays_after_the_start() {
        // Wednesday 09:00 to Monday 15:00: Thursday, Friday, Monday.
        assert_eq!(
            business_days(at("2024-03-06T09:00:00"), at("2024-03-11T15:00:00")),
            3
        );
        // Less than a day apart: none.
        assert_eq!(
            business_days(at("2024-03-06T09:00:00"), at("2024-03-07T08:00:00")),
            0
        );
        // An end before the start: none, and no day either.
        assert_eq!(
            whole_days(at("2024-03-06T09:00:00"), at("2024-03-06T08:00:00")),
            -1
        );
        assert_eq!(
            business_days(at("2024-03-06T09:00:00"), at("2024-03-01T08:00:00")),
            0
        );
    }

    #[test]
    fn count_modes() {
        assert_eq!(count_mode(None).unwrap(), (true, true));
        assert_eq!(count_mode(Some("weighteddone")).unwrap(), (true, false));
        assert_eq!(count_mode(Some("feedback")).unwrap(), (false, true));
        assert_eq!(count_mode(Some("done")).unwrap(), (false, false));
        assert!(count_mode(Some("all")).is_err());
    }

    #[test]
    fn buckets_by_local_day_iso_week_month_and_year() {
        let mut q = Quotas {
            entries: Ordered::default(),
            tz: DEFAULT_TIMEZONE,
            fps: 24.0,
            weighted: false,
        };
        // 23:30 UTC on 2024-12-29 is the 30th in Paris, ISO week 1 of 2025.
        q.add("p", When::Instant(at("2024-12-29T23:30:00")), 48, 2, 1.0);
        q.add(
            "p",
            When::Day(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()),
            24,
            0,
            1.0,
        );
        let v = q.to_json();
        assert_eq!(
            v["p"]["day"]["frames"],
            json!({"2024-12-30": 48, "2024-12-31": 24})
        );
        assert_eq!(v["p"]["day"]["entries"], json!({"2024-12": 2}));
        assert_eq!(v["p"]["week"]["frames"], json!({"2025-1": 72}));
        assert_eq!(v["p"]["week"]["entries"], json!({"2025": 1}));
        assert_eq!(v["p"]["month"]["seconds"], json!({"2024-12": 3.0}));
        assert_eq!(v["p"]["year"]["count"], json!({"2024": 2}));
        assert!(v["p"]["year"].get("entries").is_none());
    }
}
