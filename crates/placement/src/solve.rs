//! The solver: applicant-proposing deferred acceptance, with couples in the Roth–Peranson manner.
//!
//! Singles propose down their lists; each post keeps its best applicants so far in a max-heap keyed
//! by rank (the worst held is at the top, so "would you take me?" is one comparison). Couples then
//! propose pairs one at a time; a couple member bumped from a post withdraws the whole couple, and
//! the seats that frees are repaired by letting every applicant or couple that now blocks re-apply,
//! for a bounded number of rounds. Without couples the result is the unique applicant-optimal stable
//! matching, whatever the order of the input. This module must never decide on validity: the
//! separate checker ([`crate::check`]) does.

use crate::check::{check, BlockingPair};
use crate::instance::{Instance, PostId, NONE, NO_RANK};
use crate::prefetch::prefetch;
use crate::ApplicantId;
use std::collections::VecDeque;

/// Who is placed where: for each applicant, a post or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matching {
    post_of: Vec<u32>,
}

impl Matching {
    /// Nobody placed, for `applicants` applicants.
    pub fn unassigned(applicants: usize) -> Self {
        Matching {
            post_of: vec![NONE; applicants],
        }
    }

    /// The post of an applicant, if placed.
    pub fn post(&self, a: ApplicantId) -> Option<PostId> {
        let p = self.post_of.get(a.index()).copied().unwrap_or(NONE);
        (p != NONE).then_some(PostId(p))
    }

    /// Places (or, with `None`, unplaces) an applicant; ids out of range are ignored.
    pub fn set(&mut self, a: ApplicantId, post: Option<PostId>) {
        if let Some(slot) = self.post_of.get_mut(a.index()) {
            *slot = post.map_or(NONE, |p| p.0);
        }
    }

    /// How many applicants the matching covers.
    pub fn len(&self) -> usize {
        self.post_of.len()
    }

    /// Whether it covers no applicant.
    pub fn is_empty(&self) -> bool {
        self.post_of.is_empty()
    }
}

/// Figures from a solver run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SolveStats {
    /// Proposals made (an applicant asking a post, or a couple asking a pair).
    pub proposals: u64,
    /// Repair rounds run for couples (0 without couples).
    pub couple_rounds: u32,
}

/// The solver's answer: the matching and how it was reached. Whether it is stable is for
/// [`crate::check`] to say.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Who is placed where.
    pub matching: Matching,
    /// Figures from the run.
    pub stats: SolveStats,
}

/// How many repair rounds to try with couples before reporting the blocking pairs that remain:
/// a stable matching may not exist with couples, so the search must stop somewhere.
const MAX_COUPLE_ROUNDS: u32 = 64;

/// Places applicants into posts by applicant-proposing deferred acceptance.
///
/// Without couples the result is stable and applicant-optimal (every applicant gets the best post
/// they can have in any stable matching), hence unique and independent of input order. With couples
/// it follows Roth and Peranson (1999): singles first, then couples one by one, then repair rounds;
/// the result is deterministic for a given input, and [`crate::check`] tells whether it is stable.
///
/// Time O(L) for singles, where L is the total length of all lists (each entry is proposed at most
/// once, and a heap operation costs O(log capacity)); memory O(L + applicants + posts).
pub fn solve(instance: &Instance) -> Solution {
    let mut s = Solver::new(instance);
    s.queue = (0..instance.applicant_count() as u32)
        .filter(|&a| instance.member_of.get(a as usize).copied().unwrap_or(NONE) == NONE)
        .collect();
    s.run_queue();
    if instance.couple_count() > 0 {
        s.couples.extend(0..instance.couple_count() as u32);
        s.drain();
        let mut rounds = 0;
        while rounds < MAX_COUPLE_ROUNDS {
            let verdict = check(instance, &s.matching());
            if verdict.blocking_pairs.is_empty() {
                break;
            }
            rounds += 1;
            s.repair(&verdict.blocking_pairs);
            s.drain();
        }
        s.stats.couple_rounds = rounds;
    }
    Solution {
        matching: s.matching(),
        stats: s.stats,
    }
}

enum Offer {
    Rejected,
    Accepted,
    Displaced(u32),
}

/// A post's heap: `heap[start..start + len]`, at most `cap` long.
#[derive(Clone, Copy, Default)]
struct PostState {
    start: u32,
    len: u32,
    /// Effective capacity: never more than the number of applicants the post ranks.
    cap: u32,
}

/// A single applicant's list (`list_entry[start..start + len]`) and the next entry to propose.
#[derive(Clone, Copy, Default)]
struct Cursor {
    start: u32,
    len: u32,
    next: u32,
}

/// How far ahead of the queue head the prefetches run (in proposals). Memory here is slow (several
/// hundred nanoseconds for a dependent miss on a virtual machine), so the solver works on a FIFO
/// queue of free applicants and loads the data of the proposals a few places ahead.
const AHEAD: usize = 16;

struct Solver<'i> {
    inst: &'i Instance,
    posts: Vec<PostState>,
    /// Per post, a max-heap of `rank << 32 | applicant` (the worst held on top).
    heap: Vec<u64>,
    cursor: Vec<Cursor>,
    has_couples: bool,
    couple_next: Vec<u32>,
    couple_pair: Vec<u32>,
    /// Free single applicants, each to make one proposal; `queue[head..]` is pending.
    queue: Vec<u32>,
    head: usize,
    couples: VecDeque<u32>,
    stats: SolveStats,
}

fn key(rank: u32, a: u32) -> u64 {
    (u64::from(rank) << 32) | u64::from(a)
}

fn rank_of(k: u64) -> u32 {
    (k >> 32) as u32
}

fn who(k: u64) -> u32 {
    k as u32
}

fn sift_up(h: &mut [u64], mut i: usize) {
    while i > 0 {
        let parent = (i - 1) / 2;
        match (h.get(i).copied(), h.get(parent).copied()) {
            (Some(x), Some(y)) if x > y => {
                h.swap(i, parent);
                i = parent;
            }
            _ => return,
        }
    }
}

fn sift_down(h: &mut [u64], mut i: usize) {
    loop {
        let (l, r) = (2 * i + 1, 2 * i + 2);
        let mut big = i;
        if let (Some(x), Some(y)) = (h.get(l), h.get(big)) {
            if x > y {
                big = l;
            }
        }
        if let (Some(x), Some(y)) = (h.get(r), h.get(big)) {
            if x > y {
                big = r;
            }
        }
        if big == i {
            return;
        }
        h.swap(i, big);
        i = big;
    }
}

impl<'i> Solver<'i> {
    fn new(inst: &'i Instance) -> Self {
        let mut posts = Vec::with_capacity(inst.post_count());
        let mut total: u64 = 0;
        for (p, &c) in inst.capacity.iter().enumerate() {
            let ranked = inst.prio_span.get(p).map_or(0, |s| s.1);
            let cap = c.min(ranked);
            posts.push(PostState {
                start: total as u32,
                len: 0,
                cap,
            });
            total += u64::from(cap);
        }
        let cursor = inst
            .list_span
            .iter()
            .map(|&(start, len)| Cursor { start, len, next: 0 })
            .collect();
        Solver {
            inst,
            heap: vec![0; total as usize],
            posts,
            cursor,
            has_couples: inst.couple_count() > 0,
            couple_next: vec![0; inst.couple_count()],
            couple_pair: vec![NONE; inst.couple_count()],
            queue: Vec::new(),
            head: 0,
            couples: VecDeque::new(),
            stats: SolveStats::default(),
        }
    }

    fn heap_mut(&mut self, p: u32) -> &mut [u64] {
        let st = self.posts.get(p as usize).copied().unwrap_or_default();
        let (s, l) = (st.start as usize, st.len as usize);
        self.heap.get_mut(s..s + l).unwrap_or(&mut [])
    }

    /// Whether `p` would take an applicant ranked `rank` (a free place, or a worse one held).
    fn accepts(&mut self, p: u32, rank: u32) -> bool {
        let st = self.posts.get(p as usize).copied().unwrap_or_default();
        if st.len < st.cap {
            return true;
        }
        self.heap_mut(p).first().is_some_and(|&top| rank_of(top) > rank)
    }

    /// Offers `a` (ranked `rank`) to `p`; the post keeps the best `cap` it has been offered.
    fn offer(&mut self, p: u32, rank: u32, a: u32) -> Offer {
        let k = key(rank, a);
        let Some(st) = self.posts.get_mut(p as usize) else {
            return Offer::Rejected;
        };
        if st.len < st.cap {
            st.len += 1;
            let h = self.heap_mut(p);
            let last = h.len().saturating_sub(1);
            if let Some(slot) = h.get_mut(last) {
                *slot = k;
            }
            sift_up(h, last);
            return Offer::Accepted;
        }
        let h = self.heap_mut(p);
        match h.first().copied() {
            Some(top) if top > k => {
                if let Some(slot) = h.first_mut() {
                    *slot = k;
                }
                sift_down(h, 0);
                Offer::Displaced(who(top))
            }
            _ => Offer::Rejected,
        }
    }

    /// Takes `a` out of post `p`, if it is there.
    fn withdraw(&mut self, p: u32, a: u32) {
        let h = self.heap_mut(p);
        let Some(at) = h.iter().position(|&k| who(k) == a) else {
            return;
        };
        let last = h.len() - 1;
        h.swap(at, last);
        if let Some(st) = self.posts.get_mut(p as usize) {
            st.len -= 1;
        }
        let h = self.heap_mut(p);
        if at < h.len() {
            sift_down(h, at);
            sift_up(h, at);
        }
    }

    /// Where a single applicant is held, if anywhere: always at the last post they proposed to.
    fn held_post(&mut self, a: u32) -> Option<u32> {
        let c = self.cursor.get(a as usize).copied()?;
        let e = *self
            .inst
            .list_entry
            .get((c.start + c.next.checked_sub(1)?) as usize)?;
        let p = e as u32;
        self.heap_mut(p).iter().any(|&k| who(k) == a).then_some(p)
    }

    /// Someone was bumped: a single goes back in the queue; a couple member's couple withdraws
    /// and waits its turn in the couples queue.
    fn bumped(&mut self, a: u32) {
        if self.has_couples {
            let m = self.inst.member_of.get(a as usize).copied().unwrap_or(NONE);
            if m != NONE {
                self.withdraw_couple(m / 2);
                return;
            }
        }
        self.queue.push(a);
    }

    fn withdraw_couple(&mut self, c: u32) {
        let couple = crate::CoupleId(c);
        let j = self.couple_pair.get(c as usize).copied().unwrap_or(NONE);
        if j == NONE {
            return;
        }
        let members = self.inst.members(couple);
        let pair = self.inst.pairs(couple).get(j as usize).copied();
        if let Some(pair) = pair {
            for (m, p) in members.iter().zip(pair) {
                self.withdraw(p.0, m.0);
            }
        }
        if let Some(slot) = self.couple_pair.get_mut(c as usize) {
            *slot = NONE;
        }
        self.couples.push_back(c);
    }

    /// Runs the queue of free singles until it is empty: each makes its next proposal; whoever is
    /// rejected or bumped goes to the back of the queue.
    fn run_queue(&mut self) {
        let inst = self.inst;
        let entries = &inst.list_entry;
        while let Some(&a) = self.queue.get(self.head) {
            // Prefetch, in stages, what the proposals a little ahead will need.
            if let Some(&b) = self.queue.get(self.head + AHEAD) {
                prefetch(self.cursor.as_ptr().wrapping_add(b as usize));
            }
            if let Some(&b) = self.queue.get(self.head + AHEAD / 2) {
                if let Some(c) = self.cursor.get(b as usize) {
                    prefetch(entries.as_ptr().wrapping_add((c.start + c.next) as usize));
                }
            }
            if let Some(&b) = self.queue.get(self.head + AHEAD / 4) {
                if let Some(c) = self.cursor.get(b as usize) {
                    if let Some(&e) = entries.get((c.start + c.next) as usize) {
                        let p = e as u32 as usize;
                        prefetch(self.posts.as_ptr().wrapping_add(p));
                        if let Some(st) = self.posts.get(p) {
                            prefetch(self.heap.as_ptr().wrapping_add(st.start as usize));
                        }
                    }
                }
            }
            self.head += 1;
            let Some(c) = self.cursor.get_mut(a as usize) else {
                continue;
            };
            if c.next >= c.len {
                continue; // list exhausted: unmatched
            }
            let e = entries
                .get((c.start + c.next) as usize)
                .copied()
                .unwrap_or(u64::MAX);
            c.next += 1;
            self.stats.proposals += 1;
            let (p, r) = (e as u32, (e >> 32) as u32);
            if r == NO_RANK {
                self.queue.push(a);
                continue;
            }
            match self.offer(p, r, a) {
                Offer::Rejected => self.queue.push(a),
                Offer::Accepted => {}
                Offer::Displaced(b) => self.bumped(b),
            }
            // Keep the queue's memory bounded by the number of free applicants.
            if self.head >= 1 << 20 && self.head * 2 >= self.queue.len() {
                self.queue.drain(..self.head);
                self.head = 0;
            }
        }
        self.queue.clear();
        self.head = 0;
    }

    /// A couple proposes down its list of pairs until both members are held or the list ends.
    fn run_couple(&mut self, c: u32) {
        let inst = self.inst;
        let couple = crate::CoupleId(c);
        let [m0, m1] = inst.members(couple);
        let pairs = inst.pairs(couple);
        let ranks = inst.pair_ranks(couple);
        loop {
            let Some(next) = self.couple_next.get_mut(c as usize) else {
                return;
            };
            let j = *next as usize;
            let (Some(&[p, q]), Some(&[r0, r1])) = (pairs.get(j), ranks.get(j)) else {
                return;
            };
            *next += 1;
            self.stats.proposals += 1;
            if r0 == NO_RANK || r1 == NO_RANK {
                continue;
            }
            let fits = if p == q {
                self.accepts_two(p.0, r0, r1)
            } else {
                self.accepts(p.0, r0) && self.accepts(q.0, r1)
            };
            if !fits {
                continue;
            }
            if let Some(slot) = self.couple_pair.get_mut(c as usize) {
                *slot = j as u32;
            }
            // The better-ranked member first, so that at a shared post the second offer cannot bump
            // the first.
            let mut offers = [(p.0, r0, m0.0), (q.0, r1, m1.0)];
            if p == q && r1 < r0 {
                offers.swap(0, 1);
            }
            let mut bumped = Vec::new();
            for (post, rank, a) in offers {
                if let Offer::Displaced(b) = self.offer(post, rank, a) {
                    bumped.push(b);
                }
            }
            for b in bumped {
                self.bumped(b);
            }
            self.run_queue();
            return;
        }
    }

    /// Whether post `p` would hold both members of a couple (ranked `r0` and `r1`) at once.
    fn accepts_two(&mut self, p: u32, r0: u32, r1: u32) -> bool {
        let cap = self.posts.get(p as usize).map_or(0, |st| st.cap);
        let worse = r0.max(r1);
        let better_held = self.heap_mut(p).iter().filter(|&&k| rank_of(k) < worse).count() as u64;
        better_held + 2 <= u64::from(cap)
    }

    /// Runs the couples queue (and the singles it bumps) until it is empty.
    fn drain(&mut self) {
        while let Some(c) = self.couples.pop_front() {
            if self.couple_pair.get(c as usize).copied().unwrap_or(NONE) == NONE {
                self.run_couple(c);
            }
        }
    }

    /// Lets each applicant or couple in a blocking pair re-apply from the best post (or pair) it
    /// blocks with, giving up what it holds now.
    fn repair(&mut self, blocking: &[BlockingPair]) {
        let inst = self.inst;
        let mut singles: Vec<(u32, u32)> = Vec::new();
        let mut couples: Vec<(u32, u32)> = Vec::new();
        for b in blocking {
            match *b {
                BlockingPair::Single { applicant, post } => {
                    if let Some(i) = inst.choices(applicant).iter().position(|&p| p == post) {
                        singles.push((applicant.0, i as u32));
                    }
                }
                BlockingPair::Couple { couple, posts } => {
                    if let Some(j) = inst.pairs(couple).iter().position(|&pq| pq == posts) {
                        couples.push((couple.0, j as u32));
                    }
                }
            }
        }
        // The best blocking choice of each agent: sort, then keep the first per agent.
        singles.sort_unstable();
        singles.dedup_by_key(|x| x.0);
        couples.sort_unstable();
        couples.dedup_by_key(|x| x.0);
        for (c, j) in couples {
            self.withdraw_couple(c);
            // withdraw_couple queued it if it was placed; queue it if it was not.
            if !self.couples.contains(&c) {
                self.couples.push_back(c);
            }
            if let Some(slot) = self.couple_next.get_mut(c as usize) {
                *slot = j;
            }
        }
        for (a, i) in singles {
            if let Some(p) = self.held_post(a) {
                self.withdraw(p, a);
            }
            if let Some(c) = self.cursor.get_mut(a as usize) {
                c.next = i;
            }
            self.queue.push(a);
        }
        self.run_queue();
    }

    fn matching(&self) -> Matching {
        let mut post_of = vec![NONE; self.inst.applicant_count()];
        for (p, st) in self.posts.iter().enumerate() {
            let (s, l) = (st.start as usize, st.len as usize);
            for &k in self.heap.get(s..s + l).unwrap_or(&[]) {
                if let Some(slot) = post_of.get_mut(who(k) as usize) {
                    *slot = p as u32;
                }
            }
        }
        Matching { post_of }
    }
}
