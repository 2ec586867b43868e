//! End-to-end test of the JET placement in chromium: a host edits a post in Japanese; the
//! coordinator previews and publishes a placement; one candidate accepts and another declines;
//! the re-run fills the freed post without moving the one who accepted. axe-core checks every
//! page on the way (one in Japanese).

use jetdesk_domain::Role;
use jetdesk_store::{HeldAt, PlacementOrgInput, PlacementPostInput};
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

/// Signs in through the login form and waits for `next`.
pub(crate) async fn sign_in(browser: &Browser, email: &str, next: &str) {
    browser.goto(&format!("/login?next={next}")).await;
    browser.fill("email", email).await;
    browser.fill("password", PASSWORD).await;
    browser.submit_form_of("password").await;
    browser.wait_for_path(next).await;
}

/// Signs out from the menu.
pub(crate) async fn sign_out(browser: &Browser) {
    browser.click_css("form[action='/logout'] button").await;
    browser.wait_for_path("/").await;
}

async fn org(app: &TestApp, en: &str, ja: &str, area: &str, pref: &str, region: &str) -> i64 {
    app.store
        .create_placement_org(&PlacementOrgInput {
            name_en: en.into(),
            name_ja: ja.into(),
            prefecture: pref.into(),
            setting: "rural".into(),
            kind: "town".into(),
            region: region.into(),
            area: area.into(),
        })
        .await
        .unwrap()
}

/// A shortlisted ALT candidate whose first area is `area`; returns the application id.
async fn candidate(app: &TestApp, round: &jetdesk_store::Round, name: &str, areas: [&str; 2]) -> i64 {
    let user = app
        .create_user(
            &format!("{}@cand.example", name.to_lowercase()),
            &[Role::Applicant],
        )
        .await;
    let id = app.store.create_application(round, user, "alt").await.unwrap();
    for (section, answers) in [
        (
            "personal",
            json!({"given_names": name, "family_name": "Walker", "home_town": "York"}),
        ),
        ("japanese", json!({"jlpt_level": "none"})),
        (
            "preferences",
            json!({"area1": areas[0], "area2": areas[1], "setting": "any"}),
        ),
    ] {
        app.store
            .save_section(id, section, &answers.to_string(), true, 0)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE applications SET state = 'shortlisted', reference = $1 WHERE id = $2")
        .bind(format!("JET27-UK-{id:06}"))
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    id
}

async fn state_of(app: &TestApp, id: i64) -> String {
    app.store.application(id).await.unwrap().unwrap().state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_edits_a_post_coordinator_publishes_candidates_answer_and_the_rerun_fills_the_freed_post() {
    let Some(mut browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("jetdesk on SQLite");
    browser.set_base_url(&app.url);
    let started = Instant::now();

    let round = jetdesk_testkit::open_round_without_attachments(&app).await;
    let host = app.create_user("hana@aoba.example", &[Role::Host]).await;
    app.create_user("chris@desk.example", &[Role::Coordinator]).await;
    let aoba = org(&app, "Aoba Town", "青葉町", "miyagi", "Miyagi", "tohoku").await;
    let kochi = org(&app, "Niyodo Town", "仁淀町", "kochi", "Kochi", "shikoku").await;
    app.store.add_host_member(aoba, host).await.unwrap();
    let aoba_post = app
        .store
        .save_placement_post(
            aoba,
            None,
            &PlacementPostInput {
                position: "alt".into(),
                places: 3,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    let kochi_post = app
        .store
        .save_placement_post(
            kochi,
            None,
            &PlacementPostInput {
                position: "alt".into(),
                places: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    let ann = candidate(&app, &round, "Ann", ["miyagi", "kochi"]).await;
    let bea = candidate(&app, &round, "Bea", ["kochi", "miyagi"]).await;

    // The host edits the post in Japanese: one place, with a note.
    sign_in(&browser, "hana@aoba.example", "/hosts").await;
    check(&browser, "pl-hosts").await;
    browser.click_css(&format!("main a[href='/hosts/{aoba}']")).await;
    browser.wait_for_path(&format!("/hosts/{aoba}")).await;
    browser.click_text("日本語").await;
    wait_for_text(&browser, "ポストを保存").await;
    browser.click_css(&format!("#edit-post-{aoba_post}")).await;
    wait_for_text(&browser, "ポストを変更").await;
    check(&browser, "pl-org-ja").await;
    browser.fill("places", "0").await;
    browser.click_css("#save-post").await;
    wait_for_text(&browser, "人数は 1 から 100 までの整数").await;
    check(&browser, "pl-post-error-ja").await;
    browser.fill("places", "1").await;
    browser.fill("notes", "車で五校を訪問します。").await;
    browser.click_css("#save-post").await;
    wait_for_text(&browser, "ポストを保存しました").await;
    browser.assert_text("車で五校を訪問します。").await;
    let post = &app.store.placement_posts(aoba).await.unwrap()[0];
    assert_eq!((post.places, post.notes.as_str()), (1, "車で五校を訪問します。"));
    browser.click_text("English").await;
    wait_for_text(&browser, "Save the post").await;
    sign_out(&browser).await;

    // The coordinator previews and publishes.
    sign_in(&browser, "chris@desk.example", "/placement").await;
    check(&browser, "pl-rounds").await;
    browser
        .click_css(&format!("main a[href='/placement/{}']", round.id))
        .await;
    wait_for_text(&browser, "Run the placement").await;
    check(&browser, "pl-preview-empty").await;
    browser.click_css("#run").await;
    wait_for_text(&browser, "The placement has run").await;
    browser.assert_text("Ann Walker").await;
    browser.assert_text("Placed in their 1st choice of area").await;
    browser.assert_text("The placement is stable").await;
    check(&browser, "pl-preview").await;
    browser.click_css("#publish").await;
    wait_for_text(&browser, "The placement has been published").await;
    check(&browser, "pl-published").await;
    assert_eq!(state_of(&app, ann).await, "placed");
    assert_eq!(state_of(&app, bea).await, "placed");
    sign_out(&browser).await;

    // Ann accepts; Bea declines.
    sign_in(&browser, "ann@cand.example", "/my/placement").await;
    browser.assert_text("Aoba Town").await;
    check(&browser, "pl-my-offer").await;
    browser.click_text("Accept the placement").await;
    wait_for_text(&browser, "You have accepted your placement").await;
    check(&browser, "pl-my-accepted").await;
    sign_out(&browser).await;
    sign_in(&browser, "bea@cand.example", "/my/placement").await;
    browser.assert_text("Niyodo Town").await;
    browser.click_css("#confirm").await;
    browser.click_text("Decline the placement").await;
    wait_for_text(&browser, "You have declined your placement").await;
    check(&browser, "pl-my-declined").await;
    sign_out(&browser).await;
    assert_eq!(state_of(&app, ann).await, "accepted");
    assert_eq!(state_of(&app, bea).await, "declined");

    // An alternate upgraded to shortlisted wants Aoba first; the re-run gives Cal Bea's freed
    // place at Niyodo and leaves Ann at Aoba.
    let cal = candidate(&app, &round, "Cal", ["miyagi", "kochi"]).await;
    sign_in(
        &browser,
        "chris@desk.example",
        &format!("/placement/{}", round.id),
    )
    .await;
    browser.click_css("#run").await;
    wait_for_text(&browser, "The placement has run").await;
    browser.assert_text("Cal Walker").await;
    check(&browser, "pl-rerun").await;
    browser.click_css("#publish").await;
    wait_for_text(&browser, "The placement has been published").await;
    assert_eq!(state_of(&app, cal).await, "placed");
    assert_eq!(state_of(&app, ann).await, "accepted");
    let held: Vec<(i64, i64)> = app
        .store
        .placement_offers_held(HeldAt::Round(round.id))
        .await
        .unwrap()
        .iter()
        .map(|o| (o.application_id, o.post_id))
        .collect();
    assert!(
        held.contains(&(ann, aoba_post)) && held.contains(&(cal, kochi_post)),
        "{held:?}"
    );
    sign_out(&browser).await;

    // The host sees Ann, accepted, with her e-mail address.
    sign_in(&browser, "hana@aoba.example", &format!("/hosts/{aoba}")).await;
    browser.assert_text("ann@cand.example").await;
    check(&browser, "pl-host-placed").await;

    browser.close().await;
    eprintln!("placement journey took {:.1?}", started.elapsed());
}
