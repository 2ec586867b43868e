//! Property tests: the independent checker (`check`) is the oracle for every plan the solver makes.
//!
//! - On arbitrary small requests (random weekdays, closures, reachability, requirements of every
//!   kind, pins), no plan ever breaks a hard constraint, and `unmet` tells the truth.
//! - Requests feasible by construction (synthetic, with a witness plan) get zero unmet.
//! - The same request and options give the same plan.
//! - Pinned visits are kept.

use jetdesk_timetable::input::{AltInput, SchoolInput, TermInput, VisitInput, VisitsInput};
use jetdesk_timetable::synthetic::{generate, make_infeasible, Shape};
use jetdesk_timetable::{check, solve, Date, Instance, Options, Request};
use proptest::prelude::*;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn weekdays(mask: u8) -> Vec<String> {
    DAYS.iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, d)| d.to_string())
        .collect()
}

prop_compose! {
    fn school(n_days: i32)(
        per in prop::sample::select(vec!["week", "month", "term"]),
        days in 0u32..4,
        preferred in 0u8..128,
        teaches in prop::option::of(1u8..128),
        closed in prop::collection::vec(0..n_days, 0..4),
    ) -> (String, u32, Vec<String>, Option<Vec<String>>, Vec<i32>) {
        (per.to_string(), days, weekdays(preferred & 0b11111), teaches.map(weekdays), closed)
    }
}

prop_compose! {
    fn alt(n_schools: usize, n_days: i32)(
        base in 0..n_schools,
        works in 1u8..128,
        unavailable in prop::collection::vec(0..n_days, 0..4),
        reachable in prop::collection::vec(0..n_schools, 0..4),
        travel in prop::collection::vec((0..n_schools, 0u32..90), 0..3),
    ) -> (usize, Vec<String>, Vec<i32>, Vec<usize>, Vec<(usize, u32)>) {
        (base, weekdays(works), unavailable, reachable, travel)
    }
}

prop_compose! {
    fn request()(
        start_offset in 0i32..400,
        n_days in 1i32..45,
        n_schools in 1usize..6,
        n_alts in 1usize..4,
        closed in prop::collection::vec(0i32..45, 0..3),
    )(
        schools in prop::collection::vec(school(n_days), n_schools),
        alts in prop::collection::vec(alt(n_schools, n_days), n_alts),
        start_offset in Just(start_offset),
        n_days in Just(n_days),
        closed in Just(closed),
    ) -> Request {
        // Terms between 2026-01-05 and early 2027, so holidays, month ends and ISO week-years
        // (2026-W53) all come up.
        let start = Date::from_ymd(2026, 1, 5).map(|d| d.add_days(start_offset)).unwrap_or(Date::from_days(0));
        let date = |i: i32| start.add_days(i.rem_euclid(n_days)).to_string();
        Request {
            term: TermInput { start: start.to_string(), end: start.add_days(n_days - 1).to_string() },
            closed: closed.iter().map(|&i| date(i)).collect(),
            national_holidays: true,
            schools: schools.iter().enumerate().map(|(i, (per, days, preferred, teaches, closed))| SchoolInput {
                id: format!("s{i}"),
                name: String::new(),
                level: "elementary".to_string(),
                visits: VisitsInput { per: per.clone(), days: *days },
                preferred_weekdays: preferred.clone(),
                closed: closed.iter().map(|&d| date(d)).collect(),
                weekdays: teaches.clone(),
            }).collect(),
            alts: alts.iter().enumerate().map(|(i, (base, works, unavailable, reachable, travel))| AltInput {
                id: format!("a{i}"),
                name: String::new(),
                base_school: format!("s{base}"),
                weekdays: works.clone(),
                unavailable: unavailable.iter().map(|&d| date(d)).collect(),
                reachable: reachable.iter().map(|s| format!("s{s}")).collect(),
                travel_minutes: travel.iter().map(|(s, m)| (format!("s{s}"), *m)).collect(),
            }).collect(),
            pinned: Vec::new(),
            weights: None,
            default_travel_minutes: None,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_plan_breaks_a_hard_constraint(request in request(), seed in 0u64..1000) {
        let instance = Instance::new(&request);
        prop_assert!(instance.is_ok(), "{:?}", instance.err());
        if let Ok(instance) = instance {
            let plan = solve(&instance, &Options { seed, effort: 50 });
            let problems = check(&instance, &plan);
            prop_assert!(problems.is_empty(), "{problems:#?}");
            prop_assert_eq!(plan.stats.scheduled_visits as usize, plan.visits.len());
        }
    }

    #[test]
    fn the_same_request_gives_the_same_plan(request in request(), seed in 0u64..1000) {
        if let Ok(instance) = Instance::new(&request) {
            let options = Options { seed, effort: 50 };
            let first = serde_json::to_string(&solve(&instance, &options)).unwrap_or_default();
            let second = serde_json::to_string(&solve(&instance, &options)).unwrap_or_default();
            prop_assert_eq!(first, second);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn requests_feasible_by_construction_are_met_in_full(
        seed in 0u64..10_000,
        alts in 1usize..8,
        extra_schools in 0usize..16,
        weeks in 1u32..8,
    ) {
        let generated = generate(Shape { alts, schools: alts + extra_schools, weeks, seed });
        let instance = Instance::new(&generated.request);
        prop_assert!(instance.is_ok(), "{:?}", instance.err());
        if let Ok(instance) = instance {
            // The witness really is a witness.
            prop_assert!(check(&instance, &generated.witness).is_empty());
            prop_assert!(generated.witness.unmet.is_empty());
            let plan = solve(&instance, &Options { seed, effort: 100 });
            prop_assert!(check(&instance, &plan).is_empty(), "{:#?}", check(&instance, &plan));
            prop_assert!(plan.unmet.is_empty(), "{:#?}", plan.unmet);
            prop_assert_eq!(plan.visits.len(), generated.witness.visits.len());
        }
    }

    #[test]
    fn broken_requests_report_unmet_and_still_break_nothing(seed in 0u64..10_000, alts in 2usize..6) {
        let generated = generate(Shape { alts, schools: alts * 3, weeks: 8, seed });
        let broken = make_infeasible(&generated.request);
        if let Ok(instance) = Instance::new(&broken) {
            let plan = solve(&instance, &Options { seed, effort: 50 });
            prop_assert!(check(&instance, &plan).is_empty(), "{:#?}", check(&instance, &plan));
            // s001 wants three days in Golden Week's week, which has two open days at most.
            prop_assert!(plan.unmet.iter().any(|u| u.school == "s001" && u.period == "2027-W18"));
        }
    }

    #[test]
    fn pinned_visits_are_kept(seed in 0u64..10_000, every in 2usize..7) {
        let generated = generate(Shape { alts: 4, schools: 12, weeks: 4, seed });
        let mut request = generated.request.clone();
        request.pinned = generated
            .witness
            .visits
            .iter()
            .step_by(every)
            .map(|v| VisitInput { date: v.date.clone(), alt: v.alt.clone(), school: v.school.clone() })
            .collect();
        let instance = Instance::new(&request);
        prop_assert!(instance.is_ok(), "{:?}", instance.err());
        if let Ok(instance) = instance {
            let plan = solve(&instance, &Options { seed, effort: 100 });
            // check() verifies every pin is present; the witness extends the pins, so all is met.
            prop_assert!(check(&instance, &plan).is_empty(), "{:#?}", check(&instance, &plan));
            prop_assert!(plan.unmet.is_empty());
            prop_assert_eq!(plan.visits.iter().filter(|v| v.pinned).count(), request.pinned.len());
        }
    }
}

#[test]
fn the_heuristic_meets_the_exact_optimum_on_a_known_tiny_request() {
    let generated = generate(Shape {
        alts: 2,
        schools: 4,
        weeks: 1,
        seed: 42,
    });
    let instance = Instance::new(&generated.request);
    assert!(instance.is_ok());
    if let Ok(instance) = instance {
        let plan = solve(&instance, &Options::default());
        let exact =
            jetdesk_timetable::exact::solve_exact(&instance, plan.stats.soft.objective + 1.0, 10_000_000);
        assert!(exact.proven);
        assert!(plan.stats.soft.objective <= exact.objective + 1e-6);
        assert!(plan.stats.soft.objective + 1e-6 >= plan.stats.lower_bound.objective);
    }
}
