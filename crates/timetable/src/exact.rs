//! An exact solver for tiny requests, to measure how far the heuristic is from optimal.
//!
//! Depth-first branch and bound over every (day, ALT) decision in date order: the ALT stays idle
//! or visits one school they can reach that is open and still needs a visit in its period. A branch
//! is cut when a period can no longer be met (fewer open days left than visits needed) or when a
//! lower bound on its final cost reaches the best plan known. The bound is the cost so far, which
//! only grows as visits are added in date order (continuity `n − max` never falls, spread pairs and
//! weekday and travel costs only add), plus `Σ max(0, load − fair share)²` for fairness. It proves
//! optimality when it finishes within its node budget; otherwise it says it did not.
//!
//! It only answers for requests whose requirements can all be met, and compares plans that meet
//! them all (the heuristic's plans do, there). Exponential: meant for a handful of schools and ALTs
//! over a week or two, never for real terms.

use crate::input::Instance;
use crate::score::{evaluate, weighted, Assignment, Scoring};

/// The outcome of an exact search.
#[derive(Debug, Clone, PartialEq)]
pub struct Exact {
    /// The best objective found (the optimum when `proven`).
    pub objective: f64,
    /// Whether the search finished, proving `objective` optimal.
    pub proven: bool,
    /// Search nodes visited.
    pub nodes: u64,
    /// The best plan found, if it beat `upper_bound`.
    pub visits: Option<Vec<Assignment>>,
}

struct Search<'a> {
    instance: &'a Instance,
    scoring: &'a Scoring,
    n_alts: usize,
    n_days: usize,
    shares: Vec<f64>,
    /// Visits still needed per (school, period).
    need: Vec<Vec<u32>>,
    /// For each school and day, the open days from that day to the end of its period.
    open_left: Vec<Vec<u32>>,
    school_busy: Vec<bool>,
    load: Vec<u32>,
    count: Vec<u32>,
    last_visit: Vec<Option<usize>>,
    current: Vec<Assignment>,
    cost: f64,
    best: f64,
    best_visits: Option<Vec<Assignment>>,
    nodes: u64,
    limit: u64,
    aborted: bool,
}

/// Searches for a plan meeting every requirement with an objective below `upper_bound` (pass the
/// heuristic's objective), visiting at most `node_limit` nodes.
pub fn solve_exact(instance: &Instance, upper_bound: f64, node_limit: u64) -> Exact {
    let scoring = Scoring::new(instance);
    let n_days = instance.days().len();
    let n_alts = instance.alts().len();
    let need: Vec<Vec<u32>> = instance
        .schools()
        .iter()
        .map(|s| vec![s.days; instance.periods(s.per).len()])
        .collect();
    let total: u32 = need.iter().flatten().sum();
    let open_left = instance
        .schools()
        .iter()
        .map(|s| {
            let mut left = vec![0u32; n_days];
            for p in instance.periods(s.per) {
                let mut running = 0;
                for d in (p.first..=p.last).rev() {
                    if s.open.get(d).copied().unwrap_or(false) {
                        running += 1;
                    }
                    if let Some(slot) = left.get_mut(d) {
                        *slot = running;
                    }
                }
            }
            left
        })
        .collect();
    let mut search = Search {
        instance,
        scoring: &scoring,
        n_alts,
        n_days,
        shares: scoring.fair_shares(total as usize),
        need,
        open_left,
        school_busy: vec![false; instance.schools().len() * n_days],
        load: vec![0; n_alts],
        count: vec![0; instance.schools().len() * n_alts],
        last_visit: vec![None; instance.schools().len()],
        current: Vec::new(),
        cost: 0.0,
        best: upper_bound - 1e-9,
        best_visits: None,
        nodes: 0,
        limit: node_limit,
        aborted: false,
    };
    search.branch(0);
    let objective = match &search.best_visits {
        Some(v) => evaluate(instance, &scoring, v).objective,
        None => upper_bound,
    };
    Exact {
        objective,
        proven: !search.aborted,
        nodes: search.nodes,
        visits: search.best_visits,
    }
}

impl Search<'_> {
    fn fairness_bound(&self) -> f64 {
        self.load
            .iter()
            .zip(&self.shares)
            .map(|(&l, &share)| {
                let over = (f64::from(l) - share).max(0.0);
                over * over
            })
            .sum::<f64>()
            * self.scoring.weights.fairness
    }

    /// Whether every period can still be met from day `day` on.
    fn periods_still_possible(&self, day: usize) -> bool {
        self.instance.schools().iter().enumerate().all(|(s, school)| {
            let needs = self.need.get(s).map(Vec::as_slice).unwrap_or(&[]);
            self.instance
                .periods(school.per)
                .iter()
                .zip(needs)
                .all(|(p, &need)| {
                    if need == 0 {
                        true
                    } else if p.last < day {
                        false
                    } else if p.first >= day {
                        true
                    } else {
                        let left = self
                            .open_left
                            .get(s)
                            .and_then(|l| l.get(day))
                            .copied()
                            .unwrap_or(0);
                        need <= left
                    }
                })
        })
    }

    /// The cost a visit adds to the monotone part of the objective.
    fn added_cost(&self, s: usize, a: usize, d: usize) -> f64 {
        let (Some(school), Some(alt)) = (self.instance.schools().get(s), self.instance.alts().get(a)) else {
            return 0.0;
        };
        let w = &self.scoring.weights;
        let n_s: u32 = (0..self.n_alts)
            .map(|x| self.count.get(s * self.n_alts + x).copied().unwrap_or(0))
            .sum();
        let most = (0..self.n_alts)
            .map(|x| self.count.get(s * self.n_alts + x).copied().unwrap_or(0))
            .max()
            .unwrap_or(0);
        let mine = self.count.get(s * self.n_alts + a).copied().unwrap_or(0);
        let most_after = most.max(mine + 1);
        let continuity = f64::from(n_s + 1 - most_after) - f64::from(n_s - most);
        let spread = match self.last_visit.get(s).copied().flatten() {
            Some(previous) => self.scoring.spread_of(s, [previous, d].into_iter()),
            None => 0.0,
        };
        let weekday = self.instance.days().get(d).map_or(0, |x| x.weekday().index());
        let off = school.has_preferences() && !school.preferred.get(weekday).copied().unwrap_or(false);
        let travel = alt.travel.get(s).copied().unwrap_or(0);
        w.continuity * continuity
            + w.spread * spread
            + w.weekday * if off { 1.0 } else { 0.0 }
            + w.travel * f64::from(travel)
    }

    fn branch(&mut self, k: usize) {
        if self.aborted {
            return;
        }
        self.nodes += 1;
        if self.nodes > self.limit {
            self.aborted = true;
            return;
        }
        let (d, a) = (k / self.n_alts.max(1), k % self.n_alts.max(1));
        if a == 0 && !self.periods_still_possible(d) {
            return;
        }
        if self.cost + self.fairness_bound() >= self.best {
            return;
        }
        if d >= self.n_days {
            let scores = evaluate(self.instance, self.scoring, &self.current);
            let objective = weighted(&scores, &self.scoring.weights);
            if objective < self.best {
                self.best = objective - 1e-9;
                self.best_visits = Some(self.current.clone());
            }
            return;
        }
        let Some(alt) = self.instance.alts().get(a) else {
            return;
        };
        if alt.works.get(d).copied().unwrap_or(false) {
            for &s in &alt.reachable {
                let Some(school) = self.instance.schools().get(s) else {
                    continue;
                };
                let p = self.instance.period_index(school.per, d);
                let need = self.need.get(s).and_then(|n| n.get(p)).copied().unwrap_or(0);
                let busy = self.school_busy.get(s * self.n_days + d).copied().unwrap_or(true);
                if need == 0 || busy || !school.open.get(d).copied().unwrap_or(false) {
                    continue;
                }
                let added = self.added_cost(s, a, d);
                let previous = self.last_visit.get(s).copied().flatten();
                self.set(s, a, d, p, true, Some(d));
                self.cost += added;
                self.current.push(Assignment {
                    day: d,
                    alt: a,
                    school: s,
                });
                self.branch(k + 1);
                self.current.pop();
                self.cost -= added;
                self.set(s, a, d, p, false, previous);
            }
        }
        self.branch(k + 1);
    }

    fn set(&mut self, s: usize, a: usize, d: usize, p: usize, on: bool, last: Option<usize>) {
        if let Some(b) = self.school_busy.get_mut(s * self.n_days + d) {
            *b = on;
        }
        if let Some(n) = self.need.get_mut(s).and_then(|n| n.get_mut(p)) {
            *n = if on { n.saturating_sub(1) } else { *n + 1 };
        }
        if let Some(l) = self.load.get_mut(a) {
            *l = if on { *l + 1 } else { l.saturating_sub(1) };
        }
        if let Some(c) = self.count.get_mut(s * self.n_alts + a) {
            *c = if on { *c + 1 } else { c.saturating_sub(1) };
        }
        if let Some(slot) = self.last_visit.get_mut(s) {
            *slot = last;
        }
    }
}
