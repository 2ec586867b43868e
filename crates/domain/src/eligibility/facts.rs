//! What an application (or the public "am I eligible?" page) tells the rules.
//!
//! Every answer is optional, because the rules also run on drafts and on the short public check: a
//! missing answer makes the rule that needs it "needs review" and names what is missing; it never
//! fails and never panics. This module must never hold personal details the rules do not need (no
//! names, no passport numbers): `Facts` may be logged or stored beside a verdict.

use std::collections::BTreeSet;

use jiff::civil::Date;

use crate::{JlptLevel, Position};

/// The answers the eligibility rules read. `Facts::default()` is "nothing answered yet".
///
/// Serde uses the field names below; every field may be absent from JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Facts {
    /// The position applied for.
    pub position: Option<Position>,
    /// Holds the round's required nationality (UK round: is a British citizen) by the application
    /// deadline. Permanent residence does not count: the form must ask about citizenship.
    pub holds_required_nationality: Option<bool>,
    /// Also holds Japanese nationality (never disqualifying; it must be renounced if a place is
    /// offered, and the reason says so).
    pub japanese_national: Option<bool>,
    /// The applicant's earliest bachelor's (or higher) degree: awarded, expected, or none.
    pub degree: Option<DegreeStatus>,
    /// Holds (or will hold by the degree deadline) a 3-year teacher-training qualification, which
    /// counts instead of a degree for ALT.
    pub teacher_training_qualification: Option<bool>,
    /// Has taken part in the JET Programme before.
    pub former_jet: Option<bool>,
    /// Former JETs: years spent on JET in total; a part-year counts as a year (contracts are yearly).
    pub years_on_jet: Option<u8>,
    /// Former JETs: the calendar year in which they last departed on JET (DOMAIN.md's wording; the
    /// form should ask exactly this), e.g. 2023.
    pub last_jet_departure_year: Option<i16>,
    /// Declined a JET placement in the previous programme year.
    pub declined_placement_last_year: Option<bool>,
    /// Whole months lived in Japan in total during the rule set's window (by default the 10 calendar
    /// years before the departure year). Months, not decimal years, so that the boundary is exact:
    /// 72 months is 6 years (fails), 71 passes. A form asking years and months gives `12 * y + m`.
    pub months_in_japan: Option<u16>,
    /// The level of a JLPT certificate, if the applicant has one (certificates never expire).
    pub jlpt_certificate: Option<JlptLevel>,
    /// The level found by a Japanese evaluation (the JET Desk's assessment), if one was done.
    pub japanese_evaluation: Option<JlptLevel>,
    /// The applicant said they are not sure of their Japanese level (CIR); changes the advice given.
    pub japanese_not_sure: bool,
    /// The ids of the declarations the applicant accepted; `None` until the declarations are answered.
    pub declarations_accepted: Option<BTreeSet<String>>,
    /// Applied for both ALT and CIR in this programme year (disqualifies both).
    pub applied_for_both_alt_and_cir: Option<bool>,
}

/// Where the applicant's degree stands. Serde: `{"status": "awarded", "on": "2025-07-12"}`,
/// `{"status": "expected", "by": "2027-06-30"}`, `{"status": "none"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DegreeStatus {
    /// Awarded on this date.
    Awarded {
        /// The award date.
        #[serde(with = "super::dates::iso")]
        on: Date,
    },
    /// Not yet awarded; expected by this date (an enrolment letter gives it).
    Expected {
        /// The expected completion date.
        #[serde(with = "super::dates::iso")]
        by: Date,
    },
    /// No bachelor's degree and none expected.
    None,
}
