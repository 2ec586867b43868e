//! The CSV input of `jetdesk place` (`read_csv` in `crates/jetdesk/src/place/csv_input.rs`, included
//! by path), fed any bytes. The bytes are split at 0xFF (never part of UTF-8 text) into the
//! applicants file, the posts file and, when there is a third part, the couples file.
//!
//! Properties: it never panics; every refusal is exit code 4 and starts with the file and line it is
//! about; an accepted instance has only non-empty, trimmed names and passes the
//! shared checks of `jetdesk_fuzz::placement::check_accepted` (the instance invariants, the round
//! trip through the three CSV files with every field quoted, a stable placement when couple-free and
//! small).
#![no_main]

use jetdesk_fuzz::placement::{check_accepted, to_csv};
use jetdesk_placement::{Instance, InstanceError};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

// What `csv_input.rs` takes from its parent module (`crates/jetdesk/src/place.rs`), with the same
// meaning: a failure is an exit code and a message, 4 is "invalid input".
type Failure = (u8, String);
const EXIT_INVALID: u8 = 4;
fn invalid(path: &Path, e: &InstanceError) -> Failure {
    (EXIT_INVALID, format!("{}: {e}", path.display()))
}

#[path = "../../crates/jetdesk/src/place/csv_input.rs"]
mod csv_input;

const APPLICANTS: &str = "applicants.csv";
const POSTS: &str = "posts.csv";
const COUPLES: &str = "couples.csv";

fn read<T: AsRef<[u8]>>(files: &[T]) -> Result<Instance, Failure> {
    let [applicants, posts, rest @ ..] = files else {
        unreachable!("split gives at least one part and the caller checked two")
    };
    csv_input::read_csv(
        Path::new(APPLICANTS),
        applicants.as_ref(),
        Path::new(POSTS),
        posts.as_ref(),
        rest.first().map(|c| (Path::new(COUPLES), c.as_ref())),
    )
}

fuzz_target!(|data: &[u8]| {
    let files: Vec<&[u8]> = data.split(|&b| b == 0xFF).take(3).collect();
    if files.len() < 2 {
        return;
    }
    let instance = match read(&files) {
        Ok(instance) => instance,
        Err((code, message)) => {
            assert_eq!(code, EXIT_INVALID, "{message}");
            assert!(
                [APPLICANTS, POSTS, COUPLES]
                    .iter()
                    .any(|f| message.starts_with(&format!("{f}: line "))),
                "an error that names no file and line: {message}"
            );
            return;
        }
    };
    let names = instance
        .applicants()
        .map(|a| instance.applicant_name(a))
        .chain(instance.posts().map(|p| instance.post_name(p)));
    for name in names {
        assert!(!name.is_empty(), "an empty name");
        assert_eq!(name, name.trim(), "a name with white space around it");
    }
    check_accepted(&instance, data.len(), to_csv, |files| {
        read(files).map_err(|(_, message)| message)
    });
});
