//! The placement engine: stable matching of applicants to posts (hospital/residents), with couples.
//!
//! # What it computes
//! Applicants each give an ordered list of acceptable posts; posts each have a capacity and an ordered
//! priority list over applicants (an applicant a post does not list is unacceptable to it). The engine
//! runs applicant-proposing deferred acceptance (Gale and Shapley, 1962): the result is **stable** (no
//! applicant and post would both rather be matched to each other) and **applicant-optimal** (every
//! applicant gets the best post they can get in any stable matching), hence unique for a given input
//! and independent of the input's order. Couples give one ordered list of post pairs and are placed
//! both or neither, in the manner of Roth and Peranson (1999); with couples a stable matching may not
//! exist, and the separate [`check`] says whether the result is stable and which pairs block it.
//!
//! # Input and output
//! An [`Instance`] is built with [`InstanceBuilder`] or read from JSON with [`read_json`]; both refuse
//! malformed input with an [`InstanceError`] that says what and where. [`place`] solves, checks and
//! computes [`Statistics`]; an [`Explainer`] writes each applicant's explanation in plain words;
//! [`output`] writes the result as JSON or CSV. The engine does no I/O of its own.
//!
//! # Complexity
//! Solving without couples is O(L log c) time for L list entries in total and post capacities c, and
//! O(L + applicants + posts) memory; reading JSON is linear in its size. A million applicants with
//! ten choices each (about 200 MB of JSON) are read, placed, checked and written in a few seconds
//! on two cores (reading is two stages on two threads, and the priority lists are resolved in bulk
//! afterwards, on two threads; explanations are computed on two); see `docs/placement.md` for
//! measured figures.
//!
//! # Example: three JET candidates, two posts
//! Aiko, Ben and Chloé are shortlisted; Sapporo has one ALT place and Naha one. Aiko and Ben want
//! Sapporo first, Chloé wants Naha. Sapporo's panel ranked Chloé first (she speaks Japanese), then
//! Aiko, then Ben; Naha ranked Aiko, Ben, Chloé. Chloé's first hold at Naha is undone by Ben, which
//! sends her to Sapporo, which sends Aiko to Naha, which leaves Ben out: two places, three candidates.
//!
//! ```
//! use jetdesk_placement::{place, Explainer, InstanceBuilder};
//!
//! let mut b = InstanceBuilder::new();
//! b.applicant("Aiko", ["Sapporo", "Naha"])?
//!     .applicant("Ben", ["Sapporo", "Naha"])?
//!     .applicant("Chloé", ["Naha", "Sapporo"])?;
//! b.post("Sapporo", 1, ["Chloé", "Aiko", "Ben"])?
//!     .post("Naha", 1, ["Aiko", "Ben", "Chloé"])?;
//! let instance = b.build()?;
//!
//! let outcome = place(&instance);
//! assert!(outcome.verdict.is_stable());
//! let explainer = Explainer::new(&instance, &outcome.matching);
//! let mut told = Vec::new();
//! for a in instance.applicants() {
//!     let post = outcome.matching.post(a).map(|p| instance.post_name(p));
//!     told.push((instance.applicant_name(a), post, explainer.explain(a)));
//! }
//! assert_eq!(told, [
//!     ("Aiko", Some("Naha"), "Your 1st choice took 1 candidate with higher priority; \
//!         you were placed at your 2nd choice.".to_owned()),
//!     ("Ben", None, "Your 1st and 2nd choices took 1 and 1 candidates with higher priority; \
//!         you were not placed.".to_owned()),
//!     ("Chloé", Some("Sapporo"), "Your 1st choice took 1 candidate with higher priority; \
//!         you were placed at your 2nd choice.".to_owned()),
//! ]);
//! # Ok::<(), jetdesk_placement::InstanceError>(())
//! ```
//!
//! # Errors
//! Only building an instance fails ([`InstanceError`]); solving, checking and explaining a valid
//! [`Instance`] cannot.
#![forbid(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod check;
mod deferred;
mod instance;
mod intern;
mod json;
pub mod output;
mod prefetch;
mod report;
mod solve;

pub use check::{check, BlockingPair, Verdict, Violation};
pub use instance::{
    ApplicantId, CoupleId, Instance, InstanceBuilder, InstanceError, Position, PostId, Problem,
};
pub use json::{read_json, read_json_with_progress};
pub use report::{ordinal, place, statistics, Explainer, Outcome, Statistics};
pub use solve::{solve, Matching, Solution, SolveStats};
