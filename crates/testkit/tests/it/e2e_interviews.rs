//! End-to-end test of interviews in chromium: the coordinator creates a day's slots and publishes
//! them; an invited CIR applicant books one, moves it, and the .ics invitations are in the outbox;
//! a panel interviewer opens their day and scores the interview with the Japanese assessment.
//! axe-core checks every page on the way, one of them in Japanese.

use crate::interviews::{applicant_in_state, calendars_to, parse_ics, value};
use jetdesk_domain::{ApplicationState, Role};
use jetdesk_testkit::browser::Browser;
use jetdesk_testkit::{open_round, Backend, TestApp, PASSWORD};
use serde_json::json;
use std::time::{Duration, Instant};

async fn check(browser: &Browser, shot: &str) {
    browser.assert_accessible().await;
    browser.screenshot(shot).await;
}

async fn wait_for_text(browser: &Browser, needle: &str) {
    let start = Instant::now();
    loop {
        if browser.text().await.contains(needle) {
            browser.wait_for_load().await;
            return;
        }
        if start.elapsed() > Duration::from_secs(20) {
            browser.assert_text(needle).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sign_in(browser: &Browser, email: &str, next: &str) {
    browser.goto(&format!("/login?next={next}")).await;
    browser.fill("email", email).await;
    browser.fill("password", PASSWORD).await;
    browser.submit_form_of("password").await;
    browser
        .wait_for_path(next.split('?').next().unwrap_or(next))
        .await;
}

async fn sign_out(browser: &Browser) {
    browser.click_css("form[action='/logout'] button").await;
    browser.wait_for_path("/").await;
}

/// Sets an input's value directly (date and time inputs type differently by locale).
async fn set_value(browser: &Browser, id: &str, value: &str) {
    browser
        .client()
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![json!(id), json!(value)],
        )
        .await
        .expect("set value");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_publishes_applicant_books_and_moves_interviewer_scores() {
    let Some(mut browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("jetdesk on SQLite");
    browser.set_base_url(&app.url);

    let round = open_round(&app).await;
    app.create_user("chris@desk.example", &[Role::Coordinator]).await;
    let ivan = app.create_user("ivan@desk.example", &[Role::Interviewer]).await;
    app.store
        .create_interview_venue("London", false, "101 Piccadilly, London W1J 7JT", "")
        .await
        .unwrap();
    app.store
        .create_interview_panel(round.id, "Panel A", &[ivan])
        .await
        .unwrap();
    let (_, application) = applicant_in_state(
        &app,
        &round,
        "ivy@apply.example",
        "cir",
        ApplicationState::Invited,
    )
    .await;
    let day = jetdesk_web::interviews::london_date(jetdesk_store::now() + 10 * 86400);

    // The coordinator creates three slots for CIR on one day and publishes them.
    sign_in(&browser, "chris@desk.example", "/interviews").await;
    check(&browser, "iv-coordinator").await;
    set_value(&browser, "date", &day).await;
    set_value(&browser, "first", "09:00").await;
    browser.fill("count", "3").await;
    browser.click_css("#position-cir").await;
    browser.click_css("#panel-first").await;
    browser.click_css("#create-slots").await;
    wait_for_text(&browser, "Slots created as drafts").await;
    check(&browser, "iv-slots-created").await;
    browser.click_css("#publish").await;
    wait_for_text(&browser, "Slots published").await;
    assert_eq!(app.store.interview_slots(round.id).await.unwrap().len(), 3);
    sign_out(&browser).await;

    // The invited applicant books the first time, then moves to another.
    sign_in(&browser, "ivy@apply.example", "/my/interview").await;
    check(&browser, "iv-my-choose").await;
    browser.click_css("input[name='slot']").await;
    browser.click_css("#book").await;
    wait_for_text(&browser, "Your interview is booked").await;
    check(&browser, "iv-my-booked").await;
    let booked = app
        .store
        .interview_booking_of(application)
        .await
        .unwrap()
        .unwrap();
    browser.click_css("input[name='slot']").await;
    browser.click_css("#move").await;
    wait_for_text(&browser, "Your interview has moved").await;
    let moved = app
        .store
        .interview_booking_of(application)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(moved.slot_id, booked.slot_id);
    let calendars = calendars_to(&app, "ivy@apply.example", 2).await;
    let first = parse_ics(&calendars[0]);
    let second = parse_ics(&calendars[1]);
    assert_eq!(value(&first, "METHOD"), "REQUEST");
    assert_eq!(value(&first, "UID"), value(&second, "UID"));
    assert_eq!(value(&second, "SEQUENCE"), "1");
    // The same page in Japanese.
    browser.goto("/language?lang=ja&next=/my/interview").await;
    browser.wait_for_load().await;
    assert_eq!(browser.html_lang().await, "ja");
    check(&browser, "iv-my-ja").await;
    browser.goto("/language?lang=en&next=/").await;
    browser.wait_for_load().await;
    sign_out(&browser).await;

    // The interviewer opens their day and scores the CIR interview with the Japanese assessment.
    sign_in(
        &browser,
        "ivan@desk.example",
        &format!("/interviews/day?date={day}"),
    )
    .await;
    check(&browser, "iv-day").await;
    browser
        .click_css(&format!("a[href='/interviews/score/{application}']"))
        .await;
    check(&browser, "iv-score").await;
    for (criterion, score) in [
        ("motivation", 4),
        ("communication", 5),
        ("adaptability", 3),
        ("ambassador", 4),
        ("exchange", 4),
    ] {
        browser.click_css(&format!("#{criterion}-{score}")).await;
    }
    browser.fill("japanese_speaking", "4").await;
    browser.fill("japanese_listening", "4").await;
    browser.fill("japanese_reading_writing", "4").await;
    browser.fill("note", "Warm, clear answers in Japanese.").await;
    browser.click_css("#submit-score").await;
    wait_for_text(&browser, "Your score is saved").await;
    browser.assert_text("N2").await;
    check(&browser, "iv-scored").await;
    let app_row = app.store.application(application).await.unwrap().unwrap();
    assert_eq!(app_row.state, "interviewed");
    let assessed = app
        .store
        .latest_japanese_assessment(app_row.user_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(assessed.level, "n2");
    browser.close().await;
}
