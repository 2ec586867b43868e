//! The application form's decoders and validators, fed a URL-encoded form body of any bytes.
//!
//! `crates/web/src/applications/sections.rs` depends on nothing but std and jiff, so it is included
//! here by path instead of building the whole web crate (sqlx, axum, ...) under the fuzzer.
//! Properties for every section: decoding and validating never panic; only the section's own
//! fields are kept, trimmed and at most 20,000 characters; decoding the kept answers again gives
//! the same answers; every error names a field of the section and carries a message.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/web/src/applications/sections.rs"]
mod sections;

use libfuzzer_sys::fuzz_target;
use sections::{answers_from_form, validate, SECTIONS};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the round's word limit for the statement of purpose.
    let (limit, body) = match data.split_first() {
        Some((&first, rest)) => (usize::from(first) * 8, rest),
        None => (0, data),
    };
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    for section in SECTIONS {
        let answers = answers_from_form(section, &form);
        for (id, value) in &answers {
            assert!(
                section.fields.iter().any(|f| f.id == id),
                "kept an unknown field {id}"
            );
            assert_eq!(value.trim(), value, "{id} was not trimmed");
            assert!(
                value.chars().count() <= 20_000,
                "{id} kept over 20,000 characters"
            );
        }
        let pairs: Vec<(String, String)> = answers.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        assert_eq!(
            answers_from_form(section, &pairs),
            answers,
            "decoding twice differs"
        );
        for (id, message) in validate(section, &answers, limit) {
            assert!(
                section.fields.iter().any(|f| f.id == id),
                "error on an unknown field {id}"
            );
            assert!(!message.is_empty());
        }
    }
});
