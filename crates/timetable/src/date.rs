//! A small proleptic-Gregorian civil date, just what the scheduler needs.
//!
//! The scheduler walks every day of a term many times over and indexes arrays by day, so a date is a
//! plain day count (days since 1970-01-01) that is `Copy`, ordered and cheap to step. Time zones and
//! times of day never enter: a school visit is a whole day in Japan. This module must stay free of
//! I/O and of any clock: "today" is never asked for.

use std::fmt;

/// A day of the week, Monday first as in ISO 8601 and in Japanese school timetables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    /// Monday (月).
    Mon,
    /// Tuesday (火).
    Tue,
    /// Wednesday (水).
    Wed,
    /// Thursday (木).
    Thu,
    /// Friday (金).
    Fri,
    /// Saturday (土).
    Sat,
    /// Sunday (日).
    Sun,
}

impl Weekday {
    /// All seven days, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// Monday to Friday: the days Japanese schools normally teach.
    pub const SCHOOL_DAYS: [Weekday; 5] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];

    /// 0 for Monday up to 6 for Sunday.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The three-letter lower-case name used in the JSON input (`"mon"` … `"sun"`).
    pub fn short_name(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    /// Parses `"mon"`, `"Monday"`, `"TUE"`…: the first three letters decide, case-insensitively.
    pub fn parse(text: &str) -> Option<Weekday> {
        let lower = text.trim().to_ascii_lowercase();
        let full = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ];
        Weekday::ALL
            .into_iter()
            .zip(full)
            .find_map(|(day, name)| (lower == day.short_name() || lower == name).then_some(day))
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short_name())
    }
}

/// A calendar date: days since 1970-01-01 (which was a Thursday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

impl Date {
    /// The date for a year, month (1-12) and day (1-31), or `None` if there is no such day.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if !(1..=9999).contains(&year) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// Parses `YYYY-MM-DD` exactly (ten characters), refusing impossible days like `2027-02-30`.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = text.get(range)?;
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let year = i32::try_from(number(0..4)?).ok()?;
        Date::from_ymd(year, number(5..7)?, number(8..10)?)
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i32) -> Date {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i32 {
        self.0
    }

    /// The date `days` later (or earlier, if negative).
    pub fn add_days(self, days: i32) -> Date {
        Date(self.0 + days)
    }

    /// The next day.
    pub fn succ(self) -> Date {
        self.add_days(1)
    }

    /// `(year, month, day)`.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday (index 3).
        let index = (self.0 + 3).rem_euclid(7);
        match index {
            0 => Weekday::Mon,
            1 => Weekday::Tue,
            2 => Weekday::Wed,
            3 => Weekday::Thu,
            4 => Weekday::Fri,
            5 => Weekday::Sat,
            _ => Weekday::Sun,
        }
    }

    /// The ISO 8601 week: `(week-numbering year, week 1-53)`. Weeks start on Monday and week 1 is
    /// the one holding the year's first Thursday, so 2027-01-01 (a Friday) is in `2026-W53`.
    pub fn iso_week(self) -> (i32, u32) {
        let thursday = self.add_days(3 - self.weekday().index() as i32);
        let year = thursday.year();
        let jan1 = Date(days_from_civil(year, 1, 1));
        let ordinal = thursday.0 - jan1.0;
        (year, (ordinal / 7 + 1) as u32)
    }

    /// The Monday starting this date's ISO week.
    pub fn monday(self) -> Date {
        self.add_days(-(self.weekday().index() as i32))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Whether `year` is a Gregorian leap year.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in a month (1-12) of a year; 0 for a month that does not exist.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's `days_from_civil` / `civil_from_days`: exact for every proleptic Gregorian date
// with only integer arithmetic, and no table that could be indexed out of range.
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_is_a_thursday() {
        assert_eq!(Date(0).weekday(), Weekday::Thu);
        assert_eq!(Date(0).to_string(), "1970-01-01");
    }

    #[test]
    fn parse_round_trips_and_refuses_impossible_days() {
        for text in ["2027-04-06", "2024-02-29", "2000-12-31", "2099-01-01"] {
            assert_eq!(Date::parse(text).map(|d| d.to_string()).as_deref(), Some(text));
        }
        for text in [
            "2027-02-29",
            "2027-13-01",
            "2027-04-31",
            "27-04-06",
            "2027/04/06",
            "2027-4-6",
        ] {
            assert_eq!(Date::parse(text), None, "{text}");
        }
    }

    #[test]
    fn iso_weeks_match_the_standard() {
        let week = |s: &str| Date::parse(s).map(Date::iso_week);
        assert_eq!(week("2027-01-01"), Some((2026, 53)));
        assert_eq!(week("2027-01-04"), Some((2027, 1)));
        assert_eq!(week("2027-05-03"), Some((2027, 18)));
        assert_eq!(week("2024-12-30"), Some((2025, 1)));
    }

    #[test]
    fn weekday_names_parse_loosely_but_not_wrongly() {
        assert_eq!(Weekday::parse("Monday"), Some(Weekday::Mon));
        assert_eq!(Weekday::parse("THU"), Some(Weekday::Thu));
        assert_eq!(Weekday::parse("thurs"), None);
        assert_eq!(Weekday::parse("funday"), None);
    }
}
