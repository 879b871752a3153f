//! Properties of the forecast on generated productions.

use std::collections::HashSet;

use chrono::{Days, NaiveDate, Weekday};
use fennec_schedule::{
    analyse, apply_changes, causes, critical_path, critical_paths, find_cycle, forecast, remedies,
    timeline, what_if, Calendar, Cast, CastFeed, Change, DateRange, Department, GroupBy, Link,
    LinkKind, Milestone, MilestoneKind, PersonCalendar, Ref, ScheduleInput, ScheduleOptions, Scope,
    StatusFlags, TaskInput, TaskSlack, TaskState, WorkWeek,
};
use proptest::prelude::*;
use proptest::test_runner::Config;
use uuid::Uuid;

const PEOPLE: u128 = 5;

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
}

fn day(offset: u64) -> NaiveDate {
    base() + Days::new(offset)
}

fn person(n: u128) -> Uuid {
    Uuid::from_u128(1000 + n)
}

fn arb_week() -> impl Strategy<Value = WorkWeek> {
    prop_oneof![
        3 => Just(WorkWeek::MON_FRI),
        1 => prop::collection::vec(0u8..7, 0..7).prop_map(|days| {
            WorkWeek::new(days.into_iter().filter_map(|d| Weekday::try_from(d).ok()))
        }),
    ]
}

fn arb_person(n: u128) -> impl Strategy<Value = PersonCalendar> {
    (
        prop::option::of(prop_oneof![Just(0.0), 0.5f64..10.0]),
        prop::option::of(arb_week()),
        prop::collection::vec((0u64..150, 0u64..20), 0..3),
    )
        .prop_map(move |(hours, week, offs)| PersonCalendar {
            person_id: person(n),
            name: format!("artist {n}"),
            hours_per_day: hours,
            work_week: week,
            day_offs: offs
                .into_iter()
                .map(|(s, len)| DateRange::new(day(s), day(s + len)))
                .collect(),
        })
}

fn arb_calendar() -> impl Strategy<Value = Calendar> {
    (
        prop_oneof![3 => Just(8.0), 1 => 1.0f64..12.0],
        arb_week(),
        prop::collection::vec(0u64..200, 0..8),
        prop::collection::vec(
            (1..=PEOPLE).prop_flat_map(|n| prop::option::of(arb_person(n))),
            0..4,
        ),
    )
        .prop_map(|(hours, week, holidays, people)| Calendar {
            hours_per_day: hours,
            work_week: week,
            holidays: holidays.into_iter().map(day).collect(),
            people: people.into_iter().flatten().collect(),
        })
}

fn arb_ref(prefix: u128) -> impl Strategy<Value = Option<Ref>> {
    prop::option::of(
        (0u128..3)
            .prop_map(move |n| Ref::new(Uuid::from_u128(prefix + n), format!("{prefix}-{n}"))),
    )
}

fn arb_task() -> impl Strategy<Value = TaskInput> {
    (
        (
            prop::collection::vec(1..=PEOPLE, 0..4),
            0i64..4,
            prop_oneof![1 => Just(0.0), 4 => 0.0f64..3000.0],
            prop_oneof![2 => Just(0.0), 3 => 0.0f64..3000.0],
            prop::option::of(0u64..120),
            prop::option::of(0u64..160),
            prop::option::of(0u64..120),
        ),
        (
            prop::bool::weighted(0.25),
            prop::option::of(0u64..120),
            any::<bool>(),
            any::<bool>(),
            arb_ref(100),
            arb_ref(200),
            arb_ref(300),
        ),
    )
        .prop_map(
            |(
                (who, priority, estimate, logged, start, due, real_start),
                (is_done, done_at, is_wip, is_retake, sequence, task_type, episode),
            )| TaskInput {
                id: Uuid::nil(),
                name: "task".into(),
                project: Some(Ref::new(Uuid::from_u128(9), "film")),
                task_type,
                sequence,
                episode,
                assignees: who.into_iter().map(person).collect(),
                priority,
                estimate_minutes: estimate,
                logged_minutes: logged,
                start: start.map(day),
                due: due.map(day),
                real_start: real_start.map(day),
                done_at: if is_done { done_at.map(day) } else { None },
                status: StatusFlags {
                    is_done,
                    is_wip: is_wip && !is_done,
                    is_retake: is_retake && is_wip && !is_done,
                    is_feedback_request: false,
                },
                ..TaskInput::default()
            },
        )
}

/// Tasks with unique ids in random order.
fn arb_tasks() -> impl Strategy<Value = Vec<TaskInput>> {
    prop::collection::vec((arb_task(), any::<u64>()), 0..40).prop_map(|tasks| {
        tasks
            .into_iter()
            .enumerate()
            .map(|(i, (mut t, salt))| {
                t.id = Uuid::from_u128((u128::from(salt) << 64) | i as u128);
                t
            })
            .collect()
    })
}

fn arb_input() -> impl Strategy<Value = ScheduleInput> {
    (
        0u64..100,
        arb_calendar(),
        arb_tasks(),
        60u32..400,
        prop::collection::vec((0u64..200, 0u128..3), 0..3),
    )
        .prop_map(
            |(as_of, calendar, tasks, horizon, milestones)| ScheduleInput {
                as_of: day(as_of),
                calendar,
                tasks,
                milestones: milestones
                    .into_iter()
                    .enumerate()
                    .map(|(i, (date, seq))| Milestone {
                        name: format!("m{i}"),
                        date: day(date),
                        kind: if i == 0 {
                            MilestoneKind::ProjectEnd
                        } else {
                            MilestoneKind::Milestone
                        },
                        scope: Scope {
                            sequences: if i == 0 {
                                vec![]
                            } else {
                                vec![Uuid::from_u128(100 + seq)]
                            },
                            ..Scope::default()
                        },
                    })
                    .collect(),
                options: ScheduleOptions {
                    horizon_days: horizon,
                    ..ScheduleOptions::default()
                },
                task_type_order: Vec::new(),
                casting: Vec::new(),
                cast_feeds: None,
                links: Vec::new(),
                departments: Vec::new(),
            },
        )
}

fn config() -> Config {
    Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    }
}

/// A permutation of `v` chosen by `seed` (deterministic, no RNG crate).
fn shuffle<T>(v: &mut [T], seed: u64) {
    let mut s = seed | 1;
    for i in (1..v.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        v.swap(i, (s % (i as u64 + 1)) as usize);
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn forecast_finish_is_never_before_as_of_or_start(input in arb_input()) {
        let f = analyse(&input).forecast;
        for (t, tf) in input.tasks.iter().map(|t| (t, f.task(t.id).unwrap())) {
            if tf.state != TaskState::Open {
                continue;
            }
            let earliest = t.start.map_or(input.as_of, |s| s.max(input.as_of));
            prop_assert_eq!(tf.earliest_start, Some(earliest));
            if let Some(finish) = tf.forecast_finish {
                prop_assert!(finish >= earliest, "{} < {}", finish, earliest);
            }
            for s in &tf.shares {
                if let Some(start) = s.start {
                    prop_assert!(start >= earliest);
                }
                if let (Some(sf), Some(tfin)) = (s.finish, tf.forecast_finish) {
                    prop_assert!(sf <= tfin);
                }
            }
        }
    }

    #[test]
    fn no_load_exceeds_capacity(input in arb_input()) {
        let cal = input.calendar.compile();
        let f = forecast(&cal, input.as_of, &input.tasks, &input.options);
        for p in &f.people {
            let mut previous: Option<NaiveDate> = None;
            for d in &p.days {
                prop_assert!(d.load_minutes >= 0);
                prop_assert!(d.load_minutes <= d.capacity_minutes);
                prop_assert_eq!(d.capacity_minutes, cal.capacity_minutes(p.person_id, d.date));
                prop_assert!(d.date >= input.as_of && d.date <= f.horizon_end);
                prop_assert!(previous < Some(d.date));
                previous = Some(d.date);
            }
        }
    }

    #[test]
    fn remaining_is_never_negative_and_done_tasks_have_none(input in arb_input()) {
        let a = analyse(&input);
        for (t, tf) in input.tasks.iter().map(|t| (t, a.forecast.task(t.id).unwrap())) {
            prop_assert!(tf.raw_remaining_minutes >= 0.0);
            prop_assert!(tf.remaining_minutes >= 0);
            for s in &tf.shares {
                prop_assert!(s.minutes >= 0);
                prop_assert!(s.unscheduled_minutes >= 0 && s.unscheduled_minutes <= s.minutes);
                prop_assert!((0.5..=3.0).contains(&s.ratio));
            }
            if t.status.is_done {
                prop_assert_eq!(tf.state, TaskState::Done);
                prop_assert_eq!(tf.remaining_minutes, 0);
                prop_assert!(tf.shares.is_empty());
                prop_assert!(!tf.will_slip && !tf.late);
            }
        }
        for r in &a.risks {
            if let Some(task) = r.task_id {
                prop_assert!(a.forecast.task(task).unwrap().is_open());
            }
        }
    }

    #[test]
    fn laid_out_work_equals_remaining_work(input in arb_input()) {
        let f = analyse(&input).forecast;
        let assigned: i64 = f
            .tasks
            .iter()
            .filter(|t| t.state == TaskState::Open)
            .map(|t| t.remaining_minutes)
            .sum();
        let on_days: i64 = f.people.iter().flat_map(|p| &p.days).map(|d| d.load_minutes).sum();
        let laid: i64 = f.people.iter().map(|p| p.laid_out_minutes).sum();
        let unscheduled: i64 = f.people.iter().map(|p| p.unscheduled_minutes).sum();
        prop_assert_eq!(on_days, laid);
        prop_assert_eq!(laid + unscheduled, assigned);
        for p in &f.people {
            prop_assert_eq!(p.laid_out_minutes + p.unscheduled_minutes, p.remaining_minutes);
        }
        // Unassigned open tasks are reported, not dropped.
        let unassigned: Vec<Uuid> = f
            .tasks
            .iter()
            .filter(|t| t.state == TaskState::Unassigned)
            .map(|t| t.task_id)
            .collect();
        prop_assert_eq!(&f.unassigned, &unassigned);
        prop_assert_eq!(f.tasks.len(), input.tasks.len());
    }

    #[test]
    fn same_input_in_any_order_gives_the_same_output(input in arb_input(), seed in any::<u64>()) {
        let a = analyse(&input);
        let again = analyse(&input);
        prop_assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&again).unwrap()
        );
        let mut shuffled = input.clone();
        shuffle(&mut shuffled.tasks, seed);
        for (i, t) in shuffled.tasks.iter_mut().enumerate() {
            shuffle(&mut t.assignees, seed ^ i as u64);
        }
        shuffle(&mut shuffled.calendar.holidays, seed.rotate_left(7));
        shuffle(&mut shuffled.calendar.people, seed.rotate_left(13));
        for p in &mut shuffled.calendar.people {
            shuffle(&mut p.day_offs, seed.rotate_left(17));
        }
        let b = analyse(&shuffled);
        prop_assert_eq!(&a, &b);
        for g in [GroupBy::Sequence, GroupBy::Person, GroupBy::TaskType] {
            prop_assert_eq!(
                timeline(&input.tasks, &a.forecast, g),
                timeline(&shuffled.tasks, &b.forecast, g)
            );
        }
    }

    #[test]
    fn a_later_as_of_never_makes_a_late_task_not_late(input in arb_input(), later in 0u64..60) {
        let first = analyse(&input).forecast;
        let mut moved = input.clone();
        moved.as_of = input.as_of + Days::new(later);
        let second = analyse(&moved).forecast;
        let late_then: HashSet<Uuid> =
            first.tasks.iter().filter(|t| t.late).map(|t| t.task_id).collect();
        let late_now: HashSet<Uuid> =
            second.tasks.iter().filter(|t| t.late).map(|t| t.task_id).collect();
        prop_assert!(late_then.is_subset(&late_now));
    }

    #[test]
    fn a_person_works_in_priority_order(input in arb_input()) {
        // Two shares of one person that may both start on `as_of`: the one
        // laid first is finished before the other begins (it may share that
        // day).
        let f = analyse(&input).forecast;
        let by_id = |id: Uuid| input.tasks.iter().find(|t| t.id == id).unwrap();
        for p in &f.people {
            let mut shares: Vec<_> = f
                .tasks
                .iter()
                .flat_map(|tf| tf.shares.iter().map(move |s| (tf, s)))
                .filter(|(tf, s)| {
                    s.person_id == p.person_id
                        && s.minutes > 0
                        && tf.earliest_start == Some(input.as_of)
                })
                .map(|(tf, s)| {
                    let t = by_id(tf.task_id);
                    let key = (
                        std::cmp::Reverse(t.priority),
                        t.due.is_none(),
                        t.due,
                        t.start.is_none(),
                        t.start,
                        t.id,
                    );
                    (key, s.start, s.finish)
                })
                .collect();
            shares.sort();
            for w in shares.windows(2) {
                if let (Some(finish), Some(start)) = (w[0].2, w[1].1) {
                    prop_assert!(finish <= start);
                }
            }
        }
    }

    #[test]
    fn a_lone_task_finishes_when_the_calendar_says(
        calendar in arb_calendar(),
        as_of in 0u64..100,
        minutes in 0u32..5000,
        who in 1..=PEOPLE,
    ) {
        let cal = calendar.compile();
        let task = TaskInput {
            id: Uuid::from_u128(1),
            assignees: vec![person(who)],
            estimate_minutes: f64::from(minutes),
            ..TaskInput::default()
        };
        let options = ScheduleOptions { horizon_days: 400, ..ScheduleOptions::default() };
        let f = forecast(&cal, day(as_of), &[task], &options);
        prop_assert_eq!(
            f.tasks[0].forecast_finish,
            cal.finish_date(person(who), day(as_of), i64::from(minutes), 400)
        );
    }

    #[test]
    fn capacity_sums_match_day_by_day(calendar in arb_calendar(), from in 0u64..150, len in 0u64..120, who in 1..=PEOPLE) {
        let cal = calendar.compile();
        let (a, b) = (day(from), day(from + len));
        let brute: i64 = a.iter_days().take_while(|d| *d <= b).map(|d| cal.capacity_minutes(person(who), d)).sum();
        prop_assert_eq!(cal.capacity_between(person(who), a, b), brute);
        let studio = a.iter_days().skip(1).take_while(|d| *d <= b).filter(|d| cal.is_studio_working_day(*d)).count() as i64;
        prop_assert_eq!(cal.working_days_between(a, b), studio);
        prop_assert_eq!(cal.working_days_between(b, a), -studio);
    }
}

// The calendar properties the schedule issue names.
proptest! {
    #![proptest_config(config())]

    /// Laying N working days of work from a day, then counting the working
    /// days it took, gives N back.
    #[test]
    fn n_working_days_forward_then_back_is_n(
        calendar in arb_calendar(),
        from in 0u64..120,
        n in 1i64..40,
        who in 1..=PEOPLE,
    ) {
        let cal = calendar.compile();
        let p = person(who);
        let per_day = cal.minutes_per_day(Some(p));
        prop_assume!(per_day > 0 && cal.can_ever_work(p));
        let start = day(from);
        if let Some(finish) = cal.finish_date(p, start, n * per_day, 4000) {
            // Working days used = days with capacity between start and finish.
            let mut used = 0;
            let mut d = start;
            while d <= finish {
                if cal.capacity_minutes(p, d) > 0 {
                    used += 1;
                }
                d = d + Days::new(1);
            }
            prop_assert_eq!(used, n);
            prop_assert!(cal.capacity_minutes(p, finish) > 0, "finishes on a working day");
        }
    }

    /// Holidays and day offs are never working time.
    #[test]
    fn holidays_and_day_offs_have_no_capacity(calendar in arb_calendar()) {
        let cal = calendar.compile();
        for who in 1..=PEOPLE {
            let p = person(who);
            for h in &calendar.holidays {
                prop_assert_eq!(cal.capacity_minutes(p, *h), 0);
            }
            for pc in calendar.people.iter().filter(|pc| pc.person_id == p) {
                for range in &pc.day_offs {
                    let mut d = range.start;
                    while d <= range.end {
                        prop_assert_eq!(cal.capacity_minutes(p, d), 0, "day off {}", d);
                        d = d + Days::new(1);
                    }
                }
            }
        }
    }

    /// More hours per day never makes any task's forecast finish later.
    #[test]
    fn more_capacity_never_makes_a_forecast_later(input in arb_input(), extra in 0.5f64..4.0) {
        let before = analyse(&input).forecast;
        let mut more = input.clone();
        more.calendar.hours_per_day = (more.calendar.hours_per_day + extra).min(24.0);
        for pc in &mut more.calendar.people {
            if let Some(h) = pc.hours_per_day.as_mut() {
                *h = (*h + extra).min(24.0);
            }
        }
        let after = analyse(&more).forecast;
        for tf in &before.tasks {
            let later = after.task(tf.task_id).unwrap();
            if let (Some(b), Some(a)) = (tf.forecast_finish, later.forecast_finish) {
                prop_assert!(a <= b, "task {} finishes {} instead of {}", tf.task_id, a, b);
            }
            if tf.forecast_finish.is_some() && tf.state != TaskState::Done {
                prop_assert!(later.forecast_finish.is_some(), "a task no longer fits");
            }
        }
    }
}

/// Task types 200, 201, 202 in pipeline order.
fn pipeline_order() -> Vec<Uuid> {
    (0..3).map(|n| Uuid::from_u128(200 + n)).collect()
}

/// A production whose tasks sit on a few entities (500 and 501 shots, 502
/// and 503 assets cast in them), with the pipeline, the casting (default
/// or generated feeds) and acyclic explicit links (from a task to one later
/// in (pipeline rank, index) order, with a lag; those closing a cycle with
/// the casting dropped).
fn arb_linked_input() -> impl Strategy<Value = ScheduleInput> {
    (
        arb_input(),
        prop::collection::vec(0u128..4, 40),
        prop::collection::vec((0usize..40, 0usize..40, 0u32..3), 0..30),
        prop::collection::vec((0u128..2, 2u128..4), 0..4),
        prop::option::of(prop::collection::vec((0u128..3, 0u128..3), 0..3)),
    )
        .prop_map(|(mut input, entities, pairs, casting, feeds)| {
            input.casting = casting
                .into_iter()
                .map(|(s, a)| Cast {
                    shot_id: Uuid::from_u128(500 + s),
                    asset_id: Uuid::from_u128(500 + a),
                })
                .collect();
            input.cast_feeds = feeds.map(|f| {
                f.into_iter()
                    .map(|(a, s)| CastFeed {
                        asset_task_type_id: Uuid::from_u128(200 + a),
                        shot_task_type_id: Uuid::from_u128(200 + s),
                    })
                    .collect()
            });
            for (t, e) in input.tasks.iter_mut().zip(entities) {
                t.entity = Some(Ref::new(Uuid::from_u128(500 + e), format!("shot {e}")));
            }
            input.task_type_order = pipeline_order();
            let rank = |t: &TaskInput| {
                t.task_type
                    .as_ref()
                    .and_then(|r| pipeline_order().iter().position(|x| *x == r.id))
                    .unwrap_or(0)
            };
            let n = input.tasks.len();
            if n > 1 {
                for (a, b, lag) in pairs {
                    let (a, b) = (a % n, b % n);
                    let (ka, kb) = ((rank(&input.tasks[a]), a), (rank(&input.tasks[b]), b));
                    if ka < kb {
                        input.links.push(Link::new(
                            input.tasks[a].id,
                            input.tasks[b].id,
                            lag,
                            LinkKind::Explicit,
                        ));
                        if find_cycle(&input.all_links()).is_some() {
                            input.links.pop();
                        }
                    }
                }
            }
            input
        })
}

/// The `lag`-th studio working day after `date` (looking at most
/// `7 × lag + 3660` days ahead, as the forecast does, for a studio that
/// never works).
fn plus_working_days(
    cal: &fennec_schedule::CompiledCalendar,
    date: NaiveDate,
    lag: u32,
) -> NaiveDate {
    let mut d = date;
    let mut left = lag;
    for _ in 0..(lag as usize * 7 + 3660) {
        if left == 0 {
            break;
        }
        d = d.succ_opt().unwrap();
        if cal.is_studio_working_day(d) {
            left -= 1;
        }
    }
    d
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_task_starts_before_a_predecessor_finishes(input in arb_linked_input()) {
        prop_assert!(find_cycle(&input.all_links()).is_none());
        let cal = input.calendar.compile();
        let f = analyse(&input).forecast;
        for l in input.all_links() {
            let (p, s) = (f.task(l.predecessor).unwrap(), f.task(l.successor).unwrap());
            if s.state == TaskState::Done {
                continue;
            }
            match (p.state, p.forecast_finish) {
                (TaskState::Done, None) => {}
                (TaskState::Unassigned, _) => {
                    // No dates of its own: its successors wait for its
                    // earliest start, so chains through it hold.
                    if s.forecast_finish.is_some() {
                        let earliest =
                            plus_working_days(&cal, p.earliest_start.unwrap(), l.lag_days);
                        prop_assert!(s.earliest_start.unwrap() >= earliest);
                    }
                }
                (_, Some(finish)) => {
                    let earliest = plus_working_days(&cal, finish, l.lag_days);
                    prop_assert!(s.earliest_start.unwrap() >= earliest.max(input.as_of));
                    for share in &s.shares {
                        if let Some(start) = share.start {
                            prop_assert!(start >= earliest, "{} starts {} before {}", s.task_id, start, earliest);
                        }
                    }
                }
                (TaskState::Open, None) => {
                    // The predecessor does not finish within the horizon.
                    prop_assert!(s.forecast_finish.is_none() || s.state == TaskState::Unassigned);
                }
            }
        }
    }

    #[test]
    fn linked_loads_fit_capacity_and_no_work_is_lost(input in arb_linked_input()) {
        let cal = input.calendar.compile();
        let f = analyse(&input).forecast;
        for p in &f.people {
            for d in &p.days {
                prop_assert!(d.load_minutes <= d.capacity_minutes);
                prop_assert_eq!(d.capacity_minutes, cal.capacity_minutes(p.person_id, d.date));
            }
            prop_assert_eq!(p.laid_out_minutes + p.unscheduled_minutes, p.remaining_minutes);
        }
    }

    #[test]
    fn linked_forecast_does_not_depend_on_input_order(input in arb_linked_input(), seed in any::<u64>()) {
        let first = analyse(&input);
        let mut shuffled = input.clone();
        shuffle(&mut shuffled.tasks, seed);
        shuffle(&mut shuffled.links, seed ^ 0x55);
        prop_assert_eq!(analyse(&shuffled), first);
    }

    /// Whatever the links, cycles included, the forecast ends and covers
    /// every task.
    #[test]
    fn the_forecast_terminates_on_any_links(
        input in arb_input(),
        pairs in prop::collection::vec((0usize..40, 0usize..40, 0u32..3), 0..60),
    ) {
        let mut input = input;
        let n = input.tasks.len();
        if n > 0 {
            for (a, b, lag) in pairs {
                input.links.push(Link::new(
                    input.tasks[a % n].id,
                    input.tasks[b % n].id,
                    lag,
                    LinkKind::Explicit,
                ));
            }
        }
        let f = analyse(&input).forecast;
        prop_assert_eq!(f.tasks.len(), n);
        let cycle = find_cycle(&input.links);
        if let Some(c) = &cycle {
            // Each task of the cycle is linked to the next.
            for (i, a) in c.iter().enumerate() {
                let b = c[(i + 1) % c.len()];
                prop_assert!(input.links.iter().any(|l| l.predecessor == *a && l.successor == b));
            }
        }
    }
}

/// The people whose time a task's forecast takes: its shares', or the
/// member whose spare capacity an unassigned task is laid on.
fn workers(f: &fennec_schedule::Forecast, id: Uuid) -> Vec<Uuid> {
    let t = f.task(id).unwrap();
    let mut who: Vec<Uuid> = t.shares.iter().map(|s| s.person_id).collect();
    who.extend(t.spare_capacity.as_ref().and_then(|s| s.person_id));
    who
}

/// The critical-path properties on one production: every task on the path
/// has zero slack, each is pushed by the one before it, and every dated
/// open task (on spare capacity included) has its slack.
fn check_critical_path(input: &ScheduleInput) -> Result<(), TestCaseError> {
    let cal = input.calendar.compile();
    let links = input.all_links();
    let f = analyse(input).forecast;
    let cp = critical_path(&cal, &f, &links, |_| true);
    let slack = |id: Uuid| cp.slack.iter().find(|s| s.task_id == id).unwrap();
    for id in &cp.tasks {
        prop_assert_eq!(slack(*id).slack_days, 0);
    }
    for s in &cp.slack {
        prop_assert!(s.slack_days >= 0);
        prop_assert!(
            s.slack_days
                <= cal
                    .working_days_between(s.finish, cp.finish.unwrap())
                    .max(0)
        );
    }
    if let Some(last) = cp.tasks.last() {
        prop_assert_eq!(Some(slack(*last).finish), cp.finish);
    }
    prop_assert_eq!(cp.tasks.is_empty(), cp.finish.is_none());
    // Every open task with forecast dates takes part, the unassigned ones
    // laid on spare capacity too; nothing else does.
    let dated: Vec<Uuid> = f
        .tasks
        .iter()
        .filter(|t| t.is_open() && t.forecast_start.is_some() && t.forecast_finish.is_some())
        .map(|t| t.task_id)
        .collect();
    prop_assert_eq!(
        cp.slack.iter().map(|s| s.task_id).collect::<Vec<_>>(),
        dated
    );
    // Each task of the chain is pushed by the one before it: a link or
    // the same person (his share, or his spare capacity).
    for w in cp.tasks.windows(2) {
        let linked = links
            .iter()
            .any(|l| l.predecessor == w[0] && l.successor == w[1]);
        let shared = workers(&f, w[0])
            .iter()
            .any(|p| workers(&f, w[1]).contains(p));
        prop_assert!(linked || shared);
        prop_assert!(slack(w[0]).finish <= slack(w[1]).start.max(slack(w[0]).finish));
    }
    Ok(())
}

/// The critical path of one scope computed the plain way, a graph built
/// for that scope alone (the definition [`critical_paths`] must match).
fn reference_critical_path(
    input: &ScheduleInput,
    f: &fennec_schedule::Forecast,
    scope: &Scope,
) -> fennec_schedule::CriticalPath {
    let cal = input.calendar.compile();
    let links = input.all_links();
    let in_scope = |id: Uuid| input.tasks.iter().any(|t| t.id == id && scope.matches(t));
    let dated: Vec<(Uuid, NaiveDate, NaiveDate)> = f
        .tasks
        .iter()
        .filter(|t| t.is_open() && in_scope(t.task_id))
        .filter_map(|t| Some((t.task_id, t.forecast_start?, t.forecast_finish?)))
        .collect();
    let Some(target) = dated.iter().map(|d| d.2).max() else {
        return fennec_schedule::CriticalPath {
            finish: None,
            tasks: vec![],
            slack: vec![],
        };
    };
    let index = |id: Uuid| dated.iter().position(|d| d.0 == id);
    let gap = |a: usize, b: usize, lag: u32| {
        let tolerance = i64::from(lag == 0);
        (cal.working_days_between(dated[a].2, dated[b].1) - i64::from(lag) - tolerance).max(0)
    };
    // (from, to, lag, is a link)
    let mut edges: Vec<(usize, usize, u32, bool)> = Vec::new();
    for l in &links {
        if let (Some(a), Some(b)) = (index(l.predecessor), index(l.successor)) {
            if a != b {
                edges.push((a, b, l.lag_days, true));
            }
        }
    }
    let mut lanes: Vec<(Uuid, NaiveDate, NaiveDate, usize)> = Vec::new();
    for (i, d) in dated.iter().enumerate() {
        let t = f.task(d.0).unwrap();
        for s in &t.shares {
            lanes.push((s.person_id, s.start.unwrap(), s.finish.unwrap(), i));
        }
        if let Some(p) = t.spare_capacity.as_ref().and_then(|s| s.person_id) {
            lanes.push((p, d.1, d.2, i));
        }
    }
    lanes.sort();
    for w in lanes.windows(2) {
        if w[0].0 == w[1].0 && w[0].3 != w[1].3 {
            edges.push((w[0].3, w[1].3, 0, false));
        }
    }
    let to_target = |i: usize| cal.working_days_between(dated[i].2, target).max(0);
    let mut order: Vec<usize> = (0..dated.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse((dated[i].2, dated[i].1, i)));
    let mut slack: Vec<Option<i64>> = vec![None; dated.len()];
    for &i in &order {
        let mut best = to_target(i);
        for &(a, b, lag, _) in &edges {
            if a == i {
                best = best.min(gap(a, b, lag) + slack[b].unwrap_or_else(|| to_target(b)));
            }
        }
        slack[i] = Some(best);
    }
    let slack: Vec<i64> = slack.into_iter().map(Option::unwrap).collect();
    let last = (0..dated.len()).find(|&i| dated[i].2 == target).unwrap();
    let mut chain = vec![last];
    let mut at = last;
    while let Some((_, _, p)) = edges
        .iter()
        .filter(|e| e.1 == at && !chain.contains(&e.0) && slack[e.0] == 0 && gap(e.0, at, e.2) == 0)
        .map(|e| (!e.3, dated[e.0].0, e.0))
        .min()
    {
        chain.push(p);
        at = p;
    }
    chain.reverse();
    fennec_schedule::CriticalPath {
        finish: Some(target),
        tasks: chain.into_iter().map(|i| dated[i].0).collect(),
        slack: dated
            .iter()
            .zip(&slack)
            .map(|(d, s)| TaskSlack {
                task_id: d.0,
                start: d.1,
                finish: d.2,
                slack_days: *s,
            })
            .collect(),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_task_on_the_critical_path_has_zero_slack(input in arb_linked_input()) {
        check_critical_path(&input)?;
    }

    /// With departments, unassigned tasks laid on spare capacity take part
    /// in the path: the same properties hold.
    #[test]
    fn every_task_on_the_critical_path_has_zero_slack_with_spare_capacity(input in arb_departed_input()) {
        check_critical_path(&input)?;
    }

    /// The project's and the milestones' paths, computed on one shared
    /// graph, are each what a graph built for that scope alone gives.
    #[test]
    fn critical_paths_of_several_scopes_match_one_scope_at_a_time(input in arb_departed_input()) {
        let cal = input.calendar.compile();
        let links = input.all_links();
        let f = analyse(&input).forecast;
        let whole = Scope::default();
        let scopes: Vec<&Scope> = std::iter::once(&whole)
            .chain(input.milestones.iter().map(|m| &m.scope))
            .collect();
        let paths = critical_paths(&cal, &input.tasks, &f, &links, &scopes);
        prop_assert_eq!(paths.len(), scopes.len());
        for (scope, cp) in scopes.iter().zip(&paths) {
            prop_assert_eq!(cp, &reference_critical_path(&input, &f, scope));
        }
    }
}

/// A linked production whose people are in two departments: the first
/// does task types 200 and 201, the second 202.
fn arb_departed_input() -> impl Strategy<Value = ScheduleInput> {
    arb_linked_input().prop_map(|mut input| {
        input.departments = (0..2u128)
            .map(|d| Department {
                id: Uuid::from_u128(700 + d),
                name: format!("dept {d}"),
                people: (1..=PEOPLE + 2)
                    .filter(|n| n % 2 == d)
                    .map(|n| Ref::new(person(n), format!("p{n}")))
                    .collect(),
                task_types: if d == 0 {
                    vec![Uuid::from_u128(200), Uuid::from_u128(201)]
                } else {
                    vec![Uuid::from_u128(202)]
                },
            })
            .collect();
        input
    })
}

proptest! {
    #![proptest_config(Config { cases: 24, ..config() })]

    #[test]
    fn applying_a_remedy_never_moves_its_milestone_later(input in arb_departed_input()) {
        let a = analyse(&input);
        let mut tried = input.clone();
        let found = remedies(&mut tried, &a);
        // The tries on the input itself are all undone.
        prop_assert_eq!(&tried, &input);
        for mr in found {
            let i = a.milestones.iter().position(|m| *m == mr.milestone).unwrap();
            for r in &mr.remedies {
                let after = analyse(&apply_changes(&input, &r.changes).unwrap());
                prop_assert_eq!(after.milestones[i].forecast, r.forecast);
                prop_assert!(r.forecast.is_some());
                prop_assert!(r.forecast <= mr.milestone.forecast);
                prop_assert_eq!(r.meets_date, !after.milestones[i].slipping);
            }
        }
    }

    #[test]
    fn what_if_never_writes_and_no_change_moves_nothing(input in arb_departed_input(), pick in 0usize..40, to in 1..=PEOPLE) {
        let kept = input.clone();
        let a = analyse(&input);
        let w = what_if(&input, &a, &[]).unwrap();
        prop_assert!(w.tasks.is_empty());
        prop_assert_eq!(&w.risks_before, &w.risks_after);
        for m in &w.milestones {
            prop_assert_eq!(&m.before, &m.after);
        }
        if !input.tasks.is_empty() {
            let t = input.tasks[pick % input.tasks.len()].id;
            let change = Change::Reassign { task_id: t, from: None, to: Some(person(to)) };
            let w = what_if(&input, &a, std::slice::from_ref(&change)).unwrap();
            let after = analyse(&apply_changes(&input, &[change]).unwrap());
            for tc in &w.tasks {
                prop_assert_eq!(after.forecast.task(tc.task_id).unwrap().forecast_finish, tc.after_finish);
            }
        }
        prop_assert_eq!(input, kept);
    }

    /// An open unassigned task of a department's task type is forecast on
    /// that department's spare capacity: dates unless its work does not
    /// fit in the horizon, never before its predecessors' finish, and the
    /// tentative work fits the day's capacity beside the assigned load.
    #[test]
    fn unassigned_tasks_get_dates_on_spare_capacity_after_their_predecessors(input in arb_departed_input()) {
        let cal = input.calendar.compile();
        let f = analyse(&input).forecast;
        let links = input.all_links();
        for t in &input.tasks {
            let tf = f.task(t.id).unwrap();
            if tf.state != TaskState::Unassigned {
                prop_assert!(tf.spare_capacity.is_none());
                continue;
            }
            let department = input.departments.iter().find(|d| {
                t.task_type.as_ref().is_some_and(|tt| d.task_types.contains(&tt.id))
            });
            let Some(department) = department else {
                prop_assert!(tf.spare_capacity.is_none() && tf.forecast_finish.is_none());
                continue;
            };
            let spare = tf.spare_capacity.as_ref().unwrap();
            prop_assert_eq!(spare.department.id, department.id);
            prop_assert_eq!(spare.minutes, t.raw_remaining().round() as i64);
            if spare.unscheduled_minutes > 0 {
                prop_assert!(tf.forecast_finish.is_none());
            } else if tf.forecast_finish.is_none() {
                // Nothing to lay, but held beyond the horizon.
                let held = links.iter().filter(|l| l.successor == t.id).any(|l| {
                    let p = f.task(l.predecessor).unwrap();
                    p.state != TaskState::Done && p.forecast_finish.is_none()
                });
                prop_assert!(spare.minutes == 0 && (held || tf.earliest_start.unwrap() > f.horizon_end));
            } else {
                // Dated: on or after its earliest start and every
                // predecessor's finish plus lag.
                let (start, finish) = (tf.forecast_start.unwrap(), tf.forecast_finish.unwrap());
                prop_assert!(start >= tf.earliest_start.unwrap() && finish >= start);
                for l in links.iter().filter(|l| l.successor == t.id) {
                    let p = f.task(l.predecessor).unwrap();
                    let after = match (p.state, p.forecast_finish) {
                        (TaskState::Done, _) => None,
                        (_, Some(pf)) => Some(pf),
                        // Unassigned outside any department: its earliest
                        // start stands for it.
                        (TaskState::Unassigned, None) if p.spare_capacity.is_none() => p.earliest_start,
                        (_, None) => {
                            prop_assert!(false, "dated after an undated predecessor");
                            None
                        }
                    };
                    if let Some(pf) = after {
                        prop_assert!(start >= plus_working_days(&cal, pf, l.lag_days));
                    }
                }
                if spare.minutes > 0 {
                    let who = spare.person_id.unwrap();
                    prop_assert!(department.people.iter().any(|p| p.id == who));
                }
            }
        }
        for p in &f.people {
            for d in &p.days {
                prop_assert!(d.load_minutes + d.tentative_minutes <= d.capacity_minutes);
                prop_assert_eq!(d.capacity_minutes, cal.capacity_minutes(p.person_id, d.date));
            }
            prop_assert_eq!(p.tentative_minutes, p.days.iter().map(|d| d.tentative_minutes).sum::<i64>());
            prop_assert_eq!(p.laid_out_minutes + p.unscheduled_minutes, p.remaining_minutes);
        }
        // Tentative minutes are the spare capacity the tasks took.
        let taken: i64 = f
            .tasks
            .iter()
            .filter_map(|t| t.spare_capacity.as_ref())
            .map(|s| s.minutes - s.unscheduled_minutes)
            .sum();
        prop_assert_eq!(taken, f.people.iter().map(|p| p.tentative_minutes).sum::<i64>());
    }

    /// Every link holds once unassigned tasks have dates too.
    #[test]
    fn no_task_starts_before_a_dated_predecessor_finishes(input in arb_departed_input()) {
        let cal = input.calendar.compile();
        let f = analyse(&input).forecast;
        for l in input.all_links() {
            let (p, s) = (f.task(l.predecessor).unwrap(), f.task(l.successor).unwrap());
            if s.state == TaskState::Done || p.state == TaskState::Done {
                continue;
            }
            if let Some(finish) = p.forecast_finish {
                let earliest = plus_working_days(&cal, finish, l.lag_days);
                prop_assert!(s.earliest_start.unwrap() >= earliest.max(input.as_of));
                if let Some(start) = s.forecast_start {
                    prop_assert!(start >= earliest);
                }
            }
        }
    }

    #[test]
    fn every_slipping_or_late_task_has_a_cause(input in arb_departed_input()) {
        let a = analyse(&input);
        let c = causes(&input.calendar.compile(), &input, &a);
        for t in a.forecast.tasks.iter().filter(|t| t.state != TaskState::Done && (t.late || t.will_slip)) {
            prop_assert!(c.iter().any(|c| c.tasks.contains(&t.task_id)), "{:?} has no cause", t.task_id);
        }
        for c in &c {
            prop_assert!(c.problem_tasks <= c.tasks.len());
            prop_assert!(c.tasks.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
