//! The one application state machine (DESIGN.md §2). Every change of an application's state goes
//! through [`transition`]; the store writes the `(from, event, to)` triple to the audit log.
//!
//! ```text
//! draft ─Submit→ submitted ─EligibilityPassed→ eligible ─StartReview→ in_review ─Invite→ invited
//!                          └EligibilityFailed→ ineligible            │(Reject)
//! eligible | ineligible ─Reopen→ submitted            (a fresh check, e.g. after the rules change)
//! invited ─Interviewed→ interviewed ─Shortlist→ shortlisted ─Place→ placed ─Accept→ accepted ─Depart→ departed
//!                                   ├MakeAlternate→ alternate ─Upgrade→ shortlisted
//!                                   └Reject→ unsuccessful              placed ─Decline→ declined
//! in_review | interviewed | alternate ─Reject→ unsuccessful
//! any state that is not final ─Withdraw→ withdrawn
//! ```
//!
//! Decisions (where DESIGN.md leaves room):
//! - **Final states** are `departed`, `declined`, `withdrawn` and `unsuccessful`: nothing leaves them,
//!   not even `Withdraw` (declining already counts as withdrawal in DOMAIN.md; a departed participant is
//!   no longer an applicant). `ineligible` is not final, because a re-check may make it eligible.
//! - **Withdraw** is allowed from every other state, including `draft` (the applicant gives up) and
//!   `accepted` (they drop out before departure). It covers both the applicant withdrawing and the JET
//!   Desk withdrawing a place (false statements, missed deadlines): the audit row says who and why.
//! - **Reject** is allowed from `in_review` (not invited to interview), `interviewed` (not successful)
//!   and `alternate` (the upgrade period ended without a place).
//! - **Re-checking eligibility** after the rules change is two steps, `Reopen` (back to `submitted`)
//!   then `EligibilityPassed` or `EligibilityFailed`, written in one database transaction. Each event
//!   thus has exactly one target and the audit trail says that the verdict was set aside and why. Only
//!   `eligible` and `ineligible` can be reopened: once review has started, a rule change does not move
//!   an application back (a coordinator withdraws it if it must).
//! - An overall eligibility verdict of "needs review" moves an application to `eligible` (see
//!   `Evaluation::event` in the eligibility module): it is not excluded, and reviewers see the flagged
//!   rules. A reviewer who finds it fails can `Reopen` it and record `EligibilityFailed`.
//!
//! This module must never perform I/O, read a clock, or know who is allowed to send an event: who may
//! do what is the web layer's business, what may follow what is this module's only business.

use std::fmt;
use std::str::FromStr;

/// Where an application is in the cycle. Stored by its snake_case name ([`ApplicationState::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    /// Being written; not yet submitted.
    Draft,
    /// Submitted before the deadline; the eligibility check has not yet recorded a verdict.
    Submitted,
    /// Passed the eligibility check (possibly with rules flagged for review).
    Eligible,
    /// Failed at least one eligibility rule.
    Ineligible,
    /// Being scored by reviewers.
    InReview,
    /// Invited to interview.
    Invited,
    /// Interviewed; awaiting the outcome.
    Interviewed,
    /// Successful, conditional on a contracting organisation being found.
    Shortlisted,
    /// On the ranked alternate list; may be upgraded when a shortlisted candidate leaves.
    Alternate,
    /// Not successful. Final.
    Unsuccessful,
    /// Offered a placement with a contracting organisation.
    Placed,
    /// Accepted the placement.
    Accepted,
    /// Declined the placement (counts as withdrawal; blocks next year's application). Final.
    Declined,
    /// Departed for Japan. Final.
    Departed,
    /// Withdrawn by the applicant or by the JET Desk. Final.
    Withdrawn,
}

impl ApplicationState {
    /// Every state, in the order of the cycle.
    pub const ALL: [ApplicationState; 15] = [
        ApplicationState::Draft,
        ApplicationState::Submitted,
        ApplicationState::Eligible,
        ApplicationState::Ineligible,
        ApplicationState::InReview,
        ApplicationState::Invited,
        ApplicationState::Interviewed,
        ApplicationState::Shortlisted,
        ApplicationState::Alternate,
        ApplicationState::Unsuccessful,
        ApplicationState::Placed,
        ApplicationState::Accepted,
        ApplicationState::Declined,
        ApplicationState::Departed,
        ApplicationState::Withdrawn,
    ];

    /// The stable snake_case name stored in the database, e.g. "in_review".
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationState::Draft => "draft",
            ApplicationState::Submitted => "submitted",
            ApplicationState::Eligible => "eligible",
            ApplicationState::Ineligible => "ineligible",
            ApplicationState::InReview => "in_review",
            ApplicationState::Invited => "invited",
            ApplicationState::Interviewed => "interviewed",
            ApplicationState::Shortlisted => "shortlisted",
            ApplicationState::Alternate => "alternate",
            ApplicationState::Unsuccessful => "unsuccessful",
            ApplicationState::Placed => "placed",
            ApplicationState::Accepted => "accepted",
            ApplicationState::Declined => "declined",
            ApplicationState::Departed => "departed",
            ApplicationState::Withdrawn => "withdrawn",
        }
    }

    /// Plain English for pages, e.g. "in review", "invited to interview", "an alternate".
    /// It reads after "is": "Your application is in review".
    pub fn label(self) -> &'static str {
        match self {
            ApplicationState::Draft => "a draft",
            ApplicationState::Submitted => "submitted",
            ApplicationState::Eligible => "eligible",
            ApplicationState::Ineligible => "ineligible",
            ApplicationState::InReview => "in review",
            ApplicationState::Invited => "invited to interview",
            ApplicationState::Interviewed => "interviewed",
            ApplicationState::Shortlisted => "shortlisted",
            ApplicationState::Alternate => "an alternate",
            ApplicationState::Unsuccessful => "unsuccessful",
            ApplicationState::Placed => "placed",
            ApplicationState::Accepted => "accepted",
            ApplicationState::Declined => "declined",
            ApplicationState::Departed => "departed",
            ApplicationState::Withdrawn => "withdrawn",
        }
    }

    /// True for states nothing leaves: unsuccessful, declined, departed, withdrawn.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ApplicationState::Unsuccessful
                | ApplicationState::Declined
                | ApplicationState::Departed
                | ApplicationState::Withdrawn
        )
    }

    /// The events [`transition`] accepts from this state, in [`Event::ALL`] order (for the buttons a
    /// page offers; the page still filters them by the user's role).
    pub fn allowed_events(self) -> Vec<Event> {
        Event::ALL
            .into_iter()
            .filter(|e| transition(self, *e).is_ok())
            .collect()
    }
}

impl fmt::Display for ApplicationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state name that jetdesk does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown application state {0:?}")]
pub struct UnknownState(pub String);

/// Reads the snake_case name ([`ApplicationState::as_str`]); exact, as it comes from storage.
impl FromStr for ApplicationState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ApplicationState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_string()))
    }
}

/// Something that happens to an application. Stored in the audit log by its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The applicant submits before the deadline: draft → submitted.
    Submit,
    /// The eligibility check passed (or only needs review): submitted → eligible.
    EligibilityPassed,
    /// The eligibility check failed: submitted → ineligible.
    EligibilityFailed,
    /// The verdict is set aside for a fresh check (e.g. the rules changed): eligible | ineligible →
    /// submitted.
    Reopen,
    /// Reviewers start scoring: eligible → in_review.
    StartReview,
    /// Invited to interview: in_review → invited.
    Invite,
    /// The interview took place: invited → interviewed.
    Interviewed,
    /// Successful: interviewed → shortlisted.
    Shortlist,
    /// Put on the ranked alternate list: interviewed → alternate.
    MakeAlternate,
    /// Not successful: in_review | interviewed | alternate → unsuccessful.
    Reject,
    /// An alternate takes a freed place: alternate → shortlisted.
    Upgrade,
    /// Offered a placement: shortlisted → placed.
    Place,
    /// The applicant accepts the placement: placed → accepted.
    Accept,
    /// The applicant declines the placement: placed → declined.
    Decline,
    /// The participant departs for Japan: accepted → departed.
    Depart,
    /// Withdrawn by the applicant or the JET Desk: any state that is not final → withdrawn.
    Withdraw,
}

impl Event {
    /// Every event, in the order of the cycle.
    pub const ALL: [Event; 16] = [
        Event::Submit,
        Event::EligibilityPassed,
        Event::EligibilityFailed,
        Event::Reopen,
        Event::StartReview,
        Event::Invite,
        Event::Interviewed,
        Event::Shortlist,
        Event::MakeAlternate,
        Event::Reject,
        Event::Upgrade,
        Event::Place,
        Event::Accept,
        Event::Decline,
        Event::Depart,
        Event::Withdraw,
    ];

    /// The stable snake_case name stored in the audit log, e.g. "eligibility_passed".
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Submit => "submit",
            Event::EligibilityPassed => "eligibility_passed",
            Event::EligibilityFailed => "eligibility_failed",
            Event::Reopen => "reopen",
            Event::StartReview => "start_review",
            Event::Invite => "invite",
            Event::Interviewed => "interviewed",
            Event::Shortlist => "shortlist",
            Event::MakeAlternate => "make_alternate",
            Event::Reject => "reject",
            Event::Upgrade => "upgrade",
            Event::Place => "place",
            Event::Accept => "accept",
            Event::Decline => "decline",
            Event::Depart => "depart",
            Event::Withdraw => "withdraw",
        }
    }

    /// Plain English that reads before "an application": "cannot *shortlist* an application that is
    /// a draft".
    pub fn verb(self) -> &'static str {
        match self {
            Event::Submit => "submit",
            Event::EligibilityPassed => "mark as eligible",
            Event::EligibilityFailed => "mark as ineligible",
            Event::Reopen => "reopen the eligibility check of",
            Event::StartReview => "start reviewing",
            Event::Invite => "invite to interview",
            Event::Interviewed => "record an interview for",
            Event::Shortlist => "shortlist",
            Event::MakeAlternate => "make an alternate of",
            Event::Reject => "reject",
            Event::Upgrade => "upgrade",
            Event::Place => "place",
            Event::Accept => "accept the placement for",
            Event::Decline => "decline the placement for",
            Event::Depart => "record the departure of",
            Event::Withdraw => "withdraw",
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event name that jetdesk does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown application event {0:?}")]
pub struct UnknownEvent(pub String);

/// Reads the snake_case name ([`Event::as_str`]); exact, as it comes from storage.
impl FromStr for Event {
    type Err = UnknownEvent;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Event::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| UnknownEvent(s.to_string()))
    }
}

/// An event that the application's current state does not allow. The web layer shows it as a
/// conflict (409): usually two people acted at once, or a page was stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {} an application that is {}", .event.verb(), .from.label())]
pub struct TransitionError {
    /// The state the application was in.
    pub from: ApplicationState,
    /// The event that was refused.
    pub event: Event,
}

/// The state after `event` happens to an application in state `from`: the one place the cycle's rules
/// live (see the module docs for the diagram and the decisions).
///
/// ```
/// use jetdesk_domain::{transition, ApplicationState as S, Event as E};
/// assert_eq!(transition(S::Draft, E::Submit), Ok(S::Submitted));
/// assert_eq!(transition(S::Alternate, E::Upgrade), Ok(S::Shortlisted));
/// let err = transition(S::Withdrawn, E::Submit).unwrap_err();
/// assert_eq!(err.to_string(), "cannot submit an application that is withdrawn");
/// ```
///
/// # Errors
/// [`TransitionError`] when `from` does not allow `event`.
pub fn transition(from: ApplicationState, event: Event) -> Result<ApplicationState, TransitionError> {
    use ApplicationState as S;
    use Event as E;
    let to = match (from, event) {
        (S::Draft, E::Submit) => S::Submitted,
        (S::Submitted, E::EligibilityPassed) => S::Eligible,
        (S::Submitted, E::EligibilityFailed) => S::Ineligible,
        (S::Eligible | S::Ineligible, E::Reopen) => S::Submitted,
        (S::Eligible, E::StartReview) => S::InReview,
        (S::InReview, E::Invite) => S::Invited,
        (S::Invited, E::Interviewed) => S::Interviewed,
        (S::Interviewed, E::Shortlist) => S::Shortlisted,
        (S::Interviewed, E::MakeAlternate) => S::Alternate,
        (S::InReview | S::Interviewed | S::Alternate, E::Reject) => S::Unsuccessful,
        (S::Alternate, E::Upgrade) => S::Shortlisted,
        (S::Shortlisted, E::Place) => S::Placed,
        (S::Placed, E::Accept) => S::Accepted,
        (S::Placed, E::Decline) => S::Declined,
        (S::Accepted, E::Depart) => S::Departed,
        (from, E::Withdraw) if !from.is_final() => S::Withdrawn,
        _ => return Err(TransitionError { from, event }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationState as S;
    use Event as E;

    /// Every allowed edge, written out independently of `transition`'s match.
    const ALLOWED: &[(S, E, S)] = &[
        (S::Draft, E::Submit, S::Submitted),
        (S::Submitted, E::EligibilityPassed, S::Eligible),
        (S::Submitted, E::EligibilityFailed, S::Ineligible),
        (S::Eligible, E::Reopen, S::Submitted),
        (S::Ineligible, E::Reopen, S::Submitted),
        (S::Eligible, E::StartReview, S::InReview),
        (S::InReview, E::Invite, S::Invited),
        (S::InReview, E::Reject, S::Unsuccessful),
        (S::Invited, E::Interviewed, S::Interviewed),
        (S::Interviewed, E::Shortlist, S::Shortlisted),
        (S::Interviewed, E::MakeAlternate, S::Alternate),
        (S::Interviewed, E::Reject, S::Unsuccessful),
        (S::Alternate, E::Upgrade, S::Shortlisted),
        (S::Alternate, E::Reject, S::Unsuccessful),
        (S::Shortlisted, E::Place, S::Placed),
        (S::Placed, E::Accept, S::Accepted),
        (S::Placed, E::Decline, S::Declined),
        (S::Accepted, E::Depart, S::Departed),
        (S::Draft, E::Withdraw, S::Withdrawn),
        (S::Submitted, E::Withdraw, S::Withdrawn),
        (S::Eligible, E::Withdraw, S::Withdrawn),
        (S::Ineligible, E::Withdraw, S::Withdrawn),
        (S::InReview, E::Withdraw, S::Withdrawn),
        (S::Invited, E::Withdraw, S::Withdrawn),
        (S::Interviewed, E::Withdraw, S::Withdrawn),
        (S::Shortlisted, E::Withdraw, S::Withdrawn),
        (S::Alternate, E::Withdraw, S::Withdrawn),
        (S::Placed, E::Withdraw, S::Withdrawn),
        (S::Accepted, E::Withdraw, S::Withdrawn),
    ];

    #[test]
    fn every_allowed_edge_leads_where_the_cycle_says() {
        for &(from, event, to) in ALLOWED {
            assert_eq!(transition(from, event), Ok(to), "{from} --{event}-->");
        }
    }

    #[test]
    fn every_edge_not_listed_is_refused_with_its_state_and_event() {
        let mut refused = 0;
        for from in S::ALL {
            for event in E::ALL {
                if ALLOWED.iter().any(|&(f, e, _)| f == from && e == event) {
                    continue;
                }
                assert_eq!(
                    transition(from, event),
                    Err(TransitionError { from, event }),
                    "{from} {event}"
                );
                refused += 1;
            }
        }
        assert_eq!(refused, S::ALL.len() * E::ALL.len() - ALLOWED.len());
    }

    #[test]
    fn refusals_read_as_plain_english() {
        let cases = [
            (
                S::Withdrawn,
                E::Submit,
                "cannot submit an application that is withdrawn",
            ),
            (
                S::Draft,
                E::Shortlist,
                "cannot shortlist an application that is a draft",
            ),
            (
                S::Submitted,
                E::Invite,
                "cannot invite to interview an application that is submitted",
            ),
            (
                S::Ineligible,
                E::StartReview,
                "cannot start reviewing an application that is ineligible",
            ),
            (
                S::Shortlisted,
                E::Upgrade,
                "cannot upgrade an application that is shortlisted",
            ),
            (
                S::Alternate,
                E::Place,
                "cannot place an application that is an alternate",
            ),
            (
                S::Accepted,
                E::Decline,
                "cannot decline the placement for an application that is accepted",
            ),
            (
                S::Departed,
                E::Withdraw,
                "cannot withdraw an application that is departed",
            ),
            (
                S::InReview,
                E::Reopen,
                "cannot reopen the eligibility check of an application that is in review",
            ),
            (
                S::Draft,
                E::EligibilityPassed,
                "cannot mark as eligible an application that is a draft",
            ),
        ];
        for (from, event, text) in cases {
            assert_eq!(transition(from, event).unwrap_err().to_string(), text);
        }
    }

    #[test]
    fn final_states_allow_nothing_not_even_withdraw() {
        for st in S::ALL.into_iter().filter(|s| s.is_final()) {
            assert!(st.allowed_events().is_empty(), "{st}");
        }
        assert_eq!(S::ALL.iter().filter(|s| s.is_final()).count(), 4);
    }

    #[test]
    fn withdraw_is_reachable_from_every_state_that_is_not_final() {
        for st in S::ALL.into_iter().filter(|s| !s.is_final()) {
            assert_eq!(transition(st, E::Withdraw), Ok(S::Withdrawn), "{st}");
        }
    }

    #[test]
    fn an_alternate_can_be_upgraded_and_then_placed() {
        let mut s = S::Interviewed;
        for e in [E::MakeAlternate, E::Upgrade, E::Place, E::Accept, E::Depart] {
            s = transition(s, e).unwrap();
        }
        assert_eq!(s, S::Departed);
    }

    #[test]
    fn a_recheck_after_a_rule_change_can_turn_either_verdict() {
        let reopened = transition(S::Ineligible, E::Reopen).unwrap();
        assert_eq!(transition(reopened, E::EligibilityPassed), Ok(S::Eligible));
        let reopened = transition(S::Eligible, E::Reopen).unwrap();
        assert_eq!(transition(reopened, E::EligibilityFailed), Ok(S::Ineligible));
    }

    #[test]
    fn the_whole_happy_path_reaches_departed() {
        let mut s = S::Draft;
        for e in [
            E::Submit,
            E::EligibilityPassed,
            E::StartReview,
            E::Invite,
            E::Interviewed,
            E::Shortlist,
            E::Place,
            E::Accept,
            E::Depart,
        ] {
            s = transition(s, e).unwrap();
        }
        assert_eq!(s, S::Departed);
    }

    #[test]
    fn every_state_is_reachable_from_draft() {
        let mut seen = vec![S::Draft];
        let mut i = 0;
        while let Some(&st) = seen.get(i) {
            for e in st.allowed_events() {
                let to = transition(st, e).unwrap();
                if !seen.contains(&to) {
                    seen.push(to);
                }
            }
            i += 1;
        }
        assert_eq!(seen.len(), S::ALL.len());
    }

    #[test]
    fn states_and_events_round_trip_through_their_names() {
        for st in S::ALL {
            assert_eq!(st.as_str().parse::<S>(), Ok(st));
            assert_eq!(
                serde_json::to_string(&st).unwrap(),
                format!("\"{}\"", st.as_str())
            );
        }
        for e in E::ALL {
            assert_eq!(e.as_str().parse::<E>(), Ok(e));
            assert_eq!(serde_json::to_string(&e).unwrap(), format!("\"{}\"", e.as_str()));
        }
        assert!("InReview".parse::<S>().is_err());
        assert!("withdrawal".parse::<E>().is_err());
    }

    #[test]
    fn allowed_events_lists_the_buttons_for_an_interviewed_application() {
        assert_eq!(
            S::Interviewed.allowed_events(),
            vec![E::Shortlist, E::MakeAlternate, E::Reject, E::Withdraw]
        );
    }
}
