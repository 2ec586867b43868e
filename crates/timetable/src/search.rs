//! Local search over a timetable that already meets its hard constraints.
//!
//! Every move keeps them: a visit changes ALT, day (inside the same period of the same school) or
//! both, or two visits swap ALTs (same day) or days (same ALT). A move is applied tentatively, its
//! validity checked against the occupancy tables, and only then scored, by recomputing the soft-goal
//! pieces of the (at most two) schools and (at most four) ALTs it touches with the definitions in
//! `score.rs`. Worse moves are accepted with the simulated-annealing probability `exp(−Δ/T)`, the
//! temperature falling geometrically to nearly zero, so the search ends in a local optimum. Pinned
//! visits never move. The random numbers come from a seeded SplitMix64, so runs are reproducible.

use crate::input::Instance;
use crate::plan::SearchMoves;
use crate::score::{Assignment, Scoring};

const EMPTY: u32 = u32::MAX;

/// SplitMix64: tiny, fast, and stable across Rust and crate versions (unlike `rand`'s defaults).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct State<'a> {
    instance: &'a Instance,
    scoring: &'a Scoring,
    n_days: usize,
    n_alts: usize,
    visits: Vec<Assignment>,
    /// Visit index at (ALT, day), or EMPTY.
    alt_day: Vec<u32>,
    /// Visit index at (school, day), or EMPTY.
    school_day: Vec<u32>,
    /// Visits per (school, ALT).
    count: Vec<u32>,
    load: Vec<u32>,
    shares: Vec<f64>,
}

/// A change of one visit to a new day and ALT.
#[derive(Clone, Copy)]
struct Change {
    visit: usize,
    day: usize,
    alt: usize,
}

impl State<'_> {
    fn slot(table: &mut [u32], index: usize) -> Option<&mut u32> {
        table.get_mut(index)
    }

    fn remove(&mut self, v: usize) {
        let Some(&x) = self.visits.get(v) else { return };
        if let Some(slot) = Self::slot(&mut self.alt_day, x.alt * self.n_days + x.day) {
            *slot = EMPTY;
        }
        if let Some(slot) = Self::slot(&mut self.school_day, x.school * self.n_days + x.day) {
            *slot = EMPTY;
        }
        if let Some(c) = self.count.get_mut(x.school * self.n_alts + x.alt) {
            *c = c.saturating_sub(1);
        }
        if let Some(l) = self.load.get_mut(x.alt) {
            *l = l.saturating_sub(1);
        }
    }

    fn place(&mut self, v: usize) {
        let Some(&x) = self.visits.get(v) else { return };
        let index = v as u32;
        if let Some(slot) = Self::slot(&mut self.alt_day, x.alt * self.n_days + x.day) {
            *slot = index;
        }
        if let Some(slot) = Self::slot(&mut self.school_day, x.school * self.n_days + x.day) {
            *slot = index;
        }
        if let Some(c) = self.count.get_mut(x.school * self.n_alts + x.alt) {
            *c += 1;
        }
        if let Some(l) = self.load.get_mut(x.alt) {
            *l += 1;
        }
    }

    /// Whether the visit, as it now stands in `visits`, may be placed.
    fn placeable(&self, v: usize) -> bool {
        let Some(&x) = self.visits.get(v) else {
            return false;
        };
        let (Some(alt), Some(school)) = (
            self.instance.alts().get(x.alt),
            self.instance.schools().get(x.school),
        ) else {
            return false;
        };
        alt.works.get(x.day).copied().unwrap_or(false)
            && alt.can_reach.get(x.school).copied().unwrap_or(false)
            && school.open.get(x.day).copied().unwrap_or(false)
            && self.alt_day.get(x.alt * self.n_days + x.day) == Some(&EMPTY)
            && self.school_day.get(x.school * self.n_days + x.day) == Some(&EMPTY)
    }

    fn school_cost(&self, s: usize) -> f64 {
        let Some(school) = self.instance.schools().get(s) else {
            return 0.0;
        };
        let w = &self.scoring.weights;
        let row = self
            .school_day
            .get(s * self.n_days..(s + 1) * self.n_days)
            .unwrap_or(&[]);
        let mut off_preference = 0u32;
        let mut minutes = 0u64;
        let mut most = 0u32;
        let mut total = 0u32;
        for &a in &school.reachable_by {
            let c = self.count.get(s * self.n_alts + a).copied().unwrap_or(0);
            total += c;
            most = most.max(c);
            let travel = self
                .instance
                .alts()
                .get(a)
                .and_then(|alt| alt.travel.get(s))
                .copied()
                .unwrap_or(0);
            minutes += u64::from(c) * u64::from(travel);
        }
        if school.has_preferences() {
            for (d, &v) in row.iter().enumerate() {
                if v != EMPTY {
                    let weekday = self.instance.days().get(d).map_or(0, |x| x.weekday().index());
                    if !school.preferred.get(weekday).copied().unwrap_or(false) {
                        off_preference += 1;
                    }
                }
            }
        }
        let spread = self.scoring.spread_of(
            s,
            row.iter()
                .enumerate()
                .filter(|(_, &v)| v != EMPTY)
                .map(|(d, _)| d),
        );
        w.continuity * f64::from(total - most)
            + w.spread * spread
            + w.weekday * f64::from(off_preference)
            + w.travel * minutes as f64
    }

    fn alt_cost(&self, a: usize) -> f64 {
        let load = f64::from(self.load.get(a).copied().unwrap_or(0));
        let gap = load - self.shares.get(a).copied().unwrap_or(0.0);
        self.scoring.weights.fairness * gap * gap
    }

    fn cost_of(&self, schools: &[usize], alts: &[usize]) -> f64 {
        schools.iter().map(|&s| self.school_cost(s)).sum::<f64>()
            + alts.iter().map(|&a| self.alt_cost(a)).sum::<f64>()
    }

    /// Applies the changes if they keep every hard constraint; returns the old visits on success.
    fn apply(&mut self, changes: &[Change]) -> Option<Vec<(usize, Assignment)>> {
        let old: Vec<(usize, Assignment)> = changes
            .iter()
            .filter_map(|c| self.visits.get(c.visit).map(|&x| (c.visit, x)))
            .collect();
        for &(v, _) in &old {
            self.remove(v);
        }
        for c in changes {
            if let Some(x) = self.visits.get_mut(c.visit) {
                x.day = c.day;
                x.alt = c.alt;
            }
        }
        let mut placed = Vec::new();
        let mut ok = true;
        for c in changes {
            if self.placeable(c.visit) {
                self.place(c.visit);
                placed.push(c.visit);
            } else {
                ok = false;
                break;
            }
        }
        if ok {
            return Some(old);
        }
        for v in placed {
            self.remove(v);
        }
        self.restore(&old);
        None
    }

    fn restore(&mut self, old: &[(usize, Assignment)]) {
        for &(v, x) in old {
            if let Some(slot) = self.visits.get_mut(v) {
                *slot = x;
            }
            self.place(v);
        }
    }

    fn undo(&mut self, changes: &[Change], old: &[(usize, Assignment)]) {
        for c in changes {
            self.remove(c.visit);
        }
        self.restore(old);
    }
}

/// Improves the soft goals of `visits` in place by `iterations` tried moves. `fixed[i]` marks
/// visits that must not move (pins). Hard constraints hold before and after every move.
pub(crate) fn improve(
    instance: &Instance,
    scoring: &Scoring,
    visits: &mut Vec<Assignment>,
    fixed: &[bool],
    seed: u64,
    iterations: u64,
) -> SearchMoves {
    let n_days = instance.days().len();
    let n_alts = instance.alts().len();
    let n_schools = instance.schools().len();
    let movable: Vec<usize> = (0..visits.len())
        .filter(|&i| !fixed.get(i).copied().unwrap_or(false))
        .collect();
    let mut moves = SearchMoves::default();
    if movable.is_empty() || iterations == 0 {
        return moves;
    }
    let mut state = State {
        instance,
        scoring,
        n_days,
        n_alts,
        visits: std::mem::take(visits),
        alt_day: vec![EMPTY; n_alts * n_days],
        school_day: vec![EMPTY; n_schools * n_days],
        count: vec![0; n_schools * n_alts],
        load: vec![0; n_alts],
        shares: Vec::new(),
    };
    state.shares = scoring.fair_shares(state.visits.len());
    for v in 0..state.visits.len() {
        state.place(v);
    }
    let is_fixed = |v: usize| fixed.get(v).copied().unwrap_or(false);

    let mut rng = Rng::new(seed);
    let (t_start, t_end) = (1.5_f64, 0.005_f64);
    let cooling = (t_end / t_start).powf(1.0 / iterations as f64);
    let mut temperature = t_start;
    let mut changes: Vec<Change> = Vec::with_capacity(2);
    for _ in 0..iterations {
        temperature *= cooling;
        moves.tried += 1;
        let Some(&v) = movable.get(rng.below(movable.len())) else {
            continue;
        };
        let Some(&x) = state.visits.get(v) else {
            continue;
        };
        let Some(school) = instance.schools().get(x.school) else {
            continue;
        };
        let period = instance
            .periods(school.per)
            .get(instance.period_index(school.per, x.day));
        let Some(period) = period else { continue };
        let random_day = |rng: &mut Rng| period.first + rng.below(period.last - period.first + 1);
        let random_alt = |rng: &mut Rng| {
            school
                .reachable_by
                .get(rng.below(school.reachable_by.len()))
                .copied()
                .unwrap_or(x.alt)
        };
        changes.clear();
        let kind = rng.below(100);
        if kind < 35 {
            // Another ALT the same day; swap with that ALT's visit if they have one.
            let a2 = random_alt(&mut rng);
            if a2 == x.alt {
                continue;
            }
            changes.push(Change {
                visit: v,
                day: x.day,
                alt: a2,
            });
            let other = state.alt_day.get(a2 * n_days + x.day).copied().unwrap_or(EMPTY);
            if other != EMPTY {
                let other = other as usize;
                if is_fixed(other) {
                    continue;
                }
                changes.push(Change {
                    visit: other,
                    day: x.day,
                    alt: x.alt,
                });
            }
        } else if kind < 75 {
            // Another day in the period, same ALT; swap days with the ALT's visit there if any.
            let d2 = random_day(&mut rng);
            if d2 == x.day {
                continue;
            }
            changes.push(Change {
                visit: v,
                day: d2,
                alt: x.alt,
            });
            let other = state.alt_day.get(x.alt * n_days + d2).copied().unwrap_or(EMPTY);
            if other != EMPTY {
                let other = other as usize;
                let Some(&y) = state.visits.get(other) else {
                    continue;
                };
                let same_period = instance.schools().get(y.school).is_some_and(|s2| {
                    instance.period_index(s2.per, y.day) == instance.period_index(s2.per, x.day)
                });
                if is_fixed(other) || !same_period {
                    continue;
                }
                changes.push(Change {
                    visit: other,
                    day: x.day,
                    alt: x.alt,
                });
            }
        } else {
            let d2 = random_day(&mut rng);
            let a2 = random_alt(&mut rng);
            if d2 == x.day && a2 == x.alt {
                continue;
            }
            changes.push(Change {
                visit: v,
                day: d2,
                alt: a2,
            });
        }

        let mut schools_touched: Vec<usize> = Vec::with_capacity(2);
        let mut alts_touched: Vec<usize> = Vec::with_capacity(4);
        for c in &changes {
            if let Some(y) = state.visits.get(c.visit) {
                schools_touched.push(y.school);
                alts_touched.push(y.alt);
            }
            alts_touched.push(c.alt);
        }
        schools_touched.sort_unstable();
        schools_touched.dedup();
        alts_touched.sort_unstable();
        alts_touched.dedup();
        let before = state.cost_of(&schools_touched, &alts_touched);
        let Some(old) = state.apply(&changes) else {
            continue;
        };
        let after = state.cost_of(&schools_touched, &alts_touched);
        let delta = after - before;
        if delta <= 1e-12 || rng.unit() < (-delta / temperature).exp() {
            moves.accepted += 1;
        } else {
            state.undo(&changes, &old);
        }
    }
    *visits = state.visits;
    moves
}
