//! End-to-end in chromium: an applicant completes and submits a CIR application ("not sure" of
//! their Japanese), staff find it by search, and a submit one moment after the deadline is refused
//! with the draft kept. axe-core checks every page visited.

use jetdesk_domain::Role;
use jetdesk_testkit::browser::Browser;
use jetdesk_testkit::{open_round_with, Backend, TestApp, PASSWORD};

/// A small, well-formed PDF (one empty page).
pub(crate) const MINIMAL_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n170\n%%EOF\n";

async fn setup() -> Option<(TestApp, Browser)> {
    let mut browser = Browser::start().await?;
    let app = TestApp::spawn(Backend::Sqlite).await.expect("jetdesk on SQLite");
    browser.set_base_url(&app.url);
    Some((app, browser))
}

/// Sets a field's value directly (date inputs do not take typed ISO dates in every locale).
async fn set(browser: &Browser, id: &str, value: &str) {
    browser
        .client()
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![serde_json::json!(id), serde_json::json!(value)],
        )
        .await
        .unwrap_or_else(|e| panic!("set #{id}: {e}"));
}

async fn choose(browser: &Browser, radio_id: &str) {
    browser
        .by_id(radio_id)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("choose #{radio_id}: {e}"));
}

async fn sign_in(browser: &Browser, email: &str) {
    browser.goto("/login").await;
    browser.fill("email", email).await;
    browser.fill("password", PASSWORD).await;
    browser.submit_form_of("password").await;
}

/// Opens a section from the task list, lets `fill` answer it, saves, and checks it completed.
async fn section(browser: &Browser, title: &str, shot: &str, fill: impl AsyncFnOnce(&Browser)) {
    browser.click_text(title).await;
    browser.assert_accessible().await;
    fill(browser).await;
    browser.screenshot(shot).await;
    browser.click_css("main form button[type=submit]").await;
    browser.wait_for_path("/apply").await;
    browser.assert_text("Section saved.").await;
}

async fn fill_everything(browser: &Browser) {
    section(
        browser,
        "Personal details",
        "apply-personal",
        async |b: &Browser| {
            b.fill("given_names", "Hannah").await;
            b.fill("family_name", "Okonkwo-Clarke").await;
            choose(b, "sex-female").await;
            set(b, "date_of_birth", "1999-03-27").await;
            b.fill("phone", "07700 900123").await;
            b.fill("address", "1 High Street\nYork").await;
            b.fill("home_town", "York").await;
            choose(b, "interview_location-london").await;
        },
    )
    .await;
    section(
        browser,
        "Nationality and passport",
        "apply-nationality",
        async |b: &Browser| {
            choose(b, "british-yes").await;
            choose(b, "japanese_nationality-no").await;
            b.fill("passport_number", "123456789").await;
            set(b, "passport_expiry", "2031-01-31").await;
        },
    )
    .await;
    section(browser, "Education", "apply-education", async |b: &Browser| {
        b.fill("degree_title", "BA (Hons)").await;
        b.fill("university", "University of Leeds").await;
        b.fill("subject", "Japanese Studies").await;
        choose(b, "degree_status-expected").await;
        set(b, "expected_date", "2027-06-30").await;
        choose(b, "teacher_training-no").await;
    })
    .await;
    section(
        browser,
        "Japanese ability",
        "apply-japanese",
        async |b: &Browser| {
            b.by_id("jlpt_level").await.select_by_value("none").await.unwrap();
            b.by_id("speaking")
                .await
                .select_by_value("advanced")
                .await
                .unwrap();
            b.by_id("reading")
                .await
                .select_by_value("intermediate")
                .await
                .unwrap();
            b.by_id("writing")
                .await
                .select_by_value("intermediate")
                .await
                .unwrap();
            choose(b, "not_sure-not_sure").await;
        },
    )
    .await;
    section(
        browser,
        "Teaching and other experience",
        "apply-experience",
        async |b: &Browser| {
            choose(b, "tefl-no").await;
            b.fill("work", "Bookshop assistant for two years.").await;
            choose(b, "previous_jet-no").await;
            choose(b, "declined_last_year-no").await;
            b.fill("months_in_japan", "11").await;
        },
    )
    .await;
    section(
        browser,
        "Interest in Japan and exchange",
        "apply-interest",
        async |b: &Browser| {
            b.fill("interest_japan", "A year in Kyoto as a student.").await;
            b.fill("exchange", "Ran the language exchange society.").await;
        },
    )
    .await;
    section(
        browser,
        "Statement of purpose",
        "apply-statement",
        async |b: &Browser| {
            b.fill(
                "statement",
                "I want to build links between York and a town in Japan.",
            )
            .await;
            let count = b.by_id("statement-count").await.text().await.unwrap();
            assert!(count.contains("remaining"), "the live word count runs: {count}");
        },
    )
    .await;
    section(
        browser,
        "Placement preferences",
        "apply-preferences",
        async |b: &Browser| {
            b.by_id("area1").await.select_by_value("hokkaido").await.unwrap();
            b.by_id("area2")
                .await
                .select_by_value("city-sendai")
                .await
                .unwrap();
            choose(b, "setting-rural").await;
            choose(b, "partner-no").await;
        },
    )
    .await;
    section(browser, "Health", "apply-health", async |b: &Browser| {
        choose(b, "condition-no").await
    })
    .await;
    section(
        browser,
        "Declarations and consent",
        "apply-declarations",
        async |b: &Browser| {
            choose(b, "criminal-no").await;
            for id in [
                "true-and-complete",
                "english-and-interest",
                "fit-to-work",
                "criminal-record",
                "data-processing",
            ] {
                b.by_id(id).await.click().await.unwrap();
            }
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_applicant_submits_a_cir_application_and_staff_find_it() {
    let Some((app, browser)) = setup().await else {
        return;
    };
    open_round_with(&app, 7 * 24 * 3600, "degree", 1).await;
    app.create_user("hannah@example.org", &[Role::Applicant]).await;
    app.create_user("desk@example.org", &[Role::Coordinator]).await;

    sign_in(&browser, "hannah@example.org").await;
    browser.click_css("nav.main-nav a[href='/apply']").await;
    browser.assert_accessible().await;
    choose(&browser, "position-cir").await;
    browser.click_text("Start application").await;
    browser.assert_text("JET27-UK-").await;
    browser.assert_accessible().await;

    // A section saved with a mistake keeps the answers and says what is wrong.
    browser.click_text("Personal details").await;
    browser.fill("given_names", "Hannah").await;
    set(&browser, "date_of_birth", "1999-02-30").await;
    browser.click_css("main form button[type=submit]").await;
    browser.assert_text("There is a problem").await;
    browser.assert_accessible().await;
    assert_eq!(browser.value_of("given_names").await, "Hannah");
    browser.goto("/apply").await;
    browser.assert_text("In progress").await;

    fill_everything(&browser).await;
    browser.assert_text("You have completed 10 of 10 sections").await;

    // Upload the proof of degree (a real, small PDF) through the file input.
    let pdf = app.data_dir.join("degree-certificate.pdf");
    std::fs::write(&pdf, MINIMAL_PDF).unwrap();
    browser.click_text("Documents").await;
    browser.assert_accessible().await;
    browser.upload("file-degree", &pdf).await;
    browser.assert_text("degree-certificate.pdf").await;
    browser.assert_accessible().await;
    browser.screenshot("apply-documents").await;

    // Name a referee; the referee answers through the e-mailed link, without an account.
    browser.goto("/apply/referees").await;
    browser.fill("name-1", "Prof. Aiko Tanaka").await;
    browser.fill("email-1", "tanaka@leeds.example").await;
    choose(&browser, "relationship-1-academic").await;
    browser.submit_form_of("name-1").await;
    browser.assert_text("Requested").await;
    browser.assert_accessible().await;
    let mail = &app.mails_to("tanaka@leeds.example", 1).await[0];
    let link = jetdesk_testkit::link_in(mail, &format!("{}/reference/", app.url));
    browser.goto(&link).await;
    browser.assert_accessible().await;
    browser
        .fill("text", "Hannah is a diligent student with excellent Japanese.")
        .await;
    browser.click_text("Send the reference").await;
    browser.assert_text("your reference has been received").await;
    browser.goto("/apply/referees").await;
    browser.assert_text("Received").await;
    let page = browser.text().await;
    assert!(
        !page.contains("diligent"),
        "the applicant never sees the reference"
    );
    browser.goto("/apply").await;

    browser.click_text("Check your answers and submit").await;
    browser.assert_text("University of Leeds").await;
    browser.assert_accessible().await;
    browser.screenshot("apply-check").await;
    browser.click_text("Submit application").await;
    browser.wait_for_path("/apply").await;
    browser.assert_text("Your application has been submitted").await;
    browser.assert_text("Submitted: eligible").await;
    browser.assert_text("assessed at the interview").await;
    browser.assert_accessible().await;
    browser.screenshot("apply-submitted").await;
    let mails = app.mails_to("hannah@example.org", 2).await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Application received: JET27-UK-")),
        "{mails:?}"
    );

    browser.click_text("Sign out").await;
    sign_in(&browser, "desk@example.org").await;
    browser
        .click_css("nav.main-nav a[href='/staff/applications']")
        .await;
    browser.fill("q", "okonkwo").await;
    browser.click_text("Apply filters").await;
    browser.assert_text("1 application").await;
    browser.assert_accessible().await;
    browser.screenshot("staff-search").await;
    browser
        .click_css("main table a[href^='/staff/applications/']")
        .await;
    browser.assert_text("Okonkwo-Clarke").await;
    browser.assert_text("cir-japanese").await;
    browser.assert_accessible().await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_submit_is_refused_and_the_draft_kept() {
    let Some((app, browser)) = setup().await else {
        return;
    };
    let round = open_round_with(&app, 300, "", 0).await;
    app.create_user("late@example.org", &[Role::Applicant]).await;
    sign_in(&browser, "late@example.org").await;
    browser.goto("/apply").await;
    choose(&browser, "position-alt").await;
    browser.click_text("Start application").await;
    fill_everything(&browser).await;
    browser.click_text("Check your answers and submit").await;
    // The deadline passes while the page is open.
    sqlx::query("UPDATE rounds SET closes_at = $1 WHERE id = $2")
        .bind(jetdesk_store::now() - 1)
        .bind(round.id)
        .execute(&app.db)
        .await
        .unwrap();
    browser.click_text("Submit application").await;
    browser
        .client()
        .wait()
        .for_element(fantoccini::Locator::Css(".error-summary"))
        .await
        .expect("the refusal is shown");
    browser.assert_text("The deadline has passed").await;
    browser.assert_text("Your draft is kept").await;
    browser.assert_accessible().await;
    browser.screenshot("apply-late").await;
    browser.goto("/apply").await;
    browser.assert_text("Draft: not submitted").await;
    browser.assert_text("You have completed 10 of 10 sections").await;
    browser.close().await;
}
