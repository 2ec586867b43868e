//! iCalendar invitations (RFC 5545 with the iTIP methods of RFC 5546) for interviews and evaluation
//! calls, built with the `icalendar` crate (docs/decisions/0400-interview-invitations.md). Calendar
//! programs need: `METHOD:REQUEST` (or `CANCEL`) on the calendar, a `UID` that stays the same for the
//! whole life of one booking, a `SEQUENCE` that grows with each change, `DTSTART`/`DTEND` in UTC,
//! `DTSTAMP`, an `ORGANIZER` and the `ATTENDEE`s.

use icalendar::{Calendar, Component, Event, EventLike, Property};
use jetdesk_store::MailAttachment;

/// One invitation's content.
pub(crate) struct Invitation<'a> {
    /// Stable for the booking (or evaluation request).
    pub uid: &'a str,
    /// Changes so far.
    pub sequence: i64,
    /// Start (Unix seconds).
    pub starts_at: i64,
    /// Length in minutes.
    pub minutes: i64,
    /// The event's title.
    pub summary: &'a str,
    /// Its description.
    pub description: &'a str,
    /// An address or a meeting link.
    pub location: &'a str,
    /// The JET Desk's address (the organiser).
    pub organizer: &'a str,
    /// (name, e-mail) of everyone invited.
    pub attendees: &'a [(String, String)],
    /// A cancellation instead of a request.
    pub cancel: bool,
}

/// A Unix time in iCalendar's UTC form, `20270328T080000Z`.
pub fn utc(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// The invitation as an `.ics` file's text.
pub(crate) fn render(inv: &Invitation<'_>) -> String {
    let method = if inv.cancel { "CANCEL" } else { "REQUEST" };
    let mut calendar = Calendar::new();
    calendar.append_property(Property::new("METHOD", method));
    let mut event = Event::new();
    event
        .uid(inv.uid)
        .summary(inv.summary)
        .description(inv.description)
        .location(inv.location)
        .add_property("DTSTAMP", utc(jetdesk_store::now()))
        .add_property("DTSTART", utc(inv.starts_at))
        .add_property("DTEND", utc(inv.starts_at + inv.minutes * 60))
        .add_property("SEQUENCE", inv.sequence.to_string())
        .add_property("STATUS", if inv.cancel { "CANCELLED" } else { "CONFIRMED" })
        .append_property(
            Property::new("ORGANIZER", format!("mailto:{}", inv.organizer))
                .add_parameter("CN", "JET Desk")
                .done(),
        );
    for (name, email) in inv.attendees {
        event.append_multi_property(
            Property::new("ATTENDEE", format!("mailto:{email}"))
                .add_parameter("CN", name)
                .add_parameter("ROLE", "REQ-PARTICIPANT")
                .add_parameter("PARTSTAT", "ACCEPTED")
                .add_parameter("RSVP", "FALSE")
                .done(),
        );
    }
    calendar.push(event.done());
    calendar.done().to_string()
}

/// The invitation as a mail attachment.
pub(crate) fn attachment(inv: &Invitation<'_>) -> MailAttachment {
    let method = if inv.cancel { "CANCEL" } else { "REQUEST" };
    MailAttachment {
        filename: if inv.cancel { "cancel.ics" } else { "invite.ics" }.into(),
        content_type: format!("text/calendar; method={method}; charset=utf-8"),
        body: render(inv),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_carries_what_calendar_programs_need() {
        let attendees = vec![("Ann Applicant".to_string(), "ann@example.com".to_string())];
        let text = render(&Invitation {
            uid: "interview-7@jetdesk",
            sequence: 2,
            starts_at: 1_806_220_800, // 2027-03-28T08:00:00Z
            minutes: 40,
            summary: "JET interview",
            description: "Reference JET27-UK-000001",
            location: "Embassy of Japan, London",
            organizer: "jetdesk@example.org",
            attendees: &attendees,
            cancel: false,
        });
        for line in [
            "METHOD:REQUEST",
            "UID:interview-7@jetdesk",
            "SEQUENCE:2",
            "DTSTART:20270328T080000Z",
            "DTEND:20270328T084000Z",
            "ORGANIZER;CN=JET Desk:mailto:jetdesk@example.org",
            "BEGIN:VEVENT",
            "VERSION:2.0",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
        assert!(text.contains("ATTENDEE;"), "{text}");
        assert!(text.contains("mailto:ann@example.com"));
        assert_eq!(text.matches("UID:").count(), 1);
        assert!(
            text.lines().all(|l| l.trim_end_matches('\r').len() <= 75),
            "lines are folded"
        );
    }
}
