//! End-to-end test of the coordinator's dashboard and exports in chromium: a coordinator opens the
//! dashboard from the menu (axe-core clean; every chart an image named by its title and
//! description, with its figures in a table), filters the applications list and exports it; the
//! exported CSV holds exactly the filtered rows; the audit log shows the export.

use jetdesk_domain::Role;
use jetdesk_store::DemoApplication;
use jetdesk_testkit::browser::Browser;
use jetdesk_testkit::{Backend, TestApp, PASSWORD};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_opens_the_dashboard_and_exports_a_filtered_list() {
    let Some(mut browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("jetdesk on SQLite");
    browser.set_base_url(&app.url);
    let round = jetdesk_testkit::open_round(&app).await;
    let now = jetdesk_store::now();
    let batch: Vec<DemoApplication> = [("Ann Able", "alt"), ("Ben Bell", "cir"), ("Cat Cole", "alt")]
        .iter()
        .enumerate()
        .map(|(i, (name, position))| DemoApplication {
            email: format!("{}@applicants.example", name.to_lowercase().replace(' ', ".")),
            display_name: (*name).into(),
            position: (*position).into(),
            state: "submitted".into(),
            submitted_at: Some(now - 100 + i as i64),
            eligibility_overall: None,
            eligibility_json: None,
            search_text: name.to_lowercase(),
            sections: vec![(
                "education".into(),
                json!({"university": "University of Leeds"}).to_string(),
                true,
            )],
        })
        .collect();
    app.store
        .insert_demo_applications(&round, "x", &batch)
        .await
        .unwrap();
    app.create_user("coord@jetdesk.test", &[Role::Coordinator]).await;

    browser.goto("/login?next=/staff/dashboard").await;
    browser.fill("email", "coord@jetdesk.test").await;
    browser.fill("password", PASSWORD).await;
    browser.submit_form_of("password").await;
    browser.wait_for_path("/staff/dashboard").await;
    browser.assert_text("Applications by state and position").await;
    browser.assert_accessible().await;
    browser.screenshot("dashboard").await;
    // Every chart drawn is an image with a text alternative and a table of its figures.
    let source = browser.source().await;
    let charts = source.matches("<svg").count();
    assert!(charts >= 3, "{charts} charts");
    assert_eq!(source.matches("role=\"img\"").count(), charts);
    assert_eq!(source.matches("<desc id=").count(), charts);
    assert!(source.matches("<table").count() >= charts);

    // The list, filtered to ALT, exported as CSV through the page's own link.
    browser
        .goto(&format!("/staff/applications?round={}", round.id))
        .await;
    browser
        .client()
        .execute("document.getElementById('position').value = 'alt';", vec![])
        .await
        .expect("choose ALT");
    browser.submit_form_of("position").await;
    browser.wait_for_load().await;
    browser.assert_text("2 applications").await;
    browser.assert_accessible().await;
    let href = browser
        .by_css("a[href^='/staff/applications.csv']")
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("export link");
    assert!(href.contains("position=alt"), "{href}");
    let csv = browser
        .client()
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.text()).then(done, e => done(String(e)));",
            vec![json!(href)],
        )
        .await
        .expect("fetch the export");
    let csv = csv.as_str().unwrap_or_default().to_string();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("Ann Able") && csv.contains("Cat Cole") && !csv.contains("Ben Bell"));

    browser.goto("/admin/audit?action=export.").await;
    browser.assert_text("export.applications").await;
    browser.assert_accessible().await;
    browser.screenshot("audit-log").await;
    browser.close().await;
}
