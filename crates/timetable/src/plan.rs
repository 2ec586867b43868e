//! The scheduler's output: the visits, the requirements that could not be met and why, and the
//! statistics (soft-goal scores, lower bounds, loads). Everything here serialises to the JSON that
//! `jetdesk timetable` prints, with names rather than indices, in a deterministic order.

use serde::{Deserialize, Serialize};

use crate::input::Weights;

/// A term's timetable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Every visit, ordered by date, then ALT id, then school id.
    pub visits: Vec<Visit>,
    /// Every school and period whose requirement could not be met, in school then period order.
    pub unmet: Vec<Unmet>,
    /// Figures about the plan.
    pub stats: Stats,
}

/// One visit: an ALT spends a whole day at a school.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Visit {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// The ALT's id.
    pub alt: String,
    /// The school's id.
    pub school: String,
    /// Whether the visit was pinned in the request (kept as it was).
    #[serde(default, skip_serializing_if = "is_false")]
    pub pinned: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// A requirement that could not be met in one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmet {
    /// The school's id.
    pub school: String,
    /// The period: `2027-W18`, `2027-05` or `term`.
    pub period: String,
    /// Visit days required in the period.
    pub required: u32,
    /// Visit days scheduled in the period.
    pub scheduled: u32,
    /// Why no more could be scheduled, e.g. "only 1 open day in week 2027-W18".
    pub reason: String,
}

/// The soft goals' penalties (lower is better) and their weighted sum.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct SoftScores {
    /// Visits made by someone other than the school's main ALT.
    pub continuity: f64,
    /// Bunching: the lost fractions of the ideal gap between a school's consecutive visits.
    pub spread: f64,
    /// Visits on a weekday the school did not prefer.
    pub weekday: f64,
    /// The sum over ALTs of the squared distance (in days) of their load from a fair share.
    pub fairness: f64,
    /// Travel minutes from the ALTs' base schools, summed over visits.
    pub travel_minutes: f64,
    /// The weighted sum that the scheduler minimises.
    pub objective: f64,
}

/// One ALT's load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AltLoad {
    /// The ALT's id.
    pub alt: String,
    /// Visit days scheduled.
    pub visits: u32,
    /// Days the ALT works on which a school they can reach is open.
    pub available_days: u32,
    /// The fair share of the visits for this ALT (proportional to available days).
    pub fair_share: f64,
    /// Distinct schools visited.
    pub schools: u32,
}

/// A national holiday inside the term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayOut {
    /// The day.
    pub date: String,
    /// Its English name.
    pub name: String,
    /// Its Japanese name.
    pub name_ja: String,
}

/// Figures about a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Number of schools.
    pub schools: usize,
    /// Number of ALTs.
    pub alts: usize,
    /// Days in the term, weekends included.
    pub term_days: usize,
    /// The national holidays inside the term (closed everywhere).
    pub holidays: Vec<HolidayOut>,
    /// Visit days required over all schools and periods.
    pub required_visits: u32,
    /// Visit days scheduled (never more than required in any period).
    pub scheduled_visits: u32,
    /// Required visit days that could not be scheduled.
    pub unmet_visits: u32,
    /// The soft goals' weights used.
    pub weights: Weights,
    /// The plan's soft-goal penalties.
    pub soft: SoftScores,
    /// A lower bound on each penalty that any plan meeting the same visits must pay (each bound on
    /// its own; the objective's bound is their weighted sum). See `docs/timetable.md`.
    pub lower_bound: SoftScores,
    /// Schools whose visits all fall to one ALT.
    pub schools_kept_by_one_alt: usize,
    /// Each ALT's load.
    pub alt_loads: Vec<AltLoad>,
    /// Local-search moves tried and accepted.
    pub search_moves: SearchMoves,
}

/// How much local search was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SearchMoves {
    /// Moves tried.
    pub tried: u64,
    /// Moves accepted.
    pub accepted: u64,
}
