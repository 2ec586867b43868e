//! Referees: naming and the e-mailed single-use link, reuse, altered and expired links refused,
//! replacement killing the old link, the applicant never seeing the text, staff reading it (audited),
//! PDF references sniffed like documents, and reminders sent once.

use crate::documents::{applicant, pdf, png};
use jetdesk_domain::Role;
use jetdesk_testkit::{csrf_from, link_in, open_round, TestApp};
use reqwest::multipart::{Form, Part};

async fn name(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    slot: u32,
    who: &str,
    email: &str,
    relationship: &str,
) -> (u16, String) {
    let res = client
        .post(app.at(&format!("/apply/referees/{slot}")))
        .form(&[
            ("csrf", csrf),
            ("name", who),
            ("email", email),
            ("relationship", relationship),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

async fn get(client: &reqwest::Client, url: &str) -> (u16, String) {
    let res = client.get(url).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

/// Opens the link as a referee without an account and sends `text`.
async fn answer(app: &TestApp, link: &str, text: &str) -> (u16, String) {
    let referee = app.client();
    let (status, page) = get(&referee, link).await;
    assert_eq!(status, 200, "{page}");
    let csrf = csrf_from(&page);
    let res = referee
        .post(link)
        .form(&[("csrf", csrf.as_str()), ("text", text)])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

on_both!(
    a_referee_answers_once_through_the_link,
    |app: TestApp| async move {
        open_round(&app).await;
        let (client, csrf, _, application) = applicant(&app, "cara@refs.example").await;
        let (_, page) = get(&client, &app.at("/apply/referees")).await;
        assert_eq!(page.matches("Not named yet").count(), 2, "{page}");

        let (status, page) = name(
            &app,
            &client,
            &csrf,
            1,
            "Prof Ada Lovelace",
            "ada@uni.example",
            "academic",
        )
        .await;
        assert_eq!(status, 303, "{page}");
        let mail = app.mails_to("ada@uni.example", 1).await.remove(0);
        let link = link_in(&mail, &app.at("/reference/"));
        let (_, page) = get(&client, &app.at("/apply/referees")).await;
        assert!(page.contains("Requested"), "{page}");

        let secret = "Cara is diligent. SECRET-WORDS-1234 <b>bold</b>";
        let (status, page) = answer(&app, &link, secret).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("your reference has been received"), "{page}");

        let (_, page) = get(&client, &app.at("/apply/referees")).await;
        assert!(page.contains("Received"), "{page}");
        assert!(
            !page.contains("SECRET-WORDS"),
            "the applicant never sees the text"
        );
        let told = app.mails_to("cara@refs.example", 1).await;
        assert!(told.iter().all(|m| !m.contains("SECRET-WORDS")));

        // The link works once.
        let referee = app.client();
        let (status, page) = get(&referee, &link).await;
        assert_eq!(status, 400);
        assert!(page.contains("already been used"), "{page}");
        let (_, anon_csrf) = app.session_for(None).await;
        let _ = anon_csrf;
        let mut altered = link.clone();
        let last = altered.pop().unwrap();
        altered.push(if last == 'A' { 'B' } else { 'A' });
        let (status, page) = get(&referee, &altered).await;
        assert_eq!(status, 400);
        assert!(page.contains("This link is not valid"), "{page}");

        // A received referee cannot be replaced.
        let (status, page) = name(
            &app,
            &client,
            &csrf,
            1,
            "Someone Else",
            "else@uni.example",
            "academic",
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("already sent their reference"), "{page}");

        // Staff read it (audited); the staff page lists the referees; an applicant cannot read it.
        let referee_id: i64 = sqlx::query_scalar("SELECT id FROM referees WHERE email = 'ada@uni.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        let coordinator = app.create_user("coord@refs.example", &[Role::Coordinator]).await;
        let (staff, _) = app.session_for(Some(coordinator)).await;
        let (status, page) = get(&staff, &app.at(&format!("/staff/referees/{referee_id}"))).await;
        assert_eq!(status, 200);
        assert!(
            page.contains("SECRET-WORDS-1234 &lt;b&gt;bold&lt;/b&gt;")
                || page.contains("SECRET-WORDS-1234 &#60;b&#62;"),
            "{page}"
        );
        let (_, page) = get(&staff, &app.at(&format!("/staff/applications/{application}"))).await;
        assert!(
            page.contains("Prof Ada Lovelace") && page.contains(&format!("/staff/referees/{referee_id}")),
            "{page}"
        );
        let audited: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'reference.view'")
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(audited, 1);
        let (status, _) = get(&client, &app.at(&format!("/staff/referees/{referee_id}"))).await;
        assert_eq!(status, 403);
    }
);

on_both!(
    replaced_and_expired_links_are_refused,
    |app: TestApp| async move {
        open_round(&app).await;
        let (client, csrf, _, _) = applicant(&app, "dan@refs.example").await;

        // Field checks: each a message beside the field, nothing sent.
        let (status, page) = name(&app, &client, &csrf, 1, "", "not-an-email", "").await;
        assert_eq!(status, 422);
        assert!(
            page.contains("Enter the referee&#x27;s full name") || page.contains("Enter the referee"),
            "{page}"
        );
        assert!(page.contains("correct format"), "{page}");
        assert!(page.contains("academically or professionally"), "{page}");
        let (status, page) = name(&app, &client, &csrf, 1, "Me", "dan@refs.example", "academic").await;
        assert_eq!(status, 422);
        assert!(page.contains("someone other than you"), "{page}");
        let (status, _) = name(&app, &client, &csrf, 3, "Too Many", "x@y.example", "academic").await;
        assert_eq!(status, 404, "the round asks for two referees");

        let (status, _) = name(
            &app,
            &client,
            &csrf,
            1,
            "<script>alert(1)</script>",
            "first@work.example",
            "professional",
        )
        .await;
        assert_eq!(status, 303);
        let (_, page) = get(&client, &app.at("/apply/referees")).await;
        assert!(!page.contains("<script>alert(1)"), "names are escaped");
        let (status, page) = name(
            &app,
            &client,
            &csrf,
            2,
            "Same Person",
            "FIRST@work.example",
            "academic",
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("already named this person"), "{page}");

        let first = link_in(
            &app.mails_to("first@work.example", 1).await.remove(0),
            &app.at("/reference/"),
        );
        let referee = app.client();
        let (status, _) = get(&referee, &first).await;
        assert_eq!(status, 200);
        let (_, page) = get(&client, &app.at("/apply/referees")).await;
        assert!(page.contains("Opened"), "{page}");

        // Replacing a referee who has not answered kills the old link.
        let (status, _) = name(
            &app,
            &client,
            &csrf,
            1,
            "Second Person",
            "second@work.example",
            "professional",
        )
        .await;
        assert_eq!(status, 303);
        let second = link_in(
            &app.mails_to("second@work.example", 1).await.remove(0),
            &app.at("/reference/"),
        );
        let (status, page) = get(&referee, &first).await;
        assert_eq!(status, 400);
        assert!(page.contains("no longer valid"), "{page}");
        let (_, page) = get(&client, &app.at("/apply/referees")).await;
        assert!(
            page.contains("Second Person") && !page.contains("alert(1)"),
            "{page}"
        );

        // An expired link is refused, for GET and POST alike.
        let (status, page) = get(&referee, &second).await;
        assert_eq!(status, 200);
        let csrf_ref = csrf_from(&page);
        sqlx::query("UPDATE referees SET expires_at = 0 WHERE retired = 0")
            .execute(&app.db)
            .await
            .unwrap();
        let (status, page) = get(&referee, &second).await;
        assert_eq!(status, 400);
        assert!(page.contains("expired"), "{page}");
        let res = referee
            .post(&second)
            .form(&[("csrf", csrf_ref.as_str()), ("text", "Too late")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let (_, page) = get(&client, &app.at("/apply/referees")).await;
        assert!(page.contains("Link expired"), "{page}");
    }
);

on_both!(
    a_referee_can_upload_a_pdf_but_not_a_forged_one,
    |app: TestApp| async move {
        open_round(&app).await;
        let (client, csrf, _, _) = applicant(&app, "eve@refs.example").await;
        name(&app, &client, &csrf, 1, "Dr Who", "who@uni.example", "academic").await;
        let link = link_in(
            &app.mails_to("who@uni.example", 1).await.remove(0),
            &app.at("/reference/"),
        );
        let referee = app.client();
        let (_, page) = get(&referee, &link).await;
        let token = csrf_from(&page);
        let send = |bytes: Vec<u8>| {
            let referee = referee.clone();
            let url = format!("{link}/upload?csrf={token}");
            async move {
                let form = Form::new().part("file", Part::bytes(bytes).file_name("reference.pdf"));
                let res = referee.post(url).multipart(form).send().await.unwrap();
                let status = res.status().as_u16();
                (status, res.text().await.unwrap_or_default())
            }
        };
        let (status, page) = send(png()).await;
        assert_eq!(status, 422);
        assert!(page.contains("must be a PDF"), "{page}");
        let mut scripted = pdf("js");
        scripted.splice(
            9..9,
            b"<< /OpenAction << /S /Launch /F (calc.exe) >> >>\n"
                .iter()
                .copied(),
        );
        let (status, page) = send(scripted).await;
        assert_eq!(status, 422);
        assert!(page.contains("starts a program"), "{page}");
        let (status, page) = send(pdf("letter")).await;
        assert_eq!(status, 200, "{page}");
        let (status, _) = send(pdf("again")).await;
        assert_eq!(status, 400, "the link works once");

        let id: i64 = sqlx::query_scalar("SELECT id FROM referees WHERE email = 'who@uni.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        let reviewer = app.create_user("rev@refs.example", &[Role::Reviewer]).await;
        let (staff, _) = app.session_for(Some(reviewer)).await;
        let res = staff
            .get(app.at(&format!("/staff/referees/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        assert_eq!(res.bytes().await.unwrap().to_vec(), pdf("letter"));
    }
);

on_both!(
    reminders_go_once_to_referees_whose_link_expires_soon,
    |app: TestApp| async move {
        open_round(&app).await;
        let (client, csrf, _, _) = applicant(&app, "fay@refs.example").await;
        name(
            &app,
            &client,
            &csrf,
            1,
            "Soon Expiring",
            "soon@uni.example",
            "academic",
        )
        .await;
        name(
            &app,
            &client,
            &csrf,
            2,
            "Not Yet",
            "later@uni.example",
            "professional",
        )
        .await;
        let first = link_in(
            &app.mails_to("soon@uni.example", 1).await.remove(0),
            &app.at("/reference/"),
        );
        let soon = jetdesk_store::now() + 2 * 24 * 3600;
        sqlx::query("UPDATE referees SET expires_at = $1 WHERE email = 'soon@uni.example'")
            .bind(soon)
            .execute(&app.db)
            .await
            .unwrap();
        let transport = jetdesk_web::mail::transport(None, app.data_dir.join("outbox")).unwrap();
        let mailer =
            jetdesk_web::mail::Mailer::new(app.store.clone(), "JET Desk <jetdesk@localhost>", transport)
                .unwrap();
        let sent = jetdesk_web::referees::send_referee_reminders(&app.store, &mailer, &app.url)
            .await
            .unwrap();
        assert_eq!(sent, 1);
        let again = jetdesk_web::referees::send_referee_reminders(&app.store, &mailer, &app.url)
            .await
            .unwrap();
        assert_eq!(again, 0, "at most one reminder per request");
        let mails = app.mails_to("soon@uni.example", 2).await;
        let reminder = mails
            .iter()
            .find(|m| m.contains("Subject: Reminder"))
            .expect("a reminder");
        let fresh = link_in(
            reminder.split_once("\n\n").map(|(_, b)| b).unwrap_or(reminder),
            &app.at("/reference/"),
        );
        assert_ne!(fresh, first);
        let referee = app.client();
        assert_eq!(get(&referee, &fresh).await.0, 200);
        assert_eq!(
            get(&referee, &first).await.0,
            200,
            "the first link still works too"
        );
        let (status, _) = answer(&app, &fresh, "Fay is great.").await;
        assert_eq!(status, 200);
        assert_eq!(get(&referee, &first).await.0, 400, "either link, once");
    }
);

/// In chromium: the documents page (an upload, a refused file), the referees page (naming one) and
/// the referee's page (writing the reference), each checked with axe-core.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_and_referee_pages_work_in_a_browser_and_pass_axe() {
    let Some(mut browser) = jetdesk_testkit::browser::Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(jetdesk_testkit::Backend::Sqlite)
        .await
        .expect("jetdesk on SQLite");
    browser.set_base_url(&app.url);
    let round = open_round(&app).await;
    let user = app.create_user("gil@refs.example", &[Role::Applicant]).await;
    app.store.create_application(&round, user, "cir").await.unwrap();
    browser.goto("/login").await;
    browser.fill("email", "gil@refs.example").await;
    browser.fill("password", jetdesk_testkit::PASSWORD).await;
    browser.submit_form_of("password").await;

    let dir = app.data_dir.join("uploads-from-the-browser");
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("my degree.pdf");
    std::fs::write(&good, pdf("browser")).unwrap();
    let forged = dir.join("passport.pdf");
    std::fs::write(&forged, b"just text, not a PDF").unwrap();

    browser.goto("/apply/documents").await;
    browser.assert_accessible().await;
    browser
        .by_id("file-degree")
        .await
        .send_keys(&good.display().to_string())
        .await
        .unwrap();
    browser.submit_form_of("file-degree").await;
    browser.wait_for_path("/apply/documents").await;
    browser.assert_text("Your document has been uploaded.").await;
    browser.assert_text("my degree.pdf").await;
    browser.assert_accessible().await;
    browser
        .by_id("file-passport")
        .await
        .send_keys(&forged.display().to_string())
        .await
        .unwrap();
    browser.submit_form_of("file-passport").await;
    browser.assert_text("not a PDF, JPEG or PNG").await;
    browser.assert_accessible().await;
    browser.screenshot("documents-refused").await;

    browser.goto("/apply/referees").await;
    browser.assert_accessible().await;
    browser.fill("name-1", "Prof Iris Murdoch").await;
    browser.fill("email-1", "iris@uni.example").await;
    browser
        .by_id("relationship-1-academic")
        .await
        .click()
        .await
        .unwrap();
    browser.submit_form_of("name-1").await;
    browser.wait_for_path("/apply/referees").await;
    browser.assert_text("We have e-mailed your referee").await;
    browser.assert_accessible().await;
    browser.screenshot("referees").await;

    let link = link_in(
        &app.mails_to("iris@uni.example", 1).await.remove(0),
        &app.at("/reference/"),
    );
    browser.goto(link.trim_start_matches(&app.url)).await;
    browser.assert_accessible().await;
    browser.fill("text", "Gil is thoughtful and kind.").await;
    browser.submit_form_of("text").await;
    browser.assert_text("your reference has been received").await;
    browser.assert_accessible().await;
    browser.close().await;
}
