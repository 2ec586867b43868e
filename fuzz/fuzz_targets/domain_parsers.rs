//! The domain crate's parsers of typed-in text: e-mail addresses, reference numbers, JLPT levels and
//! single-line text fields.
//!
//! Properties: none panics; each accepted value, printed and read again, is the same value (the
//! printed form is canonical); a cleaned line is trimmed, within its limit and free of controls.
#![no_main]

use jetdesk_domain::{clean_line, Email, JlptLevel, ReferenceNumber};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte is the line limit for clean_line; the rest is the text.
    let (max, rest) = match data.split_first() {
        Some((&first, rest)) => (usize::from(first), rest),
        None => (0, data),
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };

    if let Ok(email) = Email::parse(text) {
        let again = Email::parse(email.as_str());
        assert_eq!(
            again.as_ref(),
            Ok(&email),
            "a normalised address is not accepted as it is"
        );
        assert!(email.as_str().len() <= 254);
    }

    if let Ok(reference) = text.parse::<ReferenceNumber>() {
        let printed = reference.to_string();
        assert_eq!(printed.len(), 15, "{printed} is not in the canonical form");
        assert_eq!(printed.parse::<ReferenceNumber>(), Ok(reference));
        assert_eq!(printed, text.trim().to_ascii_uppercase());
    }

    if let Ok(level) = text.parse::<JlptLevel>() {
        assert_eq!(level.to_string().parse::<JlptLevel>(), Ok(level));
    }

    if let Ok(line) = clean_line(text, max) {
        assert_eq!(line.trim(), line);
        assert!(!line.is_empty() && line.chars().count() <= max);
        assert!(!line.chars().any(char::is_control));
        assert_eq!(clean_line(&line, max).as_deref(), Ok(line.as_str()));
    }
});
