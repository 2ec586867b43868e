//! jetdesk-domain: the JET Programme's types and rules, with no I/O.
//!
//! Values are parsed at the edge into these types (`Email`, `Role`, …) so that the rest of the
//! system never handles an unchecked string. This crate must never know about HTTP, SQL or files.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod eligibility;
mod email;
pub mod identity;
mod jlpt;
mod position;
mod reference;
mod role;
pub mod rubric;
mod state;
mod text;

pub use email::{Email, EmailError};
pub use jlpt::{JlptLevel, UnknownJlptLevel};
pub use position::{Position, UnknownPosition};
pub use reference::{ReferenceError, ReferenceNumber};
pub use role::{Role, UnknownRole};
pub use state::{transition, ApplicationState, Event, TransitionError, UnknownEvent, UnknownState};
pub use text::{clean_line, LineError};
