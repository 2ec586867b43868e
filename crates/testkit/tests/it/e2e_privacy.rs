//! End-to-end test in chromium: an applicant downloads everything jetdesk holds about them.
//!
//! The applicant starts an application and uploads their proof of degree through the pages, goes
//! from their application to "Your data", and downloads `/my/data.zip` through the page's own link
//! (fetched inside the browser, with the session's cookie); the ZIP holds their application, their
//! answers and the very bytes they uploaded. They then ask for erasure (with the confirmation
//! step); a coordinator approves it from the erasure requests list, and the staff list no longer
//! shows the applicant's name or e-mail address, while the application still counts. axe-core
//! checks every page on the way.

use crate::e2e_application::MINIMAL_PDF;
use crate::e2e_placement::{sign_in, sign_out};
use crate::privacy::{json_of, unzip};
use jetdesk_domain::Role;
use jetdesk_testkit::browser::Browser;
use jetdesk_testkit::{open_round_with, Backend, TestApp};
use serde_json::{json, Value};

const APPLICANT: &str = "zoe.erasmus@applicant.example";
const NAME: &str = "Zoë Erasmus";
const COORDINATOR: &str = "desk@jetdesk.test";

/// Fetches `href` from inside the page (so with the page's cookies, as the link would) and returns
/// the status, the headers that matter and the body's bytes.
async fn fetch_bytes(browser: &Browser, href: &str) -> (u16, String, String, Vec<u8>) {
    let got = browser
        .client()
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(async r => {
               const bytes = new Uint8Array(await r.arrayBuffer());
               let binary = '';
               for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
               done({status: r.status, type: r.headers.get('content-type') || '',
                     disposition: r.headers.get('content-disposition') || '', body: btoa(binary)});
             }, e => done({status: 0, type: '', disposition: String(e), body: ''}));",
            vec![json!(href)],
        )
        .await
        .expect("fetch the download");
    let text = |k: &str| got.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let status = got.get("status").and_then(Value::as_u64).unwrap_or_default() as u16;
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD
        .decode(text("body"))
        .expect("base64 from the page");
    (status, text("type"), text("disposition"), body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_applicant_downloads_their_data_and_is_erased_on_request() {
    let Some(mut browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("jetdesk on SQLite");
    browser.set_base_url(&app.url);
    let round = open_round_with(&app, 7 * 24 * 3600, "degree", 0).await;
    let user = app.create_user(APPLICANT, &[Role::Applicant]).await;
    sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
        .bind(NAME)
        .bind(user)
        .execute(&app.db)
        .await
        .unwrap();
    app.create_user(COORDINATOR, &[Role::Coordinator]).await;
    // Someone else's application in the same round, which must stay out of the ZIP.
    let other = app
        .create_user("other@applicant.example", &[Role::Applicant])
        .await;
    let other_app = app.store.create_application(&round, other, "alt").await.unwrap();
    app.store
        .save_section(
            other_app,
            "personal",
            &json!({"home_town": "Someone Else's Town"}).to_string(),
            true,
            0,
        )
        .await
        .unwrap();

    // The applicant starts an ALT application and uploads their proof of degree.
    sign_in(&browser, APPLICANT, "/apply").await;
    browser
        .by_id("position-alt")
        .await
        .click()
        .await
        .expect("choose ALT");
    browser.click_text("Start application").await;
    browser.assert_text("JET27-UK-").await;
    let application = app
        .store
        .newest_application_id_of(user)
        .await
        .unwrap()
        .expect("the application the page started");
    let reference = app
        .store
        .application(application)
        .await
        .unwrap()
        .expect("application")
        .reference
        .expect("a reference");
    // One section's answers saved as the form would (the form itself is e2e_application's).
    app.store
        .save_section(
            application,
            "personal",
            &json!({"given_names": "Zoë", "family_name": "Erasmus", "home_town": "Whitby"}).to_string(),
            true,
            0,
        )
        .await
        .unwrap();
    let pdf = app.data_dir.join("zoe-degree.pdf");
    std::fs::write(&pdf, MINIMAL_PDF).unwrap();
    browser.click_text("Documents").await;
    browser.upload("file-degree", &pdf).await;
    browser.assert_text("zoe-degree.pdf").await;

    // From their application to "Your data", and the download through the page's own link.
    browser.goto("/apply").await;
    browser.click_css("nav.main-nav a[href='/my/data']").await;
    browser.wait_for_path("/my/data").await;
    browser.assert_text("Download your data").await;
    browser.assert_accessible().await;
    browser.screenshot("privacy-my-data").await;
    let link = browser.by_id("download-data").await;
    let href = link.attr("href").await.unwrap().expect("the download link");
    assert_eq!(href, "/my/data.zip");
    assert!(
        link.attr("download").await.unwrap().is_some(),
        "the link downloads rather than navigates"
    );
    let (status, content_type, disposition, body) = fetch_bytes(&browser, &href).await;
    assert_eq!(status, 200, "{disposition}");
    assert_eq!(content_type, "application/zip");
    assert!(disposition.starts_with("attachment"), "{disposition}");

    let files = unzip(&body);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"README.txt"), "{names:?}");
    let applications = json_of(&files, "applications.json");
    assert_eq!(applications.len(), 1, "{applications:?}");
    assert_eq!(applications[0]["id"], json!(application));
    assert_eq!(applications[0]["reference"], json!(reference));
    assert_eq!(applications[0]["position"], json!("alt"));
    let sections = json_of(&files, "application_sections.json");
    let all_sections = serde_json::to_string(&sections).unwrap();
    assert!(all_sections.contains("Whitby"), "{all_sections}");
    assert!(
        !all_sections.contains("Someone Else"),
        "another applicant's answers: {all_sections}"
    );
    let documents = json_of(&files, "documents.json");
    assert_eq!(documents.len(), 1, "{documents:?}");
    assert_eq!(documents[0]["original_name"], json!("zoe-degree.pdf"));
    let document_id = documents[0]["id"].as_i64().expect("document id");
    let (_, stored) = files
        .iter()
        .find(|(n, _)| *n == format!("documents/{document_id}-zoe-degree.pdf"))
        .unwrap_or_else(|| panic!("the uploaded file in the ZIP: {names:?}"));
    assert_eq!(stored.as_slice(), MINIMAL_PDF, "the bytes the applicant uploaded");
    let account = json_of(&files, "account.json");
    assert_eq!(account[0]["email"], json!(APPLICANT));

    // The applicant asks for erasure, with the confirmation step.
    browser
        .fill("reason", "I have taken a job in Leeds instead.")
        .await;
    browser.click_text("Continue").await;
    browser
        .assert_text("Are you sure you want your data erased?")
        .await;
    browser.assert_accessible().await;
    browser.click_css("#confirm-erasure").await;
    browser.wait_for_path("/my/data").await;
    browser
        .assert_text("Your erasure request has been sent to the JET Desk.")
        .await;
    browser.assert_text("Request pending").await;
    browser.assert_accessible().await;
    sign_out(&browser).await;

    // The coordinator sees the applicant in the staff list, then approves the request.
    sign_in(&browser, COORDINATOR, "/staff/applications").await;
    browser.assert_text(NAME).await;
    browser.assert_text(APPLICANT).await;
    browser.click_css("nav.main-nav a[href='/staff/erasure']").await;
    browser.wait_for_path("/staff/erasure").await;
    browser.assert_text("Request pending").await;
    browser.assert_accessible().await;
    browser.click_text(NAME).await;
    browser.assert_text("I have taken a job in Leeds instead.").await;
    browser.assert_accessible().await;
    browser
        .by_id("decision-approve")
        .await
        .click()
        .await
        .expect("choose approve");
    browser.fill("reason", "Identity checked; no active stage.").await;
    browser.click_text("Record decision").await;
    browser.assert_text("Erasure approved").await;
    browser.assert_accessible().await;
    browser.screenshot("privacy-erasure-approved").await;

    // Gone from the staff list by name and address; the application itself still counts.
    browser
        .goto(&format!("/staff/applications?round={}", round.id))
        .await;
    browser.assert_text("2 applications").await;
    let list = browser.text().await;
    assert!(
        !list.contains("Erasmus") && !list.contains(APPLICANT),
        "the erased applicant is still named in the staff list:\n{list}"
    );
    assert!(list.contains(&reference), "{list}");
    assert!(list.contains(&format!("erased-{user}@erased.invalid")), "{list}");
    browser.close().await;
}
