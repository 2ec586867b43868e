//! The soft goals, defined once: how a set of visits is scored, and lower bounds on those scores.
//!
//! The local search (`search.rs`) scores moves with the per-school and per-ALT pieces defined here,
//! and [`evaluate`] adds the same pieces up from scratch, so the figure reported is the figure
//! optimised. Definitions (all penalties, lower is better):
//!
//! - **continuity**, per school: visits − visits by the ALT who made most of them (its main ALT).
//! - **spread**, per school: with `ideal` = the school's open days ÷ its required visits (rounded
//!   down, at least 1), each pair of consecutive visits `g` open days apart costs
//!   `max(0, ideal − g) / ideal`: two visits on consecutive days for a twice-a-week school cost 0.5.
//! - **weekday**: visits on a weekday the school did not prefer (schools without preferences: 0).
//! - **fairness**, per ALT: `(load − fair share)²`, the fair share being the visits in proportion to
//!   the ALT's available days (working days when a school they can reach is open).
//! - **travel**: minutes from the ALT's base school to the school, per visit.

use crate::input::{Instance, Per, Weights};
use crate::plan::SoftScores;

/// One visit by index: an ALT at a school on a term day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Assignment {
    /// Term day index.
    pub day: usize,
    /// ALT index.
    pub alt: usize,
    /// School index.
    pub school: usize,
}

/// Per-instance tables the scoring needs, computed once.
#[derive(Debug, Clone)]
pub struct Scoring {
    /// For each school, the number of its open days before each term day.
    pub open_rank: Vec<Vec<u32>>,
    /// For each school, the ideal gap in open days between consecutive visits.
    pub ideal_gap: Vec<u32>,
    /// For each ALT, the days they work when a school they can reach is open.
    pub available: Vec<u32>,
    /// The weights.
    pub weights: Weights,
}

impl Scoring {
    /// The tables for an instance.
    pub fn new(instance: &Instance) -> Scoring {
        let n_days = instance.days().len();
        let mut open_rank = Vec::with_capacity(instance.schools().len());
        let mut ideal_gap = Vec::with_capacity(instance.schools().len());
        for school in instance.schools() {
            let mut rank = Vec::with_capacity(n_days);
            let mut seen = 0u32;
            for &open in &school.open {
                rank.push(seen);
                if open {
                    seen += 1;
                }
            }
            let required: u32 = required_per_period(instance, school.per, &school.open, school.days)
                .iter()
                .sum();
            ideal_gap.push(seen.checked_div(required).unwrap_or(1).max(1));
            open_rank.push(rank);
        }
        let available = instance
            .alts()
            .iter()
            .map(|alt| {
                (0..n_days)
                    .filter(|&d| {
                        alt.works.get(d).copied().unwrap_or(false)
                            && alt.reachable.iter().any(|&s| {
                                instance
                                    .schools()
                                    .get(s)
                                    .is_some_and(|school| school.open.get(d).copied().unwrap_or(false))
                            })
                    })
                    .count() as u32
            })
            .collect();
        Scoring {
            open_rank,
            ideal_gap,
            available,
            weights: instance.weights(),
        }
    }

    /// Each ALT's fair share of `visits` visits.
    pub fn fair_shares(&self, visits: usize) -> Vec<f64> {
        let total: u32 = self.available.iter().sum();
        self.available
            .iter()
            .map(|&a| {
                if total == 0 {
                    0.0
                } else {
                    visits as f64 * f64::from(a) / f64::from(total)
                }
            })
            .collect()
    }

    /// The spread penalty of one school's visit days (ascending term day indices).
    pub fn spread_of(&self, school: usize, days: impl Iterator<Item = usize>) -> f64 {
        let ideal = self.ideal_gap.get(school).copied().unwrap_or(1);
        if ideal <= 1 {
            return 0.0;
        }
        let Some(rank) = self.open_rank.get(school) else {
            return 0.0;
        };
        let mut previous: Option<u32> = None;
        let mut lost = 0u32;
        for day in days {
            let here = rank.get(day).copied().unwrap_or(0);
            if let Some(before) = previous {
                lost += ideal.saturating_sub(here.saturating_sub(before));
            }
            previous = Some(here);
        }
        f64::from(lost) / f64::from(ideal)
    }
}

/// How many visits a school needs in each of its periods: the requirement, unless fewer days are
/// open (a period cannot be asked for more visit days than it has open days). Used for the ideal gap.
fn required_per_period(instance: &Instance, per: Per, open: &[bool], days: u32) -> Vec<u32> {
    instance
        .periods(per)
        .iter()
        .map(|p| {
            let open_days = open
                .get(p.first..=p.last)
                .map(|o| o.iter().filter(|&&x| x).count() as u32)
                .unwrap_or(0);
            days.min(open_days)
        })
        .collect()
}

/// Scores a set of visits from scratch.
pub fn evaluate(instance: &Instance, scoring: &Scoring, visits: &[Assignment]) -> SoftScores {
    let n_schools = instance.schools().len();
    let n_alts = instance.alts().len();
    let mut by_school: Vec<Vec<Assignment>> = vec![Vec::new(); n_schools];
    let mut load = vec![0u32; n_alts];
    for v in visits {
        if let Some(list) = by_school.get_mut(v.school) {
            list.push(*v);
        }
        if let Some(l) = load.get_mut(v.alt) {
            *l += 1;
        }
    }
    let mut scores = SoftScores::default();
    for (s, list) in by_school.iter_mut().enumerate() {
        list.sort();
        let Some(school) = instance.schools().get(s) else {
            continue;
        };
        let mut per_alt = vec![0u32; n_alts];
        for v in list.iter() {
            if let Some(c) = per_alt.get_mut(v.alt) {
                *c += 1;
            }
            let weekday = instance.days().get(v.day).map(|d| d.weekday().index());
            if school.has_preferences()
                && !weekday.is_some_and(|w| school.preferred.get(w).copied().unwrap_or(false))
            {
                scores.weekday += 1.0;
            }
            let minutes = instance
                .alts()
                .get(v.alt)
                .and_then(|a| a.travel.get(s))
                .copied()
                .unwrap_or(0);
            scores.travel_minutes += f64::from(minutes);
        }
        let most = per_alt.iter().copied().max().unwrap_or(0);
        scores.continuity += f64::from(list.len() as u32 - most);
        scores.spread += scoring.spread_of(s, list.iter().map(|v| v.day));
    }
    for (l, share) in load.iter().zip(scoring.fair_shares(visits.len())) {
        let gap = f64::from(*l) - share;
        scores.fairness += gap * gap;
    }
    scores.objective = weighted(&scores, &scoring.weights);
    scores
}

/// The weighted sum of the penalties.
pub fn weighted(scores: &SoftScores, weights: &Weights) -> f64 {
    weights.continuity * scores.continuity
        + weights.spread * scores.spread
        + weights.weekday * scores.weekday
        + weights.fairness * scores.fairness
        + weights.travel * scores.travel_minutes
}

/// Lower bounds on each penalty for any plan that schedules `met[s][p]` visits in each school's
/// periods, each found by relaxing everything but the school's own days and ALTs (so they ignore
/// competition between schools for ALTs and are valid, if loose, when capacity is tight).
///
/// - weekday: in each period, the visits beyond the open preferred days on which some ALT who can
///   reach the school works;
/// - continuity: the visits beyond what the single best ALT could make alone, period by period;
/// - travel: each visit at the cheapest reachable ALT's travel;
/// - spread: 0 when the visits could be spaced at the ideal gap at all (not attempted: bound 0);
/// - fairness: the bound of the continuous relaxation, `Σ (share − reachable capacity)²` over ALTs
///   whose available days are fewer than their fair share (0 otherwise).
pub fn lower_bound(instance: &Instance, scoring: &Scoring, met: &[Vec<u32>], total: usize) -> SoftScores {
    let mut bound = SoftScores::default();
    for (s, school) in instance.schools().iter().enumerate() {
        let periods = instance.periods(school.per);
        let met_s = met.get(s).map(Vec::as_slice).unwrap_or(&[]);
        let mut best_alone = vec![0u32; instance.alts().len()];
        let mut total_met = 0u32;
        for (p, period) in periods.iter().enumerate() {
            let need = met_s.get(p).copied().unwrap_or(0);
            total_met += need;
            let days = period.first..=period.last;
            let coverable_preferred = days
                .clone()
                .filter(|&d| {
                    school.open.get(d).copied().unwrap_or(false)
                        && instance.days().get(d).is_some_and(|date| {
                            school
                                .preferred
                                .get(date.weekday().index())
                                .copied()
                                .unwrap_or(false)
                        })
                        && school.reachable_by.iter().any(|&a| {
                            instance
                                .alts()
                                .get(a)
                                .is_some_and(|alt| alt.works.get(d).copied().unwrap_or(false))
                        })
                })
                .count() as u32;
            if school.has_preferences() {
                bound.weekday += f64::from(need.saturating_sub(coverable_preferred));
            }
            for &a in &school.reachable_by {
                let Some(alt) = instance.alts().get(a) else {
                    continue;
                };
                let can = days
                    .clone()
                    .filter(|&d| {
                        alt.works.get(d).copied().unwrap_or(false)
                            && school.open.get(d).copied().unwrap_or(false)
                    })
                    .count() as u32;
                if let Some(b) = best_alone.get_mut(a) {
                    *b += can.min(need);
                }
            }
        }
        let alone = best_alone.iter().copied().max().unwrap_or(0);
        bound.continuity += f64::from(total_met.saturating_sub(alone));
        let cheapest = school
            .reachable_by
            .iter()
            .filter_map(|&a| instance.alts().get(a).and_then(|alt| alt.travel.get(s)).copied())
            .min()
            .unwrap_or(0);
        bound.travel_minutes += f64::from(total_met) * f64::from(cheapest);
    }
    for (available, share) in scoring.available.iter().zip(scoring.fair_shares(total)) {
        let short = share - f64::from(*available);
        if short > 0.0 {
            bound.fairness += short * short;
        }
    }
    bound.objective = weighted(&bound, &scoring.weights);
    bound
}
