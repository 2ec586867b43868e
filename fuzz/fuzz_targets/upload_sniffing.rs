//! The upload checks: the content sniffer that decides what a file is from its bytes, and the
//! file-name sanitiser, fed any bytes.
//!
//! `crates/web/src/documents/sniff.rs` depends on nothing but std, so it is included here by path
//! instead of building the whole web crate under the fuzzer.
//! Properties: neither panics; an accepted file starts with its format's magic number and is never
//! a PDF naming JavaScript; a sanitised name is non-empty, at most 200 characters, has no path
//! separator or control character, and sanitising it again changes nothing; the ASCII fallback name
//! is ASCII with the same number of characters.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/web/src/documents/sniff.rs"]
mod sniff;

use libfuzzer_sys::fuzz_target;
use sniff::{ascii_name, sanitise_name, sniff, Refusal, Sniffed};

fuzz_target!(|data: &[u8]| {
    match sniff(data) {
        Ok(Sniffed::Pdf) => {
            assert!(data.starts_with(b"%PDF-"));
            assert!(
                !data.windows(11).any(|w| w == b"/JavaScript"),
                "a PDF with /JavaScript passed"
            );
            assert!(
                !data.windows(7).any(|w| w == b"/Launch"),
                "a PDF with /Launch passed"
            );
        }
        Ok(Sniffed::Jpeg) => assert!(data.starts_with(b"\xff\xd8\xff")),
        Ok(Sniffed::Png) => assert!(data.starts_with(b"\x89PNG\r\n\x1a\n")),
        Err(refusal) => {
            assert_eq!(refusal == Refusal::Empty, data.is_empty());
            assert!(!refusal.message().is_empty());
        }
    }

    let raw = String::from_utf8_lossy(data);
    let name = sanitise_name(&raw);
    assert!(!name.is_empty());
    assert!(name.chars().count() <= 200);
    assert!(!name.contains(['/', '\\']), "{name:?} keeps a path separator");
    assert!(
        !name.chars().any(char::is_control),
        "{name:?} keeps a control character"
    );
    assert_eq!(sanitise_name(&name), name, "sanitising twice changes {name:?}");
    let ascii = ascii_name(&name);
    assert!(ascii.is_ascii());
    assert_eq!(ascii.chars().count(), name.chars().count());
});
