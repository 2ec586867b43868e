//! What a placement means for people: statistics over the whole run, and a short explanation in
//! plain words for each applicant.
//!
//! Both are computed from the instance and the final matching only (after a stable run, every post
//! an applicant preferred is full of candidates it ranks higher, and that is what the explanation
//! says). This module must never change a placement; it only describes one.

use crate::check::Verdict;
use crate::instance::{Instance, NO_RANK};
use crate::solve::{solve, Matching, SolveStats};
use crate::{check, ApplicantId, PostId};
use std::fmt::Write as _;

/// Statistics of a placement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Statistics {
    /// Applicants in the instance (single or in a couple).
    pub applicants: u64,
    /// Applicants placed.
    pub placed: u64,
    /// Applicants not placed.
    pub unplaced: u64,
    /// `by_choice[k]`: applicants placed at their (k+1)-th choice (for couple members, their
    /// couple's (k+1)-th pair).
    pub by_choice: Vec<u64>,
    /// Posts in the instance.
    pub posts: u64,
    /// Places offered: the sum of all capacities.
    pub places: u64,
    /// Places filled.
    pub filled: u64,
    /// Per post (by id), how many it holds.
    pub post_fill: Vec<u32>,
}

/// The index of an applicant's placement in their list (or their couple's list of pairs).
fn choice_index(instance: &Instance, matching: &Matching, a: ApplicantId) -> Option<usize> {
    let p = matching.post(a)?;
    match instance.couple_of(a) {
        None => instance.choices(a).iter().position(|&q| q == p),
        Some((c, _)) => {
            let [m0, m1] = instance.members(c);
            let pair = [matching.post(m0)?, matching.post(m1)?];
            instance.pairs(c).iter().position(|&pq| pq == pair)
        }
    }
}

/// The rank an applicant holds at their post, if placed acceptably.
fn held_rank(instance: &Instance, matching: &Matching, a: ApplicantId) -> Option<u32> {
    let i = choice_index(instance, matching, a)?;
    match instance.couple_of(a) {
        None => instance.choice_ranks(a).nth(i).flatten(),
        Some((c, side)) => {
            let r = instance.pair_ranks(c).get(i)?.get(side).copied()?;
            (r != NO_RANK).then_some(r)
        }
    }
}

/// Computes the statistics of a matching.
pub fn statistics(instance: &Instance, matching: &Matching) -> Statistics {
    let mut s = Statistics {
        applicants: instance.applicant_count() as u64,
        posts: instance.post_count() as u64,
        places: instance.posts().map(|p| u64::from(instance.capacity(p))).sum(),
        post_fill: vec![0; instance.post_count()],
        ..Statistics::default()
    };
    for a in instance.applicants() {
        let Some(p) = matching.post(a) else {
            s.unplaced += 1;
            continue;
        };
        s.placed += 1;
        if let Some(f) = s.post_fill.get_mut(p.index()) {
            *f += 1;
        }
        if let Some(k) = choice_index(instance, matching, a) {
            if s.by_choice.len() <= k {
                s.by_choice.resize(k + 1, 0);
            }
            if let Some(n) = s.by_choice.get_mut(k) {
                *n += 1;
            }
        }
    }
    s.filled = s.placed;
    s
}

/// Everything a run produces: the matching, the checker's verdict and the statistics.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Who is placed where.
    pub matching: Matching,
    /// The checker's verdict on it.
    pub verdict: Verdict,
    /// Statistics of it.
    pub statistics: Statistics,
    /// Figures from the solver.
    pub solve: SolveStats,
}

/// Solves an instance, checks the result with the separate checker and computes the statistics.
///
/// ```
/// use jetdesk_placement::{place, InstanceBuilder};
///
/// let mut b = InstanceBuilder::new();
/// b.applicant("Aiko", ["Sapporo", "Naha"])?.applicant("Ben", ["Sapporo"])?;
/// b.post("Sapporo", 1, ["Ben", "Aiko"])?.post("Naha", 1, ["Aiko"])?;
/// let instance = b.build()?;
/// let outcome = place(&instance);
/// assert!(outcome.verdict.is_stable());
/// assert_eq!(outcome.statistics.by_choice, vec![1, 1]); // one 1st choice, one 2nd
/// # Ok::<(), jetdesk_placement::InstanceError>(())
/// ```
pub fn place(instance: &Instance) -> Outcome {
    let solution = solve(instance);
    let verdict = check(instance, &solution.matching);
    let statistics = statistics(instance, &solution.matching);
    Outcome {
        matching: solution.matching,
        verdict,
        statistics,
        solve: solution.stats,
    }
}

/// Writes explanations: per post, the ranks it holds, sorted, so "how many it holds above you" is a
/// binary search.
pub struct Explainer<'a> {
    instance: &'a Instance,
    matching: &'a Matching,
    start: Vec<usize>,
    ranks: Vec<u32>,
}

/// "1st", "2nd", "3rd", "4th", …, "11th", "21st".
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// "a", "a and b", "a, b and c".
#[cfg(test)]
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

enum Missed {
    /// The post holds this many candidates it ranks higher.
    Full(u32),
    /// The post does not rank the applicant.
    Unranked,
    /// The post had room for them: only in an unstable outcome (couples).
    Room,
}

impl<'a> Explainer<'a> {
    /// Prepares explanations for a matching of an instance.
    pub fn new(instance: &'a Instance, matching: &'a Matching) -> Self {
        let mut count = vec![0usize; instance.post_count()];
        let mut held: Vec<(PostId, u32)> = Vec::new();
        for a in instance.applicants() {
            if let Some(p) = matching.post(a) {
                if let Some(c) = count.get_mut(p.index()) {
                    *c += 1;
                }
                held.push((p, held_rank(instance, matching, a).unwrap_or(NO_RANK)));
            }
        }
        let mut start = Vec::with_capacity(count.len() + 1);
        let mut total = 0;
        for c in &count {
            start.push(total);
            total += c;
        }
        start.push(total);
        let mut fill = start.clone();
        let mut ranks = vec![0u32; total];
        for (p, r) in held {
            if let Some(f) = fill.get_mut(p.index()) {
                if let Some(slot) = ranks.get_mut(*f) {
                    *slot = r;
                }
                *f += 1;
            }
        }
        for w in start.windows(2) {
            if let [s, e] = *w {
                if let Some(slice) = ranks.get_mut(s..e) {
                    slice.sort_unstable();
                }
            }
        }
        Explainer {
            instance,
            matching,
            start,
            ranks,
        }
    }

    fn better(&self, p: PostId, r: u32, excluding: &[(Option<PostId>, Option<u32>)]) -> u32 {
        let s = self.start.get(p.index()).copied().unwrap_or(0);
        let e = self.start.get(p.index() + 1).copied().unwrap_or(0);
        let mut n = self.ranks.get(s..e).map_or(0, |h| h.partition_point(|&x| x < r)) as u32;
        for &(q, hr) in excluding {
            if q == Some(p) && hr.is_some_and(|hr| hr < r) {
                n = n.saturating_sub(1);
            }
        }
        n
    }

    fn missed(&self, p: PostId, r: Option<u32>, excluding: &[(Option<PostId>, Option<u32>)]) -> Missed {
        match r {
            None => Missed::Unranked,
            Some(r) => {
                let n = self.better(p, r, excluding);
                if n >= self.instance.capacity(p) {
                    Missed::Full(n)
                } else {
                    Missed::Room
                }
            }
        }
    }

    /// The explanation for one applicant, e.g. "Your 1st choice took 3 candidates with higher
    /// priority; you were placed at your 2nd choice."
    pub fn explain(&self, a: ApplicantId) -> String {
        let mut out = String::new();
        self.explain_into(a, &mut out);
        out
    }

    /// [`Self::explain`], appending to `out` (to reuse one buffer for a million applicants).
    pub fn explain_into(&self, a: ApplicantId, out: &mut String) {
        let inst = self.instance;
        let at = choice_index(inst, self.matching, a);
        if let Some((c, side)) = inst.couple_of(a) {
            let members = inst.members(c);
            let own = members.map(|m| (self.matching.post(m), held_rank(inst, self.matching, m)));
            let other = 1 - side;
            let mut clauses = Vec::new();
            let upto = at.unwrap_or(usize::MAX);
            for (j, (pair, ranks)) in inst.pairs(c).iter().zip(inst.pair_ranks(c)).enumerate() {
                if j >= upto {
                    break;
                }
                let r = |s: usize| ranks.get(s).copied().filter(|&r| r != NO_RANK);
                let post = |s: usize| pair.get(s).copied().unwrap_or(PostId(0));
                let why = |s: usize, whose: &str, them: &str| match self.missed(post(s), r(s), &own) {
                    Missed::Unranked => format!("{whose} post does not rank {them}"),
                    Missed::Full(n) => {
                        format!("{whose} post took {n} candidates with higher priority")
                    }
                    Missed::Room => format!("{whose} post had room"),
                };
                let mine = why(side, "your", "you");
                let theirs = why(other, "your partner's", "them");
                let reason = match (
                    self.missed(post(side), r(side), &own),
                    self.missed(post(other), r(other), &own),
                ) {
                    (Missed::Room, Missed::Room) if pair.first() == pair.get(1) => {
                        "the post could not take you both".to_owned()
                    }
                    (Missed::Room, Missed::Room) => "both posts had room".to_owned(),
                    (Missed::Room, _) => theirs,
                    (_, Missed::Room) => mine,
                    _ => format!("{mine} and {theirs}"),
                };
                clauses.push(format!("your couple's {} pair failed: {reason}", ordinal(j + 1)));
            }
            let end = match at {
                Some(j) => format!(
                    "you were placed with your partner at your couple's {} pair",
                    ordinal(j + 1)
                ),
                None if inst.pairs(c).is_empty() => {
                    "your couple listed no pairs, so you were not placed".to_owned()
                }
                None => "you and your partner were not placed".to_owned(),
            };
            clauses.push(end);
            finish(out, &clauses);
            return;
        }

        self.explain_single(a, at, out, &mut Vec::new());
    }

    /// The explanation of a single applicant (not in a couple), written straight into `out`
    /// without building clauses: this runs a million times for a million applicants. `scratch`
    /// is reused between calls. Must give exactly the text of the clause-by-clause rules in
    /// [`Self::explain_into`]'s documentation (tested against [`Self::explain_slow`]).
    fn explain_single(
        &self,
        a: ApplicantId,
        at: Option<usize>,
        out: &mut String,
        scratch: &mut Vec<(u8, u32)>,
    ) {
        const FULL: u8 = 0;
        const UNRANKED: u8 = 1;
        const ROOM: u8 = 2;
        let inst = self.instance;
        let choices = inst.choices(a);
        if choices.is_empty() {
            out.push_str("You listed no posts, so you were not placed.");
            return;
        }
        let upto = at.unwrap_or(choices.len());
        scratch.clear();
        let (mut n_full, mut n_unranked, mut n_room) = (0usize, 0usize, 0usize);
        for (&p, r) in choices.iter().zip(inst.choice_ranks(a)).take(upto) {
            match self.missed(p, r, &[]) {
                Missed::Full(n) => {
                    n_full += 1;
                    scratch.push((FULL, n));
                }
                Missed::Unranked => {
                    n_unranked += 1;
                    scratch.push((UNRANKED, 0));
                }
                Missed::Room => {
                    n_room += 1;
                    scratch.push((ROOM, 0));
                }
            }
        }
        // Writes "x", "x and y" or "x, y and z" over the entries of one kind.
        let list = |out: &mut String, kind: u8, count: usize, number: bool| {
            let mut k = 0;
            for (i, &(kd, n)) in scratch.iter().enumerate() {
                if kd != kind {
                    continue;
                }
                if k > 0 {
                    out.push_str(if k + 1 == count { " and " } else { ", " });
                }
                k += 1;
                if number {
                    push_u64(out, u64::from(n));
                } else {
                    push_ordinal(out, i + 1);
                }
            }
        };
        let noun = |count: usize| if count == 1 { " choice" } else { " choices" };
        let mut first = true;
        let mut clause = |out: &mut String| {
            out.push_str(if first { "Your " } else { "; your " });
            first = false;
        };
        if n_full > 0 {
            clause(out);
            list(out, FULL, n_full, false);
            out.push_str(noun(n_full));
            out.push_str(" took ");
            list(out, FULL, n_full, true);
            let one = n_full == 1 && scratch.iter().any(|&(k, n)| k == FULL && n == 1);
            out.push_str(if one { " candidate" } else { " candidates" });
            out.push_str(" with higher priority");
        }
        if n_unranked > 0 {
            clause(out);
            list(out, UNRANKED, n_unranked, false);
            out.push_str(noun(n_unranked));
            out.push_str(if n_unranked == 1 { " does" } else { " do" });
            out.push_str(" not rank you");
        }
        if n_room > 0 {
            clause(out);
            list(out, ROOM, n_room, false);
            out.push_str(noun(n_room));
            out.push_str(" had room for you (the outcome is not stable there)");
        }
        out.push_str(if first { "You " } else { "; you " });
        match at {
            Some(i) => {
                out.push_str("were placed at your ");
                push_ordinal(out, i + 1);
                out.push_str(" choice.");
            }
            None => out.push_str("were not placed."),
        }
    }

    /// The original clause-by-clause text of a single applicant's explanation (the specification
    /// [`Self::explain_single`] is tested against).
    #[cfg(test)]
    pub(crate) fn explain_slow(&self, a: ApplicantId) -> String {
        let mut out = String::new();
        let inst = self.instance;
        let at = choice_index(inst, self.matching, a);
        let out = &mut out;
        let choices = inst.choices(a);
        if choices.is_empty() {
            out.push_str("You listed no posts, so you were not placed.");
            return out.clone();
        }
        let upto = at.unwrap_or(choices.len());
        let (mut full, mut counts, mut unranked, mut room) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (i, (&p, r)) in choices.iter().zip(inst.choice_ranks(a)).enumerate().take(upto) {
            match self.missed(p, r, &[]) {
                Missed::Full(n) => {
                    full.push(ordinal(i + 1));
                    counts.push(n.to_string());
                }
                Missed::Unranked => unranked.push(ordinal(i + 1)),
                Missed::Room => room.push(ordinal(i + 1)),
            }
        }
        let mut clauses = Vec::new();
        let plural = |v: &Vec<String>| if v.len() == 1 { "choice" } else { "choices" };
        if !full.is_empty() {
            let noun = if counts.len() == 1 && counts.first().map(String::as_str) == Some("1") {
                "candidate"
            } else {
                "candidates"
            };
            clauses.push(format!(
                "your {} {} took {} {noun} with higher priority",
                join(&full),
                plural(&full),
                join(&counts)
            ));
        }
        if !unranked.is_empty() {
            let verb = if unranked.len() == 1 { "does" } else { "do" };
            clauses.push(format!(
                "your {} {} {verb} not rank you",
                join(&unranked),
                plural(&unranked)
            ));
        }
        if !room.is_empty() {
            clauses.push(format!(
                "your {} {} had room for you (the outcome is not stable there)",
                join(&room),
                plural(&room)
            ));
        }
        clauses.push(match at {
            Some(i) => format!("you were placed at your {} choice", ordinal(i + 1)),
            None => "you were not placed".to_owned(),
        });
        finish(out, &clauses);
        out.clone()
    }

    /// Explanations of the applicants `from..to` (by id), each as a JSON string literal, in one
    /// buffer; returns the buffer and where each ends. Used to compute explanations in id order
    /// (sequential memory access) on several threads.
    pub(crate) fn explain_range_json(&self, from: u32, to: u32) -> (Vec<u8>, Vec<usize>) {
        let n = to.saturating_sub(from) as usize;
        let mut buf = Vec::with_capacity(n * 112);
        let mut ends = Vec::with_capacity(n);
        let mut text = String::new();
        let mut scratch = Vec::new();
        for a in from..to {
            let a = ApplicantId(a);
            text.clear();
            if self.instance.couple_of(a).is_some() {
                self.explain_into(a, &mut text);
            } else {
                let at = choice_index(self.instance, self.matching, a);
                self.explain_single(a, at, &mut text, &mut scratch);
            }
            crate::output::json_string(&mut buf, &text);
            ends.push(buf.len());
        }
        (buf, ends)
    }
}

/// Appends a decimal number.
pub(crate) fn push_u64(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    for &d in digits.get(i..).unwrap_or(&[]) {
        out.push(char::from(d));
    }
}

/// Appends [`ordinal`] of `n` without allocating.
fn push_ordinal(out: &mut String, n: usize) {
    push_u64(out, n as u64);
    out.push_str(match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    });
}

/// Joins clauses with "; ", capitalises the first letter and ends with a full stop.
fn finish(out: &mut String, clauses: &[String]) {
    let text = clauses.join("; ");
    let mut chars = text.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.push_str(chars.as_str());
    }
    let _ = write!(out, ".");
}

#[cfg(test)]
mod tests {
    use super::ordinal;
    use crate::{solve, ApplicantId, Explainer, InstanceBuilder, Matching, PostId};

    /// The fast single-applicant text equals the clause-by-clause one, for solved matchings and
    /// for arbitrary (unstable) ones, which exercise the "had room" clauses.
    #[test]
    fn fast_explanations_equal_the_clause_by_clause_text() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n.max(1)
        };
        for round in 0..200 {
            let (apps, posts) = (1 + next(30), 1 + next(14));
            let names_a: Vec<String> = (0..apps).map(|i| format!("a{i}")).collect();
            let names_p: Vec<String> = (0..posts).map(|i| format!("p{i}")).collect();
            let mut b = InstanceBuilder::new();
            for a in &names_a {
                let mut list: Vec<&str> = Vec::new();
                for p in &names_p {
                    if next(3) > 0 {
                        list.push(p);
                    }
                }
                b.applicant(a.as_str(), list).unwrap_or_else(|e| panic!("{e}"));
            }
            for p in &names_p {
                let prio: Vec<&str> = names_a
                    .iter()
                    .filter(|_| next(4) > 0)
                    .map(String::as_str)
                    .collect();
                b.post(p.as_str(), 1 + next(3) as u32, prio)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            let inst = b.build().unwrap_or_else(|e| panic!("{e}"));
            let solved = solve(&inst).matching;
            let mut arbitrary = Matching::unassigned(inst.applicant_count());
            for a in inst.applicants() {
                let choices = inst.choices(a);
                if !choices.is_empty() && next(3) > 0 {
                    let k = next(choices.len() as u64) as usize;
                    arbitrary.set(a, choices.get(k).copied());
                } else if next(5) == 0 {
                    arbitrary.set(a, Some(PostId(next(posts) as u32)));
                }
            }
            for m in [&solved, &arbitrary] {
                let e = Explainer::new(&inst, m);
                for a in 0..apps as u32 {
                    let a = ApplicantId(a);
                    assert_eq!(e.explain(a), e.explain_slow(a), "round {round}, {a:?}");
                }
                let (buf, ends) = e.explain_range_json(0, apps as u32);
                assert_eq!(ends.len(), apps as usize);
                assert_eq!(ends.last().copied(), Some(buf.len()));
            }
        }
    }

    #[test]
    fn ordinals_follow_english() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111]
            .iter()
            .map(|&n| ordinal(n))
            .collect();
        assert_eq!(
            got,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]
        );
    }
}
