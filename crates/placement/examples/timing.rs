//! Times each stage of a placement on one JSON file: `cargo run --release --example timing FILE`.
//! Prints one line per stage on standard error; used by `bench/placement/run.sh` to split parse
//! from solve.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: timing FILE");
    let t = Instant::now();
    let bytes = std::fs::read(&path).expect("read");
    let read = t.elapsed();
    let t = Instant::now();
    let instance = jetdesk_placement::read_json(&bytes).expect("valid instance");
    let parse = t.elapsed();
    drop(bytes);
    let t = Instant::now();
    let solution = jetdesk_placement::solve(&instance);
    let solve = t.elapsed();
    let t = Instant::now();
    let verdict = jetdesk_placement::check(&instance, &solution.matching);
    let check = t.elapsed();
    let t = Instant::now();
    let stats = jetdesk_placement::statistics(&instance, &solution.matching);
    let stat = t.elapsed();
    let t = Instant::now();
    let order = jetdesk_placement::output::Order::of(&instance);
    let sort = t.elapsed();
    let outcome = jetdesk_placement::Outcome {
        matching: solution.matching,
        verdict,
        statistics: stats,
        solve: solution.stats,
    };
    let t = Instant::now();
    let mut out = Vec::new();
    jetdesk_placement::output::write_json(&mut out, &instance, &outcome, &order, false).unwrap();
    let write = t.elapsed();
    let t = Instant::now();
    let mut out2 = Vec::new();
    jetdesk_placement::output::write_json(&mut out2, &instance, &outcome, &order, true).unwrap();
    let write_expl = t.elapsed();
    eprintln!(
        "read {read:.2?} parse {parse:.2?} solve {solve:.2?} check {check:.2?} stats {stat:.2?} sort {sort:.2?} write {write:.2?} ({} MB) write+explanations {write_expl:.2?} ({} MB) proposals {} stable {}",
        out.len() >> 20,
        out2.len() >> 20,
        outcome.solve.proposals,
        outcome.verdict.is_stable()
    );
}
