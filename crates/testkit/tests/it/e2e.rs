//! End-to-end tests in a real browser: headless chromium through chromedriver (see
//! `jetdesk_testkit::browser`), against jetdesk on an ephemeral port with a fresh SQLite database.
//! axe-core checks every page the tests visit. Screenshots go to `target/screenshots/`.
//!
//! Without chromedriver these tests say loudly that they were skipped; with
//! `JETDESK_REQUIRE_BROWSER=1` (as in `.ci/run`) they fail instead.

use jetdesk_testkit::browser::Browser;
use jetdesk_testkit::{link_in, Backend, TestApp};
use serde_json::Value;
use std::time::Instant;

/// A browser and a fresh app, or `None` when the browser tests are skipped.
async fn setup() -> Option<(TestApp, Browser)> {
    let started = Instant::now();
    let mut browser = Browser::start().await?;
    eprintln!("chromium started in {:.1?}", started.elapsed());
    let app = TestApp::spawn(Backend::Sqlite).await.expect("jetdesk on SQLite");
    browser.set_base_url(&app.url);
    Some((app, browser))
}

/// Opens `path`, checks it with axe-core and saves a screenshot named `shot`.
async fn visit(browser: &Browser, path: &str, shot: &str) {
    browser.goto(path).await;
    check(browser, shot).await;
}

/// Checks the current page with axe-core and saves a screenshot named `shot`.
async fn check(browser: &Browser, shot: &str) {
    browser.assert_accessible().await;
    browser.screenshot(shot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitor_reads_the_cir_page_and_switches_to_japanese() {
    let Some((_app, browser)) = setup().await else {
        return;
    };
    let started = Instant::now();

    visit(&browser, "/", "home-en").await;
    assert_eq!(browser.html_lang().await, "en");

    // Reach the CIR page the way a visitor would: through the menu.
    browser.click_css("nav.main-nav a[href='/positions']").await;
    browser.wait_for_path("/positions").await;
    check(&browser, "positions-en").await;
    browser.click_css("main a[href='/positions/cir']").await;
    browser.wait_for_path("/positions/cir").await;
    check(&browser, "cir-en").await;

    let text = browser.text().await;
    assert!(text.contains("JLPT N2"), "{text}");
    assert!(text.contains("You do not need a JLPT certificate"), "{text}");
    assert!(text.contains("interview is held in Japanese"), "{text}");
    let link = browser.by_css("main a[href='/japanese-evaluation']").await;
    assert!(link.text().await.unwrap().contains("Japanese evaluation"));
    link.click().await.unwrap();
    browser.wait_for_path("/japanese-evaluation").await;
    check(&browser, "japanese-evaluation-en").await;

    // Switch to Japanese from the header.
    browser.goto("/positions/cir").await;
    browser.click_text("日本語").await;
    browser.wait_for_path("/positions/cir").await;
    assert_eq!(browser.html_lang().await, "ja");
    let text = browser.text().await;
    assert!(text.contains("ログイン"), "the Japanese chrome: {text}");
    assert!(text.contains("English"), "a switch back to English: {text}");
    assert!(browser.source().await.contains("<html lang=\"ja\">"));
    check(&browser, "cir-ja").await;

    // The choice persists on the next page.
    browser.click_css("a.brand").await;
    browser.wait_for_path("/").await;
    assert_eq!(browser.html_lang().await, "ja");
    check(&browser, "home-ja").await;

    browser.close().await;
    eprintln!("visitor journey took {:.1?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_user_signs_up_verifies_signs_in_out_and_resets_the_password() {
    let Some((app, browser)) = setup().await else {
        return;
    };
    let started = Instant::now();
    let email = "hana.sato@example.org";
    let first = "first-password-for-hana";
    let second = "second-password-for-hana";

    // Sign up from the header's link.
    browser.goto("/").await;
    browser.click_text("Create an account").await;
    browser.wait_for_path("/signup").await;
    check(&browser, "signup").await;
    browser.fill("display_name", "Hana Sato").await;
    browser.fill("email", email).await;
    browser.fill("password", first).await;
    browser.fill("password_confirm", first).await;
    browser.submit_form_of("display_name").await;
    browser.assert_text("Check your email").await;
    check(&browser, "signup-check-email").await;

    // Confirm the address with the link in the mail.
    let mail = app.mails_to(email, 1).await.remove(0);
    let verify = link_in(&mail, &format!("{}/verify/", app.url));
    browser.goto(&verify).await;
    browser.wait_for_path("/login").await;
    browser.assert_text("Your email address is confirmed").await;
    check(&browser, "login-verified").await;

    // Sign in.
    browser.fill("email", email).await;
    browser.fill("password", first).await;
    browser.submit_form_of("password").await;
    browser.wait_for_path("/account").await;
    browser.assert_text("Your account").await;
    browser.assert_text("Hana Sato").await;
    check(&browser, "account").await;

    // Sign out with the header's button.
    browser.click_text("Sign out").await;
    browser.wait_for_path("/").await;
    browser.assert_text("You have signed out").await;
    browser.assert_text("Sign in").await;
    check(&browser, "signed-out").await;

    // Forgotten password: from the sign-in page.
    browser.click_text("Sign in").await;
    browser.wait_for_path("/login").await;
    browser.click_text("Forgotten your password?").await;
    browser.wait_for_path("/password/forgot").await;
    check(&browser, "forgot").await;
    browser.fill("email", email).await;
    browser.submit_form_of("email").await;
    browser
        .assert_text("we have sent it a link to reset the password")
        .await;
    check(&browser, "forgot-sent").await;

    let mails = app.mails_to(email, 2).await;
    let reset = mails
        .iter()
        .find(|m| m.contains("/password/reset/"))
        .map(|m| link_in(m, &format!("{}/password/reset/", app.url)))
        .expect("a reset mail");
    browser.goto(&reset).await;
    check(&browser, "reset").await;
    browser.fill("password", second).await;
    browser.fill("password_confirm", second).await;
    browser.submit_form_of("password").await;
    browser.wait_for_path("/login").await;
    browser.assert_text("Your password has been reset").await;
    check(&browser, "login-after-reset").await;

    // The old password no longer works; the new one does.
    browser.fill("email", email).await;
    browser.fill("password", first).await;
    browser.submit_form_of("password").await;
    browser
        .assert_text("The email address or password is incorrect")
        .await;
    check(&browser, "login-old-password").await;
    browser.fill("password", second).await;
    browser.submit_form_of("password").await;
    browser.wait_for_path("/account").await;
    browser.assert_text("Hana Sato").await;

    // The reset link was single-use.
    browser.goto(&reset).await;
    browser.assert_text("This reset link does not work").await;
    browser.assert_text("This link has already been used").await;
    check(&browser, "reset-used").await;

    browser.close().await;
    eprintln!("account journey took {:.1?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_with_errors_shows_the_summary_and_keeps_the_input() {
    let Some((_app, browser)) = setup().await else {
        return;
    };

    browser.goto("/signup").await;
    browser.fill("display_name", "Kenji <b>Mori</b>").await;
    browser.fill("email", "kenji.example.org").await;
    browser.fill("password", "short").await;
    browser.fill("password_confirm", "short").await;
    browser.submit_form_of("display_name").await;
    browser.wait_for_path("/signup").await;

    let summary = browser.by_css(".error-summary").await;
    let summary_text = summary.text().await.unwrap();
    assert!(summary_text.contains("There is a problem"), "{summary_text}");
    assert!(
        summary_text.contains("Enter an email address in the correct format"),
        "{summary_text}"
    );
    assert!(
        summary_text.contains("Password must be at least"),
        "{summary_text}"
    );
    // Each message links to its field, and is repeated beside it.
    browser.by_css(".error-summary a[href='#email']").await;
    browser.by_css(".error-summary a[href='#password']").await;
    assert!(browser
        .by_id("email-error")
        .await
        .text()
        .await
        .unwrap()
        .contains("correct format"));
    assert_eq!(
        browser
            .by_id("email")
            .await
            .attr("aria-invalid")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    // The input is kept (not the passwords), and HTML stays text.
    assert_eq!(browser.value_of("display_name").await, "Kenji <b>Mori</b>");
    assert_eq!(browser.value_of("email").await, "kenji.example.org");
    assert_eq!(browser.value_of("password").await, "");
    check(&browser, "signup-errors").await;

    // Following the summary's link puts the keyboard in the field.
    browser.click_css(".error-summary a[href='#email']").await;
    let active = browser.client().active_element().await.unwrap();
    assert_eq!(active.attr("id").await.unwrap().as_deref(), Some("email"));

    // The same on the sign-in form, in Japanese.
    browser.click_text("日本語").await;
    browser.goto("/login").await;
    browser.fill("email", "").await;
    browser.submit_form_of("email").await;
    let summary_text = browser.by_css(".error-summary").await.text().await.unwrap();
    assert_eq!(browser.html_lang().await, "ja");
    assert!(!summary_text.is_empty());
    check(&browser, "login-errors-ja").await;

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_public_page_passes_axe_in_both_languages() {
    let Some((_app, browser)) = setup().await else {
        return;
    };
    let pages = [
        "/",
        "/about",
        "/positions",
        "/positions/alt",
        "/positions/cir",
        "/positions/sea",
        "/eligibility",
        "/eligibility/check",
        "/eligibility/check?position=alt&british=no&degree=expected&degree_date=2027-09-30",
        "/pay-and-conditions",
        "/japanese-evaluation",
        "/login",
        "/signup",
        "/password/forgot",
        "/no-such-page",
    ];
    let mut failures = String::new();
    for lang in ["en", "ja"] {
        if lang == "ja" {
            browser.goto("/").await;
            browser.click_text("日本語").await;
        }
        for path in pages {
            browser.goto(path).await;
            assert_eq!(browser.html_lang().await, lang, "{path}");
            let violations = browser.axe_violations().await;
            if !violations.is_empty() {
                failures.push_str(&format!(
                    "{path} ({lang}):\n{}",
                    jetdesk_testkit::browser::format_violations(&violations)
                ));
            }
        }
    }
    browser.close().await;
    assert!(failures.is_empty(), "axe-core violations:\n{failures}");
}

/// axe-core gets into the page through WebDriver; this proves the site's Content-Security-Policy
/// is still in force for the page itself, so the accessibility check does not hide a weaker policy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_content_security_policy_still_blocks_inline_script() {
    let Some((_app, browser)) = setup().await else {
        return;
    };
    browser.goto("/").await;
    let client = browser.client();
    let outcome = client
        .execute_async(
            r#"
            const done = arguments[arguments.length - 1];
            let blocked = false;
            document.addEventListener('securitypolicyviolation', () => { blocked = true; });
            const s = document.createElement('script');
            s.textContent = 'window.__inlineRan = true;';
            document.body.appendChild(s);
            setTimeout(() => done({ ran: window.__inlineRan === true, blocked }), 300);
            "#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        outcome["ran"],
        Value::Bool(false),
        "inline script ran despite the CSP: {outcome}"
    );
    assert_eq!(
        outcome["blocked"],
        Value::Bool(true),
        "no CSP violation was reported: {outcome}"
    );
    // …and yet axe-core runs, and finds a violation when there is one (the check is not vacuous).
    browser.assert_accessible().await;
    client
        .execute(
            "const i = document.createElement('img'); i.src = '/static/favicon.svg'; \
             document.querySelector('main').appendChild(i);",
            vec![],
        )
        .await
        .unwrap();
    let violations = browser.axe_violations().await;
    assert!(
        violations.iter().any(|v| v.id == "image-alt"),
        "axe-core missed an image without alt: {violations:?}"
    );
    browser.close().await;
}
