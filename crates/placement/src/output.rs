//! Writing an outcome as JSON or CSV, in a deterministic order (applicants and posts sorted by
//! name), so the same instance always gives the same bytes.
//!
//! The engine does no I/O of its own: these functions write to any [`std::io::Write`] the caller
//! hands them. They must never reorder or drop an applicant.

use crate::check::{BlockingPair, Violation};
use crate::report::{Explainer, Outcome};
use crate::{ApplicantId, Instance, PostId};
use std::io::{self, Write};

/// Applicants sorted by name (byte order), the order of every listing in the output.
pub fn applicants_by_name(instance: &Instance) -> Vec<ApplicantId> {
    let mut v: Vec<ApplicantId> = instance.applicants().collect();
    v.sort_unstable_by(|&a, &b| instance.applicant_name(a).cmp(instance.applicant_name(b)));
    v
}

/// Posts sorted by name (byte order).
pub fn posts_by_name(instance: &Instance) -> Vec<PostId> {
    let mut v: Vec<PostId> = instance.posts().collect();
    v.sort_unstable_by(|&a, &b| instance.post_name(a).cmp(instance.post_name(b)));
    v
}

/// Writes a JSON string literal.
fn string(w: &mut impl Write, s: &str) -> io::Result<()> {
    let bytes = s.as_bytes();
    if !bytes.iter().any(|&b| b == b'"' || b == b'\\' || b < 0x20) {
        w.write_all(b"\"")?;
        w.write_all(bytes)?;
        return w.write_all(b"\"");
    }
    w.write_all(b"\"")?;
    for c in s.chars() {
        match c {
            '"' => w.write_all(b"\\\"")?,
            '\\' => w.write_all(b"\\\\")?,
            '\n' => w.write_all(b"\\n")?,
            '\r' => w.write_all(b"\\r")?,
            '\t' => w.write_all(b"\\t")?,
            c if (c as u32) < 0x20 => write!(w, "\\u{:04x}", c as u32)?,
            c => {
                let mut buf = [0u8; 4];
                w.write_all(c.encode_utf8(&mut buf).as_bytes())?;
            }
        }
    }
    w.write_all(b"\"")
}

/// Appends a JSON string literal to a buffer.
pub(crate) fn json_string(buf: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = string(buf, s);
}

/// The body of the `"explanations"` object (`\n"name": "text",\n…`), in pieces to write in order.
///
/// Explanations are computed in id order (the instance's tables are then read sequentially) on two
/// threads, each into one buffer of JSON string literals; then the entries are gathered in name
/// order, again on two threads. The result is the same bytes as writing them one by one.
fn explanation_section(instance: &Instance, m: &crate::Matching, order: &Order) -> Vec<Vec<u8>> {
    let explainer = Explainer::new(instance, m);
    let n = instance.applicant_count() as u32;
    let mid = n / 2;
    let explainer = &explainer;
    let ((text0, ends0), (text1, ends1)) = std::thread::scope(|s| {
        let other = s.spawn(move || explainer.explain_range_json(mid, n));
        let mine = explainer.explain_range_json(0, mid);
        let theirs = other
            .join()
            .unwrap_or_else(|_| explainer.explain_range_json(mid, n));
        (mine, theirs)
    });
    let (text0, ends0, text1, ends1) = (&text0, &ends0, &text1, &ends1);
    let text_of = move |a: ApplicantId| -> &[u8] {
        let (text, ends, i) = if a.0 < mid {
            (text0, ends0, a.index())
        } else {
            (text1, ends1, (a.0 - mid) as usize)
        };
        let end = ends.get(i).copied().unwrap_or(0);
        let start = if i == 0 {
            0
        } else {
            ends.get(i - 1).copied().unwrap_or(0)
        };
        text.get(start..end).unwrap_or(&[])
    };
    let gather = move |part: &[ApplicantId], first: bool| -> Vec<u8> {
        let total: usize = text0.len() + text1.len();
        let share = total / 2 + part.len() * 24;
        let mut buf = Vec::with_capacity(share);
        for (i, &a) in part.iter().enumerate() {
            buf.extend_from_slice(if first && i == 0 { b"\n" } else { b",\n" });
            json_string(&mut buf, instance.applicant_name(a));
            buf.extend_from_slice(b": ");
            buf.extend_from_slice(text_of(a));
        }
        buf
    };
    let half = order.applicants.len() / 2;
    let (head, tail) = order.applicants.split_at(half);
    std::thread::scope(|s| {
        let other = s.spawn(move || gather(tail, head.is_empty()));
        let mine = gather(head, true);
        let theirs = other.join().unwrap_or_else(|_| gather(tail, head.is_empty()));
        vec![mine, theirs]
    })
}

/// Sorting orders for the output, computed once (perhaps on another thread while solving).
pub struct Order {
    /// Applicants by name.
    pub applicants: Vec<ApplicantId>,
    /// Posts by name.
    pub posts: Vec<PostId>,
}

impl Order {
    /// Sorts an instance's applicants and posts by name.
    pub fn of(instance: &Instance) -> Self {
        Order {
            applicants: applicants_by_name(instance),
            posts: posts_by_name(instance),
        }
    }
}

/// Writes the outcome as the JSON result documented in `docs/placement.md`:
/// `{"assignments": {…}, "unmatched": […], "stable": …, "blocking_pairs": […], "violations": […],
/// "stats": {…}, "explanations": {…}}` (explanations only when asked for), one entry per line.
///
/// # Errors
/// Whatever the writer returns.
pub fn write_json(
    w: &mut impl Write,
    instance: &Instance,
    outcome: &Outcome,
    order: &Order,
    explanations: bool,
) -> io::Result<()> {
    write_json_head(w, instance, &outcome.matching, order)?;
    write_json_tail(w, instance, outcome, order, explanations)
}

/// The first part of [`write_json`]: the assignments and the list of those not placed, which
/// need the matching only (so they can be written while the checker runs). Ends after the
/// `"unmatched"` list's `]`.
///
/// # Errors
/// Whatever the writer returns.
pub fn write_json_head(
    w: &mut impl Write,
    instance: &Instance,
    m: &crate::Matching,
    order: &Order,
) -> io::Result<()> {
    w.write_all(b"{\"assignments\": {")?;
    let mut first = true;
    for &a in &order.applicants {
        if let Some(p) = m.post(a) {
            w.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            string(w, instance.applicant_name(a))?;
            w.write_all(b": ")?;
            string(w, instance.post_name(p))?;
        }
    }
    w.write_all(b"},\n\"unmatched\": [")?;
    let mut first = true;
    for &a in &order.applicants {
        if m.post(a).is_none() {
            w.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            string(w, instance.applicant_name(a))?;
        }
    }
    w.write_all(b"]")
}

/// The rest of [`write_json`] after [`write_json_head`]: stability, blocking pairs, violations,
/// statistics and (when asked for) the explanations.
///
/// # Errors
/// Whatever the writer returns.
pub fn write_json_tail(
    w: &mut impl Write,
    instance: &Instance,
    outcome: &Outcome,
    order: &Order,
    explanations: bool,
) -> io::Result<()> {
    let m = &outcome.matching;
    write!(
        w,
        ",\n\"stable\": {},\n\"blocking_pairs\": [",
        outcome.verdict.is_stable()
    )?;
    for (i, b) in outcome.verdict.blocking_pairs.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        match *b {
            BlockingPair::Single { applicant, post } => {
                w.write_all(b"{\"applicant\": ")?;
                string(w, instance.applicant_name(applicant))?;
                w.write_all(b", \"post\": ")?;
                string(w, instance.post_name(post))?;
            }
            BlockingPair::Couple { couple, posts } => {
                let [a, b] = instance.members(couple);
                w.write_all(b"{\"couple\": [")?;
                string(w, instance.applicant_name(a))?;
                w.write_all(b", ")?;
                string(w, instance.applicant_name(b))?;
                w.write_all(b"], \"posts\": [")?;
                string(w, instance.post_name(posts[0]))?;
                w.write_all(b", ")?;
                string(w, instance.post_name(posts[1]))?;
                w.write_all(b"]")?;
            }
        }
        w.write_all(b"}")?;
    }
    w.write_all(b"],\n\"violations\": [")?;
    for (i, v) in outcome.verdict.violations.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        match *v {
            Violation::NotListed { applicant, post } | Violation::Unacceptable { applicant, post } => {
                let kind = if matches!(v, Violation::NotListed { .. }) {
                    "not_listed"
                } else {
                    "unacceptable"
                };
                write!(w, "{{\"kind\": \"{kind}\", \"applicant\": ")?;
                string(w, instance.applicant_name(applicant))?;
                w.write_all(b", \"post\": ")?;
                string(w, instance.post_name(post))?;
                w.write_all(b"}")?;
            }
            Violation::OverCapacity { post, held } => {
                w.write_all(b"{\"kind\": \"over_capacity\", \"post\": ")?;
                string(w, instance.post_name(post))?;
                write!(
                    w,
                    ", \"held\": {held}, \"capacity\": {}}}",
                    instance.capacity(post)
                )?;
            }
            Violation::CoupleSplit(c) => {
                let [a, b] = instance.members(c);
                w.write_all(b"{\"kind\": \"couple_split\", \"couple\": [")?;
                string(w, instance.applicant_name(a))?;
                w.write_all(b", ")?;
                string(w, instance.applicant_name(b))?;
                w.write_all(b"]}")?;
            }
        }
    }
    let s = &outcome.statistics;
    write!(
        w,
        "],\n\"stats\": {{\"applicants\": {}, \"placed\": {}, \"unmatched\": {}, \"couples\": {}, \"by_choice\": [",
        s.applicants,
        s.placed,
        s.unplaced,
        instance.couple_count()
    )?;
    for (i, n) in s.by_choice.iter().enumerate() {
        write!(w, "{}{n}", if i == 0 { "" } else { ", " })?;
    }
    write!(
        w,
        "], \"posts\": {}, \"places\": {}, \"filled\": {}, \"proposals\": {}, \"couple_rounds\": {},\n\"post_fill\": {{",
        s.posts, s.places, s.filled, outcome.solve.proposals, outcome.solve.couple_rounds
    )?;
    for (i, &p) in order.posts.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        string(w, instance.post_name(p))?;
        let filled = s.post_fill.get(p.index()).copied().unwrap_or(0);
        write!(
            w,
            ": {{\"filled\": {filled}, \"capacity\": {}}}",
            instance.capacity(p)
        )?;
    }
    w.write_all(b"}}")?;
    if explanations {
        w.write_all(b",\n\"explanations\": {")?;
        for piece in explanation_section(instance, m, order) {
            w.write_all(&piece)?;
        }
        w.write_all(b"}")?;
    }
    w.write_all(b"}\n")
}

/// Writes a CSV field, quoted when it must be (RFC 4180).
fn field(w: &mut impl Write, s: &str) -> io::Result<()> {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        w.write_all(b"\"")?;
        w.write_all(s.replace('"', "\"\"").as_bytes())?;
        w.write_all(b"\"")
    } else {
        w.write_all(s.as_bytes())
    }
}

/// Writes the outcome as CSV: a header `applicant,post,choice,explanation`, then one row per
/// applicant sorted by name; `post` and `choice` are empty for an applicant not placed, and
/// `choice` is 1 for a 1st choice (for couple members, their couple's pair).
///
/// # Errors
/// Whatever the writer returns.
pub fn write_csv(
    w: &mut impl Write,
    instance: &Instance,
    outcome: &Outcome,
    order: &Order,
    explanations: bool,
) -> io::Result<()> {
    write_csv_of(w, instance, &outcome.matching, order, explanations)
}

/// [`write_csv`] given the matching only: the CSV result does not depend on the checker's verdict
/// or the statistics, so it can be written while they are computed.
///
/// # Errors
/// Whatever the writer returns.
pub fn write_csv_of(
    w: &mut impl Write,
    instance: &Instance,
    m: &crate::Matching,
    order: &Order,
    explanations: bool,
) -> io::Result<()> {
    w.write_all(if explanations {
        b"applicant,post,choice,explanation\n"
    } else {
        b"applicant,post,choice\n"
    })?;
    let explainer = explanations.then(|| Explainer::new(instance, m));
    let mut text = String::new();
    for &a in &order.applicants {
        field(w, instance.applicant_name(a))?;
        w.write_all(b",")?;
        if let Some(p) = m.post(a) {
            field(w, instance.post_name(p))?;
            let k = match instance.couple_of(a) {
                None => instance.choices(a).iter().position(|&q| q == p),
                Some((c, _)) => {
                    let [m0, m1] = instance.members(c);
                    match (m.post(m0), m.post(m1)) {
                        (Some(x), Some(y)) => instance.pairs(c).iter().position(|&pq| pq == [x, y]),
                        _ => None,
                    }
                }
            };
            w.write_all(b",")?;
            if let Some(k) = k {
                write!(w, "{}", k + 1)?;
            }
        } else {
            w.write_all(b",")?;
        }
        if let Some(e) = &explainer {
            w.write_all(b",")?;
            text.clear();
            e.explain_into(a, &mut text);
            field(w, &text)?;
        }
        w.write_all(b"\n")?;
    }
    Ok(())
}
