//! The checker: verifies any matching against an instance, independently of how it was found.
//!
//! It recomputes everything from the instance and the matching alone (capacities, acceptability,
//! couples placed together at a pair they listed, and every blocking pair), so a solver bug cannot
//! hide behind its own bookkeeping. It must never trust the solver, and never stop at the first
//! problem: it returns the whole list.

use crate::instance::{Instance, NONE, NO_RANK};
use crate::solve::Matching;
use crate::{ApplicantId, CoupleId, PostId};

/// Something that makes a matching invalid, whatever the preferences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// An applicant placed at a post they did not list (or, for a couple, a pair they did not list).
    NotListed {
        /// The applicant.
        applicant: ApplicantId,
        /// The post.
        post: PostId,
    },
    /// An applicant placed at a post that does not rank them.
    Unacceptable {
        /// The applicant.
        applicant: ApplicantId,
        /// The post.
        post: PostId,
    },
    /// A post holding more applicants than its capacity.
    OverCapacity {
        /// The post.
        post: PostId,
        /// How many it holds.
        held: u32,
    },
    /// A couple with one member placed and the other not.
    CoupleSplit(CoupleId),
}

/// A pair that would rather be matched to each other than as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BlockingPair {
    /// A single applicant who prefers `post` to their placement, and whom `post` would take (it has
    /// a free place or holds someone it ranks lower).
    Single {
        /// The applicant.
        applicant: ApplicantId,
        /// The post.
        post: PostId,
    },
    /// A couple that prefers the pair `posts` to its placement, and both posts would take their
    /// member (at a post shared by both, it would take both).
    Couple {
        /// The couple.
        couple: CoupleId,
        /// The pair: first member's post, second member's post.
        posts: [PostId; 2],
    },
}

/// The checker's verdict: every violation and every blocking pair found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verdict {
    /// Rules broken (empty for a valid matching).
    pub violations: Vec<Violation>,
    /// Blocking pairs, in applicant then couple order (empty for a stable matching).
    pub blocking_pairs: Vec<BlockingPair>,
}

impl Verdict {
    /// Valid (no violation) and stable (no blocking pair).
    pub fn is_stable(&self) -> bool {
        self.violations.is_empty() && self.blocking_pairs.is_empty()
    }
}

/// Checks a matching: capacities, acceptability, couples together at a listed pair, and every
/// blocking pair of a single applicant or a couple.
///
/// Time O(L + H log H), where L is the total length of all lists and H the number placed.
pub fn check(instance: &Instance, matching: &Matching) -> Verdict {
    let n_posts = instance.post_count();
    let mut verdict = Verdict::default();
    // For each applicant: the rank they hold at their post (NO_RANK if unacceptable or unplaced),
    // and the index of their choice (list entry, or pair for a couple member); NONE if unplaced.
    let mut held_rank = vec![NO_RANK; instance.applicant_count()];
    let mut choice = vec![NONE; instance.applicant_count()];
    let mut count = vec![0u32; n_posts];

    for a in instance.applicants() {
        if instance.couple_of(a).is_some() {
            continue;
        }
        let Some(p) = matching.post(a) else { continue };
        if let Some(c) = count.get_mut(p.index()) {
            *c += 1;
        }
        let Some(i) = instance.choices(a).iter().position(|&q| q == p) else {
            verdict.violations.push(Violation::NotListed {
                applicant: a,
                post: p,
            });
            continue;
        };
        set(&mut choice, a, i as u32);
        match instance.choice_ranks(a).nth(i).flatten() {
            Some(r) => set(&mut held_rank, a, r),
            None => verdict.violations.push(Violation::Unacceptable {
                applicant: a,
                post: p,
            }),
        }
    }
    for c in instance.couples() {
        let members = instance.members(c);
        let posts = members.map(|m| matching.post(m));
        for p in posts.iter().flatten() {
            if let Some(n) = count.get_mut(p.index()) {
                *n += 1;
            }
        }
        let [Some(x), Some(y)] = posts else {
            if posts.iter().any(Option::is_some) {
                verdict.violations.push(Violation::CoupleSplit(c));
            }
            continue;
        };
        let Some(j) = instance.pairs(c).iter().position(|&pq| pq == [x, y]) else {
            for (m, p) in members.iter().zip([x, y]) {
                verdict.violations.push(Violation::NotListed {
                    applicant: *m,
                    post: p,
                });
            }
            continue;
        };
        let ranks = instance.pair_ranks(c).get(j).copied().unwrap_or([NO_RANK; 2]);
        for ((m, p), r) in members.iter().zip([x, y]).zip(ranks) {
            set(&mut choice, *m, j as u32);
            if r == NO_RANK {
                verdict.violations.push(Violation::Unacceptable {
                    applicant: *m,
                    post: p,
                });
            } else {
                set(&mut held_rank, *m, r);
            }
        }
    }
    for p in instance.posts() {
        let held = count.get(p.index()).copied().unwrap_or(0);
        if held > instance.capacity(p) {
            verdict.violations.push(Violation::OverCapacity { post: p, held });
        }
    }

    // Each post's held ranks, sorted (an unacceptable holder counts as ranked last), so that "how
    // many held rank above r" is a binary search.
    let mut start = Vec::with_capacity(n_posts + 1);
    let mut total = 0usize;
    for &c in &count {
        start.push(total);
        total += c as usize;
    }
    start.push(total);
    let mut ranks = vec![0u32; total];
    let mut fill = start.clone();
    for a in instance.applicants() {
        if let Some(p) = matching.post(a) {
            if let Some(f) = fill.get_mut(p.index()) {
                if let Some(slot) = ranks.get_mut(*f) {
                    *slot = held_rank.get(a.index()).copied().unwrap_or(NO_RANK);
                }
                *f += 1;
            }
        }
    }
    for p in instance.posts() {
        let (s, e) = (
            start.get(p.index()).copied().unwrap_or(0),
            start.get(p.index() + 1).copied().unwrap_or(0),
        );
        if let Some(slice) = ranks.get_mut(s..e) {
            slice.sort_unstable();
        }
    }
    let sorted = ranks;
    let better = |p: PostId, r: u32| -> u32 {
        let (s, e) = (
            start.get(p.index()).copied().unwrap_or(0),
            start.get(p.index() + 1).copied().unwrap_or(0),
        );
        sorted
            .get(s..e)
            .map_or(0, |h| h.partition_point(|&x| x < r) as u32)
    };

    // Singles: a post they prefer that would take them.
    for a in instance.applicants() {
        if instance.couple_of(a).is_some() {
            continue;
        }
        let upto = choice.get(a.index()).copied().unwrap_or(NONE);
        for (i, (&p, r)) in instance
            .choices(a)
            .iter()
            .zip(instance.choice_ranks(a))
            .enumerate()
        {
            if upto != NONE && i as u32 >= upto {
                break;
            }
            let Some(r) = r else { continue };
            if better(p, r) < instance.capacity(p) {
                verdict.blocking_pairs.push(BlockingPair::Single {
                    applicant: a,
                    post: p,
                });
            }
        }
    }
    // Couples: a pair they prefer where each post would take its member, counting neither
    // member's current seat against them.
    for c in instance.couples() {
        let members = instance.members(c);
        let upto = choice.get(members[0].index()).copied().unwrap_or(NONE);
        let own = members.map(|m| {
            (
                matching.post(m),
                held_rank.get(m.index()).copied().unwrap_or(NO_RANK),
            )
        });
        let better_others = |p: PostId, r: u32| -> u32 {
            let mut n = better(p, r);
            for &(q, hr) in &own {
                if q == Some(p) && hr < r {
                    n = n.saturating_sub(1);
                }
            }
            n
        };
        for (j, (&[x, y], &[r0, r1])) in instance.pairs(c).iter().zip(instance.pair_ranks(c)).enumerate() {
            if upto != NONE && j as u32 >= upto {
                break;
            }
            if r0 == NO_RANK || r1 == NO_RANK {
                continue;
            }
            let takes = if x == y {
                u64::from(better_others(x, r0.max(r1))) + 2 <= u64::from(instance.capacity(x))
            } else {
                better_others(x, r0) < instance.capacity(x) && better_others(y, r1) < instance.capacity(y)
            };
            if takes {
                verdict.blocking_pairs.push(BlockingPair::Couple {
                    couple: c,
                    posts: [x, y],
                });
            }
        }
    }
    verdict
}

fn set(v: &mut [u32], a: ApplicantId, value: u32) {
    if let Some(slot) = v.get_mut(a.index()) {
        *slot = value;
    }
}
