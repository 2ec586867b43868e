//! End-to-end test of selection in chromium: the coordinator assigns reviewers, a reviewer scores
//! an application against the rubric, the coordinator sets a cut-off (seeing its count) and
//! invites; then, with interview totals written directly (as the interview module records them),
//! the coordinator applies the proposal, publishes the results and upgrades an alternate. axe-core
//! checks every page on the way, and one in Japanese.

use crate::review::seed;
use jetdesk_domain::Role;
use jetdesk_store::SelectionSettings;
use jetdesk_testkit::browser::Browser;
use jetdesk_testkit::{Backend, TestApp, PASSWORD};
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
    browser.wait_for_path(next).await;
}

async fn sign_out(browser: &Browser) {
    browser.click_css("form[action='/logout'] button").await;
    browser.wait_for_path("/").await;
}

/// Ticks a radio button without waiting for a navigation that a click on it never starts.
async fn tick(browser: &Browser, id: &str) {
    browser
        .client()
        .execute(
            "document.getElementById(arguments[0]).checked = true;",
            vec![json!(id)],
        )
        .await
        .expect("tick");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_assigns_reviewer_scores_invites_publishes_and_upgrades() {
    let Some(mut browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("jetdesk on SQLite");
    browser.set_base_url(&app.url);
    let started = Instant::now();

    let round = jetdesk_testkit::open_round(&app).await;
    let apps = seed(
        &app,
        &round,
        &[
            ("Amelia Hughes", "alt", "eligible"),
            ("Oliver Bennett", "alt", "eligible"),
            ("Isla Murray", "alt", "eligible"),
        ],
    )
    .await;
    app.create_user("coordinator@desk.example", &[Role::Coordinator])
        .await;
    let r1 = app.create_user("robin@desk.example", &[Role::Reviewer]).await;
    let r2 = app.create_user("rowan@desk.example", &[Role::Reviewer]).await;
    let base = format!("/staff/selection/{}", round.id);

    // The coordinator assigns reviewers.
    sign_in(&browser, "coordinator@desk.example", &base).await;
    check(&browser, "selection-overview").await;
    browser.click_text("Assign reviewers automatically").await;
    wait_for_text(&browser, "6 assignments made").await;
    check(&browser, "selection-assigned").await;
    sign_out(&browser).await;

    // A reviewer scores the first application through the rubric.
    sign_in(&browser, "robin@desk.example", "/review").await;
    check(&browser, "review-queue").await;
    let reference = apps[0].reference.clone().unwrap();
    browser.click_text(&reference).await;
    wait_for_text(&browser, "Score this application").await;
    check(&browser, "review-application").await;
    for criterion in [
        "motivation",
        "suitability",
        "adaptability",
        "communication",
        "teaching",
    ] {
        tick(&browser, &format!("{criterion}-4")).await;
    }
    browser.fill("comment", "Clear, well-evidenced motivation.").await;
    browser.click_text("Submit scores").await;
    wait_for_text(&browser, "Your scores were submitted.").await;
    check(&browser, "review-scored").await;
    sign_out(&browser).await;
    // The other sheets, written directly.
    for (a, r, total) in [
        (&apps[0], r2, 20),
        (&apps[1], r1, 18),
        (&apps[1], r2, 18),
        (&apps[2], r1, 10),
        (&apps[2], r2, 10),
    ] {
        assert!(app.store.submit_review(a.id, r, "{}", total, "").await.unwrap());
    }

    // The coordinator sets a cut-off, sees its count, and invites.
    sign_in(&browser, "coordinator@desk.example", &format!("{base}/ranking")).await;
    browser.fill("cutoff_alt", "15").await;
    browser.click_text("Show the count").await;
    wait_for_text(&browser, "This cut-off invites 2 applicants.").await;
    check(&browser, "selection-ranking").await;
    browser.click_text("Invite to interview").await;
    wait_for_text(&browser, "2 applicants were invited to interview.").await;
    check(&browser, "selection-invited").await;
    let mail = app.mails_to(&apps[0].email, 1).await.remove(0);
    assert!(mail.contains("/my/interview") && mail.contains(&reference));

    // Interviews happen (totals written directly); one place for ALT; results are due.
    let interviewer = app.create_user("imogen@desk.example", &[Role::Interviewer]).await;
    for (a, total) in [(&apps[0], 25), (&apps[1], 20)] {
        assert!(app
            .store
            .set_application_state(a.id, "invited", "interviewed", None)
            .await
            .unwrap());
        app.store
            .demo_interview_total(a.id, interviewer, total)
            .await
            .unwrap();
    }
    app.store
        .save_selection_settings(&SelectionSettings {
            places_alt: 1,
            ..SelectionSettings::defaults(round.id)
        })
        .await
        .unwrap();
    app.store
        .set_results_at(round.id, Some(jetdesk_store::now() - 60))
        .await
        .unwrap();

    let outcomes = format!("/staff/outcomes/{}", round.id);
    browser.goto(&outcomes).await;
    check(&browser, "outcomes").await;
    browser
        .click_text("Apply the proposal to the undecided applications listed")
        .await;
    wait_for_text(&browser, "2 proposals applied.").await;
    check(&browser, "outcomes-proposed").await;
    browser.click_text("Publish now").await;
    wait_for_text(&browser, "2 results published and e-mailed.").await;
    check(&browser, "outcomes-published").await;
    assert_eq!(
        app.store.application(apps[0].id).await.unwrap().unwrap().state,
        "shortlisted"
    );
    assert_eq!(
        app.store.application(apps[1].id).await.unwrap().unwrap().state,
        "alternate"
    );

    // The shortlisted candidate withdraws; the alternate is upgraded with one action.
    assert!(app
        .store
        .set_application_state(apps[0].id, "shortlisted", "withdrawn", Some("declined"))
        .await
        .unwrap());
    browser.goto(&outcomes).await;
    browser.click_text("Upgrade the next alternate").await;
    wait_for_text(&browser, "The next alternate was upgraded and told.").await;
    check(&browser, "outcomes-upgraded").await;
    assert_eq!(
        app.store.application(apps[1].id).await.unwrap().unwrap().state,
        "shortlisted"
    );
    let mails = app.mails_to(&apps[1].email, 3).await;
    assert!(mails.iter().any(|m| m.contains("upgraded")));

    // The same page in Japanese.
    browser.goto(&format!("/language?lang=ja&next={outcomes}")).await;
    browser.wait_for_path(&outcomes).await;
    wait_for_text(&browser, "次の補欠を繰り上げる").await;
    check(&browser, "outcomes-ja").await;

    browser.close().await;
    eprintln!("selection journey took {:.1?}", started.elapsed());
}
