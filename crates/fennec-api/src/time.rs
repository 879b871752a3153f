//! Zou's datetime conventions.
//!
//! Zou serialises datetimes as `YYYY-MM-DDTHH:MM:SS` (naive UTC, no
//! fraction, no offset) and accepts a date, a datetime with or without
//! fraction, or a datetime with an offset, which it *drops* rather than
//! converts (observed: `12:00:00+02:00` is stored as `12:00:00`).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

pub const DATETIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";
pub const DATE_FORMAT: &str = "%Y-%m-%d";

pub fn format_datetime(dt: &NaiveDateTime) -> String {
    dt.format(DATETIME_FORMAT).to_string()
}

pub fn format_date(d: &NaiveDate) -> String {
    d.format(DATE_FORMAT).to_string()
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
        use chrono::Timelike;
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
