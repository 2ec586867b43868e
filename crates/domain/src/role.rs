//! The roles a user may hold. A user may hold several; a route admits a set of them.

use std::fmt;
use std::str::FromStr;

/// What a signed-in user may do in jetdesk (DESIGN.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Applies to the programme.
    Applicant,
    /// Scores applications assigned to them.
    Reviewer,
    /// Sits on interview panels.
    Interviewer,
    /// JET Desk staff who run a round.
    Coordinator,
    /// Staff of a contracting organisation.
    Host,
    /// Manages users, roles and settings.
    Admin,
}

impl Role {
    /// Every role, in the order pages list them.
    pub const ALL: [Role; 6] = [
        Role::Applicant,
        Role::Reviewer,
        Role::Interviewer,
        Role::Coordinator,
        Role::Host,
        Role::Admin,
    ];

    /// The stable name stored in the database and used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::Reviewer => "reviewer",
            Role::Interviewer => "interviewer",
            Role::Coordinator => "coordinator",
            Role::Host => "host",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that jetdesk does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected one of applicant, reviewer, interviewer, coordinator, host, admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
    }

    #[test]
    fn an_unknown_role_is_refused_with_the_choices() {
        let err = "superuser".parse::<Role>().unwrap_err();
        assert!(err.to_string().contains("coordinator"));
    }
}
