//! The validated input of a placement: [`Instance`], built by [`InstanceBuilder`] (or read by
//! [`crate::read_json`]), and the errors that refuse a malformed one.
//!
//! Everything downstream (solver, checker, explanations) trusts an `Instance`: every name is resolved
//! to a dense id, no list has duplicates, every capacity is positive and every couple member has no
//! list of their own. This module must never accept an input that breaks one of those rules.

use crate::intern::{hash, Interner};
use std::borrow::Cow;
use std::fmt;

/// Marks an entry of an applicant's list whose post does not rank the applicant (unacceptable).
pub(crate) const NO_RANK: u32 = u32::MAX;
/// "No such id" in dense `u32` tables.
pub(crate) const NONE: u32 = u32::MAX;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub(crate) u32);

        impl $name {
            /// The id as an index, `0..count`.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// An applicant (a candidate), numbered in order of first appearance in the input.
    ApplicantId
);
id_type!(
    /// A post, numbered in order of first appearance in the input.
    PostId
);
id_type!(
    /// A couple, numbered in input order.
    CoupleId
);

/// Where in the input a problem is: 1-based line and column (columns count characters in JSON and
/// fields in CSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// What is wrong with an input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The text is not JSON, or not JSON of the expected shape; says what was expected.
    InvalidJson(String),
    /// A list names a post that is not defined under `"posts"`.
    UnknownPost {
        /// The post named.
        post: String,
        /// Who named it, e.g. `applicant "a1"`.
        named_by: String,
    },
    /// A post's priority list names someone who is neither an applicant nor a couple member.
    UnknownApplicant {
        /// The applicant named.
        applicant: String,
        /// The post whose priority list names them.
        post: String,
    },
    /// The same applicant is defined twice.
    DuplicateApplicant(String),
    /// The same post is defined twice.
    DuplicatePost(String),
    /// An applicant lists the same post twice.
    DuplicateChoice {
        /// The applicant.
        applicant: String,
        /// The post listed twice.
        post: String,
    },
    /// A post's priority list names the same applicant twice.
    DuplicatePriority {
        /// The post.
        post: String,
        /// The applicant named twice.
        applicant: String,
    },
    /// A couple lists the same pair of posts twice.
    DuplicatePair {
        /// The couple's members.
        couple: [String; 2],
        /// The pair listed twice.
        pair: [String; 2],
    },
    /// A capacity that is not a positive integer (up to 4,294,967,295); `found` is the text given.
    BadCapacity {
        /// The post.
        post: String,
        /// What the input gave instead.
        found: String,
    },
    /// A post without a capacity.
    MissingCapacity(String),
    /// A couple member who also has an individual list.
    CoupleMemberHasList(String),
    /// An applicant who is a member of two couples.
    MemberOfTwoCouples(String),
    /// A couple whose two members are the same applicant.
    CoupleWithOneMember(String),
    /// The input is larger than the engine's 32-bit ids allow.
    TooLarge,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::InvalidJson(what) => write!(f, "invalid JSON: {what}"),
            Problem::UnknownPost { post, named_by } => {
                write!(
                    f,
                    "unknown post {post:?} in the list of {named_by} (no such key under \"posts\")"
                )
            }
            Problem::UnknownApplicant { applicant, post } => write!(
                f,
                "post {post:?} ranks {applicant:?}, who is neither an applicant nor a couple member"
            ),
            Problem::DuplicateApplicant(a) => write!(f, "applicant {a:?} is defined twice"),
            Problem::DuplicatePost(p) => write!(f, "post {p:?} is defined twice"),
            Problem::DuplicateChoice { applicant, post } => {
                write!(f, "applicant {applicant:?} lists post {post:?} twice")
            }
            Problem::DuplicatePriority { post, applicant } => {
                write!(f, "post {post:?} ranks applicant {applicant:?} twice")
            }
            Problem::DuplicatePair { couple, pair } => write!(
                f,
                "couple {:?} & {:?} lists the pair ({:?}, {:?}) twice",
                couple[0], couple[1], pair[0], pair[1]
            ),
            Problem::BadCapacity { post, found } => write!(
                f,
                "capacity of post {post:?} must be a positive integer, found {found}"
            ),
            Problem::MissingCapacity(p) => write!(f, "post {p:?} has no \"capacity\""),
            Problem::CoupleMemberHasList(a) => write!(
                f,
                "applicant {a:?} is a couple member and also has an individual list"
            ),
            Problem::MemberOfTwoCouples(a) => write!(f, "applicant {a:?} is in two couples"),
            Problem::CoupleWithOneMember(a) => {
                write!(f, "a couple names applicant {a:?} as both members")
            }
            Problem::TooLarge => write!(f, "the input has more than 4 billion entries"),
        }
    }
}

/// An input refused: what is wrong and, when known, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceError {
    /// What is wrong.
    pub problem: Problem,
    /// Where, when the input came with positions (JSON, or a builder given [`InstanceBuilder::at`]).
    pub position: Option<Position>,
}

impl fmt::Display for InstanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(pos) => write!(f, "{pos}: {}", self.problem),
            None => write!(f, "{}", self.problem),
        }
    }
}

impl std::error::Error for InstanceError {}

/// Names in one allocation, by dense id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    text: String,
    ends: Vec<usize>,
}

impl Names {
    fn from_cows(names: Vec<Cow<'_, str>>) -> Self {
        let total = names.iter().map(|n| n.len()).sum();
        let mut text = String::with_capacity(total);
        let mut ends = Vec::with_capacity(names.len());
        for n in names {
            text.push_str(&n);
            ends.push(text.len());
        }
        Names { text, ends }
    }

    pub(crate) fn get(&self, id: u32) -> &str {
        let i = id as usize;
        let end = self.ends.get(i).copied().unwrap_or(0);
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0)
        };
        self.text.get(start..end).unwrap_or("")
    }

    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// The rank in a list entry, `None` if the post does not rank the applicant.
pub(crate) fn entry_rank(e: u64) -> Option<u32> {
    let r = (e >> 32) as u32;
    (r != NO_RANK).then_some(r)
}

/// A `(start, len)` slice of a flat arena.
pub(crate) type Span = (u32, u32);

pub(crate) fn span_of<T>(arena: &[T], span: Span) -> &[T] {
    let (s, l) = (span.0 as usize, span.1 as usize);
    arena.get(s..s + l).unwrap_or(&[])
}

/// A validated placement instance: applicants with ordered lists of acceptable posts, posts with a
/// capacity and an ordered priority list, and couples with ordered lists of post pairs.
///
/// Ids are dense (`0..count`) in order of first appearance. Build one with [`InstanceBuilder`] or
/// [`crate::read_json`].
#[derive(Debug, Clone)]
pub struct Instance {
    pub(crate) applicant_names: Names,
    pub(crate) post_names: Names,
    pub(crate) capacity: Vec<u32>,
    /// Per applicant, their list in `list_post` / `list_entry` (empty for couple members).
    pub(crate) list_span: Vec<Span>,
    pub(crate) list_post: Vec<PostId>,
    /// The same entries for the solver: `rank << 32 | post`, where rank is the applicant's rank at
    /// that post (0 = highest priority) or [`NO_RANK`]. Post and rank share a word so that one
    /// memory access serves a proposal.
    pub(crate) list_entry: Vec<u64>,
    pub(crate) prio_span: Vec<Span>,
    pub(crate) prio: Vec<ApplicantId>,
    /// Per applicant: `couple * 2 + side`, or [`NONE`] for a single applicant.
    pub(crate) member_of: Vec<u32>,
    pub(crate) couple_members: Vec<[ApplicantId; 2]>,
    pub(crate) pair_span: Vec<Span>,
    pub(crate) pairs: Vec<[PostId; 2]>,
    /// Rank of each member at their side's post, or [`NO_RANK`].
    pub(crate) pair_rank: Vec<[u32; 2]>,
}

impl Instance {
    /// How many applicants (single or in a couple).
    pub fn applicant_count(&self) -> usize {
        self.applicant_names.len()
    }

    /// How many posts.
    pub fn post_count(&self) -> usize {
        self.post_names.len()
    }

    /// How many couples.
    pub fn couple_count(&self) -> usize {
        self.couple_members.len()
    }

    /// All applicants, in id order.
    pub fn applicants(&self) -> impl ExactSizeIterator<Item = ApplicantId> + '_ {
        (0..self.applicant_count() as u32).map(ApplicantId)
    }

    /// All posts, in id order.
    pub fn posts(&self) -> impl ExactSizeIterator<Item = PostId> + '_ {
        (0..self.post_count() as u32).map(PostId)
    }

    /// All couples, in input order.
    pub fn couples(&self) -> impl ExactSizeIterator<Item = CoupleId> + '_ {
        (0..self.couple_count() as u32).map(CoupleId)
    }

    /// An applicant's name.
    pub fn applicant_name(&self, a: ApplicantId) -> &str {
        self.applicant_names.get(a.0)
    }

    /// A post's name.
    pub fn post_name(&self, p: PostId) -> &str {
        self.post_names.get(p.0)
    }

    /// A post's capacity.
    pub fn capacity(&self, p: PostId) -> u32 {
        self.capacity.get(p.index()).copied().unwrap_or(0)
    }

    /// A single applicant's list, most wanted first (empty for couple members).
    pub fn choices(&self, a: ApplicantId) -> &[PostId] {
        span_of(
            &self.list_post,
            self.list_span.get(a.index()).copied().unwrap_or((0, 0)),
        )
    }

    /// The rank of a single applicant at each post of their list (0 = the post's first), `None`
    /// where the post does not rank them (they are unacceptable to it).
    pub fn choice_ranks(&self, a: ApplicantId) -> impl Iterator<Item = Option<u32>> + '_ {
        span_of(
            &self.list_entry,
            self.list_span.get(a.index()).copied().unwrap_or((0, 0)),
        )
        .iter()
        .map(|&e| entry_rank(e))
    }

    /// A post's priority list, highest priority first.
    pub fn priority(&self, p: PostId) -> &[ApplicantId] {
        span_of(
            &self.prio,
            self.prio_span.get(p.index()).copied().unwrap_or((0, 0)),
        )
    }

    /// The couple an applicant belongs to and which member they are (0 or 1).
    pub fn couple_of(&self, a: ApplicantId) -> Option<(CoupleId, usize)> {
        let m = self.member_of.get(a.index()).copied().unwrap_or(NONE);
        (m != NONE).then_some((CoupleId(m / 2), (m % 2) as usize))
    }

    /// A couple's two members.
    pub fn members(&self, c: CoupleId) -> [ApplicantId; 2] {
        self.couple_members
            .get(c.index())
            .copied()
            .unwrap_or([ApplicantId(0); 2])
    }

    /// A couple's list of post pairs (first member's post, second member's post), most wanted first.
    pub fn pairs(&self, c: CoupleId) -> &[[PostId; 2]] {
        span_of(
            &self.pairs,
            self.pair_span.get(c.index()).copied().unwrap_or((0, 0)),
        )
    }

    pub(crate) fn pair_ranks(&self, c: CoupleId) -> &[[u32; 2]] {
        span_of(
            &self.pair_rank,
            self.pair_span.get(c.index()).copied().unwrap_or((0, 0)),
        )
    }

    /// The position of `p` in a post's priority list, found by search (for tests and small tools;
    /// the solver uses ranks computed once when the instance is built).
    pub fn rank_by_search(&self, p: PostId, a: ApplicantId) -> Option<u32> {
        self.priority(p).iter().position(|&x| x == a).map(|r| r as u32)
    }
}

/// Who named a post that may not exist (for the error message).
#[derive(Clone, Copy)]
enum Referrer {
    Applicant(u32),
    Couple(u32),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Referenced,
    Single,
    Member,
}

/// The error of the generic assembler, with the caller's own kind of mark.
pub(crate) struct BuildError<M> {
    pub(crate) problem: Problem,
    pub(crate) at: Option<M>,
}

fn err<M, T>(problem: Problem, at: M) -> Result<T, BuildError<M>> {
    Err(BuildError {
        problem,
        at: Some(at),
    })
}

fn id32(n: usize) -> Result<u32, Problem> {
    u32::try_from(n)
        .ok()
        .filter(|&n| n != u32::MAX)
        .ok_or(Problem::TooLarge)
}

/// Builds an [`Instance`] from names, checking every rule; generic over the caller's way of marking
/// positions (a byte offset for JSON, a [`Position`] for the public builder).
pub(crate) struct Assembler<'a, M: Copy> {
    apps: Interner<'a>,
    app_kind: Vec<Kind>,
    /// For an applicant only referenced so far: where first, and by which post.
    app_first_ref: Vec<Option<(M, u32)>>,
    posts: Interner<'a>,
    post_first_ref: Vec<Option<(M, Referrer)>>,
    /// 0 until a capacity is given (a capacity is always positive).
    capacity: Vec<u32>,
    post_defined: Vec<bool>,
    list_span: Vec<Span>,
    list_post: Vec<PostId>,
    prio_span: Vec<Span>,
    prio: Vec<ApplicantId>,
    member_of: Vec<u32>,
    couple_members: Vec<[ApplicantId; 2]>,
    pair_span: Vec<Span>,
    pairs: Vec<[PostId; 2]>,
    /// Stamps duplicate detection: one value per list being read.
    stamp: u32,
}

impl<'a, M: Copy> Assembler<'a, M> {
    /// An empty assembler sized for about `applicants` applicants with `posts` posts.
    pub(crate) fn with_capacity(applicants: usize, posts: usize) -> Self {
        Assembler {
            apps: Interner::with_capacity(applicants),
            app_kind: Vec::with_capacity(applicants),
            app_first_ref: Vec::with_capacity(applicants),
            posts: Interner::with_capacity(posts),
            post_first_ref: Vec::with_capacity(posts),
            capacity: Vec::with_capacity(posts),
            post_defined: Vec::with_capacity(posts),
            list_span: Vec::with_capacity(applicants),
            list_post: Vec::new(),
            prio_span: Vec::with_capacity(posts),
            prio: Vec::new(),
            member_of: Vec::with_capacity(applicants),
            couple_members: Vec::new(),
            pair_span: Vec::new(),
            pairs: Vec::new(),
            stamp: 0,
        }
    }

    fn next_stamp(&mut self) -> u32 {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // Wrapped after 4 billion lists: clear the stamps so an old one cannot match.
            self.apps.clear_stamps();
            self.posts.clear_stamps();
            self.stamp = 1;
        }
        self.stamp
    }

    /// The id of an applicant's name, whether it is new, and whether it was already seen with the
    /// current stamp (pass 0 for no duplicate check).
    fn app_id(&mut self, name: Cow<'a, str>, h: u64, stamp: u32) -> Result<(u32, bool, bool), Problem> {
        let (id, new, dup) = self.apps.intern_hashed(name, h, stamp);
        if new {
            id32(id as usize)?;
            self.app_kind.push(Kind::Referenced);
            self.app_first_ref.push(None);
            self.list_span.push((0, 0));
            self.member_of.push(NONE);
        }
        Ok((id, new, dup))
    }

    /// As [`Self::app_id`], for posts.
    fn post_id(&mut self, name: Cow<'a, str>, h: u64, stamp: u32) -> Result<(u32, bool, bool), Problem> {
        let (id, new, dup) = self.posts.intern_hashed(name, h, stamp);
        if new {
            id32(id as usize)?;
            self.post_first_ref.push(None);
            self.capacity.push(0);
            self.post_defined.push(false);
            self.prio_span.push((0, 0));
        }
        Ok((id, new, dup))
    }

    /// Starts loading the name-table slot of a post's name (a hint for speed only).
    pub(crate) fn prefetch_post(&self, h: u64) {
        self.posts.prefetch(h);
    }

    /// Starts loading the name-table slot of an applicant's name (a hint for speed only).
    pub(crate) fn prefetch_applicant(&self, h: u64) {
        self.apps.prefetch(h);
    }

    /// Defines a single applicant; their choices follow with [`Self::choice`].
    pub(crate) fn applicant(&mut self, name: Cow<'a, str>, h: u64, at: M) -> Result<u32, BuildError<M>> {
        let (id, _, _) = self.app_id(name, h, 0).or_else(|p| err(p, at))?;
        let i = id as usize;
        match self.app_kind.get(i) {
            Some(Kind::Single) => return err(Problem::DuplicateApplicant(self.apps.name(id).to_owned()), at),
            Some(Kind::Member) => {
                return err(Problem::CoupleMemberHasList(self.apps.name(id).to_owned()), at)
            }
            _ => {}
        }
        let start = id32(self.list_post.len()).or_else(|p| err(p, at))?;
        if let Some(k) = self.app_kind.get_mut(i) {
            *k = Kind::Single;
        }
        if let Some(s) = self.list_span.get_mut(i) {
            *s = (start, 0);
        }
        self.next_stamp();
        Ok(id)
    }

    /// Appends a post to the list of `applicant`, who must be the applicant defined last.
    pub(crate) fn choice(
        &mut self,
        applicant: u32,
        post: Cow<'a, str>,
        h: u64,
        at: M,
    ) -> Result<(), BuildError<M>> {
        let (p, new, dup) = self.post_id(post, h, self.stamp).or_else(|e| err(e, at))?;
        if dup {
            return err(
                Problem::DuplicateChoice {
                    applicant: self.apps.name(applicant).to_owned(),
                    post: self.posts.name(p).to_owned(),
                },
                at,
            );
        }
        if new {
            if let Some(r) = self.post_first_ref.last_mut() {
                *r = Some((at, Referrer::Applicant(applicant)));
            }
        }
        self.list_post.push(PostId(p));
        if let Some(s) = self.list_span.get_mut(applicant as usize) {
            s.1 += 1;
        }
        Ok(())
    }

    /// Defines a post; its priority list follows with [`Self::ranks`] and its capacity with
    /// [`Self::capacity`], in either order.
    pub(crate) fn post(&mut self, name: Cow<'a, str>, h: u64, at: M) -> Result<u32, BuildError<M>> {
        let (id, _, _) = self.post_id(name, h, 0).or_else(|p| err(p, at))?;
        let i = id as usize;
        if self.post_defined.get(i).copied().unwrap_or(false) {
            return err(Problem::DuplicatePost(self.posts.name(id).to_owned()), at);
        }
        if let Some(d) = self.post_defined.get_mut(i) {
            *d = true;
        }
        let start = id32(self.prio.len()).or_else(|p| err(p, at))?;
        if let Some(s) = self.prio_span.get_mut(i) {
            *s = (start, 0);
        }
        self.next_stamp();
        Ok(id)
    }

    /// Sets a post's capacity (a positive number, checked here).
    pub(crate) fn capacity(&mut self, post: u32, capacity: u64, at: M) -> Result<(), BuildError<M>> {
        let bad = |s: &Self| Problem::BadCapacity {
            post: s.posts.name(post).to_owned(),
            found: capacity.to_string(),
        };
        let cap = u32::try_from(capacity).ok().filter(|&c| c > 0);
        match (cap, self.capacity.get_mut(post as usize)) {
            (Some(c), Some(slot)) => {
                *slot = c;
                Ok(())
            }
            _ => err(bad(self), at),
        }
    }

    /// The post's name (for error messages of callers).
    pub(crate) fn post_name(&self, post: u32) -> &str {
        self.posts.name(post)
    }

    /// Appends an applicant to the priority list of `post`, which must be the post defined last.
    pub(crate) fn rank(
        &mut self,
        post: u32,
        applicant: Cow<'a, str>,
        h: u64,
        at: M,
    ) -> Result<(), BuildError<M>> {
        let (a, new, dup) = self.app_id(applicant, h, self.stamp).or_else(|e| err(e, at))?;
        if dup {
            return err(
                Problem::DuplicatePriority {
                    post: self.posts.name(post).to_owned(),
                    applicant: self.apps.name(a).to_owned(),
                },
                at,
            );
        }
        if new {
            if let Some(r) = self.app_first_ref.last_mut() {
                *r = Some((at, post));
            }
        }
        self.prio.push(ApplicantId(a));
        if let Some(s) = self.prio_span.get_mut(post as usize) {
            s.1 += 1;
        }
        Ok(())
    }

    /// Checks that a post got a capacity.
    pub(crate) fn end_post(&mut self, post: u32, at: M) -> Result<(), BuildError<M>> {
        if self.capacity.get(post as usize).copied().unwrap_or(0) == 0 {
            return err(Problem::MissingCapacity(self.posts.name(post).to_owned()), at);
        }
        Ok(())
    }

    fn member(&mut self, name: Cow<'a, str>, couple: u32, side: u32, at: M) -> Result<u32, BuildError<M>> {
        let h = hash(name.as_bytes());
        let (a, _, _) = self.app_id(name, h, 0).or_else(|e| err(e, at))?;
        let i = a as usize;
        match self.app_kind.get(i) {
            Some(Kind::Single) => return err(Problem::CoupleMemberHasList(self.apps.name(a).to_owned()), at),
            Some(Kind::Member) => {
                let problem = if self.member_of.get(i).map(|m| m / 2) == Some(couple) {
                    Problem::CoupleWithOneMember(self.apps.name(a).to_owned())
                } else {
                    Problem::MemberOfTwoCouples(self.apps.name(a).to_owned())
                };
                return err(problem, at);
            }
            _ => {}
        }
        if let Some(k) = self.app_kind.get_mut(i) {
            *k = Kind::Member;
        }
        if let Some(m) = self.member_of.get_mut(i) {
            *m = couple * 2 + side;
        }
        Ok(a)
    }

    /// Defines a couple; its pairs follow with [`Self::pair`].
    pub(crate) fn couple(&mut self, members: [(Cow<'a, str>, M); 2]) -> Result<u32, BuildError<M>> {
        let [(n0, at0), (n1, at1)] = members;
        let c = id32(self.couple_members.len()).or_else(|p| err(p, at0))?;
        // `member_of` stores `couple * 2 + side` in a u32.
        if c >= u32::MAX / 2 {
            return err(Problem::TooLarge, at0);
        }
        let a0 = self.member(n0, c, 0, at0)?;
        let a1 = self.member(n1, c, 1, at1)?;
        let start = id32(self.pairs.len()).or_else(|p| err(p, at0))?;
        self.couple_members.push([ApplicantId(a0), ApplicantId(a1)]);
        self.pair_span.push((start, 0));
        Ok(c)
    }

    /// Appends a pair of posts to the list of `couple`, which must be the couple defined last.
    pub(crate) fn pair(&mut self, couple: u32, pair: [(Cow<'a, str>, M); 2]) -> Result<(), BuildError<M>> {
        let [(n0, at0), (n1, at1)] = pair;
        let mut ids = [0u32; 2];
        for ((name, at), id) in [(n0, at0), (n1, at1)].into_iter().zip(&mut ids) {
            let h = hash(name.as_bytes());
            let (p, new, _) = self.post_id(name, h, 0).or_else(|e| err(e, at))?;
            if new {
                if let Some(r) = self.post_first_ref.last_mut() {
                    *r = Some((at, Referrer::Couple(couple)));
                }
            }
            *id = p;
        }
        let [p0, p1] = ids;
        let span = self.pair_span.get(couple as usize).copied().unwrap_or((0, 0));
        let pair = [PostId(p0), PostId(p1)];
        if span_of(&self.pairs, span).contains(&pair) {
            let m = self
                .couple_members
                .get(couple as usize)
                .copied()
                .unwrap_or_default_pair();
            return err(
                Problem::DuplicatePair {
                    couple: [
                        self.apps.name(m[0].0).to_owned(),
                        self.apps.name(m[1].0).to_owned(),
                    ],
                    pair: [self.posts.name(p0).to_owned(), self.posts.name(p1).to_owned()],
                },
                at0,
            );
        }
        self.pairs.push(pair);
        if let Some(s) = self.pair_span.get_mut(couple as usize) {
            s.1 += 1;
        }
        Ok(())
    }

    /// Checks that every name refers to something defined and computes the rank tables.
    pub(crate) fn build(self) -> Result<Instance, BuildError<M>> {
        self.check_defined()?;
        let (list_entry, pair_rank) = self.ranks();
        Ok(self.finish(list_entry, pair_rank))
    }

    /// The list entries with no rank yet: `NO_RANK << 32 | post`.
    pub(crate) fn unranked_entries(&self) -> Vec<u64> {
        self.list_post
            .iter()
            .map(|p| (u64::from(NO_RANK) << 32) | u64::from(p.0))
            .collect()
    }

    /// Appends `count` entries to the priority list of `post` (the post defined last) that are
    /// read now and resolved later by [`Self::build_deferred`] (the JSON reader's fast path).
    pub(crate) fn deferred_ranks(&mut self, post: u32, count: u32, at: M) -> Result<(), BuildError<M>> {
        let len = self.prio.len().saturating_add(count as usize);
        id32(len).or_else(|p| err(p, at))?;
        self.prio.resize(len, ApplicantId(0));
        if let Some(s) = self.prio_span.get_mut(post as usize) {
            s.1 += count;
        }
        Ok(())
    }

    /// [`Self::build`] for an instance whose priority lists were filed (by the JSON reader's fast
    /// path) instead of given to [`Self::rank`]. `None` when anything is wrong (the caller then
    /// reads the input with the exact reader, for its error message), or when the instance has
    /// couples, which this path does not handle.
    pub(crate) fn build_deferred(self, fast: crate::json::Deferred) -> Option<Instance> {
        if !self.couple_members.is_empty() || self.check_defined().is_err() {
            return None;
        }
        let (ranks, defs) = (&fast.ranks, &fast.defs);
        let list_entry = fast.list_entry.unwrap_or_else(|| self.unranked_entries());
        let mut this = self;
        let list_entry = crate::deferred::resolve(
            &this.apps,
            &this.list_span,
            defs,
            ranks,
            &mut this.prio,
            list_entry,
        )?;
        Some(this.finish(list_entry, Vec::new()))
    }

    /// Every post named must be defined, and every applicant ranked; reports the first one named.
    fn check_defined(&self) -> Result<(), BuildError<M>> {
        // Every post named must be defined; report the first one named (id order is naming order).
        for (p, defined) in self.post_defined.iter().enumerate() {
            if !defined {
                let p = p as u32;
                let (at, by) = match self.post_first_ref.get(p as usize).copied().flatten() {
                    Some((at, by)) => (Some(at), by),
                    None => (None, Referrer::Applicant(0)),
                };
                let named_by = match by {
                    Referrer::Applicant(a) => format!("applicant {:?}", self.apps.name(a)),
                    Referrer::Couple(c) => {
                        let m = self
                            .couple_members
                            .get(c as usize)
                            .copied()
                            .unwrap_or_default_pair();
                        format!(
                            "the couple {:?} & {:?}",
                            self.apps.name(m[0].0),
                            self.apps.name(m[1].0)
                        )
                    }
                };
                return Err(BuildError {
                    problem: Problem::UnknownPost {
                        post: self.posts.name(p).to_owned(),
                        named_by,
                    },
                    at,
                });
            }
        }
        for (a, kind) in self.app_kind.iter().enumerate() {
            if *kind == Kind::Referenced {
                let a = a as u32;
                let first = self.app_first_ref.get(a as usize).copied().flatten();
                return Err(BuildError {
                    problem: Problem::UnknownApplicant {
                        applicant: self.apps.name(a).to_owned(),
                        post: first
                            .map(|(_, p)| self.posts.name(p).to_owned())
                            .unwrap_or_default(),
                    },
                    at: first.map(|(at, _)| at),
                });
            }
        }

        Ok(())
    }

    /// The rank tables: walks each priority list once and writes the rank into the applicant's
    /// entry for that post (or their couple's pairs), so that the solver never searches.
    fn ranks(&self) -> (Vec<u64>, Vec<[u32; 2]>) {
        let mut list_entry = self.unranked_entries();
        let mut pair_rank = vec![[NO_RANK; 2]; self.pairs.len()];
        // Walk the priority arena in its own order (posts in order of definition), so that the
        // entries a few steps ahead are known and their applicants' lists can be prefetched.
        let mut by_start: Vec<(u32, u32)> = self
            .prio_span
            .iter()
            .enumerate()
            .map(|(p, &(s, _))| (s, p as u32))
            .collect();
        by_start.sort_unstable();
        let flat_ahead = |k: usize| self.prio.get(k).copied();
        for &(start, p) in &by_start {
            let post = PostId(p);
            let span = self.prio_span.get(p as usize).copied().unwrap_or((0, 0));
            for (r, &a) in span_of(&self.prio, span).iter().enumerate() {
                let k = start as usize + r;
                if let Some(b) = flat_ahead(k + 16) {
                    crate::prefetch::prefetch(self.list_span.as_ptr().wrapping_add(b.index()));
                }
                if let Some(b) = flat_ahead(k + 8) {
                    if let Some(&(s, _)) = self.list_span.get(b.index()) {
                        crate::prefetch::prefetch(list_entry.as_ptr().wrapping_add(s as usize));
                    }
                }
                let r = r as u32;
                // Couple members have empty lists: look up membership only then (one memory
                // access less per entry for the common case).
                let (s, l) = self.list_span.get(a.index()).copied().unwrap_or((0, 0));
                let member = if l > 0 {
                    NONE
                } else {
                    self.member_of.get(a.index()).copied().unwrap_or(NONE)
                };
                if member == NONE {
                    let (s, l) = (s as usize, l as usize);
                    if let Some(entries) = list_entry.get_mut(s..s + l) {
                        if let Some(e) = entries.iter_mut().find(|e| **e as u32 == post.0) {
                            *e = (u64::from(r) << 32) | u64::from(post.0);
                        }
                    }
                } else {
                    let side = (member % 2) as usize;
                    let (s, l) = self
                        .pair_span
                        .get((member / 2) as usize)
                        .copied()
                        .unwrap_or((0, 0));
                    let (s, l) = (s as usize, l as usize);
                    if let (Some(pairs), Some(ranks)) =
                        (self.pairs.get(s..s + l), pair_rank.get_mut(s..s + l))
                    {
                        for (pair, rank) in pairs.iter().zip(ranks) {
                            if pair.get(side) == Some(&post) {
                                if let Some(slot) = rank.get_mut(side) {
                                    *slot = r;
                                }
                            }
                        }
                    }
                }
            }
        }

        (list_entry, pair_rank)
    }

    /// The instance, given its rank tables.
    fn finish(self, list_entry: Vec<u64>, pair_rank: Vec<[u32; 2]>) -> Instance {
        Instance {
            applicant_names: Names::from_cows(self.apps.into_names()),
            post_names: Names::from_cows(self.posts.into_names()),
            capacity: self.capacity,
            list_span: self.list_span,
            list_post: self.list_post,
            list_entry,
            prio_span: self.prio_span,
            prio: self.prio,
            member_of: self.member_of,
            couple_members: self.couple_members,
            pair_span: self.pair_span,
            pairs: self.pairs,
            pair_rank,
        }
    }
}

trait OrDefaultPair {
    fn unwrap_or_default_pair(self) -> [ApplicantId; 2];
}

impl OrDefaultPair for Option<[ApplicantId; 2]> {
    fn unwrap_or_default_pair(self) -> [ApplicantId; 2] {
        self.unwrap_or([ApplicantId(0); 2])
    }
}

/// Builds an [`Instance`] in code, checking the same rules as the JSON reader.
///
/// ```
/// use jetdesk_placement::InstanceBuilder;
///
/// let mut b = InstanceBuilder::new();
/// b.applicant("Aiko", ["Sapporo"])?;
/// b.post("Sapporo", 1, ["Aiko"])?;
/// let instance = b.build()?;
/// assert_eq!(instance.applicant_count(), 1);
/// # Ok::<(), jetdesk_placement::InstanceError>(())
/// ```
///
/// # Errors
/// Each method refuses what breaks a rule (a duplicate, a zero capacity, a couple member with a
/// list…); [`InstanceBuilder::build`] refuses names that were never defined.
pub struct InstanceBuilder<'a> {
    asm: Assembler<'a, Option<Position>>,
    at: Option<Position>,
}

impl Default for InstanceBuilder<'_> {
    fn default() -> Self {
        Self::new()
    }
}

fn public(e: BuildError<Option<Position>>) -> InstanceError {
    InstanceError {
        problem: e.problem,
        position: e.at.flatten(),
    }
}

impl<'a> InstanceBuilder<'a> {
    /// An empty builder.
    pub fn new() -> Self {
        InstanceBuilder {
            asm: Assembler::with_capacity(16, 16),
            at: None,
        }
    }

    /// Sets the position reported by errors from the next calls (e.g. a CSV line and field).
    pub fn at(&mut self, position: Position) -> &mut Self {
        self.at = Some(position);
        self
    }

    /// Adds a single applicant and their list of acceptable posts, most wanted first.
    ///
    /// # Errors
    /// A duplicate applicant, a couple member, or a post listed twice.
    pub fn applicant<N, I>(&mut self, name: N, choices: I) -> Result<&mut Self, InstanceError>
    where
        N: Into<Cow<'a, str>>,
        I: IntoIterator,
        I::Item: Into<Cow<'a, str>>,
    {
        let at = self.at;
        let name = name.into();
        let h = hash(name.as_bytes());
        let a = self.asm.applicant(name, h, at).map_err(public)?;
        for p in choices {
            let p = p.into();
            let h = hash(p.as_bytes());
            self.asm.choice(a, p, h, at).map_err(public)?;
        }
        Ok(self)
    }

    /// Adds a post with its capacity and priority list, highest priority first.
    ///
    /// # Errors
    /// A duplicate post, a zero capacity, or an applicant ranked twice.
    pub fn post<N, I>(&mut self, name: N, capacity: u32, priority: I) -> Result<&mut Self, InstanceError>
    where
        N: Into<Cow<'a, str>>,
        I: IntoIterator,
        I::Item: Into<Cow<'a, str>>,
    {
        let at = self.at;
        let name = name.into();
        let h = hash(name.as_bytes());
        let p = self.asm.post(name, h, at).map_err(public)?;
        self.asm.capacity(p, u64::from(capacity), at).map_err(public)?;
        for a in priority {
            let a = a.into();
            let h = hash(a.as_bytes());
            self.asm.rank(p, a, h, at).map_err(public)?;
        }
        Ok(self)
    }

    /// Adds a couple and its list of post pairs (first member's post, second member's post).
    ///
    /// # Errors
    /// A member who has an individual list or is in another couple, or a pair listed twice.
    pub fn couple<N, I, P>(&mut self, members: [N; 2], pairs: I) -> Result<&mut Self, InstanceError>
    where
        N: Into<Cow<'a, str>>,
        I: IntoIterator<Item = [P; 2]>,
        P: Into<Cow<'a, str>>,
    {
        let at = self.at;
        let [m0, m1] = members;
        let c = self
            .asm
            .couple([(m0.into(), at), (m1.into(), at)])
            .map_err(public)?;
        for [p, q] in pairs {
            self.asm
                .pair(c, [(p.into(), at), (q.into(), at)])
                .map_err(public)?;
        }
        Ok(self)
    }

    /// Checks that every name is defined and builds the instance.
    ///
    /// # Errors
    /// A post or an applicant that is named but never defined.
    pub fn build(self) -> Result<Instance, InstanceError> {
        self.asm.build().map_err(public)
    }
}
