//! Japan's national holidays (国民の祝日), computed from the rules of the Public Holiday Act rather
//! than copied from a table, so that any year of a term is covered without a yearly update.
//!
//! The rules as they stand since 2020 (the Emperor's birthday on 23 February; Sports Day on the
//! second Monday of October), with the two special years 2020 and 2021 (the Olympic moves) left out:
//! [`holidays_in_year`] answers `None` outside [`FIRST_YEAR`]..=[`LAST_YEAR`] rather than guess.
//!
//! - Fixed days: 1 Jan, 11 Feb, 23 Feb, 29 Apr, 3, 4, 5 May, 11 Aug, 3 Nov, 23 Nov.
//! - "Happy Monday" days: 2nd Monday of January, 3rd Monday of July, 3rd Monday of September,
//!   2nd Monday of October.
//! - The vernal and autumnal equinoxes, by the standard approximation (valid 1980-2099):
//!   `floor(20.8431 + 0.242194 (y - 1980) - floor((y - 1980) / 4))` for March and the same with
//!   `23.2488` for September. The official dates are announced each February by the National
//!   Astronomical Observatory for the next year; the formula agrees with them throughout this range.
//! - Substitute holiday (振替休日): a holiday on a Sunday moves to the next day that is not itself a
//!   holiday.
//! - Citizens' holiday (国民の休日): a day that is not a holiday but lies between two holidays.
//!
//! Nothing here knows about schools: closing a school on these days is the scheduler's business.

use crate::date::{Date, Weekday};

/// The first year whose holidays this module computes.
pub const FIRST_YEAR: i32 = 2022;
/// The last year whose holidays this module computes (the equinox formula's range ends in 2099).
pub const LAST_YEAR: i32 = 2099;

/// One national holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The day.
    pub date: Date,
    /// The holiday's English name, e.g. "Showa Day" or "Substitute holiday".
    pub name: &'static str,
    /// The holiday's Japanese name, e.g. 「昭和の日」.
    pub name_ja: &'static str,
}

/// All national holidays of `year` in date order, substitute and citizens' holidays included, or
/// `None` when the year is outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
///
/// ```
/// use jetdesk_timetable::{holidays::holidays_in_year, Date};
/// // Golden Week 2027: Showa Day, then Constitution Day, Greenery Day and Children's Day.
/// let days: Vec<String> = holidays_in_year(2027)
///     .unwrap_or_default()
///     .into_iter()
///     .filter(|h| h.date.ymd().1 == 5 || h.date.ymd().1 == 4)
///     .map(|h| h.date.to_string())
///     .collect();
/// assert_eq!(days, ["2027-04-29", "2027-05-03", "2027-05-04", "2027-05-05"]);
/// ```
pub fn holidays_in_year(year: i32) -> Option<Vec<Holiday>> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return None;
    }
    let mut named = Vec::with_capacity(20);
    let mut fixed = |month: u32, day: u32, name: &'static str, name_ja: &'static str| {
        if let Some(date) = Date::from_ymd(year, month, day) {
            named.push(Holiday { date, name, name_ja });
        }
    };
    fixed(1, 1, "New Year's Day", "元日");
    fixed(2, 11, "National Foundation Day", "建国記念の日");
    fixed(2, 23, "Emperor's Birthday", "天皇誕生日");
    fixed(3, vernal_equinox_day(year), "Vernal Equinox Day", "春分の日");
    fixed(4, 29, "Showa Day", "昭和の日");
    fixed(5, 3, "Constitution Memorial Day", "憲法記念日");
    fixed(5, 4, "Greenery Day", "みどりの日");
    fixed(5, 5, "Children's Day", "こどもの日");
    fixed(8, 11, "Mountain Day", "山の日");
    fixed(9, autumnal_equinox_day(year), "Autumnal Equinox Day", "秋分の日");
    fixed(11, 3, "Culture Day", "文化の日");
    fixed(11, 23, "Labour Thanksgiving Day", "勤労感謝の日");
    let mut monday = |month: u32, nth: u32, name: &'static str, name_ja: &'static str| {
        if let Some(date) = nth_monday(year, month, nth) {
            named.push(Holiday { date, name, name_ja });
        }
    };
    monday(1, 2, "Coming of Age Day", "成人の日");
    monday(7, 3, "Marine Day", "海の日");
    monday(9, 3, "Respect for the Aged Day", "敬老の日");
    monday(10, 2, "Sports Day", "スポーツの日");
    named.sort_by_key(|h| h.date);

    let is_named = |date: Date| named.iter().any(|h| h.date == date);
    let mut extra = Vec::new();
    // Citizens' holiday: sandwiched between two named holidays (only ever happens in September,
    // between Respect for the Aged Day and the autumnal equinox, in this rule set).
    for holiday in &named {
        let middle = holiday.date.succ();
        if !is_named(middle) && is_named(middle.succ()) {
            extra.push(Holiday {
                date: middle,
                name: "Citizens' holiday",
                name_ja: "国民の休日",
            });
        }
    }
    // Substitute holiday: the first following day that is not a named holiday.
    for holiday in &named {
        if holiday.date.weekday() == Weekday::Sun {
            let mut day = holiday.date.succ();
            while is_named(day) {
                day = day.succ();
            }
            extra.push(Holiday {
                date: day,
                name: "Substitute holiday",
                name_ja: "振替休日",
            });
        }
    }
    named.extend(extra);
    named.sort_by_key(|h| h.date);
    named.dedup_by_key(|h| h.date);
    Some(named)
}

/// The holidays between `first` and `last` inclusive, or `Err(year)` naming the first year of the
/// range that this module cannot compute.
pub fn holidays_between(first: Date, last: Date) -> Result<Vec<Holiday>, i32> {
    let mut all = Vec::new();
    for year in first.year()..=last.year() {
        let year_days = holidays_in_year(year).ok_or(year)?;
        all.extend(
            year_days
                .into_iter()
                .filter(|h| h.date >= first && h.date <= last),
        );
    }
    Ok(all)
}

/// The day of March of the vernal equinox, by the approximation formula (in millionths of a day,
/// so the arithmetic is exact integers rather than floating point).
pub fn vernal_equinox_day(year: i32) -> u32 {
    equinox_day(20_843_100, year)
}

/// The day of September of the autumnal equinox, by the approximation formula.
pub fn autumnal_equinox_day(year: i32) -> u32 {
    equinox_day(23_248_800, year)
}

fn equinox_day(base_millionths: i64, year: i32) -> u32 {
    let since = i64::from(year - 1980);
    let day = (base_millionths + 242_194 * since).div_euclid(1_000_000) - since.div_euclid(4);
    u32::try_from(day).unwrap_or(0)
}

fn nth_monday(year: i32, month: u32, nth: u32) -> Option<Date> {
    let first = Date::from_ymd(year, month, 1)?;
    let offset = (7 - first.weekday().index() as i32) % 7;
    Some(first.add_days(offset + 7 * (nth as i32 - 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The official lists copied from shared/DOMAIN.md ("Japan's national holidays (test oracle for
    /// the timetable)"), which follow the Cabinet Office's published calendar.
    fn official(year: i32) -> Vec<String> {
        let days: &[&str] = match year {
            2025 => &[
                "01-01", "01-13", "02-11", "02-23", "02-24", "03-20", "04-29", "05-03", "05-04", "05-05",
                "05-06", "07-21", "08-11", "09-15", "09-23", "10-13", "11-03", "11-23", "11-24",
            ],
            2026 => &[
                "01-01", "01-12", "02-11", "02-23", "03-20", "04-29", "05-03", "05-04", "05-05", "05-06",
                "07-20", "08-11", "09-21", "09-22", "09-23", "10-12", "11-03", "11-23",
            ],
            2027 => &[
                "01-01", "01-11", "02-11", "02-23", "03-21", "03-22", "04-29", "05-03", "05-04", "05-05",
                "07-19", "08-11", "09-20", "09-23", "10-11", "11-03", "11-23",
            ],
            _ => &[],
        };
        days.iter().map(|d| format!("{year}-{d}")).collect()
    }

    fn computed(year: i32) -> Vec<String> {
        holidays_in_year(year)
            .unwrap_or_default()
            .iter()
            .map(|h| h.date.to_string())
            .collect()
    }

    #[test]
    fn holidays_2025_match_the_official_list_exactly() {
        assert_eq!(computed(2025), official(2025));
    }

    #[test]
    fn holidays_2026_match_the_official_list_exactly() {
        assert_eq!(computed(2026), official(2026));
    }

    #[test]
    fn holidays_2027_match_the_official_list_exactly() {
        assert_eq!(computed(2027), official(2027));
    }

    #[test]
    fn sunday_holidays_are_substituted_by_the_next_non_holiday() {
        let names: Vec<(String, &str)> = holidays_in_year(2025)
            .unwrap_or_default()
            .iter()
            .map(|h| (h.date.to_string(), h.name))
            .collect();
        // 4 May 2025 (Greenery Day) is a Sunday and 5 May is itself a holiday: the substitute is 6 May.
        assert!(names.contains(&("2025-05-06".to_string(), "Substitute holiday")));
        assert!(names.contains(&("2025-02-24".to_string(), "Substitute holiday")));
    }

    #[test]
    fn a_day_between_two_holidays_is_a_citizens_holiday() {
        let h = holidays_in_year(2026).unwrap_or_default();
        assert!(h
            .iter()
            .any(|h| h.date.to_string() == "2026-09-22" && h.name == "Citizens' holiday"));
    }

    #[test]
    fn equinoxes_follow_the_known_dates() {
        // Announced dates (National Astronomical Observatory of Japan): 2024-03-20, 2024-09-22,
        // 2028-03-20, 2028-09-22, 2030-03-20, 2030-09-23.
        assert_eq!((vernal_equinox_day(2024), autumnal_equinox_day(2024)), (20, 22));
        assert_eq!((vernal_equinox_day(2028), autumnal_equinox_day(2028)), (20, 22));
        assert_eq!((vernal_equinox_day(2030), autumnal_equinox_day(2030)), (20, 23));
    }

    #[test]
    fn years_outside_the_rules_are_refused_not_guessed() {
        assert!(holidays_in_year(2021).is_none());
        assert!(holidays_in_year(2100).is_none());
        assert!(holidays_in_year(2022).is_some());
    }

    #[test]
    fn every_year_in_range_has_sixteen_to_twenty_one_holidays_on_distinct_days() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let h = holidays_in_year(year).unwrap_or_default();
            assert!((16..=21).contains(&h.len()), "{year}: {}", h.len());
            assert!(h.windows(2).all(|w| matches!(w, [a, b] if a.date < b.date)));
        }
    }
}
