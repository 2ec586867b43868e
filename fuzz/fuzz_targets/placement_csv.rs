//! The CSV input of `jetdesk place` (`read_csv` in `crates/jetdesk/src/place/csv_input.rs`, included
//! by path), fed any bytes. The bytes are split at 0xFF (never part of UTF-8 text) into the
//! applicants file, the posts file and, when there is a third part, the couples file.
//!
//! Properties: it never panics; every refusal is exit code 4 and names the file it is about (or
//! "CSV input" for a name never defined); an accepted instance has positive capacities, no name
//! defined twice, no post listed twice by an applicant, no applicant ranked twice by a post, no
//! pair listed twice by a couple, couple members without an individual list and in one couple
//! only, and only trimmed names; and the instance written back as the three CSV files (every
//! field quoted) reads again to the same instance.
#![no_main]

use jetdesk_placement::{CoupleId, Instance, InstanceError};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::hash::Hash;
use std::path::Path;

// What `csv_input.rs` takes from its parent module (`crates/jetdesk/src/place.rs`), with the same
// meaning: a failure is an exit code and a message, 4 is "invalid input".
type Failure = (u8, String);
const EXIT_INVALID: u8 = 4;
fn invalid(path: &Path, e: &InstanceError) -> Failure {
    (EXIT_INVALID, format!("{}: {e}", path.display()))
}

#[path = "../../crates/jetdesk/src/place/csv_input.rs"]
mod csv_input;

const APPLICANTS: &str = "applicants.csv";
const POSTS: &str = "posts.csv";
const COUPLES: &str = "couples.csv";

fn read(files: &[&[u8]]) -> Result<Instance, Failure> {
    let [applicants, posts, rest @ ..] = files else {
        unreachable!("split gives at least one part and the caller checked two")
    };
    csv_input::read_csv(
        Path::new(APPLICANTS),
        applicants,
        Path::new(POSTS),
        posts,
        rest.first().map(|c| (Path::new(COUPLES), *c)),
    )
}

/// One CSV record with every field quoted (a record of one empty field would read as a blank line,
/// so it gets a second, empty, field, which the reader ignores as a trailing empty cell).
fn record<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    let mut n = 0;
    for f in fields {
        if n > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(&f.replace('"', "\"\""));
        out.push('"');
        n += 1;
    }
    if n == 1 && out.ends_with("\"\"") {
        out.push(',');
    }
    out.push_str("\r\n");
}

fn pair_names(instance: &Instance, c: CoupleId) -> Vec<[&str; 2]> {
    instance
        .pairs(c)
        .iter()
        .map(|[p, q]| [instance.post_name(*p), instance.post_name(*q)])
        .collect()
}

/// The instance as the three files `read_csv` reads (docs/placement.md).
fn to_csv(instance: &Instance) -> [String; 3] {
    let mut applicants = String::from("applicant,choice_1\n");
    for a in instance.applicants().filter(|&a| instance.couple_of(a).is_none()) {
        let choices = instance.choices(a).iter().map(|&p| instance.post_name(p));
        record(
            &mut applicants,
            std::iter::once(instance.applicant_name(a)).chain(choices),
        );
    }
    let mut posts = String::from("post,capacity,priority_1\n");
    for p in instance.posts() {
        let capacity = instance.capacity(p).to_string();
        let priority = instance.priority(p).iter().map(|&a| instance.applicant_name(a));
        record(
            &mut posts,
            [instance.post_name(p), capacity.as_str()]
                .into_iter()
                .chain(priority),
        );
    }
    let mut couples = String::from("member_1,member_2,pair_1_post_1,pair_1_post_2\n");
    for c in instance.couples() {
        let [a, b] = instance.members(c);
        let pairs = pair_names(instance, c);
        record(
            &mut couples,
            [instance.applicant_name(a), instance.applicant_name(b)]
                .into_iter()
                .chain(pairs.iter().flatten().copied()),
        );
    }
    [applicants, posts, couples]
}

/// Everything observable about an instance, by name and in id order.
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
        out.push(format!(
            "c {:?} {:?} {:?}",
            instance.applicant_name(a),
            instance.applicant_name(b),
            pair_names(instance, c)
        ));
    }
    out.sort();
    out
}

fn distinct<T: Eq + Hash>(items: impl IntoIterator<Item = T>) -> bool {
    let mut seen = HashSet::new();
    items.into_iter().all(|x| seen.insert(x))
}

fn check_invariants(instance: &Instance) {
    let applicant_names: Vec<&str> = instance
        .applicants()
        .map(|a| instance.applicant_name(a))
        .collect();
    let post_names: Vec<&str> = instance.posts().map(|p| instance.post_name(p)).collect();
    assert!(distinct(&applicant_names), "an applicant defined twice");
    assert!(distinct(&post_names), "a post defined twice");
    for name in applicant_names.into_iter().chain(post_names) {
        assert_eq!(name, name.trim(), "a name with white space around it");
    }
    for p in instance.posts() {
        assert!(instance.capacity(p) > 0, "a post with capacity 0");
        assert!(distinct(instance.priority(p)), "a post ranks an applicant twice");
    }
    for a in instance.applicants() {
        assert!(distinct(instance.choices(a)), "an applicant lists a post twice");
        if instance.couple_of(a).is_some() {
            assert!(instance.choices(a).is_empty(), "a couple member with a list");
        }
    }
    let mut members = HashSet::new();
    for c in instance.couples() {
        let [a, b] = instance.members(c);
        assert_ne!(a, b, "a couple of one applicant");
        assert!(
            members.insert(a) && members.insert(b),
            "an applicant in two couples"
        );
        assert!(distinct(instance.pairs(c)), "a couple lists a pair twice");
    }
}

fuzz_target!(|data: &[u8]| {
    let files: Vec<&[u8]> = data.split(|&b| b == 0xFF).take(3).collect();
    if files.len() < 2 {
        return;
    }
    let instance = match read(&files) {
        Ok(instance) => instance,
        Err((code, message)) => {
            assert_eq!(code, EXIT_INVALID, "{message}");
            assert!(
                [APPLICANTS, POSTS, COUPLES, "CSV input"]
                    .iter()
                    .any(|f| message.starts_with(&format!("{f}: "))),
                "an error that names no file: {message}"
            );
            return;
        }
    };
    check_invariants(&instance);

    let written = to_csv(&instance);
    let parts: Vec<&[u8]> = written.iter().map(String::as_bytes).collect();
    let again = match read(&parts) {
        Ok(again) => again,
        Err((_, message)) => panic!("an accepted instance, written back, is refused: {message}\n{written:?}"),
    };
    assert_eq!(
        summary(&instance),
        summary(&again),
        "round trip changed the instance"
    );
});
