//! Eligibility: the JET rules as data, evaluated into a verdict with every reason.
//!
//! A round stores a [`RuleSet`] (its parameters, as JSON); an application or the public check page
//! gives [`Facts`]; [`evaluate`] returns an [`Evaluation`]: one [`RuleOutcome`] per rule, always all
//! nine and always in the order of [`RULE_IDS`], plus the overall [`Verdict`] (fail if any rule fails,
//! else needs review if any needs review, else pass).
//!
//! ```
//! use jetdesk_domain::eligibility::{evaluate, rule_id, DegreeStatus, Facts, RuleSet, Verdict};
//! use jetdesk_domain::{JlptLevel, Position};
//!
//! let rules = RuleSet::uk_default(2027).unwrap();
//! let facts = Facts {
//!     position: Some(Position::Cir),
//!     holds_required_nationality: Some(true),
//!     degree: Some(DegreeStatus::Expected { by: jiff::civil::date(2027, 6, 30) }),
//!     former_jet: Some(false),
//!     declined_placement_last_year: Some(false),
//!     months_in_japan: Some(12),
//!     japanese_not_sure: true,
//!     declarations_accepted: Some(rules.declarations.iter().map(|d| d.id.clone()).collect()),
//!     applied_for_both_alt_and_cir: Some(false),
//!     ..Facts::default()
//! };
//! let evaluation = evaluate(&rules, &facts);
//! // Only the CIR Japanese level is open: it will be assessed at interview.
//! assert_eq!(evaluation.overall, Verdict::NeedsReview);
//! let japanese = evaluation.outcome(rule_id::CIR_JAPANESE).unwrap();
//! assert!(japanese.reason.contains("assessed at interview"));
//! ```
//!
//! Decisions: residence in Japan is counted in whole months (72 = 6 years fails, 71 passes); the
//! former-JET gap is the departure year minus the year last departed on JET (3 passes, 2 fails); the
//! total counts the coming year (5 years already fails, 4 passes); a degree awarded or expected on
//! the deadline day passes, the day after fails. Reasons are written in the third person ("Degree
//! awarded on …") so that both the applicant and staff can read them.
//!
//! This module must never do I/O, read the clock (the rule set carries the dates), or panic on missing
//! answers: a missing answer is "needs review" with a reason naming it.

mod dates;
mod facts;
mod rule_set;
mod rules;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

pub use facts::{DegreeStatus, Facts};
pub use rule_set::{Declaration, RuleSet, RuleSetError};

use crate::Event;

/// The stable ids of the rules, stored beside verdicts and shown to staff. Never renamed.
pub mod rule_id {
    /// Holds the required nationality (UK: British citizen).
    pub const NATIONALITY: &str = "nationality";
    /// A bachelor's degree (or, for ALT, teacher training) by the deadline.
    pub const DEGREE: &str = "degree";
    /// Former JETs: enough years since they last departed on JET.
    pub const FORMER_JET_GAP: &str = "former-jet-gap";
    /// Former JETs: not too many years on JET in total.
    pub const FORMER_JET_TOTAL: &str = "former-jet-total";
    /// Did not decline a JET placement in the previous programme year.
    pub const DECLINED_LAST_YEAR: &str = "declined-last-year";
    /// Has not lived in Japan too long in the window.
    pub const JAPAN_RESIDENCE: &str = "japan-residence";
    /// CIR: Japanese at the required level.
    pub const CIR_JAPANESE: &str = "cir-japanese";
    /// Applied for one position only.
    pub const ONE_POSITION: &str = "one-position";
    /// Accepted every required declaration.
    pub const DECLARATIONS: &str = "declarations";
}

/// Every rule id, in the order [`evaluate`] reports them.
pub const RULE_IDS: [&str; 9] = [
    rule_id::NATIONALITY,
    rule_id::DEGREE,
    rule_id::FORMER_JET_GAP,
    rule_id::FORMER_JET_TOTAL,
    rule_id::DECLINED_LAST_YEAR,
    rule_id::JAPAN_RESIDENCE,
    rule_id::CIR_JAPANESE,
    rule_id::ONE_POSITION,
    rule_id::DECLARATIONS,
];

/// A rule's verdict, or the overall one. Ordered from best to worst: `Pass < NeedsReview < Fail`, so
/// the overall verdict is the maximum. Stored as "pass", "needs_review", "fail".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The rule is met.
    Pass,
    /// Not decided by the answers alone: a missing answer, or something a person must assess.
    NeedsReview,
    /// The rule is not met: the application is not eligible.
    Fail,
}

impl Verdict {
    /// Every verdict, best first.
    pub const ALL: [Verdict; 3] = [Verdict::Pass, Verdict::NeedsReview, Verdict::Fail];

    /// The stable name: "pass", "needs_review", "fail".
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::NeedsReview => "needs_review",
            Verdict::Fail => "fail",
        }
    }

    /// Plain English for pages: "Pass", "Needs review", "Fail".
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "Pass",
            Verdict::NeedsReview => "Needs review",
            Verdict::Fail => "Fail",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verdict name that jetdesk does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown verdict {0:?}: expected pass, needs_review or fail")]
pub struct UnknownVerdict(pub String);

impl FromStr for Verdict {
    type Err = UnknownVerdict;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Verdict::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownVerdict(s.to_string()))
    }
}

/// One rule's result for one applicant.
///
/// Serde reads a stored outcome back only if its `rule_id` is one this version knows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleOutcome {
    /// One of [`RULE_IDS`]: stable, for staff and storage.
    pub rule_id: &'static str,
    /// The rule in plain English, with this round's parameters ("… by 31 July 2027").
    pub statement: String,
    /// Pass, fail or needs review.
    pub verdict: Verdict,
    /// Why, in plain English, with the applicant's own figures and dates.
    pub reason: String,
}

/// A stored outcome as read back, before its rule id is matched to the `'static` one.
#[derive(serde::Deserialize)]
struct StoredOutcome {
    rule_id: String,
    statement: String,
    verdict: Verdict,
    reason: String,
}

// Written by hand: a derived impl would borrow the `&'static str` from the input (requiring
// `'de: 'static`); instead the stored id is matched to the known one, and an unknown id is refused.
impl<'de> serde::Deserialize<'de> for RuleOutcome {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let o = StoredOutcome::deserialize(d)?;
        let rule_id = RULE_IDS
            .into_iter()
            .find(|known| *known == o.rule_id)
            .ok_or_else(|| {
                serde::de::Error::custom(format!("unknown eligibility rule id {:?}", o.rule_id))
            })?;
        Ok(RuleOutcome {
            rule_id,
            statement: o.statement,
            verdict: o.verdict,
            reason: o.reason,
        })
    }
}

/// Every rule's outcome and the overall verdict.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Evaluation {
    /// One per rule, in [`RULE_IDS`] order.
    pub outcomes: Vec<RuleOutcome>,
    /// Fail if any rule fails, else needs review if any does, else pass.
    pub overall: Verdict,
}

impl Evaluation {
    /// The outcome of the rule with this id.
    pub fn outcome(&self, rule_id: &str) -> Option<&RuleOutcome> {
        self.outcomes.iter().find(|o| o.rule_id == rule_id)
    }

    /// The outcomes that did not pass (failed or need review), worst first, for a summary.
    pub fn concerns(&self) -> Vec<&RuleOutcome> {
        let mut out: Vec<&RuleOutcome> = self
            .outcomes
            .iter()
            .filter(|o| o.verdict != Verdict::Pass)
            .collect();
        // Stable sort: within a verdict, rule order is kept.
        out.sort_by_key(|o| std::cmp::Reverse(o.verdict));
        out
    }

    /// The state-machine event this evaluation records after submission: `EligibilityFailed` when the
    /// overall verdict is fail, otherwise `EligibilityPassed` ("needs review" does not exclude: the
    /// application goes on, and reviewers see the flagged rules).
    pub fn event(&self) -> Event {
        match self.overall {
            Verdict::Fail => Event::EligibilityFailed,
            Verdict::Pass | Verdict::NeedsReview => Event::EligibilityPassed,
        }
    }
}

/// Applies every rule in `rules` to `facts`. Never fails and never panics: a missing answer gives
/// "needs review" for the rules that need it.
pub fn evaluate(rules: &RuleSet, facts: &Facts) -> Evaluation {
    let outcomes = vec![
        rules::nationality(rules, facts),
        rules::degree(rules, facts),
        rules::former_jet_gap(rules, facts),
        rules::former_jet_total(rules, facts),
        rules::declined_last_year(rules, facts),
        rules::japan_residence(rules, facts),
        rules::cir_japanese(rules, facts),
        rules::one_position(rules, facts),
        rules::declarations(rules, facts),
    ];
    let overall = outcomes.iter().map(|o| o.verdict).max().unwrap_or(Verdict::Pass);
    Evaluation { outcomes, overall }
}

impl RuleSet {
    /// Each rule's id and plain-English statement with this rule set's parameters, in [`RULE_IDS`]
    /// order: what the public eligibility page lists.
    pub fn statements(&self) -> Vec<(&'static str, String)> {
        evaluate(self, &Facts::default())
            .outcomes
            .into_iter()
            .map(|o| (o.rule_id, o.statement))
            .collect()
    }
}
