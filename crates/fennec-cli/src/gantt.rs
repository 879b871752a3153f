//! Drawing a timeline: a Gantt in the terminal and as an SVG file.
//!
//! Each group is one row: its planned span (earliest start to latest due)
//! as a light bar, what actually happened as a solid bar, the forecast end
//! as a marker, and the `as of` day as a vertical line. Late or slipping
//! groups say so in words, not only in colour.

use chrono::{Datelike, Duration, NaiveDate};
use fennec_schedule::{Timeline, TimelineGroup};

/// The date window a timeline needs.
fn window(tl: &Timeline) -> (NaiveDate, NaiveDate) {
    let mut lo = tl.as_of;
    let mut hi = tl.as_of;
    for g in &tl.groups {
        for d in [
            g.planned_start,
            g.planned_end,
            g.actual_start,
            g.actual_end,
            g.forecast_end,
        ]
        .into_iter()
        .flatten()
        {
            lo = lo.min(d);
            hi = hi.max(d);
        }
    }
    (lo, hi.max(lo + Duration::days(1)))
}

fn label(g: &TimelineGroup) -> String {
    g.key
        .as_ref()
        .map_or_else(|| "(none)".to_owned(), |k| k.name.to_string())
}

fn status(g: &TimelineGroup) -> &'static str {
    if g.late > 0 {
        "LATE"
    } else if g.slipping > 0 {
        "SLIPPING"
    } else if g.progress.tasks > 0 && g.progress.done_tasks == g.progress.tasks {
        "done"
    } else {
        ""
    }
}

/// A text Gantt, `width` columns for the bars.
pub fn text(tl: &Timeline, width: usize) -> String {
    let width = width.max(10);
    let (lo, hi) = window(tl);
    let span = (hi - lo).num_days().max(1) as f64;
    let col = |d: NaiveDate| -> usize {
        (((d - lo).num_days() as f64 / span) * (width - 1) as f64).round() as usize
    };
    let name_w = tl
        .groups
        .iter()
        .map(|g| label(g).chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 32);
    let mut out = String::new();
    out.push_str(&format!(
        "{:<name_w$}  {:<width$}  progress   status\n",
        "group",
        format!("{lo} … {hi}  (as of {})", tl.as_of),
    ));
    for g in &tl.groups {
        let mut bar = vec![' '; width];
        if let (Some(s), Some(e)) = (g.planned_start, g.planned_end) {
            for c in bar.iter_mut().take(col(e).max(col(s)) + 1).skip(col(s)) {
                *c = '─';
            }
        }
        if let Some(s) = g.actual_start {
            let e = g.actual_end.unwrap_or(tl.as_of.min(hi));
            for c in bar.iter_mut().take(col(e).max(col(s)) + 1).skip(col(s)) {
                *c = '█';
            }
        }
        let now = col(tl.as_of);
        if bar[now] == ' ' || bar[now] == '─' {
            bar[now] = '│';
        }
        if let Some(f) = g.forecast_end {
            bar[col(f)] = '▶';
        }
        let mut name: String = label(g).chars().take(name_w).collect();
        while name.chars().count() < name_w {
            name.push(' ');
        }
        out.push_str(&format!(
            "{name}  {}  {:>4}/{:<4}  {}\n",
            bar.into_iter().collect::<String>(),
            g.progress.done_tasks,
            g.progress.tasks,
            status(g)
        ));
    }
    out.push_str("legend: ─ planned  █ actual  ▶ forecast end  │ as of\n");
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A standalone SVG Gantt.
pub fn svg(tl: &Timeline, title: &str) -> String {
    let (lo, hi) = window(tl);
    let days = (hi - lo).num_days().max(1) as f64;
    let left = 220.0;
    let chart_w = 900.0;
    let row_h = 24.0;
    let top = 60.0;
    let h = top + row_h * tl.groups.len() as f64 + 40.0;
    let w = left + chart_w + 140.0;
    let x = |d: NaiveDate| left + (d - lo).num_days() as f64 / days * chart_w;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"{}\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"16\" font-weight=\"bold\">{}</text>\n",
        esc(title),
        esc(title)
    );
    // Week ticks (Mondays).
    let mut d = lo;
    while d <= hi {
        if d.weekday() == chrono::Weekday::Mon {
            let xx = x(d);
            s.push_str(&format!(
                "<line x1=\"{xx:.1}\" y1=\"{}\" x2=\"{xx:.1}\" y2=\"{}\" stroke=\"#e0e0e0\"/>\
                 <text x=\"{xx:.1}\" y=\"{}\" fill=\"#555\">{}</text>\n",
                top - 10.0,
                h - 30.0,
                top - 14.0,
                d.format("%m-%d")
            ));
        }
        d += Duration::days(1);
    }
    for (i, g) in tl.groups.iter().enumerate() {
        let y = top + row_h * i as f64;
        let st = status(g);
        let colour = match st {
            "LATE" => "#c62828",
            "SLIPPING" => "#ef6c00",
            _ => "#1565c0",
        };
        s.push_str(&format!(
            "<text x=\"10\" y=\"{:.1}\">{}</text>\n",
            y + 16.0,
            esc(&label(g))
        ));
        if let (Some(a), Some(b)) = (g.planned_start, g.planned_end) {
            s.push_str(&format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"8\" fill=\"#bbdefb\"><title>planned {a} → {b}</title></rect>\n",
                x(a), y + 4.0, (x(b) - x(a)).max(2.0)
            ));
        }
        if let Some(a) = g.actual_start {
            let b = g.actual_end.unwrap_or(tl.as_of);
            s.push_str(&format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"8\" fill=\"{colour}\"><title>actual {a} → {b}</title></rect>\n",
                x(a), y + 12.0, (x(b) - x(a)).max(2.0)
            ));
        }
        if let Some(f) = g.forecast_end {
            s.push_str(&format!(
                "<path d=\"M{:.1},{:.1} l6,6 l-6,6 z\" fill=\"{colour}\"><title>forecast end {f}</title></path>\n",
                x(f), y + 4.0
            ));
        }
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\">{}/{} {}</text>\n",
            left + chart_w + 10.0,
            y + 16.0,
            g.progress.done_tasks,
            g.progress.tasks,
            st
        ));
    }
    let now = x(tl.as_of);
    s.push_str(&format!(
        "<line x1=\"{now:.1}\" y1=\"{}\" x2=\"{now:.1}\" y2=\"{}\" stroke=\"#000\" stroke-dasharray=\"4 3\"/>\
         <text x=\"{now:.1}\" y=\"{}\">as of {}</text>\n</svg>\n",
        top - 6.0,
        h - 30.0,
        h - 14.0,
        tl.as_of
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use fennec_schedule::{Progress, Ref};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn group(name: &str, late: usize) -> TimelineGroup {
        TimelineGroup {
            key: Some(Ref::new(uuid::Uuid::nil(), name)),
            planned_start: Some(day("2024-03-01")),
            planned_end: Some(day("2024-03-20")),
            actual_start: Some(day("2024-03-02")),
            actual_end: None,
            forecast_end: Some(day("2024-03-25")),
            complete: true,
            late,
            slipping: 0,
            progress: Progress {
                tasks: 4,
                done_tasks: 1,
                estimate_minutes: 0.0,
                done_estimate_minutes: 0.0,
                logged_minutes: 0.0,
                remaining_minutes: 0,
                ratio: 0.25,
            },
            tasks: vec![],
        }
    }

    fn timeline() -> Timeline {
        Timeline {
            as_of: day("2024-03-10"),
            groups: vec![group("SQ010", 1), group("SQ<020>", 0)],
        }
    }

    #[test]
    fn text_gantt_has_a_row_per_group_and_says_late() {
        let t = text(&timeline(), 40);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4, "{t}");
        assert!(
            lines[1].starts_with("SQ010") && lines[1].ends_with("LATE"),
            "{t}"
        );
        assert!(lines[1].contains('█') && lines[1].contains('▶'), "{t}");
        assert!(lines[2].contains("1/4"), "{t}");
    }

    #[test]
    fn svg_is_escaped_and_marks_as_of() {
        let s = svg(&timeline(), "Show & Tell");
        assert!(s.starts_with("<svg"));
        assert!(s.contains("Show &amp; Tell"));
        assert!(s.contains("SQ&lt;020&gt;"));
        assert!(s.contains("as of 2024-03-10"));
        assert!(s.contains("LATE"));
    }
}
