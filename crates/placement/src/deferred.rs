//! Priority lists resolved in bulk after reading, one cache-sized slice of the applicant table at a
//! time (the JSON reader's fast path; decision record `docs/decisions/0100-placement-json-reader.md`).
//!
//! A million applicants with ten choices each means ten million names in the posts' priority lists.
//! Looking each one up as it is read costs a cache miss in a 64 MB table, and writing its rank into
//! the applicant's list costs another. Instead the reader files each entry under the top bits of the
//! name's hash, which are the top bits of the name's slot in the applicant table. After reading,
//! each group is looked up in its own slice of the table (small enough for the core's L2 cache),
//! sorted by applicant, and each applicant's list is then written once for all the posts that rank
//! them. Groups are resolved on two threads.
//!
//! This is a fast path only. When anything is not as expected (a name that is not an applicant, an
//! applicant ranked twice by one post) it gives up, and the caller reads the input again with the
//! exact reader, which reports the first problem with its position. It must give exactly the
//! instance the exact reader would give, or nothing.

use crate::instance::{Span, NO_RANK};
use crate::intern::{hash, hash_words, inline_of, Interner};
use crate::prefetch::prefetch;
use crate::ApplicantId;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};

/// One entry of a priority list, read but not resolved (32 bytes).
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    /// The name's first 16 bytes, zero-padded; for a longer name, the first 8 bytes hold its
    /// offset in [`Ranks::long`] instead.
    inline: [u8; 16],
    /// The high half of the name's hash (see `intern::hash`).
    tag: u32,
    /// The name's length in bytes.
    len: u32,
    /// The post, as its definition ordinal (0 = the first post defined).
    def: u32,
    /// The entry's position in that post's priority list.
    rank: u32,
}

/// The priority-list entries of a whole input, in groups by the top bits of their hash, each group
/// in document order.
pub(crate) struct Ranks {
    /// log2 of the number of groups.
    group_bits: u32,
    groups: Vec<Vec<Entry>>,
    /// The bytes of names longer than 16 bytes, one after another.
    long: Vec<u8>,
    /// The group of each entry, in document order.
    which: Vec<u16>,
}

/// How many entries ahead the lookups prefetch.
const AHEAD: usize = 16;
/// How many slots ahead the lists of applicants are prefetched (and twice as far, where they are).
const LIST_AHEAD: usize = 16;
/// log2 of the most bytes of the applicant table a group's names may live in: with the group's
/// own buffers, about half of a 1 MiB L2 cache.
const MAX_SLICE_LOG2: u32 = 18;
/// Below this many entries, one thread resolves them all (a second would cost more than it saves).
const TWO_THREADS_FROM: usize = 1 << 16;

impl Ranks {
    /// Empty groups for an input of `len` bytes: as many as make a group's slice of the applicant
    /// table the reader will build (32-byte slots, two per applicant, about one applicant per 200
    /// bytes of input, as `json::read_json_with_progress` sizes it) at most 256 KiB.
    pub(crate) fn for_input(len: usize) -> Self {
        let slots = (len / 200).saturating_mul(2).max(16).next_power_of_two();
        let table_bytes_log2 = slots.trailing_zeros() + 5;
        let group_bits = table_bytes_log2.saturating_sub(MAX_SLICE_LOG2).min(12);
        let n = 1usize << group_bits;
        // About one entry per 20 bytes of input; pages reserved but never written cost nothing.
        let each = len / 20 / n + 16;
        Ranks {
            group_bits,
            groups: (0..n).map(|_| Vec::with_capacity(each)).collect(),
            long: Vec::new(),
            which: Vec::with_capacity(len / 20),
        }
    }

    /// [`Self::push`] for a name of `len` ≤ 16 bytes given as two little-endian words, zero beyond
    /// the name (see `intern::hash_words`).
    #[inline]
    pub(crate) fn push_words(&mut self, len: usize, w0: u64, w1: u64, def: u32, rank: u32) -> bool {
        let tag = (hash_words(len, w0, w1) >> 32) as u32;
        let mut inline = [0u8; 16];
        for (d, s) in inline
            .iter_mut()
            .zip(w0.to_le_bytes().into_iter().chain(w1.to_le_bytes()))
        {
            *d = s;
        }
        self.file(Entry {
            inline,
            tag,
            len: len as u32,
            def,
            rank,
        })
    }

    /// Files an entry: `name` at position `rank` of the list of the `def`-th post defined. Returns
    /// `false` for a name too long to file (the fast path then gives up).
    pub(crate) fn push(&mut self, name: &[u8], def: u32, rank: u32) -> bool {
        let Ok(len) = u32::try_from(name.len()) else {
            return false;
        };
        let tag = (hash(name) >> 32) as u32;
        let inline = if name.len() <= 16 {
            inline_of(name)
        } else {
            let mut at = [0u8; 16];
            for (d, s) in at.iter_mut().zip((self.long.len() as u64).to_le_bytes()) {
                *d = s;
            }
            self.long.extend_from_slice(name);
            at
        };
        self.file(Entry {
            inline,
            tag,
            len,
            def,
            rank,
        })
    }

    #[inline]
    fn file(&mut self, entry: Entry) -> bool {
        let g = group_of(entry.tag, self.group_bits);
        match self.groups.get_mut(g) {
            Some(group) => {
                group.push(entry);
                self.which.push(g as u16);
                true
            }
            None => false,
        }
    }
}

fn group_of(tag: u32, group_bits: u32) -> usize {
    tag.checked_shr(32 - group_bits).unwrap_or(0) as usize
}

/// What resolving reads and writes, shared by the two threads.
struct Tables<'t, 'a> {
    apps: &'t Interner<'a>,
    list_span: &'t [Span],
    /// Post id of each definition ordinal.
    defs: &'t [u32],
    ranks: &'t Ranks,
    list_entry: &'t [AtomicU64],
}

/// Buffers reused from group to group.
#[derive(Default)]
struct Scratch {
    /// Per entry of the group: its slot relative to the group's first slot.
    local: Vec<u32>,
    /// Per relative slot: where its entries start in `sorted` (then, after filling, end).
    counts: Vec<u32>,
    /// The group's entries sorted by slot, as `def << 32 | rank`.
    sorted: Vec<u64>,
    unlisted: Vec<u32>,
}

/// Resolves every entry of `ranks`: fills `prio` (the priority lists, whose length the assembler
/// set to the number of entries) in document order, and writes each rank into the applicant's
/// entry for that post in `list_entry` (built with [`NO_RANK`] everywhere). `None` when a name is
/// not an applicant of `apps` or a post ranks an applicant twice.
pub(crate) fn resolve(
    apps: &Interner<'_>,
    list_span: &[Span],
    defs: &[u32],
    ranks: &Ranks,
    prio: &mut [ApplicantId],
    list_entry: Vec<u64>,
) -> Option<Vec<u64>> {
    if prio.len() != ranks.which.len() {
        return None;
    }
    // Each applicant belongs to one group, so threads write disjoint list entries; relaxed atomics
    // make that safe to say without `unsafe` (they compile to plain loads and stores).
    let list_entry: Vec<AtomicU64> = list_entry.into_iter().map(AtomicU64::new).collect();
    let tables = Tables {
        apps,
        list_span,
        defs,
        ranks,
        list_entry: &list_entry,
    };
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    // Each thread takes the next group to do, and keeps the applicants it found, in the group's
    // (document) order.
    let work = || {
        let mut scratch = Scratch::default();
        let mut done: Vec<(usize, Vec<u32>)> = Vec::new();
        while !failed.load(Relaxed) {
            let g = next.fetch_add(1, Relaxed);
            let Some(entries) = ranks.groups.get(g) else {
                break;
            };
            match tables.group(g, entries, &mut scratch) {
                Some(ids) => done.push((g, ids)),
                None => failed.store(true, Relaxed),
            }
        }
        done
    };
    let mut done = if ranks.which.len() < TWO_THREADS_FROM {
        work()
    } else {
        std::thread::scope(|s| {
            let other = s.spawn(work);
            let mut mine = work();
            match other.join() {
                Ok(theirs) => mine.extend(theirs),
                Err(_) => failed.store(true, Relaxed),
            }
            mine
        })
    };
    if failed.into_inner() {
        return None;
    }
    // The priority lists in document order: entry k went to group `which[k]`, where the entries
    // are in document order too, so one cursor per group merges them back.
    done.sort_unstable_by_key(|&(g, _)| g);
    let ids: Vec<Vec<u32>> = done.into_iter().map(|(_, ids)| ids).collect();
    let mut cursor = vec![0usize; ids.len()];
    for (slot, &g) in prio.iter_mut().zip(&ranks.which) {
        let g = usize::from(g);
        let c = cursor.get_mut(g)?;
        *slot = ApplicantId(*ids.get(g)?.get(*c)?);
        *c += 1;
    }
    Some(list_entry.into_iter().map(AtomicU64::into_inner).collect())
}

impl Tables<'_, '_> {
    /// Resolves group `g`: the applicant of each entry, in order. `None` if it finds a problem.
    fn group(&self, g: usize, entries: &[Entry], s: &mut Scratch) -> Option<Vec<u32>> {
        let apps = self.apps;
        let mask = apps.slot_mask();
        let first_tag = ((g as u64) << (32 - self.ranks.group_bits)) as u32;
        let lo = apps.home(first_tag);

        // 1. Look every name up in the group's slice of the table, in document order.
        let mut ids = Vec::with_capacity(entries.len());
        s.local.clear();
        let mut max_local = 0usize;
        for (i, e) in entries.iter().enumerate() {
            if let Some(ahead) = entries.get(i + AHEAD) {
                apps.prefetch_tag(ahead.tag);
            }
            let (slot, id) = if e.len <= 16 {
                apps.find(e.tag, e.len, &e.inline, &[])?
            } else {
                let mut at = [0u8; 8];
                at.copy_from_slice(e.inline.get(..8)?);
                let start = usize::try_from(u64::from_le_bytes(at)).ok()?;
                let whole = self.ranks.long.get(start..start + e.len as usize)?;
                apps.find(e.tag, e.len, &inline_of(whole), whole)?
            };
            let local = slot.wrapping_sub(lo) & mask;
            max_local = max_local.max(local);
            s.local.push(local as u32);
            ids.push(id);
        }

        // 2. Sort the entries by slot (a counting sort), so each applicant's entries are together.
        s.counts.clear();
        s.counts.resize(max_local + 2, 0);
        for &local in &s.local {
            *s.counts.get_mut(local as usize + 1)? += 1;
        }
        let mut total = 0;
        for c in &mut s.counts {
            total += *c;
            *c = total;
        }
        s.sorted.clear();
        s.sorted.resize(entries.len(), 0);
        for (e, &local) in entries.iter().zip(&s.local) {
            let c = s.counts.get_mut(local as usize)?;
            *s.sorted.get_mut(*c as usize)? = (u64::from(e.def) << 32) | u64::from(e.rank);
            *c += 1;
        }
        // Now `counts[l]` is where the entries of relative slot `l` end (and `l + 1`'s start).

        // 3. Per applicant: write the ranks into their list, once. The applicants of the slots a
        // few places ahead are known: start loading their lists.
        let runs = s.counts.get(..=max_local)?;
        let applicant = |l: usize| apps.id_at((lo + l) & mask);
        let mut from = 0usize;
        for (l, &to) in runs.iter().enumerate() {
            let to = to as usize;
            if l + LIST_AHEAD * 2 <= max_local {
                if let Some(b) = applicant(l + LIST_AHEAD * 2) {
                    prefetch(self.list_span.as_ptr().wrapping_add(b as usize));
                }
            }
            if l + LIST_AHEAD <= max_local {
                if let Some(&(bs, bl)) =
                    applicant(l + LIST_AHEAD).and_then(|b| self.list_span.get(b as usize))
                {
                    let first = self.list_entry.as_ptr().wrapping_add(bs as usize);
                    prefetch(first);
                    prefetch(first.wrapping_add(bl.saturating_sub(1) as usize));
                }
            }
            if to == from {
                continue;
            }
            let a = applicant(l)?;
            let (ls, ll) = *self.list_span.get(a as usize)?;
            let list = self.list_entry.get(ls as usize..(ls + ll) as usize)?;
            s.unlisted.clear();
            for &dr in s.sorted.get(from..to)? {
                let p = *self.defs.get((dr >> 32) as usize)?;
                let rank = dr as u32;
                match list.iter().find(|x| x.load(Relaxed) as u32 == p) {
                    Some(x) => {
                        if (x.load(Relaxed) >> 32) as u32 != NO_RANK {
                            return None; // ranked twice by this post
                        }
                        x.store((u64::from(rank) << 32) | u64::from(p), Relaxed);
                    }
                    // A post may rank someone who did not list it; still, only once.
                    None => s.unlisted.push(p),
                }
            }
            if s.unlisted.len() > 1 {
                s.unlisted.sort_unstable();
                if s.unlisted.windows(2).any(|w| w.first() == w.get(1)) {
                    return None;
                }
            }
            from = to;
        }
        Some(ids)
    }
}

#[cfg(test)]
mod tests {
    use crate::json::{read_exact, read_fast};
    use proptest::prelude::*;

    /// A JSON string literal for `name`, with non-ASCII characters as `\u` escapes or not.
    fn lit(name: &str, escape_non_ascii: bool) -> String {
        let mut out = String::from("\"");
        for c in name.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if !c.is_ascii() && escape_non_ascii => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{u:04x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    /// Names of every kind the fast path treats differently: short, longer than 16 bytes, with
    /// non-ASCII characters (escaped or not) and with an escaped quote.
    fn applicant_name(i: usize) -> String {
        match i % 5 {
            0 => format!("a{i}"),
            1 => format!("applicant number {i} with a long name"),
            2 => format!("Chlo\u{e9} {i}"),
            3 => format!("q\"{i}"),
            _ => format!("Ch\u{e9}ri\u{e9} applicant, long name {i} \u{1F600}"),
        }
    }

    #[derive(Debug, Clone)]
    struct Case {
        lists: Vec<Vec<usize>>,
        /// Per post: capacity, and its priority list as applicant indices (`n` = an unknown name).
        posts: Vec<(u32, Vec<usize>)>,
        escape: bool,
        posts_first: bool,
        capacity_last: bool,
    }

    fn case() -> impl Strategy<Value = Case> {
        (1usize..14, 1usize..6).prop_flat_map(|(n, m)| {
            let lists = proptest::collection::vec(
                proptest::sample::subsequence((0..m).collect::<Vec<_>>(), 0..=m).prop_shuffle(),
                n,
            );
            // Priority lists may name anyone, including applicants who did not list the post,
            // an unknown name (index n) and, rarely, someone twice.
            let prio = proptest::collection::vec((1u32..4, proptest::collection::vec(0..=n, 0..(n + 3))), m);
            (lists, prio, any::<bool>(), any::<u8>(), any::<bool>()).prop_map(
                move |(lists, mut posts, escape, shape, capacity_last)| {
                    if shape % 4 != 0 {
                        // Mostly valid: drop unknown names and repeats.
                        for (_, prio) in &mut posts {
                            let mut seen = std::collections::HashSet::new();
                            prio.retain(|&a| a < n && seen.insert(a));
                        }
                    }
                    Case {
                        lists,
                        posts,
                        escape,
                        posts_first: shape % 8 == 1,
                        capacity_last,
                    }
                },
            )
        })
    }

    fn json(c: &Case) -> String {
        let post = |p: usize| lit(&format!("post {p}"), c.escape);
        let app = |a: usize| lit(&applicant_name(a), c.escape);
        let apps: Vec<String> = c
            .lists
            .iter()
            .enumerate()
            .map(|(a, l)| {
                let l: Vec<String> = l.iter().map(|&p| post(p)).collect();
                format!("{}: [{}]", app(a), l.join(", "))
            })
            .collect();
        let posts: Vec<String> = c
            .posts
            .iter()
            .enumerate()
            .map(|(p, (cap, prio))| {
                let prio: Vec<String> = prio.iter().map(|&a| app(a)).collect();
                let prio = format!("\"priority\": [{}]", prio.join(","));
                let cap = format!("\"capacity\": {cap}");
                if c.capacity_last {
                    format!("{}: {{{prio}, {cap}}}", post(p))
                } else {
                    format!("{}: {{{cap}, {prio}}}", post(p))
                }
            })
            .collect();
        let apps = format!("\"applicants\": {{\n{}}}", apps.join(",\n"));
        let posts = format!("\"posts\": {{{}}}", posts.join(",\n"));
        if c.posts_first {
            format!("{{{posts},\n{apps}}}")
        } else {
            format!("{{{apps},\n {posts}}}")
        }
    }

    proptest! {
        /// The fast path gives exactly the exact reader's instance, or gives up; it gives up on
        /// every input the exact reader refuses, and on no valid input in its layout.
        #[test]
        fn fast_path_reads_what_the_exact_reader_reads(c in case()) {
            let text = json(&c);
            let exact = read_exact(text.as_bytes(), &mut |_| {});
            let fast = read_fast(text.as_bytes(), &mut |_| {});
            match (&exact, &fast) {
                (Ok(e), Some(f)) => prop_assert_eq!(format!("{e:?}"), format!("{f:?}")),
                (Ok(_), None) => prop_assert!(c.posts_first, "gave up on a valid input:\n{}", text),
                (Err(_), None) => {}
                (Err(e), Some(_)) => prop_assert!(false, "accepted an input refused with {}:\n{}", e, text),
            }
        }
    }

    #[test]
    fn fast_path_gives_up_on_what_it_cannot_resolve() {
        let ok = r#"{"applicants": {"a1": ["p1"], "a2": []}, "posts": {"p1": {"capacity": 1, "priority": ["a2", "a1"]}}}"#;
        let fast = read_fast(ok.as_bytes(), &mut |_| {});
        assert!(fast.is_some());
        for bad in [
            // An unknown applicant, ranked twice (listed, and not listed), an unknown post.
            r#"{"applicants": {"a1": ["p1"]}, "posts": {"p1": {"capacity": 1, "priority": ["a1", "zz"]}}}"#,
            r#"{"applicants": {"a1": ["p1"]}, "posts": {"p1": {"capacity": 1, "priority": ["a1", "a1"]}}}"#,
            r#"{"applicants": {"a1": []}, "posts": {"p1": {"capacity": 1, "priority": ["a1", "a1"]}}}"#,
            r#"{"applicants": {"a1": ["p2"]}, "posts": {"p1": {"capacity": 1, "priority": ["a1"]}}}"#,
            // Couples are for the exact reader.
            r#"{"applicants": {}, "posts": {}, "couples": []}"#,
        ] {
            assert!(read_fast(bad.as_bytes(), &mut |_| {}).is_none(), "{bad}");
        }
    }
}
