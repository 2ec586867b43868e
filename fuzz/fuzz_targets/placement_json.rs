//! The placement engine's JSON instance reader (`jetdesk_placement::read_json`), fed any bytes.
//!
//! Properties: it never panics; what it accepts is valid JSON (serde_json agrees); and an accepted
//! instance passes the shared checks of `jetdesk_fuzz::placement::check_accepted` (the instance
//! invariants, the round trip through JSON, a stable placement when couple-free and small).
#![no_main]

use jetdesk_fuzz::placement::{check_accepted, to_json};
use jetdesk_placement::read_json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(instance) = read_json(data) else {
        return;
    };
    assert!(
        serde_json::from_slice::<serde_json::Value>(data).is_ok(),
        "read_json accepted text that is not JSON"
    );
    check_accepted(&instance, data.len(), to_json, |json| read_json(json));
});
