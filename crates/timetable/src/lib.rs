//! # jetdesk-timetable: ALT school-visit timetables
//!
//! A host organisation (a board of education) has ALTs and schools. Each school needs visit days at
//! a frequency (`2 a week`, `3 a month`, `4 a term`), may prefer some weekdays and has closed dates;
//! each ALT has a base school, working weekdays, days off and the schools they can reach. This crate
//! builds a term's timetable: which ALT is at which school on which day.
//!
//! - **Hard constraints**, always kept: at most one school per ALT per day and one ALT per school
//!   per day; only days the ALT works and the school is open (Japan's national holidays are closed
//!   automatically, computed in [`holidays`]); only schools the ALT can reach; never more visits
//!   in a period than required; pinned visits kept. Every requirement is met whenever that is
//!   possible at all (a maximum flow, see [`solve()`]); when not, [`Plan::unmet`] says which school,
//!   which period, how many days short and why.
//! - **Soft goals**, weighted and reported ([`score`]): the same ALT keeps a school, visits spread
//!   out, preferred weekdays, fair loads, short travel.
//!
//! The crate does no I/O: it takes a [`Request`] (or its JSON text) and returns a [`Plan`]. The
//! `jetdesk timetable` command reads and writes the files, calendars and CSV.
//!
//! ## A story
//!
//! Aoba Town's board of education has two ALTs this spring term. Emma is based at Aoba Junior High
//! and can reach Aoba Elementary; Liam is based at Midori Elementary. The junior high needs Emma
//! twice a week, Midori Elementary once a week, Aoba Elementary twice a month, on Mondays or
//! Thursdays if possible.
//! Golden Week leaves only one open day in week 2027-W18, and the plan says so.
//!
//! ```
//! use jetdesk_timetable::{check, solve, Instance, Options};
//!
//! let request = r#"{
//!   "term": {"start": "2027-04-12", "end": "2027-05-14"},
//!   "closed": ["2027-05-06"],
//!   "schools": [
//!     {"id": "aoba-jhs", "name": "青葉中学校", "level": "junior_high", "visits": {"per": "week", "days": 2}},
//!     {"id": "aoba-es", "name": "青葉小学校", "level": "elementary", "visits": {"per": "month", "days": 2},
//!      "preferred_weekdays": ["mon", "thu"]},
//!     {"id": "midori-es", "name": "緑小学校", "level": "elementary", "visits": {"per": "week", "days": 1}}
//!   ],
//!   "alts": [
//!     {"id": "emma", "base_school": "aoba-jhs", "weekdays": ["mon", "tue", "wed", "thu", "fri"],
//!      "reachable": ["aoba-es"]},
//!     {"id": "liam", "base_school": "midori-es", "weekdays": ["mon", "tue", "wed", "thu", "fri"]}
//!   ]
//! }"#;
//! let instance = Instance::from_json(request)?;
//! let plan = solve(&instance, &Options::default());
//!
//! // Nothing breaks a hard constraint, by the independent checker.
//! assert!(check(&instance, &plan).is_empty());
//! // Golden Week: 3, 4 and 5 May are national holidays, 6 May is closed, so week 18 has one open
//! // day and the junior high gets one visit instead of two.
//! assert_eq!(plan.unmet.len(), 1);
//! assert_eq!(plan.unmet[0].period, "2027-W18");
//! assert_eq!(plan.unmet[0].reason, "only 1 open day in week 2027-W18");
//! // Emma keeps both her schools all term; Aoba Elementary gets its Mondays and Thursdays.
//! assert!(plan.visits.iter().filter(|v| v.school != "midori-es").all(|v| v.alt == "emma"));
//! assert_eq!(plan.stats.soft.weekday, 0.0);
//! # Ok::<(), jetdesk_timetable::InputError>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod check;
pub mod date;
pub mod exact;
mod flow;
pub mod holidays;
pub mod input;
pub mod plan;
pub mod score;
mod search;
pub mod solve;
pub mod synthetic;

pub use check::check;
pub use date::{Date, Weekday};
pub use input::{InputError, Instance, Request, Weights};
pub use plan::{Plan, Stats, Unmet, Visit};
pub use solve::{solve, Options};
