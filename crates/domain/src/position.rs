//! The JET positions an application is for: ALT, CIR and SEA (DOMAIN.md "Positions").
//!
//! A position is a closed set known at compile time; its stable name (`as_str`) is what the database,
//! URLs and JSON hold. This module must never hold round-specific facts (which positions a round
//! offers is the round's configuration, not this type's).

use std::fmt;
use std::str::FromStr;

/// A JET Programme position.
///
/// ```
/// use jetdesk_domain::Position;
/// let p: Position = "CIR".parse().unwrap();
/// assert_eq!(p, Position::Cir);
/// assert_eq!(p.as_str(), "cir");
/// assert_eq!(p.title(), "Coordinator for International Relations");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// Assistant Language Teacher: assists Japanese Teachers of English in schools.
    Alt,
    /// Coordinator for International Relations: works in a local government's international section.
    Cir,
    /// Sports Exchange Advisor: very few, by nomination (the UK does not recruit them openly).
    Sea,
}

impl Position {
    /// Every position, in the order pages list them.
    pub const ALL: [Position; 3] = [Position::Alt, Position::Cir, Position::Sea];

    /// The stable lower-case name stored in the database and used in URLs: "alt", "cir", "sea".
    pub fn as_str(self) -> &'static str {
        match self {
            Position::Alt => "alt",
            Position::Cir => "cir",
            Position::Sea => "sea",
        }
    }

    /// The short upper-case name people use: "ALT", "CIR", "SEA".
    pub fn abbreviation(self) -> &'static str {
        match self {
            Position::Alt => "ALT",
            Position::Cir => "CIR",
            Position::Sea => "SEA",
        }
    }

    /// The position's full English title, e.g. "Assistant Language Teacher".
    pub fn title(self) -> &'static str {
        match self {
            Position::Alt => "Assistant Language Teacher",
            Position::Cir => "Coordinator for International Relations",
            Position::Sea => "Sports Exchange Advisor",
        }
    }
}

/// Shows the stable lower-case name (the same as [`Position::as_str`]).
impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A position name that jetdesk does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown position {0:?}: expected one of alt, cir, sea")]
pub struct UnknownPosition(pub String);

/// Accepts "alt", "ALT", " Cir " and so on: case and surrounding spaces do not matter.
impl FromStr for Position {
    type Err = UnknownPosition;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Position::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownPosition(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_position_round_trips_through_its_name() {
        for p in Position::ALL {
            assert_eq!(p.as_str().parse::<Position>(), Ok(p));
            assert_eq!(p.abbreviation().parse::<Position>(), Ok(p));
            assert_eq!(p.to_string(), p.as_str());
        }
    }

    #[test]
    fn an_unknown_position_is_refused_with_the_choices() {
        let err = "jte".parse::<Position>().unwrap_err();
        assert!(err.to_string().contains("alt, cir, sea"));
    }

    #[test]
    fn serde_uses_the_lower_case_name() {
        assert_eq!(serde_json::to_string(&Position::Cir).unwrap(), "\"cir\"");
        assert_eq!(
            serde_json::from_str::<Position>("\"alt\"").unwrap(),
            Position::Alt
        );
    }

    #[test]
    fn titles_are_plain_english() {
        assert_eq!(Position::Alt.title(), "Assistant Language Teacher");
        assert_eq!(Position::Sea.title(), "Sports Exchange Advisor");
    }
}
