//! The scheduler: a maximum flow for the hard constraints, then local search for the soft goals.
//!
//! **The hard constraints are a flow network.** Each unit of flow is one visit day:
//!
//! ```text
//! source ─(required days)→ school·period ─(1)→ school·day ─(1)→ ALT·day ─(1)→ sink
//! ```
//!
//! A school·day node exists only when the school is open; an edge school·day → ALT·day only when the
//! ALT works that day and can reach the school. Capacity 1 on school·day means one ALT per school per
//! day; capacity 1 on ALT·day means one school per ALT per day. Every school's requirement has a
//! single kind of period, so each school·day lies in exactly one school·period: the network is exact,
//! and a maximum flow meets every requirement whenever that is possible at all (and otherwise meets
//! as many visit days as possible). Where a requirement falls short, [`explain`] says why.
//!
//! **The soft goals are improved without touching the hard ones.** The flow's edge order already
//! leans towards each school's main ALT and preferred weekdays; then `search.rs` moves visits within
//! their period, between ALTs and swaps them, only ever to positions that keep every hard constraint
//! and every period's count, accepting worse moves early on (simulated annealing) to escape local
//! optima. Everything is seeded: the same request and options give the same plan, byte for byte.

use crate::flow::Network;
use crate::input::{Instance, Per, School};
use crate::plan::{AltLoad, HolidayOut, Plan, SearchMoves, Stats, Unmet, Visit};
use crate::score::{evaluate, lower_bound, Assignment, Scoring};
use crate::search;

/// How hard to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Seed of the local search's random choices.
    pub seed: u64,
    /// Local-search moves tried per scheduled visit (0: flow only).
    pub effort: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 2027,
            effort: 400,
        }
    }
}

/// Builds a term's timetable.
///
/// Hard constraints hold in every plan returned (one school per ALT per day, one ALT per school per
/// day, working and open days only, reachable schools only, never more visits than a period
/// requires), and every requirement is met whenever the request allows it; otherwise
/// [`Plan::unmet`] says which school, which period, how many days short, and why.
///
/// Takes `O(E √V)` for the flow (E ≈ school open days × ALTs per school) and
/// `O(effort × visits × term days)` for the search.
pub fn solve(instance: &Instance, options: &Options) -> Plan {
    let scoring = Scoring::new(instance);
    let main_alt = choose_main_alts(instance, &scoring);
    let (mut assignments, fixed, met) = max_flow_plan(instance, &main_alt);
    let iterations = u64::from(options.effort) * assignments.len() as u64;
    let moves = search::improve(
        instance,
        &scoring,
        &mut assignments,
        &fixed,
        options.seed,
        iterations,
    );
    build_plan(instance, &scoring, &assignments, &fixed, &met, moves)
}

/// The periods of a school, each with the number of its required days (before pins).
fn school_periods(instance: &Instance, school: &School) -> Vec<(usize, usize, u32)> {
    instance
        .periods(school.per)
        .iter()
        .map(|p| (p.first, p.last, school.days))
        .collect()
}

/// Picks a main ALT for every school before the flow: schools with fewest ALTs first, each to
/// the ALT who can reach it with most spare capacity (their base school's ALT when it fits). The
/// flow tries the main ALT's edges first, which gives continuity a head start; nothing depends on
/// this for correctness.
fn choose_main_alts(instance: &Instance, scoring: &Scoring) -> Vec<Option<usize>> {
    let schools = instance.schools();
    let mut demand: Vec<u32> = schools
        .iter()
        .map(|school| {
            school_periods(instance, school)
                .iter()
                .map(|&(first, last, days)| {
                    let open = school
                        .open
                        .get(first..=last)
                        .map(|o| o.iter().filter(|&&x| x).count() as u32)
                        .unwrap_or(0);
                    days.min(open)
                })
                .sum()
        })
        .collect();
    let mut spare: Vec<i64> = scoring.available.iter().map(|&a| i64::from(a)).collect();
    let mut order: Vec<usize> = (0..schools.len()).collect();
    order.sort_by_key(|&s| {
        let school = schools.get(s);
        (
            school.map_or(0, |x| x.reachable_by.len()),
            std::cmp::Reverse(demand.get(s).copied().unwrap_or(0)),
            s,
        )
    });
    let mut main = vec![None; schools.len()];
    for s in order {
        let Some(school) = schools.get(s) else {
            continue;
        };
        let need = i64::from(demand.get(s).copied().unwrap_or(0));
        let best = school.reachable_by.iter().copied().max_by_key(|&a| {
            let alt = instance.alts().get(a);
            let room = spare.get(a).copied().unwrap_or(0) - need;
            let is_base = alt.is_some_and(|alt| alt.base_school == s);
            let travel = alt.and_then(|alt| alt.travel.get(s)).copied().unwrap_or(0);
            // Fits first, then the base school's ALT, then most room, then least travel.
            (
                room >= 0,
                is_base,
                room,
                std::cmp::Reverse(travel),
                std::cmp::Reverse(a),
            )
        });
        if let Some(a) = best {
            if let Some(room) = spare.get_mut(a) {
                *room -= need;
            }
            if let Some(slot) = main.get_mut(s) {
                *slot = Some(a);
            }
        }
        if let Some(d) = demand.get_mut(s) {
            *d = 0;
        }
    }
    main
}

type FlowResult = (Vec<Assignment>, Vec<bool>, Vec<Vec<u32>>);

/// Runs the maximum flow. Returns the visits (pins first), which of them are pinned, and the visits
/// scheduled in each school's periods.
fn max_flow_plan(instance: &Instance, main_alt: &[Option<usize>]) -> FlowResult {
    let n_days = instance.days().len();
    let n_alts = instance.alts().len();
    let schools = instance.schools();
    let mut alt_busy = vec![false; n_alts * n_days];
    let mut school_busy = vec![false; schools.len() * n_days];
    let mut met: Vec<Vec<u32>> = schools
        .iter()
        .map(|s| vec![0; instance.periods(s.per).len()])
        .collect();
    let mut assignments = Vec::new();
    for pin in instance.pins() {
        if let Some(b) = alt_busy.get_mut(pin.alt * n_days + pin.day) {
            *b = true;
        }
        if let Some(b) = school_busy.get_mut(pin.school * n_days + pin.day) {
            *b = true;
        }
        if let Some(school) = schools.get(pin.school) {
            let p = instance.period_index(school.per, pin.day);
            if let Some(m) = met.get_mut(pin.school).and_then(|m| m.get_mut(p)) {
                *m += 1;
            }
        }
        assignments.push(Assignment {
            day: pin.day,
            alt: pin.alt,
            school: pin.school,
        });
    }
    let pinned = assignments.len();

    let mut net = Network::new(2);
    let (source, sink) = (0, 1);
    let mut alt_day_node = vec![usize::MAX; n_alts * n_days];
    for (a, alt) in instance.alts().iter().enumerate() {
        for d in 0..n_days {
            let busy = alt_busy.get(a * n_days + d).copied().unwrap_or(true);
            if alt.works.get(d).copied().unwrap_or(false) && !busy {
                let node = net.add_node();
                net.add_edge(node, sink, 1);
                if let Some(slot) = alt_day_node.get_mut(a * n_days + d) {
                    *slot = node;
                }
            }
        }
    }
    // (edge, school, day, alt) for every school·day → ALT·day edge, to read the visits back.
    let mut visit_edges: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut period_edges: Vec<(usize, usize, usize)> = Vec::new();
    for (s, school) in schools.iter().enumerate() {
        let mut alts_in_order = school.reachable_by.clone();
        alts_in_order.sort_by_key(|&a| {
            let travel = instance
                .alts()
                .get(a)
                .and_then(|alt| alt.travel.get(s))
                .copied()
                .unwrap_or(0);
            (main_alt.get(s).copied().flatten() != Some(a), travel, a)
        });
        for (p, &(first, last, days)) in school_periods(instance, school).iter().enumerate() {
            let already = met.get(s).and_then(|m| m.get(p)).copied().unwrap_or(0);
            let need = days.saturating_sub(already);
            if need == 0 {
                continue;
            }
            let period_node = net.add_node();
            period_edges.push((net.add_edge(source, period_node, i64::from(need)), s, p));
            let mut days_in_order: Vec<usize> = (first..=last)
                .filter(|&d| {
                    school.open.get(d).copied().unwrap_or(false)
                        && !school_busy.get(s * n_days + d).copied().unwrap_or(true)
                })
                .collect();
            // Preferred weekdays first; otherwise stagger schools so that they do not all reach
            // for the first day of every period.
            let len = (last - first + 1).max(1);
            days_in_order.sort_by_key(|&d| {
                let weekday = instance.days().get(d).map_or(0, |x| x.weekday().index());
                let preferred = school.preferred.get(weekday).copied().unwrap_or(false);
                (!preferred, (d - first + s * 3) % len, d)
            });
            for d in days_in_order {
                let day_node = net.add_node();
                net.add_edge(period_node, day_node, 1);
                for &a in &alts_in_order {
                    let node = alt_day_node.get(a * n_days + d).copied().unwrap_or(usize::MAX);
                    if node != usize::MAX {
                        visit_edges.push((net.add_edge(day_node, node, 1), s, d, a));
                    }
                }
            }
        }
    }
    net.max_flow(source, sink);
    for &(edge, s, d, a) in &visit_edges {
        if net.flow(edge) > 0 {
            assignments.push(Assignment {
                day: d,
                alt: a,
                school: s,
            });
        }
    }
    for &(edge, s, p) in &period_edges {
        if let Some(m) = met.get_mut(s).and_then(|m| m.get_mut(p)) {
            *m += u32::try_from(net.flow(edge)).unwrap_or(0);
        }
    }
    let mut fixed = vec![false; assignments.len()];
    for f in fixed.iter_mut().take(pinned) {
        *f = true;
    }
    (assignments, fixed, met)
}

fn period_phrase(per: Per, label: &str) -> String {
    match per {
        Per::Week => format!("week {label}"),
        Per::Month => format!("month {label}"),
        Per::Term => "the term".to_string(),
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Why a school's period got fewer visit days than it requires.
pub fn explain(instance: &Instance, school: usize, period: usize) -> String {
    let Some(s) = instance.schools().get(school) else {
        return String::new();
    };
    let Some(p) = instance.periods(s.per).get(period) else {
        return String::new();
    };
    let phrase = period_phrase(s.per, &p.label);
    let open: Vec<usize> = (p.first..=p.last)
        .filter(|&d| s.open.get(d).copied().unwrap_or(false))
        .collect();
    let open_n = open.len() as u32;
    if open_n < s.days {
        let full_length = match s.per {
            Per::Week => 7,
            Per::Month => instance.days().get(p.first).map_or(0, |d| {
                let (year, month, _) = d.ymd();
                crate::date::days_in_month(year, month) as usize
            }),
            Per::Term => 0,
        };
        let partial = if p.last - p.first + 1 < full_length {
            " (the term covers only part of it)"
        } else {
            ""
        };
        let count = if open_n == 0 {
            "no open days".to_string()
        } else {
            format!("only {}", plural(open_n, "open day", "open days"))
        };
        return format!("{count} in {phrase}{partial}");
    }
    if s.reachable_by.is_empty() {
        return format!("no ALT can reach {}", s.id);
    }
    let staffed = open
        .iter()
        .filter(|&&d| {
            s.reachable_by.iter().any(|&a| {
                instance
                    .alts()
                    .get(a)
                    .is_some_and(|alt| alt.works.get(d).copied().unwrap_or(false))
            })
        })
        .count() as u32;
    let names: Vec<&str> = s
        .reachable_by
        .iter()
        .filter_map(|&a| instance.alts().get(a).map(|alt| alt.id.as_str()))
        .collect();
    let names = names.join(", ");
    if staffed < s.days {
        return format!(
            "only {} of the {} open days in {phrase} have an ALT who can reach {} at work ({names})",
            staffed, open_n, s.id
        );
    }
    format!(
        "the ALTs who can reach {} ({names}) are fully booked on its open days in {phrase} \
         (no rearrangement of other schools' visits frees a day)",
        s.id
    )
}

fn build_plan(
    instance: &Instance,
    scoring: &Scoring,
    assignments: &[Assignment],
    fixed: &[bool],
    met: &[Vec<u32>],
    moves: SearchMoves,
) -> Plan {
    let days = instance.days();
    let schools = instance.schools();
    let alts = instance.alts();
    let mut visits: Vec<Visit> = assignments
        .iter()
        .zip(fixed)
        .map(|(v, &pinned)| Visit {
            date: days.get(v.day).map(ToString::to_string).unwrap_or_default(),
            alt: alts.get(v.alt).map(|a| a.id.clone()).unwrap_or_default(),
            school: schools.get(v.school).map(|s| s.id.clone()).unwrap_or_default(),
            pinned,
        })
        .collect();
    visits.sort();

    let mut unmet = Vec::new();
    let mut required_visits = 0;
    for (s, school) in schools.iter().enumerate() {
        for (p, period) in instance.periods(school.per).iter().enumerate() {
            required_visits += school.days;
            let scheduled = met.get(s).and_then(|m| m.get(p)).copied().unwrap_or(0);
            if scheduled < school.days {
                unmet.push(Unmet {
                    school: school.id.clone(),
                    period: period.label.clone(),
                    required: school.days,
                    scheduled,
                    reason: explain(instance, s, p),
                });
            }
        }
    }
    let scheduled_visits = assignments.len() as u32;
    let soft = evaluate(instance, scoring, assignments);
    let bound = lower_bound(instance, scoring, met, assignments.len());

    let shares = scoring.fair_shares(assignments.len());
    let alt_loads = alts
        .iter()
        .enumerate()
        .map(|(a, alt)| {
            let mine: Vec<&Assignment> = assignments.iter().filter(|v| v.alt == a).collect();
            let mut distinct: Vec<usize> = mine.iter().map(|v| v.school).collect();
            distinct.sort_unstable();
            distinct.dedup();
            AltLoad {
                alt: alt.id.clone(),
                visits: mine.len() as u32,
                available_days: scoring.available.get(a).copied().unwrap_or(0),
                fair_share: shares.get(a).copied().unwrap_or(0.0),
                schools: distinct.len() as u32,
            }
        })
        .collect();
    let schools_kept_by_one_alt = (0..schools.len())
        .filter(|&s| {
            let mut who = assignments.iter().filter(|v| v.school == s).map(|v| v.alt);
            match who.next() {
                Some(first) => who.all(|a| a == first),
                None => false,
            }
        })
        .count();
    Plan {
        visits,
        unmet,
        stats: Stats {
            schools: schools.len(),
            alts: alts.len(),
            term_days: days.len(),
            holidays: instance
                .holidays()
                .iter()
                .map(|h| HolidayOut {
                    date: h.date.to_string(),
                    name: h.name.to_string(),
                    name_ja: h.name_ja.to_string(),
                })
                .collect(),
            required_visits,
            scheduled_visits,
            unmet_visits: required_visits.saturating_sub(scheduled_visits),
            weights: instance.weights(),
            soft,
            lower_bound: bound,
            schools_kept_by_one_alt,
            alt_loads,
            search_moves: moves,
        },
    }
}
