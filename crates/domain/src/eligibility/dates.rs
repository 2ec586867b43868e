//! Dates as the eligibility rules store and say them: ISO 8601 (`2027-07-31`) in JSON, "31 July 2027"
//! in reasons. We use `jiff::civil::Date` (a calendar date with no time zone: deadlines here are days,
//! not instants) and keep its serde form in our hands rather than enabling jiff's `serde` feature, so
//! the stored JSON cannot change under a dependency upgrade.

use jiff::civil::Date;

/// "31 July 2027": the GOV.UK style for dates in sentences.
pub(crate) fn english(date: Date) -> String {
    let month = match date.month() {
        1 => "January",
        2 => "February",
        3 => "March",
        4 => "April",
        5 => "May",
        6 => "June",
        7 => "July",
        8 => "August",
        9 => "September",
        10 => "October",
        11 => "November",
        _ => "December",
    };
    format!("{} {} {}", date.day(), month, date.year())
}

/// `#[serde(with = "dates::iso")]` for a `Date` field.
pub(crate) mod iso {
    use jiff::civil::Date;

    pub(crate) fn serialize<S: serde::Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(date)
    }

    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        text.parse::<Date>()
            .map_err(|e| serde::de::Error::custom(format!("invalid date {text:?}, expected YYYY-MM-DD: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_reads_day_month_year() {
        assert_eq!(english(jiff::civil::date(2027, 7, 31)), "31 July 2027");
        assert_eq!(english(jiff::civil::date(2026, 1, 1)), "1 January 2026");
        assert_eq!(english(jiff::civil::date(2026, 12, 9)), "9 December 2026");
    }
}
