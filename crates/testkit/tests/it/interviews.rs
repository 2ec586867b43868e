//! Interviews: bulk slots in London time across a clock change, daily caps, publishing, self-booking
//! with .ics invitations in the outbox (parsed back), moves and cancellations, the minimum notice and
//! the lock, every refusal, 100 concurrent requests for the last seat, the reminder job run twice,
//! and interview scoring (the CIR Japanese assessment, the state change, panel-only access).

use jetdesk_domain::{transition, ApplicationState, Event, Role};
use jetdesk_store::Round;
use jetdesk_testkit::{open_round, TestApp};
use std::collections::BTreeMap;

/// Drives a new applicant's application through the state machine to `target` (via the store, as
/// review is built elsewhere). Returns (user id, application id).
pub async fn applicant_in_state(
    app: &TestApp,
    round: &Round,
    email: &str,
    position: &str,
    target: ApplicationState,
) -> (i64, i64) {
    let user = app.create_user(email, &[Role::Applicant]).await;
    let id = app.store.create_application(round, user, position).await.unwrap();
    assert!(app
        .store
        .submit_application(
            id,
            jetdesk_store::now(),
            round.closes_at,
            "submitted",
            "pass",
            "{}"
        )
        .await
        .unwrap());
    let mut state = ApplicationState::Submitted;
    for event in [Event::EligibilityPassed, Event::StartReview, Event::Invite] {
        if state == target {
            break;
        }
        let next = transition(state, event).unwrap();
        assert!(app
            .store
            .set_application_state(id, state.as_str(), next.as_str(), None)
            .await
            .unwrap());
        state = next;
    }
    (user, id)
}

/// An invited applicant with a signed-in client.
pub async fn invited(
    app: &TestApp,
    round: &Round,
    email: &str,
    position: &str,
) -> (reqwest::Client, String, i64) {
    let (user, id) = applicant_in_state(app, round, email, position, ApplicationState::Invited).await;
    let (client, csrf) = app.session_for(Some(user)).await;
    (client, csrf, id)
}

/// A venue, an interviewer on a panel, and the coordinator's client.
pub struct Setup {
    pub round: Round,
    pub coordinator: (reqwest::Client, String),
    pub interviewer: i64,
    pub panel: i64,
    pub venue: i64,
}

pub async fn setup(app: &TestApp) -> Setup {
    let round = open_round(app).await;
    let coordinator = app.create_user("coord@iv.example", &[Role::Coordinator]).await;
    let interviewer = app.create_user("ivan@iv.example", &[Role::Interviewer]).await;
    let venue = app
        .store
        .create_interview_venue("London", false, "101 Piccadilly, London", "")
        .await
        .unwrap();
    let panel = app
        .store
        .create_interview_panel(round.id, "Panel A", &[interviewer])
        .await
        .unwrap();
    Setup {
        round,
        coordinator: app.session_for(Some(coordinator)).await,
        interviewer,
        panel,
        venue,
    }
}

/// A published slot `from_now` seconds ahead for `positions`, sat by `panels`.
pub async fn slot(app: &TestApp, s: &Setup, from_now: i64, positions: &str, panels: &[i64]) -> i64 {
    let at = jetdesk_store::now() + from_now;
    let date = jetdesk_web::interviews::london_date(at);
    let id = app
        .store
        .create_interview_slot(s.round.id, s.venue, at, 40, &date, positions, panels)
        .await
        .unwrap();
    app.store.publish_interview_slots(s.round.id).await.unwrap();
    id
}

pub async fn post(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let res = client.post(app.at(path)).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

pub async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let res = client.get(app.at(path)).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

/// The text/calendar parts of the .eml files in the outbox addressed to `to`, decoded, oldest
/// first; waits up to ten seconds for at least `count`.
pub async fn calendars_to(app: &TestApp, to: &str, count: usize) -> Vec<String> {
    let dir = app.data_dir.join("outbox");
    for _ in 0..100 {
        let mut found = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
            for path in paths {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if text.lines().any(|l| l.eq_ignore_ascii_case(&format!("To: {to}"))) {
                    found.extend(calendar_part(&text));
                }
            }
        }
        if found.len() >= count {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("expected {count} calendar invitation(s) to {to}");
}

/// The text/calendar MIME part of a raw message, decoded from its transfer encoding.
fn calendar_part(eml: &str) -> Option<String> {
    let eml = eml.replace("\r\n", "\n");
    let start = eml.find("Content-Type: text/calendar")?;
    let part = &eml[start..];
    let (headers, rest) = part.split_once("\n\n")?;
    let body = rest.split("\n--").next()?;
    let headers = headers.to_ascii_lowercase();
    if headers.contains("content-transfer-encoding: base64") {
        use base64::Engine;
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD.decode(joined).ok()?;
        Some(String::from_utf8_lossy(&bytes).replace("\r\n", "\n"))
    } else if headers.contains("quoted-printable") {
        Some(decode_qp(body))
    } else {
        Some(body.to_string())
    }
}

fn decode_qp(s: &str) -> String {
    let s = s.replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses an iCalendar text (RFC 5545: unfolds continuation lines, splits name, parameters and
/// value) into its VEVENT's properties and the calendar's METHOD and VERSION.
pub fn parse_ics(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut unfolded: Vec<String> = Vec::new();
    for line in text.replace("\r\n", "\n").split('\n') {
        if let Some(rest) = line.strip_prefix(' ').or_else(|| line.strip_prefix('\t')) {
            if let Some(last) = unfolded.last_mut() {
                last.push_str(rest);
            }
        } else if !line.is_empty() {
            unfolded.push(line.to_string());
        }
    }
    assert_eq!(
        unfolded.first().map(String::as_str),
        Some("BEGIN:VCALENDAR"),
        "{text}"
    );
    assert_eq!(
        unfolded.last().map(String::as_str),
        Some("END:VCALENDAR"),
        "{text}"
    );
    let mut props: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in &unfolded {
        let (head, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("no colon in {line:?}"));
        let name = head.split(';').next().unwrap().to_string();
        props.entry(name).or_default().push(format!("{head}:{value}"));
    }
    props
}

/// The value of a property that occurs once.
pub fn value(props: &BTreeMap<String, Vec<String>>, name: &str) -> String {
    let lines = props
        .get(name)
        .unwrap_or_else(|| panic!("{name} missing: {props:?}"));
    assert_eq!(lines.len(), 1, "{name} once");
    lines[0].split_once(':').unwrap().1.to_string()
}

on_both!(
    bulk_slots_keep_london_time_across_the_clock_change_and_respect_daily_caps,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let (client, csrf) = &s.coordinator;
        let round = s.round.id.to_string();
        let venue = s.venue.to_string();
        let panel = s.panel.to_string();
        let bulk = |date: &'static str, first: &'static str, count: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("round", round.clone()),
                ("date", date.to_string()),
                ("first", first.to_string()),
                ("length", "40".to_string()),
                ("gap", "10".to_string()),
                ("count", count.to_string()),
                ("venue", venue.clone()),
                ("position", "cir".to_string()),
                ("panel", panel.clone()),
            ]
        };
        let target = app.at("/interviews/slots");
        let send = |form: Vec<(&'static str, String)>| {
            let request = client.post(&target).form(&form);
            async move {
                let res = request.send().await.unwrap();
                let status = res.status().as_u16();
                (status, res.text().await.unwrap())
            }
        };
        // Saturday (GMT) and Sunday 28 March 2027, the day the clocks go forward.
        assert_eq!(send(bulk("2027-03-27", "09:00", "2")).await.0, 303);
        assert_eq!(send(bulk("2027-03-28", "09:00", "2")).await.0, 303);
        let slots = app.store.interview_slots(s.round.id).await.unwrap();
        let starts: Vec<i64> = slots.iter().map(|x| x.starts_at).collect();
        // 09:00 and 09:50 GMT on the 27th; 09:00 and 09:50 BST (08:00, 08:50 UTC) on the 28th.
        assert_eq!(
            starts,
            [1_806_138_000, 1_806_141_000, 1_806_220_800, 1_806_223_800]
        );
        assert!(slots.iter().all(|x| x.capacity == 1 && x.published == 0));
        assert_eq!(slots[2].local_date, "2027-03-28");
        // 01:30 does not exist in London that night: refused beside the field, nothing saved.
        let (status, page) = send(bulk("2027-03-28", "01:30", "1")).await;
        assert_eq!(status, 422);
        assert!(page.contains("clocks change"), "{page}");
        assert!(page.contains("value=\"01:30\""), "the typed time is kept");
        // Bad numbers are refused field by field.
        let mut bad = bulk("2027-03-29", "09:00", "0");
        bad[4] = ("length", "5".into());
        let (status, page) = send(bad).await;
        assert_eq!(status, 422);
        assert!(page.contains("Enter a length from 10 to 240 minutes"), "{page}");
        assert!(page.contains("Enter a number of slots from 1 to 60"), "{page}");
        // A daily cap of 3: the interviewer sits 2 on the 28th already, so 1 more slot of 3 is made.
        let (status, _) = post(
            client,
            &app,
            "/interviews/caps",
            &[
                ("csrf", csrf),
                ("round", &round),
                ("user", &s.interviewer.to_string()),
                ("cap", "3"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (status, page) = send(bulk("2027-03-28", "14:00", "3")).await;
        assert_eq!(status, 200);
        assert!(page.contains("1 slots created; 2 of them"), "{page}");
        assert_eq!(app.store.interview_slots(s.round.id).await.unwrap().len(), 5);
        // Publishing shows them to applicants.
        let (status, _) = post(
            client,
            &app,
            "/interviews/publish",
            &[("csrf", csrf), ("round", &round)],
        )
        .await;
        assert_eq!(status, 303);
        assert!(app
            .store
            .interview_slots(s.round.id)
            .await
            .unwrap()
            .iter()
            .all(|x| x.published == 1));
        let (status, page) = get(client, &app, "/interviews").await;
        assert_eq!(status, 200);
        assert!(page.contains("2027-03-28 09:00 BST"), "{page}");
        assert!(page.contains("2027-03-27 09:00 GMT"), "{page}");
    }
);

on_both!(
    an_invited_applicant_books_moves_and_cancels_with_calendar_invitations,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let first = slot(&app, &s, 10 * 86400, "cir", &[s.panel]).await;
        let second = slot(&app, &s, 11 * 86400, "alt,cir", &[s.panel]).await;
        let (client, csrf, application) = invited(&app, &s.round, "ann@iv.example", "cir").await;
        let (status, page) = get(&client, &app, "/my/interview").await;
        assert_eq!(status, 200);
        assert!(page.contains(&format!("value=\"{first}\"")), "{page}");
        let (status, _) = post(
            &client,
            &app,
            "/my/interview/book",
            &[("csrf", &csrf), ("slot", &first.to_string())],
        )
        .await;
        assert_eq!(status, 303);
        let booking = app
            .store
            .interview_booking_of(application)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(booking.slot_id, first);
        assert_eq!(booking.panel_id, Some(s.panel));
        assert_eq!(app.store.interview_slot(first).await.unwrap().unwrap().booked, 1);

        // The applicant's e-mail carries a calendar invitation that parses back.
        let cals = calendars_to(&app, "ann@iv.example", 1).await;
        let ics = parse_ics(&cals[0]);
        assert_eq!(value(&ics, "METHOD"), "REQUEST");
        assert_eq!(value(&ics, "VERSION"), "2.0");
        assert_eq!(value(&ics, "UID"), booking.uid);
        assert_eq!(value(&ics, "SEQUENCE"), "0");
        let start = jetdesk_web::interviews::ics::utc(booking.starts_at);
        assert_eq!(value(&ics, "DTSTART"), start);
        assert!(value(&ics, "ORGANIZER").starts_with("mailto:"));
        let attendees = ics.get("ATTENDEE").unwrap();
        assert!(
            attendees.iter().any(|a| a.ends_with("mailto:ann@iv.example")),
            "{attendees:?}"
        );
        assert!(
            attendees.iter().any(|a| a.ends_with("mailto:ivan@iv.example")),
            "{attendees:?}"
        );
        // The panel gets one too, and the applicant's mail names the reference.
        calendars_to(&app, "ivan@iv.example", 1).await;
        let reference = app
            .store
            .application(application)
            .await
            .unwrap()
            .unwrap()
            .reference
            .unwrap();
        let mails = app.mails_to("ann@iv.example", 1).await;
        assert!(mails[0].contains(&reference));

        // Moving keeps the UID and increments SEQUENCE.
        let (status, _) = post(
            &client,
            &app,
            "/my/interview/move",
            &[("csrf", &csrf), ("slot", &second.to_string())],
        )
        .await;
        assert_eq!(status, 303);
        let cals = calendars_to(&app, "ann@iv.example", 2).await;
        let moved = parse_ics(&cals[1]);
        assert_eq!(value(&moved, "UID"), booking.uid);
        assert_eq!(value(&moved, "SEQUENCE"), "1");
        assert_eq!(app.store.interview_slot(first).await.unwrap().unwrap().booked, 0);
        assert_eq!(app.store.interview_slot(second).await.unwrap().unwrap().booked, 1);

        // Cancelling sends METHOD:CANCEL for the same UID and frees the seat.
        let (status, _) = post(&client, &app, "/my/interview/cancel", &[("csrf", &csrf)]).await;
        assert_eq!(status, 303);
        let cals = calendars_to(&app, "ann@iv.example", 3).await;
        let cancelled = parse_ics(&cals[2]);
        assert_eq!(value(&cancelled, "METHOD"), "CANCEL");
        assert_eq!(value(&cancelled, "UID"), booking.uid);
        assert_eq!(value(&cancelled, "SEQUENCE"), "2");
        assert!(app
            .store
            .interview_booking_of(application)
            .await
            .unwrap()
            .is_none());
        assert_eq!(app.store.interview_slot(second).await.unwrap().unwrap().booked, 0);
    }
);

on_both!(
    bookings_that_break_the_rules_are_refused_with_a_reason,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let cir = slot(&app, &s, 10 * 86400, "cir", &[s.panel]).await.to_string();
        let alt_only = slot(&app, &s, 10 * 86400 + 3600, "alt", &[s.panel])
            .await
            .to_string();
        let soon = slot(&app, &s, 86400, "cir", &[s.panel]).await.to_string();
        let past = slot(&app, &s, -3600, "cir", &[s.panel]).await.to_string();
        let other = app
            .store
            .create_interview_panel(s.round.id, "Panel B", &[s.interviewer])
            .await
            .unwrap();
        let later = slot(&app, &s, 12 * 86400, "cir", &[other]).await.to_string();

        // Not invited (still in review).
        let (user, _) = applicant_in_state(
            &app,
            &s.round,
            "rev@iv.example",
            "cir",
            ApplicationState::InReview,
        )
        .await;
        let (c, t) = app.session_for(Some(user)).await;
        let (status, page) = post(&c, &app, "/my/interview/book", &[("csrf", &t), ("slot", &cir)]).await;
        assert_eq!(status, 400);
        assert!(page.contains("Only applicants invited to interview"), "{page}");

        let (c, t, application) = invited(&app, &s.round, "bob@iv.example", "cir").await;
        let (status, page) = post(
            &c,
            &app,
            "/my/interview/book",
            &[("csrf", &t), ("slot", &alt_only)],
        )
        .await;
        assert_eq!(status, 400);
        assert!(page.contains("another position"), "{page}");
        let (status, page) = post(&c, &app, "/my/interview/book", &[("csrf", &t), ("slot", &past)]).await;
        assert_eq!(status, 400);
        assert!(page.contains("has passed"), "{page}");
        let (status, page) = post(
            &c,
            &app,
            "/my/interview/book",
            &[("csrf", &t), ("slot", "999999")],
        )
        .await;
        assert_eq!(status, 400, "{page}");
        let (status, page) = post(&c, &app, "/my/interview/book", &[("csrf", &t), ("slot", "abc")]).await;
        assert_eq!(status, 400, "{page}");

        // Booked one day ahead: a second booking is refused, and a move is inside the 48-hour notice.
        let (status, _) = post(&c, &app, "/my/interview/book", &[("csrf", &t), ("slot", &soon)]).await;
        assert_eq!(status, 303);
        let (status, page) = post(&c, &app, "/my/interview/book", &[("csrf", &t), ("slot", &cir)]).await;
        assert_eq!(status, 400);
        assert!(page.contains("already booked"), "{page}");
        let (status, page) = post(&c, &app, "/my/interview/move", &[("csrf", &t), ("slot", &cir)]).await;
        assert_eq!(status, 400);
        assert!(page.contains("less than 48 hours"), "{page}");
        let (status, page) = post(&c, &app, "/my/interview/cancel", &[("csrf", &t)]).await;
        assert_eq!(status, 400, "{page}");
        assert_eq!(
            app.store
                .interview_booking_of(application)
                .await
                .unwrap()
                .unwrap()
                .slot_id
                .to_string(),
            soon
        );

        // With a 12-hour notice the move is allowed; then the coordinator locks rescheduling.
        app.store
            .set_interview_settings(s.round.id, 12, false)
            .await
            .unwrap();
        let (status, _) = post(&c, &app, "/my/interview/move", &[("csrf", &t), ("slot", &cir)]).await;
        assert_eq!(status, 303);
        let (cc, ct) = &s.coordinator;
        let round = s.round.id.to_string();
        let (status, _) = post(
            cc,
            &app,
            "/interviews/settings",
            &[
                ("csrf", ct),
                ("round", &round),
                ("notice_hours", "12"),
                ("locked", "1"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (status, page) = post(&c, &app, "/my/interview/move", &[("csrf", &t), ("slot", &later)]).await;
        assert_eq!(status, 400);
        assert!(page.contains("locked"), "{page}");
        let (status, page) = post(&c, &app, "/my/interview/cancel", &[("csrf", &t)]).await;
        assert_eq!(status, 400);
        assert!(page.contains("locked"), "{page}");
        let (status, page) = post(
            cc,
            &app,
            "/interviews/settings",
            &[("csrf", ct), ("round", &round), ("notice_hours", "soon")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("Enter a number of hours"), "{page}");
        assert_eq!(
            app.store
                .interview_booking_of(application)
                .await
                .unwrap()
                .unwrap()
                .slot_id
                .to_string(),
            cir
        );
    }
);

on_both!(
    a_hundred_concurrent_requests_for_the_last_seat_give_one_booking,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let last = slot(&app, &s, 10 * 86400, "cir", &[s.panel]).await;
        let mut clients = Vec::new();
        for i in 0..100 {
            clients.push(invited(&app, &s.round, &format!("c{i}@race.example"), "cir").await);
        }
        let url = app.at("/my/interview/book");
        let mut tasks = Vec::new();
        for (client, csrf, _) in clients {
            let url = url.clone();
            let slot = last.to_string();
            tasks.push(tokio::spawn(async move {
                let res = client
                    .post(url)
                    .form(&[("csrf", csrf.as_str()), ("slot", slot.as_str())])
                    .send()
                    .await
                    .unwrap();
                res.status().as_u16()
            }));
        }
        let mut statuses = BTreeMap::new();
        for t in tasks {
            *statuses.entry(t.await.unwrap()).or_insert(0) += 1;
        }
        assert_eq!(statuses.get(&303), Some(&1), "{statuses:?}");
        assert_eq!(
            statuses.get(&400),
            Some(&99),
            "the others are told the seat is gone: {statuses:?}"
        );
        let taken = app.store.interview_slot(last).await.unwrap().unwrap();
        assert_eq!(taken.booked, 1);
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM interview_bookings WHERE slot_id = $1")
            .bind(last)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(n, 1);
    }
);

on_both!(
    the_reminder_goes_out_once_the_day_before,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let soon = slot(&app, &s, 30 * 3600, "cir", &[s.panel]).await;
        let (client, csrf, application) = invited(&app, &s.round, "rita@iv.example", "cir").await;
        let (status, _) = post(
            &client,
            &app,
            "/my/interview/book",
            &[("csrf", &csrf), ("slot", &soon.to_string())],
        )
        .await;
        assert_eq!(status, 303);
        let mailer = jetdesk_web::mail::Mailer::new(
            app.store.clone(),
            "JET Desk <jetdesk@localhost>",
            jetdesk_web::mail::Transport::Files(app.data_dir.join("outbox")),
        )
        .unwrap();
        let send = |now: i64| {
            let mailer = mailer.clone();
            let store = app.store.clone();
            let url = app.url.clone();
            async move {
                jetdesk_web::interviews::booking::send_reminders(&store, &mailer, &url, now)
                    .await
                    .unwrap()
            }
        };
        let now = jetdesk_store::now();
        assert_eq!(send(now).await, 0, "30 hours ahead is not yet the day before");
        assert_eq!(send(now + 7 * 3600).await, 1);
        assert_eq!(send(now + 7 * 3600).await, 0, "a second run sends nothing");
        assert_eq!(send(now + 8 * 3600).await, 0);
        let booking = app
            .store
            .interview_booking_of(application)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(booking.reminded_at, Some(now + 7 * 3600));
        let mails = app.mails_to("rita@iv.example", 2).await;
        assert!(mails
            .iter()
            .any(|m| m.contains("Reminder: your JET interview on")));
    }
);

on_both!(
    a_panel_member_scores_a_cir_interview_with_the_japanese_assessment,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let at = slot(&app, &s, 10 * 86400, "cir", &[s.panel]).await;
        let (client, csrf, application) = invited(&app, &s.round, "cara@iv.example", "cir").await;
        let (status, _) = post(
            &client,
            &app,
            "/my/interview/book",
            &[("csrf", &csrf), ("slot", &at.to_string())],
        )
        .await;
        assert_eq!(status, 303);
        let date = app.store.interview_slot(at).await.unwrap().unwrap().local_date;
        let reference = app
            .store
            .application(application)
            .await
            .unwrap()
            .unwrap()
            .reference
            .unwrap();
        let (iv, ivt) = app.session_for(Some(s.interviewer)).await;
        let (status, page) = get(&iv, &app, &format!("/interviews/day?date={date}")).await;
        assert_eq!(status, 200);
        assert!(page.contains(&reference), "{page}");
        assert!(
            page.contains(&format!("/interviews/score/{application}")),
            "{page}"
        );
        let path = format!("/interviews/score/{application}");
        let (status, page) = get(&iv, &app, &path).await;
        assert_eq!(status, 200);
        assert!(page.contains("International exchange experience"), "{page}");
        assert!(page.contains("japanese_speaking"), "{page}");

        // Bad input: a missing criterion and a Japanese score out of range, kept and explained.
        let mut form = vec![
            ("csrf", ivt.as_str()),
            ("motivation", "4"),
            ("communication", "5"),
            ("adaptability", "3"),
            ("ambassador", "4"),
            ("japanese_speaking", "4"),
            ("japanese_listening", "9"),
            ("japanese_reading_writing", "4"),
            ("note", "Fluent and warm"),
        ];
        let (status, page) = post(&iv, &app, &path, &form).await;
        assert_eq!(status, 422);
        assert!(page.contains("Choose a score from 1 to 5"), "{page}");
        assert!(page.contains("Enter a score from 0 to 5"), "{page}");
        assert!(page.contains("Fluent and warm"));
        assert_eq!(
            app.store.application(application).await.unwrap().unwrap().state,
            "invited"
        );

        form[6] = ("japanese_listening", "4");
        form.push(("exchange", "4"));
        let (status, _) = post(&iv, &app, &path, &form).await;
        assert_eq!(status, 303);
        let scores = app.store.interview_scores(application).await.unwrap();
        assert_eq!(scores.len(), 1);
        assert_eq!(scores[0].total, 20);
        assert_eq!(scores[0].japanese_level.as_deref(), Some("n2"));
        assert_eq!(
            app.store.application(application).await.unwrap().unwrap().state,
            "interviewed"
        );
        let user = app.store.application(application).await.unwrap().unwrap().user_id;
        let assessed = app.store.latest_japanese_assessment(user).await.unwrap().unwrap();
        assert_eq!(
            (assessed.level.as_str(), assessed.source.as_str()),
            ("n2", "interview")
        );
        // Re-scoring replaces the score and leaves the state alone.
        form[1] = ("motivation", "5");
        let (status, _) = post(&iv, &app, &path, &form).await;
        assert_eq!(status, 303);
        assert_eq!(
            app.store.interview_scores(application).await.unwrap()[0].total,
            21
        );

        // The panel member reads the whole application from the day page's link.
        let (status, page) = get(&iv, &app, &format!("/staff/applications/{application}")).await;
        assert_eq!(status, 200);
        assert!(page.contains(&reference), "{page}");

        // An interviewer not on this interview's panel cannot open, read or score it.
        let other = app.create_user("olga@iv.example", &[Role::Interviewer]).await;
        let (oc, ot) = app.session_for(Some(other)).await;
        assert_eq!(get(&oc, &app, &path).await.0, 403);
        assert_eq!(
            get(&oc, &app, &format!("/staff/applications/{application}"))
                .await
                .0,
            403
        );
        let mut theirs = form.clone();
        theirs[0] = ("csrf", ot.as_str());
        assert_eq!(post(&oc, &app, &path, &theirs).await.0, 403);
        assert_eq!(app.store.interview_scores(application).await.unwrap().len(), 1);
        let (status, page) = get(&oc, &app, &format!("/interviews/day?date={date}")).await;
        assert_eq!(status, 200);
        assert!(!page.contains(&reference));
    }
);

on_both!(
    interview_pages_refuse_the_wrong_roles,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let applicant = app.create_user("app@iv.example", &[Role::Applicant]).await;
        let reviewer = app.create_user("rev@iv.example", &[Role::Reviewer]).await;
        let (a, at) = app.session_for(Some(applicant)).await;
        let (r, rt) = app.session_for(Some(reviewer)).await;
        let (i, it) = app.session_for(Some(s.interviewer)).await;
        let (c, ct) = &s.coordinator;
        let round = s.round.id.to_string();
        assert_eq!(get(&a, &app, "/interviews").await.0, 403);
        assert_eq!(get(&i, &app, "/interviews").await.0, 403);
        assert_eq!(
            post(
                &a,
                &app,
                "/interviews/publish",
                &[("csrf", &at), ("round", &round)]
            )
            .await
            .0,
            403
        );
        assert_eq!(
            post(
                &i,
                &app,
                "/interviews/publish",
                &[("csrf", &it), ("round", &round)]
            )
            .await
            .0,
            403
        );
        assert_eq!(get(&r, &app, "/interviews/day").await.0, 403);
        assert_eq!(
            post(&r, &app, "/interviews/score/1", &[("csrf", &rt)]).await.0,
            403
        );
        assert_eq!(get(c, &app, "/my/interview").await.0, 403);
        assert_eq!(
            post(c, &app, "/my/interview/book", &[("csrf", ct), ("slot", "1")])
                .await
                .0,
            403
        );
        let anonymous = app.client();
        let res = anonymous.get(app.at("/my/interview")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303);
        // The applicant's page without an application says so, in both languages.
        let (status, page) = get(&a, &app, "/my/interview").await;
        assert_eq!(status, 200);
        assert!(page.contains("You have not been invited to interview"), "{page}");
    }
);
