//! The Japanese-Language Proficiency Test levels, N1 (hardest) to N5 (DOMAIN.md "JLPT").
//!
//! The ordering is by ability: `N1 > N2 > … > N5`, so "at least N2" is `level >= JlptLevel::N2` or
//! [`JlptLevel::meets`]. This module must never decide what a level is required for: that is a rule
//! set's parameter (see `eligibility`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A JLPT level. Ordered by ability: N1 is the greatest.
///
/// ```
/// use jetdesk_domain::JlptLevel;
/// let n1: JlptLevel = "n1".parse().unwrap();
/// assert!(n1.meets(JlptLevel::N2));
/// assert!(!JlptLevel::N3.meets(JlptLevel::N2));
/// assert!(JlptLevel::N1 > JlptLevel::N5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum JlptLevel {
    /// The hardest level.
    #[serde(alias = "n1")]
    N1,
    /// Everyday Japanese and, to a degree, a wider range of situations; the usual CIR requirement.
    #[serde(alias = "n2")]
    N2,
    /// Intermediate.
    #[serde(alias = "n3")]
    N3,
    /// Basic.
    #[serde(alias = "n4")]
    N4,
    /// The easiest level.
    #[serde(alias = "n5")]
    N5,
}

impl JlptLevel {
    /// Every level, hardest first (the order a form lists them).
    pub const ALL: [JlptLevel; 5] = [
        JlptLevel::N1,
        JlptLevel::N2,
        JlptLevel::N3,
        JlptLevel::N4,
        JlptLevel::N5,
    ];

    /// The level's number: 1 for N1 … 5 for N5 (smaller is harder).
    pub fn number(self) -> u8 {
        match self {
            JlptLevel::N1 => 1,
            JlptLevel::N2 => 2,
            JlptLevel::N3 => 3,
            JlptLevel::N4 => 4,
            JlptLevel::N5 => 5,
        }
    }

    /// The stable name stored and shown: "N1" … "N5".
    pub fn as_str(self) -> &'static str {
        match self {
            JlptLevel::N1 => "N1",
            JlptLevel::N2 => "N2",
            JlptLevel::N3 => "N3",
            JlptLevel::N4 => "N4",
            JlptLevel::N5 => "N5",
        }
    }

    /// True when this level is `required` or harder: `N1.meets(N2)` and `N2.meets(N2)` hold,
    /// `N3.meets(N2)` does not.
    pub fn meets(self, required: JlptLevel) -> bool {
        self >= required
    }
}

/// By ability: a smaller number is a higher level, so `N1 > N2`.
impl Ord for JlptLevel {
    fn cmp(&self, other: &Self) -> Ordering {
        other.number().cmp(&self.number())
    }
}

impl PartialOrd for JlptLevel {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for JlptLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A JLPT level that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown JLPT level {0:?}: expected one of N1, N2, N3, N4, N5")]
pub struct UnknownJlptLevel(pub String);

/// Accepts "N2", "n2" and " N2 ". The old pre-2010 "Level 2" is not accepted here: mapping it to N2 is
/// a judgement for a person (DOMAIN.md says it "roughly equals" N2).
impl FromStr for JlptLevel {
    type Err = UnknownJlptLevel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JlptLevel::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownJlptLevel(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n1_is_the_highest_ability() {
        assert!(JlptLevel::N1 > JlptLevel::N2);
        assert!(JlptLevel::N4 > JlptLevel::N5);
        assert_eq!(JlptLevel::ALL.iter().max(), Some(&JlptLevel::N1));
        assert_eq!(JlptLevel::ALL.iter().min(), Some(&JlptLevel::N5));
    }

    #[test]
    fn a_level_meets_itself_and_any_easier_requirement() {
        assert!(JlptLevel::N2.meets(JlptLevel::N2));
        assert!(JlptLevel::N1.meets(JlptLevel::N2));
        assert!(JlptLevel::N2.meets(JlptLevel::N5));
    }

    #[test]
    fn an_easier_level_does_not_meet_a_harder_requirement() {
        assert!(!JlptLevel::N3.meets(JlptLevel::N2));
        assert!(!JlptLevel::N5.meets(JlptLevel::N4));
    }

    #[test]
    fn a_level_parses_in_either_case() {
        assert_eq!("N2".parse(), Ok(JlptLevel::N2));
        assert_eq!("n2".parse(), Ok(JlptLevel::N2));
        assert_eq!(" N5 ".parse(), Ok(JlptLevel::N5));
        for l in JlptLevel::ALL {
            assert_eq!(l.to_string().parse(), Ok(l));
        }
    }

    #[test]
    fn an_unknown_level_is_refused() {
        for bad in ["N0", "N6", "2", "Level 2", ""] {
            assert!(bad.parse::<JlptLevel>().is_err(), "{bad}");
        }
    }

    #[test]
    fn serde_uses_the_upper_case_name_and_reads_lower_case() {
        assert_eq!(serde_json::to_string(&JlptLevel::N2).unwrap(), "\"N2\"");
        assert_eq!(
            serde_json::from_str::<JlptLevel>("\"N3\"").unwrap(),
            JlptLevel::N3
        );
        assert_eq!(
            serde_json::from_str::<JlptLevel>("\"n3\"").unwrap(),
            JlptLevel::N3
        );
    }
}
