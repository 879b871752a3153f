//! Working calendars.
//!
//! Policy:
//! * A day's capacity is the person's minutes per day (their own hours, else
//!   the organisation's `hours_per_day`, default 8) on a working weekday (their
//!   own work week, else the studio's, default Monday–Friday), and zero on a
//!   studio holiday, on one of their day-offs or on any other weekday. Nothing
//!   about which days are worked is hard-coded beyond those defaults.
//! * Hours are turned into whole minutes once (rounded to the nearest minute,
//!   at most 24 h), so every later sum is exact integer arithmetic.
//! * Slips are counted in *studio* working days (studio work week minus
//!   holidays): they are what a production manager reads, whoever does the
//!   work.
//! * [`Calendar`] is the plain input; [`Calendar::compile`] sorts and merges it
//!   once into a [`CompiledCalendar`] that answers in O(log n) per day and
//!   counts ranges arithmetically instead of day by day.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize, Serializer};
use uuid::Uuid;

/// Kitsu's default `hours_by_day` for an organisation.
pub const DEFAULT_HOURS_PER_DAY: f64 = 8.0;

const MINUTES_PER_DAY_MAX: i64 = 24 * 60;

/// The weekdays that are worked. Serialized as lowercase day names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(from = "Vec<Weekday>")]
pub struct WorkWeek {
    // Bit i set = weekday with `num_days_from_monday() == i` is worked.
    mask: u8,
}

impl WorkWeek {
    /// Monday to Friday.
    pub const MON_FRI: WorkWeek = WorkWeek { mask: 0b001_1111 };
    /// No working day at all (nobody's capacity is ever positive).
    pub const NONE: WorkWeek = WorkWeek { mask: 0 };

    /// A work week made of the given days (duplicates ignored).
    pub fn new(days: impl IntoIterator<Item = Weekday>) -> Self {
        let mask = days
            .into_iter()
            .fold(0u8, |m, d| m | (1 << d.num_days_from_monday()));
        WorkWeek { mask }
    }

    /// Whether `day` is worked.
    pub fn is_working(self, day: Weekday) -> bool {
        self.mask & (1 << day.num_days_from_monday()) != 0
    }

    /// The worked days, Monday first.
    pub fn days(self) -> Vec<Weekday> {
        (0..7)
            .filter(|i| self.mask & (1 << i) != 0)
            .filter_map(|i| Weekday::try_from(i as u8).ok())
            .collect()
    }

    /// Number of worked days in a week.
    pub fn days_per_week(self) -> i64 {
        i64::from(self.mask.count_ones())
    }

    fn intersect(self, other: WorkWeek) -> WorkWeek {
        WorkWeek {
            mask: self.mask & other.mask,
        }
    }

    /// Worked days in `from..=to` by weekday alone (no holidays), in O(1).
    fn count_in(self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from || self.mask == 0 {
            return 0;
        }
        let n = (to - from).num_days() + 1;
        let first = i64::from(from.weekday().num_days_from_monday());
        let rest: i64 = (0..n % 7)
            .filter(|k| self.mask & (1 << ((first + k) % 7)) != 0)
            .count() as i64;
        (n / 7) * self.days_per_week() + rest
    }
}

impl Default for WorkWeek {
    fn default() -> Self {
        WorkWeek::MON_FRI
    }
}

impl From<Vec<Weekday>> for WorkWeek {
    fn from(days: Vec<Weekday>) -> Self {
        WorkWeek::new(days)
    }
}

impl Serialize for WorkWeek {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // chrono reads these back case-insensitively; lowercase matches the
        // rest of the JSON.
        const NAMES: [&str; 7] = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ];
        serializer.collect_seq(
            (0..7)
                .filter(|i| self.mask & (1 << i) != 0)
                .map(|i| NAMES[i]),
        )
    }
}

/// A range of dates, both ends included. A range whose end is before its
/// start is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DateRange {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl DateRange {
    /// `start..=end`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Self {
        DateRange { start, end }
    }

    /// A single day.
    pub fn day(date: NaiveDate) -> Self {
        DateRange {
            start: date,
            end: date,
        }
    }

    /// Whether `date` lies inside.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// One person's deviations from the studio calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonCalendar {
    pub person_id: Uuid,
    /// Display name, carried into loads and roll-ups.
    #[serde(default)]
    pub name: String,
    /// Part-timers: hours worked on each working day (else the studio's).
    #[serde(default)]
    pub hours_per_day: Option<f64>,
    /// Part-timers: the days worked (else the studio's work week).
    #[serde(default)]
    pub work_week: Option<WorkWeek>,
    /// Leave, sickness, training: no capacity on these days.
    #[serde(default)]
    pub day_offs: Vec<DateRange>,
}

impl PersonCalendar {
    /// A person who follows the studio calendar.
    pub fn new(person_id: Uuid) -> Self {
        PersonCalendar {
            person_id,
            name: String::new(),
            hours_per_day: None,
            work_week: None,
            day_offs: Vec::new(),
        }
    }
}

/// The studio's calendar and its people's exceptions (plain input data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    /// Organisation `hours_by_day`.
    #[serde(default = "default_hours_per_day")]
    pub hours_per_day: f64,
    #[serde(default)]
    pub work_week: WorkWeek,
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    #[serde(default)]
    pub people: Vec<PersonCalendar>,
}

fn default_hours_per_day() -> f64 {
    DEFAULT_HOURS_PER_DAY
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            hours_per_day: DEFAULT_HOURS_PER_DAY,
            work_week: WorkWeek::MON_FRI,
            holidays: Vec::new(),
            people: Vec::new(),
        }
    }
}

impl Calendar {
    /// Sorts, merges and indexes the calendar for fast queries.
    pub fn compile(&self) -> CompiledCalendar {
        let mut holidays = self.holidays.clone();
        holidays.sort_unstable();
        holidays.dedup();
        let studio = Rule {
            week: self.work_week,
            minutes: hours_to_minutes(self.hours_per_day),
            day_offs: Vec::new(),
        };

        // The same person listed twice is merged rather than "last wins", so
        // the result does not depend on input order: day-offs are united and
        // the most restrictive hours and week are kept.
        #[derive(Default)]
        struct Merged {
            minutes: Option<i64>,
            week: Option<WorkWeek>,
            day_offs: Vec<DateRange>,
            name: String,
        }
        let mut merged: HashMap<Uuid, Merged> = HashMap::new();
        for p in &self.people {
            let e = merged.entry(p.person_id).or_default();
            if let Some(h) = p.hours_per_day {
                let m = hours_to_minutes(h);
                e.minutes = Some(e.minutes.map_or(m, |old| old.min(m)));
            }
            if let Some(w) = p.work_week {
                e.week = Some(e.week.map_or(w, |old| old.intersect(w)));
            }
            e.day_offs.extend(p.day_offs.iter().copied());
            if !p.name.is_empty() && (e.name.is_empty() || p.name < e.name) {
                e.name.clone_from(&p.name);
            }
        }
        let people = merged
            .into_iter()
            .map(|(id, m)| {
                let rule = Rule {
                    week: m.week.unwrap_or(studio.week),
                    minutes: m.minutes.unwrap_or(studio.minutes),
                    day_offs: merge_ranges(m.day_offs),
                };
                (id, (rule, m.name))
            })
            .collect();
        CompiledCalendar {
            studio,
            holidays,
            people,
        }
    }
}

fn hours_to_minutes(hours: f64) -> i64 {
    if hours.is_finite() && hours > 0.0 {
        ((hours * 60.0).round() as i64).min(MINUTES_PER_DAY_MAX)
    } else {
        0
    }
}

fn merge_ranges(mut ranges: Vec<DateRange>) -> Vec<DateRange> {
    ranges.retain(|r| r.start <= r.end);
    ranges.sort_unstable();
    let mut out: Vec<DateRange> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            // Adjacent ranges merge too (end + 1 day == start).
            Some(last) if r.start <= last.end || last.end.succ_opt() == Some(r.start) => {
                last.end = last.end.max(r.end);
            }
            _ => out.push(r),
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Rule {
    week: WorkWeek,
    minutes: i64,
    /// Sorted, disjoint, non-adjacent.
    day_offs: Vec<DateRange>,
}

/// A [`Calendar`] prepared for queries.
#[derive(Debug, Clone)]
pub struct CompiledCalendar {
    studio: Rule,
    /// Sorted, no duplicates.
    holidays: Vec<NaiveDate>,
    people: crate::IdMap<Uuid, (Rule, String)>,
}

impl CompiledCalendar {
    fn rule(&self, person: Option<Uuid>) -> &Rule {
        person
            .and_then(|p| self.people.get(&p))
            .map_or(&self.studio, |(r, _)| r)
    }

    /// The person's display name from the calendar (empty if unknown).
    pub fn person_name(&self, person: Uuid) -> &str {
        self.people.get(&person).map_or("", |(_, n)| n.as_str())
    }

    /// People named in the calendar, in no particular order.
    pub fn people(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.people.keys().copied()
    }

    /// Minutes in one full working day of `person` (the studio's for `None`
    /// or someone without a calendar of their own).
    pub fn minutes_per_day(&self, person: Option<Uuid>) -> i64 {
        self.rule(person).minutes
    }

    /// For each of `people`, a class: two people of one class can work
    /// the same minutes on every day (same work week, hours and day offs).
    pub(crate) fn day_classes(&self, people: &[Uuid]) -> Vec<u32> {
        let mut classes: crate::IdMap<&Rule, u32> = crate::IdMap::default();
        people
            .iter()
            .map(|p| {
                let next = classes.len() as u32;
                *classes.entry(self.rule(Some(*p))).or_insert(next)
            })
            .collect()
    }

    /// Whether `person` has any capacity in an ordinary week (false for no
    /// hours or no working day; day-offs and holidays aside).
    pub fn can_ever_work(&self, person: Uuid) -> bool {
        let rule = self.rule(Some(person));
        rule.minutes > 0 && rule.week.days_per_week() > 0
    }

    /// Whether `date` is a holiday of the studio.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.binary_search(&date).is_ok()
    }

    /// Whether the studio works on `date` (work week, not a holiday).
    pub fn is_studio_working_day(&self, date: NaiveDate) -> bool {
        self.studio.week.is_working(date.weekday()) && !self.is_holiday(date)
    }

    /// Minutes `person` can work on `date`.
    pub fn capacity_minutes(&self, person: Uuid, date: NaiveDate) -> i64 {
        let rule = self.rule(Some(person));
        self.rule_capacity(rule, date, date.weekday())
    }

    /// Same as [`Self::capacity_minutes`] with the weekday already known (the
    /// forecast walks days in order and tracks it).
    fn rule_capacity(&self, rule: &Rule, date: NaiveDate, weekday: Weekday) -> i64 {
        if rule.minutes == 0 || !rule.week.is_working(weekday) || self.is_holiday(date) {
            return 0;
        }
        let i = rule.day_offs.partition_point(|r| r.end < date);
        match rule.day_offs.get(i) {
            Some(r) if r.start <= date => 0,
            _ => rule.minutes,
        }
    }

    /// Total minutes `person` can work in `from..=to` (0 if `to < from`).
    pub fn capacity_between(&self, person: Uuid, from: NaiveDate, to: NaiveDate) -> i64 {
        let rule = self.rule(Some(person));
        if to < from || rule.minutes == 0 {
            return 0;
        }
        let mut days = self.working_days_in(rule.week, from, to);
        let first = rule.day_offs.partition_point(|r| r.end < from);
        for r in rule.day_offs[first..].iter().take_while(|r| r.start <= to) {
            days -= self.working_days_in(rule.week, r.start.max(from), r.end.min(to));
        }
        days * rule.minutes
    }

    /// Days of `week` in `from..=to` that are not holidays.
    fn working_days_in(&self, week: WorkWeek, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return 0;
        }
        let lo = self.holidays.partition_point(|h| *h < from);
        let hi = self.holidays.partition_point(|h| *h <= to);
        let holidays = self.holidays[lo..hi]
            .iter()
            .filter(|h| week.is_working(h.weekday()))
            .count() as i64;
        week.count_in(from, to) - holidays
    }

    /// Signed count of studio working days in `(from, to]`: positive when
    /// `to` is after `from`, negative (days in `(to, from]`) when before.
    /// A slip of a due date to a forecast date is `working_days_between(due,
    /// forecast)`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        match to.cmp(&from) {
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => {
                self.working_days_in(self.studio.week, from.succ_opt().unwrap_or(from), to)
            }
            std::cmp::Ordering::Less => -self.working_days_between(to, from),
        }
    }

    /// `minutes` of `person`'s work expressed in his working days (fractional;
    /// infinite if he has no hours).
    pub fn minutes_to_working_days(&self, person: Option<Uuid>, minutes: f64) -> f64 {
        let per_day = self.minutes_per_day(person);
        if per_day == 0 {
            if minutes > 0.0 {
                f64::INFINITY
            } else {
                0.0
            }
        } else {
            minutes / per_day as f64
        }
    }

    /// The day on which `minutes` of `person`'s work, started on `start` with
    /// nothing else to do, is finished; `start` itself for no work, `None` if
    /// it does not fit within `horizon_days` days from `start`.
    pub fn finish_date(
        &self,
        person: Uuid,
        start: NaiveDate,
        minutes: i64,
        horizon_days: u32,
    ) -> Option<NaiveDate> {
        if minutes <= 0 {
            return Some(start);
        }
        let rule = self.rule(Some(person));
        let mut left = minutes;
        let mut date = start;
        for _ in 0..horizon_days {
            left -= self.rule_capacity(rule, date, date.weekday());
            if left <= 0 {
                return Some(date);
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// A cursor giving `person`'s capacity day after day from `start`.
    pub(crate) fn days_from(&self, person: Uuid, start: NaiveDate) -> DayCursor<'_> {
        DayCursor {
            cal: self,
            rule: self.rule(Some(person)),
            date: Some(start),
            weekday: start.weekday(),
        }
    }
}

/// Walks a person's capacity one day at a time (used to grow a person's day
/// vector lazily during the forecast).
pub(crate) struct DayCursor<'a> {
    cal: &'a CompiledCalendar,
    rule: &'a Rule,
    date: Option<NaiveDate>,
    weekday: Weekday,
}

impl DayCursor<'_> {
    /// Capacity of the next day, `None` past the last representable date.
    pub(crate) fn next_capacity(&mut self) -> Option<i64> {
        let date = self.date?;
        let cap = self.cal.rule_capacity(self.rule, date, self.weekday);
        self.date = date.succ_opt();
        self.weekday = self.weekday.succ();
        Some(cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn default_is_mon_fri_eight_hours() {
        let cal = Calendar::default().compile();
        // 2024-06-03 is a Monday.
        for (day, cap) in [
            ("2024-06-03", 480),
            ("2024-06-07", 480),
            ("2024-06-08", 0),
            ("2024-06-09", 0),
        ] {
            assert_eq!(cal.capacity_minutes(id(1), d(day)), cap, "{day}");
        }
        assert_eq!(cal.minutes_per_day(None), 480);
    }

    #[test]
    fn configurable_work_week() {
        let cal = Calendar {
            work_week: WorkWeek::new([Weekday::Sun, Weekday::Mon, Weekday::Tue, Weekday::Wed]),
            ..Calendar::default()
        }
        .compile();
        assert_eq!(cal.capacity_minutes(id(1), d("2024-06-09")), 480); // Sunday
        assert_eq!(cal.capacity_minutes(id(1), d("2024-06-06")), 0); // Thursday
        assert!(cal.is_studio_working_day(d("2024-06-09")));
        // Mon 3 .. Sun 9: Mon, Tue, Wed, Sun.
        assert_eq!(
            cal.working_days_between(d("2024-06-02"), d("2024-06-09")),
            4
        );
    }

    #[test]
    fn holidays_remove_capacity_and_working_days() {
        let cal = Calendar {
            holidays: vec![d("2024-12-25"), d("2024-12-26"), d("2024-12-28")],
            ..Calendar::default()
        }
        .compile();
        assert_eq!(cal.capacity_minutes(id(1), d("2024-12-25")), 0);
        assert_eq!(cal.capacity_minutes(id(1), d("2024-12-24")), 480);
        // Mon 23 .. Fri 27: 5 weekdays, 2 holidays (the Saturday one counts
        // for nothing).
        assert_eq!(
            cal.working_days_between(d("2024-12-22"), d("2024-12-27")),
            3
        );
        assert_eq!(
            cal.capacity_between(id(1), d("2024-12-23"), d("2024-12-29")),
            3 * 480
        );
        assert_eq!(
            cal.working_days_between(d("2024-12-27"), d("2024-12-22")),
            -3
        );
    }

    #[test]
    fn day_offs_are_per_person() {
        let mut p = PersonCalendar::new(id(1));
        p.day_offs = vec![
            DateRange::new(d("2024-06-05"), d("2024-06-06")),
            DateRange::day(d("2024-06-06")),
            DateRange::new(d("2024-06-10"), d("2024-06-09")), // empty
        ];
        let cal = Calendar {
            people: vec![p],
            ..Calendar::default()
        }
        .compile();
        assert_eq!(cal.capacity_minutes(id(1), d("2024-06-05")), 0);
        assert_eq!(cal.capacity_minutes(id(1), d("2024-06-06")), 0);
        assert_eq!(cal.capacity_minutes(id(1), d("2024-06-07")), 480);
        assert_eq!(cal.capacity_minutes(id(2), d("2024-06-05")), 480);
        assert_eq!(
            cal.capacity_between(id(1), d("2024-06-03"), d("2024-06-09")),
            3 * 480
        );
        // Day-offs do not move the studio's working days.
        assert_eq!(
            cal.working_days_between(d("2024-06-02"), d("2024-06-09")),
            5
        );
    }

    #[test]
    fn part_timers() {
        let mut p = PersonCalendar::new(id(1));
        p.hours_per_day = Some(3.5);
        p.work_week = Some(WorkWeek::new([Weekday::Mon, Weekday::Wed]));
        let cal = Calendar {
            people: vec![p],
            ..Calendar::default()
        }
        .compile();
        assert_eq!(cal.minutes_per_day(Some(id(1))), 210);
        assert_eq!(cal.capacity_minutes(id(1), d("2024-06-03")), 210);
        assert_eq!(cal.capacity_minutes(id(1), d("2024-06-04")), 0);
        assert_eq!(
            cal.capacity_between(id(1), d("2024-06-03"), d("2024-06-16")),
            4 * 210
        );
        // 500 minutes: Mon 210, Wed 420, next Mon 630 >= 500.
        assert_eq!(
            cal.finish_date(id(1), d("2024-06-03"), 500, 100),
            Some(d("2024-06-10"))
        );
        assert!((cal.minutes_to_working_days(Some(id(1)), 420.0) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn minutes_to_working_days_and_finish_dates() {
        let cal = Calendar::default().compile();
        assert!((cal.minutes_to_working_days(None, 1200.0) - 2.5).abs() < 1e-12);
        // Fri 7 June, 2.5 days of work: Fri, Mon, half of Tue.
        assert_eq!(
            cal.finish_date(id(1), d("2024-06-07"), 1200, 100),
            Some(d("2024-06-11"))
        );
        assert_eq!(
            cal.finish_date(id(1), d("2024-06-08"), 0, 100),
            Some(d("2024-06-08"))
        );
        // Starting on a Saturday, one minute ends on Monday.
        assert_eq!(
            cal.finish_date(id(1), d("2024-06-08"), 1, 100),
            Some(d("2024-06-10"))
        );
        assert_eq!(cal.finish_date(id(1), d("2024-06-08"), 480 * 10, 5), None);
    }

    #[test]
    fn no_hours_means_no_capacity() {
        let mut p = PersonCalendar::new(id(1));
        p.hours_per_day = Some(0.0);
        let cal = Calendar {
            people: vec![p],
            hours_per_day: f64::NAN,
            ..Calendar::default()
        }
        .compile();
        assert_eq!(cal.capacity_minutes(id(1), d("2024-06-03")), 0);
        assert_eq!(cal.capacity_minutes(id(2), d("2024-06-03")), 0);
        assert_eq!(
            cal.minutes_to_working_days(Some(id(1)), 10.0),
            f64::INFINITY
        );
        assert_eq!(cal.finish_date(id(1), d("2024-06-03"), 1, 1000), None);
    }

    #[test]
    fn duplicate_person_entries_merge() {
        let mut a = PersonCalendar::new(id(1));
        a.hours_per_day = Some(6.0);
        a.day_offs = vec![DateRange::day(d("2024-06-03"))];
        let mut b = PersonCalendar::new(id(1));
        b.hours_per_day = Some(4.0);
        b.day_offs = vec![DateRange::day(d("2024-06-04"))];
        for people in [vec![a.clone(), b.clone()], vec![b, a]] {
            let cal = Calendar {
                people,
                ..Calendar::default()
            }
            .compile();
            assert_eq!(cal.minutes_per_day(Some(id(1))), 240);
            assert_eq!(cal.capacity_minutes(id(1), d("2024-06-03")), 0);
            assert_eq!(cal.capacity_minutes(id(1), d("2024-06-04")), 0);
            assert_eq!(cal.capacity_minutes(id(1), d("2024-06-05")), 240);
        }
    }

    #[test]
    fn range_sums_match_day_by_day() {
        let mut p = PersonCalendar::new(id(1));
        p.day_offs = vec![
            DateRange::new(d("2024-01-10"), d("2024-01-20")),
            DateRange::new(d("2024-03-01"), d("2024-03-03")),
        ];
        p.work_week = Some(WorkWeek::new([Weekday::Mon, Weekday::Tue, Weekday::Sat]));
        let cal = Calendar {
            people: vec![p],
            holidays: vec![d("2024-01-01"), d("2024-01-13"), d("2024-03-02")],
            ..Calendar::default()
        }
        .compile();
        let start = d("2023-12-25");
        for len in 0..120 {
            let end = start + chrono::Days::new(len);
            let brute: i64 = start
                .iter_days()
                .take_while(|x| *x <= end)
                .map(|x| cal.capacity_minutes(id(1), x))
                .sum();
            assert_eq!(cal.capacity_between(id(1), start, end), brute, "{end}");
            let studio: i64 = start
                .iter_days()
                .skip(1)
                .take_while(|x| *x <= end)
                .filter(|x| cal.is_studio_working_day(*x))
                .count() as i64;
            assert_eq!(cal.working_days_between(start, end), studio, "{end}");
        }
    }

    #[test]
    fn work_week_serializes_as_day_names() {
        let w = WorkWeek::new([Weekday::Mon, Weekday::Sun]);
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(json, r#"["monday","sunday"]"#);
        let back: WorkWeek = serde_json::from_str(r#"["Mon","sunday"]"#).unwrap();
        assert_eq!(back, w);
        assert_eq!(w.days(), vec![Weekday::Mon, Weekday::Sun]);
        let cal: Calendar = serde_json::from_str("{}").unwrap();
        assert_eq!(cal, Calendar::default());
    }
}
