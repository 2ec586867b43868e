//! The timetable crate's request reader (`jetdesk_timetable::Instance::from_json`), fed any text.
//!
//! Properties: it never panics; `Date::parse` accepts only what it prints back; it agrees with reading the `Request` and validating it in two steps;
//! an accepted request serialised again is accepted again with the same term; the term's days are
//! consecutive, within the limit, and each is found again by `day_index`.
#![no_main]

use jetdesk_timetable::input::MAX_TERM_DAYS;
use jetdesk_timetable::{Date, Instance, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The date reader on its own: what it accepts prints back to the same text (zero-padded input).
    if let Some(date) = Date::parse(text) {
        assert_eq!(date.to_string(), text, "a date does not print back as read");
        let (y, m, d) = date.ymd();
        assert_eq!(Date::from_ymd(y, m, d), Some(date));
    }
    let direct = Instance::from_json(text);
    let two_steps = serde_json::from_str::<Request>(text)
        .ok()
        .map(|r| (Instance::new(&r), r));
    let Ok(instance) = direct else {
        assert!(
            !matches!(two_steps, Some((Ok(_), _))),
            "from_json refused what Request + Instance::new accepts"
        );
        return;
    };
    let Some((Ok(_), request)) = two_steps else {
        panic!("from_json accepted what Request + Instance::new refuses");
    };
    let days = instance.days();
    assert!(!days.is_empty() && days.len() <= MAX_TERM_DAYS as usize);
    assert_eq!(days.first().copied(), Some(instance.start()));
    assert_eq!(days.last().copied(), Some(instance.end()));
    for (i, pair) in days.windows(2).enumerate() {
        assert_eq!(
            pair[0].add_days(1),
            pair[1],
            "day {i} and the next are not consecutive"
        );
    }
    for (i, &day) in days.iter().enumerate() {
        assert_eq!(instance.day_index(day), Some(i));
        let _ = instance.closed_everywhere(i);
    }
    for (i, school) in request.schools.iter().enumerate() {
        assert_eq!(instance.school_index(&school.id), Some(i));
    }
    for (i, alt) in request.alts.iter().enumerate() {
        assert_eq!(instance.alt_index(&alt.id), Some(i));
    }
    let written = serde_json::to_string(&request).expect("a Request serialises");
    let again = Instance::from_json(&written).expect("an accepted request, written again, is accepted");
    assert_eq!(again.days(), instance.days());
});
