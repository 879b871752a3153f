//! Zou's datetime conventions.
//!
//! Zou serialises datetimes as `YYYY-MM-DDTHH:MM:SS` (naive UTC, no
//! fraction, no offset) and accepts a date, a datetime with or without
//! fraction, or a datetime with an offset, which it *drops* rather than
//! converts (observed: `12:00:00+02:00` is stored as `12:00:00`).

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

pub const DATETIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";
pub const DATE_FORMAT: &str = "%Y-%m-%d";

/// Every row of every answer has a few of these: written digit by digit,
/// since chrono's strftime re-parses its format string each time (5 % of
/// a small request's CPU in `perf`, bench/README.md). Years chrono writes
/// otherwise (signed, or more than four digits) go through chrono.
pub fn format_datetime(dt: &NaiveDateTime) -> String {
    let mut s = String::with_capacity(19);
    if !push_date(&mut s, &dt.date()) {
        return dt.format(DATETIME_FORMAT).to_string();
    }
    let t = dt.time();
    s.push('T');
    push2(&mut s, t.hour());
    s.push(':');
    push2(&mut s, t.minute());
    s.push(':');
    push2(&mut s, t.second());
    s
}

pub fn format_date(d: &NaiveDate) -> String {
    let mut s = String::with_capacity(10);
    if push_date(&mut s, d) {
        s
    } else {
        d.format(DATE_FORMAT).to_string()
    }
}

/// `YYYY-MM-DD`, or false for a year outside 0..=9999.
fn push_date(s: &mut String, d: &NaiveDate) -> bool {
    let Ok(y) = u32::try_from(d.year()) else {
        return false;
    };
    if y > 9999 {
        return false;
    }
    push2(s, y / 100);
    push2(s, y % 100);
    s.push('-');
    push2(s, d.month());
    s.push('-');
    push2(s, d.day());
    true
}

fn push2(s: &mut String, n: u32) {
    s.push(char::from(b'0' + (n / 10 % 10) as u8));
    s.push(char::from(b'0' + (n % 10) as u8));
}

/// Current time as Zou stores it: naive UTC, truncated to the second so
/// that what is stored equals what is shown.
pub fn now() -> NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    now.with_nanosecond_zero()
}

trait TruncateNanos {
    fn with_nanosecond_zero(self) -> Self;
}

impl TruncateNanos for NaiveDateTime {
    fn with_nanosecond_zero(self) -> Self {
        self.with_nanosecond(0).unwrap_or(self)
    }
}

/// Parses what Zou accepts for a datetime field: `YYYY-MM-DD`,
/// `YYYY-MM-DDTHH:MM[:SS[.ffffff]]` (a space instead of `T` too), with an
/// optional `Z` or `±HH:MM` offset that is ignored. Microseconds are dropped.
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, DATE_FORMAT) {
        return Some(d.and_time(NaiveTime::MIN));
    }
    let body = strip_offset(s);
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(body, fmt) {
            return Some(dt.with_nanosecond_zero());
        }
    }
    None
}

/// Parses a date (`YYYY-MM-DD`); a datetime is accepted and its time dropped.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, DATE_FORMAT)
        .ok()
        .or_else(|| parse_datetime(s).map(|dt| dt.date()))
}

fn strip_offset(s: &str) -> &str {
    if let Some(stripped) = s.strip_suffix('Z') {
        return stripped;
    }
    // An offset can only follow the time part, i.e. after the 'T' or space.
    let Some(time_start) = s.find(['T', ' ']) else {
        return s;
    };
    match s[time_start..].rfind(['+', '-']) {
        Some(pos) => &s[..time_start + pos],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> Option<String> {
        parse_datetime(s).map(|d| format_datetime(&d))
    }

    #[test]
    fn formats_as_chrono_does_across_the_calendar() {
        // Days of 0000..=10000 at a time that moves with them, leap days,
        // the four-digit edges and the years beyond them included.
        let mut d = NaiveDate::from_ymd_opt(-2, 12, 25).unwrap();
        let end = NaiveDate::from_ymd_opt(10001, 1, 10).unwrap();
        let mut n = 0u32;
        while d <= end {
            let t =
                NaiveTime::from_hms_nano_opt(n % 24, n * 7 % 60, n * 13 % 60, n * 997 % 1_000_000)
                    .unwrap();
            let dt = d.and_time(t);
            assert_eq!(format_datetime(&dt), dt.format(DATETIME_FORMAT).to_string());
            assert_eq!(format_date(&d), d.format(DATE_FORMAT).to_string());
            // Every day near the edges, every 11th in between (all
            // weekdays and month days still come round).
            let step = if (3..9998).contains(&d.year()) { 11 } else { 1 };
            d = d + chrono::Days::new(step);
            n += 1;
        }
    }

    #[test]
    fn accepts_what_zou_accepts() {
        assert_eq!(dt("2024-01-10").as_deref(), Some("2024-01-10T00:00:00"));
        assert_eq!(
            dt("2024-01-10T12:30:00").as_deref(),
            Some("2024-01-10T12:30:00")
        );
        assert_eq!(
            dt("2024-01-10T12:30:00.123456").as_deref(),
            Some("2024-01-10T12:30:00")
        );
        // The offset is dropped, not converted (observed on Zou).
        assert_eq!(
            dt("2024-01-10T12:00:00+02:00").as_deref(),
            Some("2024-01-10T12:00:00")
        );
        assert_eq!(
            dt("2024-01-10T12:00:00-05:00").as_deref(),
            Some("2024-01-10T12:00:00")
        );
        assert_eq!(
            dt("2024-01-10T12:00:00Z").as_deref(),
            Some("2024-01-10T12:00:00")
        );
        assert_eq!(
            dt("2024-01-10 08:15:00").as_deref(),
            Some("2024-01-10T08:15:00")
        );
    }

    #[test]
    fn refuses_malformed_dates() {
        for bad in [
            "not-a-date",
            "2024-13-45",
            "2024-01-10T25:00:00",
            "",
            "2024",
        ] {
            assert_eq!(dt(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(
            parse_date("2024-02-03T10:00:00").map(|d| format_date(&d)),
            Some("2024-02-03".into())
        );
    }
}
