//! The timetable benchmark: `cargo run --release -p jetdesk-timetable --example bench [-- --quick]`.
//!
//! 1. Feasible-by-construction requests of 60 ALTs, 200 schools and a 16-week term (several seeds):
//!    solve time, hard-constraint violations by the independent checker (must be 0), unmet
//!    requirements (must be 0), soft scores against the per-goal lower bounds.
//! 2. The same requests broken on purpose: unmet requirements reported, still no violation.
//! 3. Tiny requests solved exactly by branch and bound: how far the heuristic's objective is from
//!    the proven optimum.
//! 4. A larger request (120 ALTs, 400 schools, 16 weeks) to show how time grows.

use std::time::Instant;

use jetdesk_timetable::exact::solve_exact;
use jetdesk_timetable::synthetic::{generate, make_infeasible, Shape};
use jetdesk_timetable::{check, solve, Instance, Options, Plan};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `--emit FILE` writes the seed-1 request of 60 ALTs, 200 schools and 16 weeks as JSON, for
    // timing `jetdesk timetable` end to end, and stops.
    if let Some(path) = args
        .iter()
        .position(|a| a == "--emit")
        .and_then(|i| args.get(i + 1))
    {
        let generated = generate(Shape {
            alts: 60,
            schools: 200,
            weeks: 16,
            seed: 1,
        });
        let json = serde_json::to_string_pretty(&generated.request).unwrap_or_default();
        if let Err(e) = std::fs::write(path, json) {
            eprintln!("cannot write {path}: {e}");
            std::process::exit(1);
        }
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let seeds: u64 = if quick { 2 } else { 5 };
    println!("# jetdesk timetable benchmark\n");
    println!("## 60 ALTs, 200 schools, 16 weeks (feasible by construction)\n");
    println!("| seed | visits | solve s | violations | witness violations | unmet | continuity | spread | weekday | fairness | travel min | objective | lower bound | kept by one ALT |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut times = Vec::new();
    for seed in 1..=seeds {
        let generated = generate(Shape {
            alts: 60,
            schools: 200,
            weeks: 16,
            seed,
        });
        let instance = match Instance::new(&generated.request) {
            Ok(i) => i,
            Err(e) => {
                println!("seed {seed}: generated request refused: {e}");
                continue;
            }
        };
        let started = Instant::now();
        let plan = solve(&instance, &Options::default());
        let seconds = started.elapsed().as_secs_f64();
        times.push(seconds);
        let violations = check(&instance, &plan).len();
        let witness_violations = check(&instance, &generated.witness).len();
        row(seed, &plan, seconds, violations, witness_violations);
    }
    times.sort_by(f64::total_cmp);
    if let (Some(min), Some(max)) = (times.first(), times.last()) {
        println!(
            "\nsolve time: min {min:.2} s, median {:.2} s, max {max:.2} s\n",
            times.get(times.len() / 2).copied().unwrap_or(0.0)
        );
    }

    println!("## The same requests made infeasible on purpose\n");
    for seed in 1..=seeds.min(2) {
        let generated = generate(Shape {
            alts: 60,
            schools: 200,
            weeks: 16,
            seed,
        });
        let broken = make_infeasible(&generated.request);
        let Ok(instance) = Instance::new(&broken) else {
            continue;
        };
        let started = Instant::now();
        let plan = solve(&instance, &Options::default());
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "seed {seed}: {:.2} s, {} violations, {} unmet periods ({} visit days short); e.g.",
            seconds,
            check(&instance, &plan).len(),
            plan.unmet.len(),
            plan.stats.unmet_visits
        );
        let mut shown = std::collections::BTreeSet::new();
        for u in &plan.unmet {
            let kind = u.reason.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
            if shown.insert(kind) {
                println!(
                    "  - {} {}: {} of {}: {}",
                    u.school, u.period, u.scheduled, u.required, u.reason
                );
            }
        }
    }

    println!("\n## Optimality gap on tiny requests (exact branch and bound)\n");
    let mut gaps = Vec::new();
    let mut proven = 0;
    let mut tried = 0;
    let mut optimal = 0;
    let cases = if quick { 10 } else { 30 };
    for seed in 1..=cases {
        let generated = generate(Shape {
            alts: 2,
            schools: 5,
            weeks: 2,
            seed: 1000 + seed,
        });
        let Ok(instance) = Instance::new(&generated.request) else {
            continue;
        };
        let plan = solve(&instance, &Options::default());
        if !plan.unmet.is_empty() {
            continue;
        }
        tried += 1;
        let heuristic = plan.stats.soft.objective;
        let exact = solve_exact(&instance, heuristic + 1e-6, 50_000_000);
        if !exact.proven {
            continue;
        }
        proven += 1;
        let best = exact.objective.min(heuristic);
        if heuristic <= best + 1e-6 {
            optimal += 1;
        }
        let gap = if best > 1e-9 {
            (heuristic - best) / best
        } else if heuristic > 1e-9 {
            f64::INFINITY
        } else {
            0.0
        };
        gaps.push((gap, heuristic, best, exact.nodes));
    }
    let finite: Vec<f64> = gaps.iter().map(|g| g.0).filter(|g| g.is_finite()).collect();
    let mean = finite.iter().sum::<f64>() / finite.len().max(1) as f64;
    let worst = gaps.iter().map(|g| g.0).fold(0.0_f64, f64::max);
    println!(
        "2 ALTs, 5 schools, 2 weeks: {tried} feasible requests, {proven} proven by the exact search; \
         heuristic optimal on {optimal}; mean gap {:.1}%, worst {:.1}%",
        mean * 100.0,
        worst * 100.0
    );
    for (gap, heuristic, best, nodes) in gaps.iter().filter(|g| g.0 > 1e-9) {
        println!(
            "  - heuristic {heuristic:.3} vs optimum {best:.3} ({:.1}%, {nodes} nodes)",
            gap * 100.0
        );
    }

    println!("\n## Does more search help? (seed 1, 60 ALTs, 200 schools, 16 weeks)\n");
    let generated = generate(Shape {
        alts: 60,
        schools: 200,
        weeks: 16,
        seed: 1,
    });
    if let Ok(instance) = Instance::new(&generated.request) {
        let efforts: &[u32] = if quick {
            &[0, 400]
        } else {
            &[0, 100, 400, 1600, 6400]
        };
        for &effort in efforts {
            let started = Instant::now();
            let plan = solve(&instance, &Options { seed: 1, effort });
            println!(
                "effort {effort:>5}: objective {:.1} in {:.2} s (lower bound {:.1})",
                plan.stats.soft.objective,
                started.elapsed().as_secs_f64(),
                plan.stats.lower_bound.objective
            );
        }
        for seed in 2..=4 {
            let plan = solve(&instance, &Options { seed, effort: 400 });
            println!(
                "effort   400, seed {seed}: objective {:.1}",
                plan.stats.soft.objective
            );
        }
    }

    if !quick {
        println!("\n## 120 ALTs, 400 schools, 16 weeks\n");
        let generated = generate(Shape {
            alts: 120,
            schools: 400,
            weeks: 16,
            seed: 7,
        });
        if let Ok(instance) = Instance::new(&generated.request) {
            let started = Instant::now();
            let plan = solve(&instance, &Options::default());
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "{} visits in {seconds:.2} s, {} violations, {} unmet",
                plan.visits.len(),
                check(&instance, &plan).len(),
                plan.unmet.len()
            );
        }
    }
}

fn row(seed: u64, plan: &Plan, seconds: f64, violations: usize, witness: usize) {
    let s = &plan.stats.soft;
    let b = &plan.stats.lower_bound;
    println!(
        "| {seed} | {} | {seconds:.2} | {violations} | {witness} | {} | {:.0} (≥{:.0}) | {:.1} | {:.0} (≥{:.0}) | {:.1} | {:.0} (≥{:.0}) | {:.1} | {:.1} | {}/{} |",
        plan.visits.len(),
        plan.unmet.len(),
        s.continuity,
        b.continuity,
        s.spread,
        s.weekday,
        b.weekday,
        s.fairness,
        s.travel_minutes,
        b.travel_minutes,
        s.objective,
        b.objective,
        plan.stats.schools_kept_by_one_alt,
        plan.stats.schools
    );
}
