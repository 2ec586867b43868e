//! What the fuzz targets share (docs/fuzzing.md): the checks every accepted placement instance must
//! pass, whichever reader accepted it, and the writers that put an instance back into each input
//! format for the round trip.

pub mod placement {
    use jetdesk_placement::{place, ApplicantId, CoupleId, Instance, PostId};
    use serde_json::{json, Map, Value};
    use std::collections::HashSet;
    use std::fmt::Display;
    use std::hash::Hash;

    /// Inputs up to this size (couple-free) are also placed and the matching checked.
    const PLACE_BELOW_BYTES: usize = 4096;

    /// The checks for an instance a reader accepted from `input_len` bytes: [`check_invariants`];
    /// written back by `write` and read again by `read`, it is the same instance ([`summary`]); and,
    /// without couples and for inputs under 4 KB, placing it gives a stable matching within every
    /// capacity. `write` returns what it wrote (shown if the round trip fails).
    pub fn check_accepted<W, E>(
        instance: &Instance,
        input_len: usize,
        write: impl FnOnce(&Instance) -> W,
        read: impl FnOnce(&W) -> Result<Instance, E>,
    ) where
        W: std::fmt::Debug,
        E: Display,
    {
        check_invariants(instance);
        let written = write(instance);
        let again = match read(&written) {
            Ok(again) => again,
            Err(e) => panic!("an accepted instance, written back, is refused: {e}\n{written:?}"),
        };
        assert_eq!(
            summary(instance),
            summary(&again),
            "round trip changed the instance"
        );
        if instance.couple_count() == 0 && input_len < PLACE_BELOW_BYTES {
            check_placement(instance);
        }
    }

    /// What every [`Instance`] promises its users (crates/placement/src/instance.rs): no name
    /// defined twice, positive capacities, no duplicate in any list, couple members without a list
    /// of their own and in one couple only.
    pub fn check_invariants(instance: &Instance) {
        let applicant_names: Vec<&str> = instance
            .applicants()
            .map(|a| instance.applicant_name(a))
            .collect();
        let post_names: Vec<&str> = instance.posts().map(|p| instance.post_name(p)).collect();
        assert!(distinct(&applicant_names), "an applicant defined twice");
        assert!(distinct(&post_names), "a post defined twice");
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

    /// Places a couple-free instance: the matching is stable and no post is over its capacity.
    fn check_placement(instance: &Instance) {
        let outcome = place(instance);
        assert!(
            outcome.verdict.is_stable(),
            "no couples, yet the matching is not stable"
        );
        let mut taken = vec![0usize; instance.post_count()];
        for a in instance.applicants() {
            if let Some(p) = outcome.matching.post(a) {
                if let Some(n) = taken.get_mut(p.index()) {
                    *n += 1;
                }
            }
        }
        for p in instance.posts() {
            assert!(
                taken.get(p.index()).copied().unwrap_or(0) <= instance.capacity(p) as usize,
                "a post over its capacity"
            );
        }
    }

    /// Everything observable about an instance, by name, sorted: equal for two readings of the same
    /// instance whatever order the ids came in.
    pub fn summary(instance: &Instance) -> Vec<String> {
        let mut out = Vec::new();
        for a in instance.applicants() {
            let choices = choice_names(instance, a);
            out.push(format!("a {:?} {:?}", instance.applicant_name(a), choices));
        }
        for p in instance.posts() {
            let priority = priority_names(instance, p);
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

    /// An applicant's list of posts, by name.
    fn choice_names(instance: &Instance, a: ApplicantId) -> Vec<&str> {
        instance
            .choices(a)
            .iter()
            .map(|&p| instance.post_name(p))
            .collect()
    }

    /// A post's priority list, by name.
    fn priority_names(instance: &Instance, p: PostId) -> Vec<&str> {
        instance
            .priority(p)
            .iter()
            .map(|&a| instance.applicant_name(a))
            .collect()
    }

    /// A couple's pairs of posts, by name.
    fn pair_names(instance: &Instance, c: CoupleId) -> Vec<[&str; 2]> {
        instance
            .pairs(c)
            .iter()
            .map(|[p, q]| [instance.post_name(*p), instance.post_name(*q)])
            .collect()
    }

    fn distinct<T: Eq + Hash>(items: impl IntoIterator<Item = T>) -> bool {
        let mut seen = HashSet::new();
        items.into_iter().all(|x| seen.insert(x))
    }

    /// The instance in the shape `read_json` reads (docs/placement.md), as bytes.
    pub fn to_json(instance: &Instance) -> Vec<u8> {
        let mut applicants = Map::new();
        for a in instance.applicants().filter(|&a| instance.couple_of(a).is_none()) {
            let choices = choice_names(instance, a);
            applicants.insert(instance.applicant_name(a).to_owned(), json!(choices));
        }
        let mut posts = Map::new();
        for p in instance.posts() {
            let priority = priority_names(instance, p);
            posts.insert(
                instance.post_name(p).to_owned(),
                json!({"capacity": instance.capacity(p), "priority": priority}),
            );
        }
        let couples: Vec<Value> = instance
            .couples()
            .map(|c| {
                let [a, b] = instance.members(c);
                json!({
                    "members": [instance.applicant_name(a), instance.applicant_name(b)],
                    "pairs": pair_names(instance, c),
                })
            })
            .collect();
        json!({"applicants": applicants, "posts": posts, "couples": couples})
            .to_string()
            .into_bytes()
    }

    /// The instance as the applicants, posts and couples files of `jetdesk place` (docs/placement.md),
    /// every field quoted.
    pub fn to_csv(instance: &Instance) -> [String; 3] {
        let mut applicants = String::from("applicant,choice_1\n");
        for a in instance.applicants().filter(|&a| instance.couple_of(a).is_none()) {
            csv_record(
                &mut applicants,
                std::iter::once(instance.applicant_name(a)).chain(choice_names(instance, a)),
            );
        }
        let mut posts = String::from("post,capacity,priority_1\n");
        for p in instance.posts() {
            let capacity = instance.capacity(p).to_string();
            csv_record(
                &mut posts,
                [instance.post_name(p), capacity.as_str()]
                    .into_iter()
                    .chain(priority_names(instance, p)),
            );
        }
        let mut couples = String::from("member_1,member_2,pair_1_post_1,pair_1_post_2\n");
        for c in instance.couples() {
            let [a, b] = instance.members(c);
            let pairs = pair_names(instance, c);
            csv_record(
                &mut couples,
                [instance.applicant_name(a), instance.applicant_name(b)]
                    .into_iter()
                    .chain(pairs.iter().flatten().copied()),
            );
        }
        [applicants, posts, couples]
    }

    /// One CSV record, every field quoted, CRLF-terminated (names are never empty in CSV input, so
    /// no record is a blank row).
    fn csv_record<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
        for (i, f) in fields.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        }
        out.push_str("\r\n");
    }
}
