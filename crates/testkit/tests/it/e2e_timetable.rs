//! End-to-end test of the host's ALT school-visit planner in chromium: a host signs in, generates
//! a term's plan, tries a move that breaks a rule and sees the conflict message, makes a move that
//! keeps the rules, publishes; the ALT signs in and sees their calendar. axe-core checks every
//! page on the way, in English and one in Japanese.

use jetdesk_domain::Role;
use jetdesk_store::{TtAltInput, TtSchoolInput};
use jetdesk_testkit::browser::Browser;
use jetdesk_testkit::{Backend, TestApp, PASSWORD};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Checks the current page with axe-core and saves a screenshot named `shot`.
async fn check(browser: &Browser, shot: &str) {
    browser.assert_accessible().await;
    browser.screenshot(shot).await;
}

/// Waits until the page's text contains `needle` (after a form post and its redirect).
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

/// Sets a field's value directly (a date input's typing format depends on the browser's locale).
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
async fn host_generates_moves_and_publishes_and_the_alt_sees_the_calendar() {
    let Some(mut browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("jetdesk on SQLite");
    browser.set_base_url(&app.url);
    let started = Instant::now();

    // The organisation, its schools and ALTs (entering them through the forms is covered by
    // the integration tests).
    let host = app.create_user("hana@boe.example", &[Role::Host]).await;
    app.create_user("emma@alt.example", &[Role::Applicant]).await;
    let org = app
        .store
        .create_host_org(
            "Aoba Town Board of Education",
            "青葉町教育委員会",
            "Miyagi",
            "rural",
        )
        .await
        .unwrap();
    app.store.add_host_member(org, host).await.unwrap();
    for (code, name, level, per, days) in [
        ("s1", "Aoba Junior High", "junior_high", "week", 2),
        ("s2", "Midori Elementary", "elementary", "week", 1),
        ("s3", "Kawa Elementary", "elementary", "month", 2),
    ] {
        let school = TtSchoolInput {
            code: code.into(),
            name: name.into(),
            level: level.into(),
            per: per.into(),
            days,
            ..Default::default()
        };
        app.store.save_tt_school(org, &school).await.unwrap();
    }
    for (code, name, email, base, reachable) in [
        ("a1", "Emma Clarke", "emma@alt.example", "s1", "s2, s3"),
        ("a2", "Liam Byrne", "", "s2", "s3"),
    ] {
        let alt = TtAltInput {
            code: code.into(),
            name: name.into(),
            email: email.into(),
            base_school: base.into(),
            weekdays: "mon, tue, wed, thu, fri".into(),
            reachable: reachable.into(),
            ..Default::default()
        };
        app.store
            .save_tt_alt(org, &alt, &format!("feed-token-{code}-0123456789abcdef"))
            .await
            .unwrap();
    }

    // The host signs in and finds the organisation through the menu.
    sign_in(&browser, "hana@boe.example", "/timetables").await;
    check(&browser, "tt-index").await;
    browser.click_css("main a[href^='/timetables/']").await;
    browser.wait_for_path(&format!("/timetables/{org}")).await;
    check(&browser, "tt-org").await;

    // A new plan for two weeks after Golden Week.
    browser.fill("plan_name", "Spring 2027").await;
    set_value(&browser, "term_start", "2027-05-10").await;
    set_value(&browser, "term_end", "2027-05-21").await;
    browser.submit_form_of("plan_name").await;
    wait_for_text(&browser, "This plan has not been generated yet").await;
    let plan_path = browser.path().await;
    check(&browser, "tt-plan-new").await;

    // Generate.
    browser.click_css("#generate").await;
    wait_for_text(&browser, "The plan has been generated").await;
    browser.by_id("grid").await;
    browser.assert_text("Emma Clarke").await;
    check(&browser, "tt-plan-generated").await;
    let plan_id: i64 = plan_path.rsplit('/').next().unwrap().parse().unwrap();
    let stored = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            let row = store.tt_plan(org, plan_id).await.unwrap().unwrap();
            serde_json::from_str::<Value>(row.plan_json.as_deref().unwrap()).unwrap()
        }
    };
    let plan = stored(&app).await;
    let week1 = [
        "2027-05-10",
        "2027-05-11",
        "2027-05-12",
        "2027-05-13",
        "2027-05-14",
    ];
    let emma: Vec<(String, String)> = plan["visits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["alt"] == "a1" && week1.contains(&v["date"].as_str().unwrap()))
        .map(|v| {
            (
                v["date"].as_str().unwrap().to_string(),
                v["school"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let (from_date, _) = emma.iter().find(|(_, s)| s == "s1").unwrap().clone();
    let (busy_date, _) = emma.iter().find(|(d, _)| *d != from_date).unwrap().clone();
    let key = format!("{from_date}|a1|s1");

    // A move onto a day Emma is already elsewhere: refused with a clear message.
    browser
        .by_id("visit")
        .await
        .select_by_value(&key)
        .await
        .expect("choose the visit");
    set_value(&browser, "date", &busy_date).await;
    browser.by_id("alt").await.select_by_value("a1").await.unwrap();
    browser.click_css("#move").await;
    wait_for_text(&browser, "This move was not saved").await;
    browser
        .assert_text("The ALT is already at another school on")
        .await;
    check(&browser, "tt-move-conflict").await;
    assert_eq!(stored(&app).await, plan, "a refused move is not saved");

    // A move to a free day of the same week is saved and pinned.
    let plan_visits = plan["visits"].as_array().unwrap();
    let free = week1
        .iter()
        .find(|d| {
            !plan_visits
                .iter()
                .any(|v| v["date"] == **d && (v["alt"] == "a1" || v["school"] == "s1"))
        })
        .expect("a free day")
        .to_string();
    browser.by_id("visit").await.select_by_value(&key).await.unwrap();
    set_value(&browser, "date", &free).await;
    browser.by_id("alt").await.select_by_value("a1").await.unwrap();
    browser.click_css("#move").await;
    wait_for_text(&browser, "The visit has been moved").await;
    check(&browser, "tt-moved").await;
    let moved = stored(&app).await;
    assert!(
        moved["visits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["date"] == free.as_str()
                && v["alt"] == "a1"
                && v["school"] == "s1"
                && v["pinned"] == true),
        "{moved}"
    );

    // Publish.
    browser.click_css("#publish").await;
    wait_for_text(&browser, "The plan has been published").await;
    check(&browser, "tt-published").await;

    // The per-ALT calendar, and the plan in Japanese.
    browser.goto(&format!("{plan_path}/alts/a1")).await;
    browser.assert_text("Aoba Junior High").await;
    check(&browser, "tt-alt-calendar").await;
    browser.goto(&plan_path).await;
    browser.click_text("日本語").await;
    wait_for_text(&browser, "訪問の移動").await;
    check(&browser, "tt-plan-ja").await;
    browser.click_text("English").await;
    wait_for_text(&browser, "Move a visit").await;
    sign_out(&browser).await;

    // The ALT signs in and sees their calendar, with the subscription address.
    sign_in(&browser, "emma@alt.example", "/my/timetable").await;
    browser.assert_text("Spring 2027").await;
    browser.assert_text("Aoba Junior High").await;
    browser.assert_text("Subscribe to this calendar").await;
    check(&browser, "tt-my-timetable").await;
    let feed = browser
        .by_css("a.feed-link")
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("feed address");
    let ics = reqwest::get(&feed).await.unwrap().text().await.unwrap();
    assert!(
        ics.contains(&format!("DTSTART;VALUE=DATE:{}", free.replace('-', ""))),
        "{ics}"
    );

    browser.close().await;
    eprintln!("timetable journey took {:.1?}", started.elapsed());
}
