//! An application's reference number, e.g. `JET27-UK-000123`, shown everywhere and in every e-mail.
//!
//! The form is `JET` + the programme (departure) year's last two digits, `-`, a two-letter country code
//! in capitals, `-`, a six-digit sequence number. Years are 2000–2099, so the two digits are unambiguous.
//! Sequence numbers run from 1 to 999,999; `000000` is never issued. This module must never allocate
//! sequence numbers (the store does, per round) nor check that the country is a real one.

use std::fmt;
use std::str::FromStr;

/// A checked reference number. Construct with [`ReferenceNumber::new`] or [`ReferenceNumber::parse`].
///
/// ```
/// use jetdesk_domain::ReferenceNumber;
/// let r = ReferenceNumber::new(2027, "UK", 123).unwrap();
/// assert_eq!(r.to_string(), "JET27-UK-000123");
/// assert_eq!(ReferenceNumber::parse("jet27-uk-000123"), Ok(r.clone()));
/// assert_eq!((r.year(), r.country(), r.sequence()), (2027, "UK", 123));
/// ```
///
/// Ordering is by year, then country, then sequence; serde uses the string form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferenceNumber {
    /// 2000–2099.
    year: i16,
    /// Exactly two ASCII capital letters.
    country: [u8; 2],
    /// 1–999,999.
    sequence: u32,
}

/// Why a reference number was refused. The messages are fit to show beside a search or form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// Nothing was entered.
    #[error("Enter a reference number, like JET27-UK-000123")]
    Empty,
    /// Does not start with "JET".
    #[error("A reference number starts with JET, like JET27-UK-000123")]
    Prefix,
    /// Not three parts separated by hyphens.
    #[error("Enter the reference number in the format JET27-UK-000123")]
    Format,
    /// The year is not two digits after "JET".
    #[error("The year in a reference number is two digits after JET, like JET27")]
    YearDigits,
    /// The programme year is outside 2000–2099 (only from `new`).
    #[error("The programme year must be between 2000 and 2099")]
    YearOutOfRange,
    /// The country is not two letters.
    #[error("The country in a reference number is two letters, like UK")]
    Country,
    /// The sequence is not six digits.
    #[error("The number at the end of a reference number is six digits, like 000123")]
    SequenceDigits,
    /// The sequence is 0 or above 999,999.
    #[error("The number at the end of a reference number must be between 000001 and 999999")]
    SequenceOutOfRange,
}

impl ReferenceNumber {
    /// The largest sequence number six digits can hold.
    pub const MAX_SEQUENCE: u32 = 999_999;

    /// Builds a reference from its parts. `year` is the full programme year (2027); `country` is two
    /// ASCII letters in either case (stored in capitals); `seq` is 1–999,999.
    ///
    /// # Errors
    /// [`ReferenceError::YearOutOfRange`], [`ReferenceError::Country`] or
    /// [`ReferenceError::SequenceOutOfRange`].
    pub fn new(year: i16, country: &str, seq: u32) -> Result<ReferenceNumber, ReferenceError> {
        if !(2000..=2099).contains(&year) {
            return Err(ReferenceError::YearOutOfRange);
        }
        let country = parse_country(country)?;
        if seq == 0 || seq > Self::MAX_SEQUENCE {
            return Err(ReferenceError::SequenceOutOfRange);
        }
        Ok(ReferenceNumber {
            year,
            country,
            sequence: seq,
        })
    }

    /// Reads a reference typed by a person or read from storage. Surrounding spaces and letter case
    /// are forgiven (`" jet27-uk-000123 "` is accepted); the result is always in the canonical form.
    ///
    /// # Errors
    /// A [`ReferenceError`] naming the first part that is wrong, checked left to right.
    pub fn parse(input: &str) -> Result<ReferenceNumber, ReferenceError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ReferenceError::Empty);
        }
        let upper = s.to_ascii_uppercase();
        let rest = upper.strip_prefix("JET").ok_or(ReferenceError::Prefix)?;
        let mut parts = rest.split('-');
        let (Some(year), Some(country), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ReferenceError::Format);
        };
        if year.len() != 2 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ReferenceError::YearDigits);
        }
        let year: i16 = year.parse().map_err(|_| ReferenceError::YearDigits)?;
        let country = parse_country(country)?;
        if seq.len() != 6 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ReferenceError::SequenceDigits);
        }
        let seq: u32 = seq.parse().map_err(|_| ReferenceError::SequenceDigits)?;
        if seq == 0 {
            return Err(ReferenceError::SequenceOutOfRange);
        }
        Ok(ReferenceNumber {
            year: 2000 + year,
            country,
            sequence: seq,
        })
    }

    /// The full programme (departure) year, e.g. 2027.
    pub fn year(&self) -> i16 {
        self.year
    }

    /// The two-letter country code in capitals, e.g. "UK".
    pub fn country(&self) -> &str {
        // Always two ASCII letters (checked on construction), so this never falls back.
        std::str::from_utf8(&self.country).unwrap_or("??")
    }

    /// The sequence number within the round and country, 1–999,999.
    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

fn parse_country(country: &str) -> Result<[u8; 2], ReferenceError> {
    match country.as_bytes() {
        [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            Ok([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
        }
        _ => Err(ReferenceError::Country),
    }
}

/// The canonical form, `JET27-UK-000123`.
impl fmt::Display for ReferenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "JET{:02}-{}-{:06}",
            self.year - 2000,
            self.country(),
            self.sequence
        )
    }
}

impl FromStr for ReferenceNumber {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReferenceNumber::parse(s)
    }
}

impl serde::Serialize for ReferenceNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ReferenceNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        ReferenceNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_formatted_with_two_year_digits_and_six_sequence_digits() {
        assert_eq!(
            ReferenceNumber::new(2027, "UK", 123).unwrap().to_string(),
            "JET27-UK-000123"
        );
        assert_eq!(
            ReferenceNumber::new(2005, "IE", 999_999).unwrap().to_string(),
            "JET05-IE-999999"
        );
    }

    #[test]
    fn the_country_is_stored_in_capitals() {
        assert_eq!(ReferenceNumber::new(2027, "uk", 1).unwrap().country(), "UK");
    }

    #[test]
    fn a_year_outside_2000_to_2099_is_refused() {
        assert_eq!(
            ReferenceNumber::new(1999, "UK", 1),
            Err(ReferenceError::YearOutOfRange)
        );
        assert_eq!(
            ReferenceNumber::new(2100, "UK", 1),
            Err(ReferenceError::YearOutOfRange)
        );
        assert!(ReferenceNumber::new(2000, "UK", 1).is_ok());
        assert!(ReferenceNumber::new(2099, "UK", 1).is_ok());
    }

    #[test]
    fn a_country_that_is_not_two_letters_is_refused() {
        for bad in ["", "U", "GBR", "U1", "ü", "  "] {
            assert_eq!(
                ReferenceNumber::new(2027, bad, 1),
                Err(ReferenceError::Country),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn sequence_zero_and_seven_digit_sequences_are_refused() {
        assert_eq!(
            ReferenceNumber::new(2027, "UK", 0),
            Err(ReferenceError::SequenceOutOfRange)
        );
        assert_eq!(
            ReferenceNumber::new(2027, "UK", 1_000_000),
            Err(ReferenceError::SequenceOutOfRange)
        );
    }

    #[test]
    fn parsing_round_trips_the_canonical_form() {
        let r = ReferenceNumber::new(2027, "UK", 123).unwrap();
        assert_eq!(ReferenceNumber::parse(&r.to_string()), Ok(r.clone()));
        assert_eq!(r.year(), 2027);
        assert_eq!(r.sequence(), 123);
    }

    #[test]
    fn parsing_forgives_case_and_surrounding_spaces() {
        assert_eq!(
            ReferenceNumber::parse("  jet27-uk-000123\n").unwrap().to_string(),
            "JET27-UK-000123"
        );
    }

    #[test]
    fn an_empty_reference_asks_for_one() {
        assert_eq!(ReferenceNumber::parse("   "), Err(ReferenceError::Empty));
    }

    #[test]
    fn a_reference_must_start_with_jet() {
        assert_eq!(
            ReferenceNumber::parse("JAT27-UK-000123"),
            Err(ReferenceError::Prefix)
        );
        assert_eq!(
            ReferenceNumber::parse("27-UK-000123"),
            Err(ReferenceError::Prefix)
        );
    }

    #[test]
    fn a_reference_has_exactly_three_hyphenated_parts() {
        for bad in [
            "JET27UK000123",
            "JET27-UK000123",
            "JET27-UK-000123-1",
            "JET27 UK 000123",
        ] {
            assert_eq!(ReferenceNumber::parse(bad), Err(ReferenceError::Format), "{bad}");
        }
    }

    #[test]
    fn the_year_must_be_two_digits() {
        for bad in [
            "JET2027-UK-000123",
            "JET7-UK-000123",
            "JETAB-UK-000123",
            "JET-UK-000123",
        ] {
            assert_eq!(
                ReferenceNumber::parse(bad),
                Err(ReferenceError::YearDigits),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_country_must_be_two_letters() {
        for bad in [
            "JET27-GBR-000123",
            "JET27-U-000123",
            "JET27-U2-000123",
            "JET27--000123",
        ] {
            assert_eq!(ReferenceNumber::parse(bad), Err(ReferenceError::Country), "{bad}");
        }
    }

    #[test]
    fn the_sequence_must_be_six_digits() {
        for bad in [
            "JET27-UK-123",
            "JET27-UK-0000123",
            "JET27-UK-00012a",
            "JET27-UK-+00123",
            "JET27-UK-",
        ] {
            assert_eq!(
                ReferenceNumber::parse(bad),
                Err(ReferenceError::SequenceDigits),
                "{bad}"
            );
        }
    }

    #[test]
    fn sequence_000000_is_never_valid() {
        assert_eq!(
            ReferenceNumber::parse("JET27-UK-000000"),
            Err(ReferenceError::SequenceOutOfRange)
        );
    }

    #[test]
    fn references_order_by_year_then_country_then_sequence() {
        let a = ReferenceNumber::parse("JET26-UK-999999").unwrap();
        let b = ReferenceNumber::parse("JET27-IE-000001").unwrap();
        let c = ReferenceNumber::parse("JET27-UK-000001").unwrap();
        let d = ReferenceNumber::parse("JET27-UK-000002").unwrap();
        assert!(a < b && b < c && c < d);
    }

    #[test]
    fn serde_uses_the_canonical_string_and_checks_it() {
        let r = ReferenceNumber::new(2027, "UK", 42).unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"JET27-UK-000042\"");
        assert_eq!(
            serde_json::from_str::<ReferenceNumber>("\"JET27-UK-000042\"").unwrap(),
            r
        );
        assert!(serde_json::from_str::<ReferenceNumber>("\"JET27-UK-42\"").is_err());
    }
}
