//! The placement engine's JSON instance reader (`jetdesk_placement::read_json`), fed any bytes.
//!
//! Properties: it never panics; what it accepts is valid JSON (serde_json agrees); an accepted
//! instance written back as JSON reads again to the same instance; and, without couples, placing it
//! gives a stable matching that respects every post's capacity.
#![no_main]

use jetdesk_placement::CoupleId;
use jetdesk_placement::{place, read_json, Instance};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};

/// A couple's pairs of posts, by name.
fn pair_names(instance: &Instance, c: CoupleId) -> Vec<[&str; 2]> {
    instance
        .pairs(c)
        .iter()
        .map(|[p, q]| [instance.post_name(*p), instance.post_name(*q)])
        .collect()
}

/// The instance in the shape `read_json` reads (docs/placement.md).
fn to_json(instance: &Instance) -> Value {
    let mut applicants = Map::new();
    for a in instance.applicants() {
        if instance.couple_of(a).is_some() {
            continue;
        }
        let choices: Vec<&str> = instance
            .choices(a)
            .iter()
            .map(|&p| instance.post_name(p))
            .collect();
        applicants.insert(instance.applicant_name(a).to_owned(), json!(choices));
    }
    let mut posts = Map::new();
    for p in instance.posts() {
        let priority: Vec<&str> = instance
            .priority(p)
            .iter()
            .map(|&a| instance.applicant_name(a))
            .collect();
        posts.insert(
            instance.post_name(p).to_owned(),
            json!({"capacity": instance.capacity(p), "priority": priority}),
        );
    }
    let couples: Vec<Value> = instance
        .couples()
        .map(|c| {
            let [a, b] = instance.members(c);
            let pairs = pair_names(instance, c);
            json!({"members": [instance.applicant_name(a), instance.applicant_name(b)], "pairs": pairs})
        })
        .collect();
    json!({"applicants": applicants, "posts": posts, "couples": couples})
}

/// Everything observable about an instance, by name, for comparing two readings.
fn summary(instance: &Instance) -> Vec<String> {
    let mut out = Vec::new();
    for a in instance.applicants() {
        let choices: Vec<&str> = instance
            .choices(a)
            .iter()
            .map(|&p| instance.post_name(p))
            .collect();
        out.push(format!("a {:?} {:?}", instance.applicant_name(a), choices));
    }
    for p in instance.posts() {
        let priority: Vec<&str> = instance
            .priority(p)
            .iter()
            .map(|&a| instance.applicant_name(a))
            .collect();
        out.push(format!(
            "p {:?} {} {:?}",
            instance.post_name(p),
            instance.capacity(p),
            priority
        ));
    }
    for c in instance.couples() {
        let [a, b] = instance.members(c);
        let pairs = pair_names(instance, c);
        out.push(format!(
            "c {:?} {:?} {:?}",
            instance.applicant_name(a),
            instance.applicant_name(b),
            pairs
        ));
    }
    out.sort();
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(instance) = read_json(data) else {
        return;
    };
    assert!(
        serde_json::from_slice::<Value>(data).is_ok(),
        "read_json accepted text that is not JSON"
    );
    let again = serde_json::to_vec(&to_json(&instance)).expect("serialising a Value");
    let reread = read_json(&again).expect("an accepted instance, written back, reads again");
    assert_eq!(
        summary(&instance),
        summary(&reread),
        "round trip changed the instance"
    );

    if instance.couple_count() == 0 && data.len() < 4096 {
        let outcome = place(&instance);
        assert!(
            outcome.verdict.is_stable(),
            "no couples, yet the matching is not stable"
        );
        for p in instance.posts() {
            let taken = instance
                .applicants()
                .filter(|&a| outcome.matching.post(a) == Some(p))
                .count();
            assert!(taken <= instance.capacity(p) as usize, "a post over its capacity");
        }
    }
});
