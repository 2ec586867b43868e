//! Realistic synthetic requests, seeded, for the property tests and the benchmark.
//!
//! A board of education's area is a 100 × 100 square with schools scattered in it. Each ALT is
//! based at a junior or senior high school and looks after the schools nearest to it (their
//! cluster); they can also reach any school within a short distance of their base, with travel
//! minutes growing with distance. Requirements follow common practice: the base school twice a
//! week, other junior and senior highs four days a month, elementary schools two or three a month,
//! special-needs schools four a term. Schools close for a few event days; ALTs take a few days'
//! leave.
//!
//! **Feasible by construction:** after drawing the requirements, the generator solves the request
//! with each school reachable only by its own cluster's ALT and lowers any requirement that this
//! restricted request cannot meet, until it meets all of them. That plan is the witness: it is
//! returned with the request and is valid for the full request too (reaching more schools only
//! adds options). [`make_infeasible`] then breaks a feasible request in known ways.

use crate::date::{Date, Weekday};
use crate::input::{AltInput, Instance, Request, SchoolInput, TermInput, VisitsInput};
use crate::plan::Plan;
use crate::search::Rng;
use crate::solve::{solve, Options};

/// The size and seed of a synthetic request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Number of ALTs.
    pub alts: usize,
    /// Number of schools (at least the number of ALTs: every ALT has a base school).
    pub schools: usize,
    /// Term length in weeks, from Monday 5 April 2027 (so Golden Week and Marine Day fall inside).
    pub weeks: u32,
    /// Seed of every random choice.
    pub seed: u64,
}

/// A generated request and the witness plan proving it feasible.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The request.
    pub request: Request,
    /// A plan meeting every requirement, found with each school reachable only by its cluster's ALT.
    pub witness: Plan,
}

const WEEKDAYS: [&str; 5] = ["mon", "tue", "wed", "thu", "fri"];

/// Generates a feasible request of the given shape.
pub fn generate(shape: Shape) -> Generated {
    let mut rng = Rng::new(shape.seed);
    let n_alts = shape.alts.max(1);
    let n_schools = shape.schools.max(n_alts);
    let start = Date::from_ymd(2027, 4, 5).unwrap_or(Date::from_days(0));
    let end = start.add_days(7 * shape.weeks.max(1) as i32 - 3);
    let term_dates: Vec<Date> = (0..=(end.days_since_epoch() - start.days_since_epoch()))
        .map(|i| start.add_days(i))
        .filter(|d| Weekday::SCHOOL_DAYS.contains(&d.weekday()))
        .collect();
    let random_date = |rng: &mut Rng| {
        term_dates
            .get(rng.below(term_dates.len()))
            .copied()
            .unwrap_or(start)
            .to_string()
    };

    let points: Vec<(f64, f64)> = (0..n_schools)
        .map(|_| (rng.unit() * 100.0, rng.unit() * 100.0))
        .collect();
    let distance = |a: usize, b: usize| {
        let (p, q) = (
            points.get(a).copied().unwrap_or_default(),
            points.get(b).copied().unwrap_or_default(),
        );
        ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt()
    };
    // Schools 0..n_alts are the ALTs' base schools (a quarter of them senior highs).
    let mut levels = Vec::with_capacity(n_schools);
    for s in 0..n_schools {
        let level = if s < n_alts {
            if s % 4 == 3 {
                "senior_high"
            } else {
                "junior_high"
            }
        } else {
            match rng.below(20) {
                0..=13 => "elementary",
                14..=17 => "junior_high",
                18 => "senior_high",
                _ => "special_needs",
            }
        };
        levels.push(level);
    }
    // Clusters: every other school to the nearest base with room (at most twice the average).
    let room = (n_schools * 2).div_ceil(n_alts);
    let mut cluster_size = vec![1usize; n_alts];
    let mut owner: Vec<usize> = (0..n_schools).map(|s| s.min(n_alts - 1)).collect();
    for s in n_alts..n_schools {
        let mut bases: Vec<usize> = (0..n_alts).collect();
        bases.sort_by(|&a, &b| distance(s, a).total_cmp(&distance(s, b)));
        let chosen = bases
            .iter()
            .copied()
            .find(|&a| cluster_size.get(a).copied().unwrap_or(0) < room)
            .unwrap_or(0);
        if let Some(c) = cluster_size.get_mut(chosen) {
            *c += 1;
        }
        if let Some(o) = owner.get_mut(s) {
            *o = chosen;
        }
    }

    let mut schools: Vec<SchoolInput> = (0..n_schools)
        .map(|s| {
            let level = levels.get(s).copied().unwrap_or("elementary");
            let (per, days) = if s < n_alts {
                ("week", 2)
            } else {
                match level {
                    "elementary" => ("month", 2 + rng.below(2) as u32),
                    "special_needs" => ("term", 4),
                    _ => ("month", 4),
                }
            };
            let preferred: Vec<String> = match rng.below(3) {
                0 => Vec::new(),
                1 => vec![WEEKDAYS.get(rng.below(5)).copied().unwrap_or("mon").to_string()],
                _ => {
                    let first = rng.below(5);
                    let second = (first + 2 + rng.below(2)) % 5;
                    [first, second]
                        .iter()
                        .filter_map(|&i| WEEKDAYS.get(i).map(|d| d.to_string()))
                        .collect()
                }
            };
            let mut closed: Vec<String> = (0..rng.below(4)).map(|_| random_date(&mut rng)).collect();
            closed.sort();
            closed.dedup();
            SchoolInput {
                id: format!("s{:03}", s + 1),
                name: format!("School {} ({level})", s + 1),
                level: level.to_string(),
                visits: VisitsInput {
                    per: per.to_string(),
                    days,
                },
                preferred_weekdays: preferred,
                closed,
                weekdays: None,
            }
        })
        .collect();

    let school_id = |s: usize| format!("s{:03}", s + 1);
    let mut alts: Vec<AltInput> = (0..n_alts)
        .map(|a| {
            let mut unavailable: Vec<String> = (0..rng.below(4)).map(|_| random_date(&mut rng)).collect();
            unavailable.sort();
            unavailable.dedup();
            let cluster: Vec<String> = (0..n_schools)
                .filter(|&s| owner.get(s) == Some(&a))
                .map(school_id)
                .collect();
            AltInput {
                id: format!("a{:02}", a + 1),
                name: format!("ALT {}", a + 1),
                base_school: school_id(a),
                weekdays: WEEKDAYS.iter().map(|d| d.to_string()).collect(),
                unavailable,
                reachable: cluster,
                travel_minutes: (0..n_schools)
                    .filter(|&s| s != a)
                    .filter(|&s| owner.get(s) == Some(&a) || distance(s, a) < 18.0)
                    .map(|s| (school_id(s), 5 + (distance(s, a) * 1.5) as u32))
                    .collect(),
            }
        })
        .collect();

    let mut request = Request {
        term: TermInput {
            start: start.to_string(),
            end: end.to_string(),
        },
        closed: Vec::new(),
        national_holidays: true,
        schools: schools.clone(),
        alts: alts.clone(),
        pinned: Vec::new(),
        weights: None,
        default_travel_minutes: None,
    };
    // Lower requirements until each cluster's ALT alone meets them all (a few rounds suffice:
    // each round lowers every school that fell short).
    let mut witness = None;
    for _ in 0..20 {
        let Ok(instance) = Instance::new(&request) else {
            break;
        };
        let plan = solve(
            &instance,
            &Options {
                seed: shape.seed,
                effort: 0,
            },
        );
        if plan.unmet.is_empty() {
            witness = Some(plan);
            break;
        }
        for unmet in &plan.unmet {
            if let Some(school) = schools.iter_mut().find(|s| s.id == unmet.school) {
                school.visits.days = school.visits.days.min(unmet.scheduled);
            }
        }
        request.schools = schools.clone();
    }
    // Now widen each ALT's reach to every school within a short distance of their base.
    for (a, alt) in alts.iter_mut().enumerate() {
        alt.reachable = (0..n_schools)
            .filter(|&s| owner.get(s) == Some(&a) || distance(s, a) < 18.0)
            .map(school_id)
            .collect();
    }
    request.alts = alts;
    let witness = witness.unwrap_or_else(|| empty_plan(&request));
    Generated { request, witness }
}

fn empty_plan(request: &Request) -> Plan {
    match Instance::new(request) {
        Ok(instance) => solve(&instance, &Options { seed: 0, effort: 0 }),
        Err(_) => Plan {
            visits: Vec::new(),
            unmet: Vec::new(),
            stats: crate::plan::Stats {
                schools: 0,
                alts: 0,
                term_days: 0,
                holidays: Vec::new(),
                required_visits: 0,
                scheduled_visits: 0,
                unmet_visits: 0,
                weights: crate::input::Weights::default(),
                soft: Default::default(),
                lower_bound: Default::default(),
                schools_kept_by_one_alt: 0,
                alt_loads: Vec::new(),
                search_moves: Default::default(),
            },
        },
    }
}

/// Breaks a feasible request in three known ways, so that the plan must report unmet requirements:
/// the first base school asks for three days a week (Golden Week's week 2027-W18 has two open
/// days), the last school closes for the whole of June and still wants its visits, and the second
/// ALT's cluster doubles its demands.
pub fn make_infeasible(request: &Request) -> Request {
    let mut broken = request.clone();
    if let Some(first) = broken.schools.first_mut() {
        first.visits = VisitsInput {
            per: "week".to_string(),
            days: 3,
        };
    }
    if let Some(last) = broken.schools.last_mut() {
        last.visits = VisitsInput {
            per: "month".to_string(),
            days: 3,
        };
        let june = Date::from_ymd(2027, 6, 1).unwrap_or(Date::from_days(0));
        last.closed = (0..30).map(|i| june.add_days(i).to_string()).collect();
        let (first, end) = (broken.term.start.clone(), broken.term.end.clone());
        last.closed.retain(|d| *d >= first && *d <= end);
    }
    if let Some(second) = broken.alts.get(1) {
        let cluster = second.reachable.clone();
        for school in broken.schools.iter_mut() {
            if cluster.contains(&school.id) {
                school.visits.days *= 2;
            }
        }
        // Only the second ALT may reach their cluster now, so nobody can take up the slack.
        for alt in broken.alts.iter_mut().filter(|a| a.id != "a02") {
            alt.reachable.retain(|s| !cluster.contains(s));
            if cluster.contains(&alt.base_school) {
                alt.reachable.push(alt.base_school.clone());
            }
        }
    }
    broken
}
