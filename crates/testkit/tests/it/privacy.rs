//! Data protection: an applicant's data download (the ZIP parsed back: their records and documents,
//! no reference texts, nobody else's data), an erasure request confirmed, approved by a coordinator
//! and carried out (rows blanked, files deleted unless shared, the round still counting the
//! application, the account unable to sign in), and retention (dry run lists, the real run erases
//! only what is due). Wrong roles are refused.

use jetdesk_domain::Role;
use jetdesk_testkit::{open_round, open_round_closing_in, TestApp};
use jetdesk_web::privacy::erase;
use std::io::Read;

struct Person {
    user: i64,
    application: i64,
    email: String,
    name: String,
    file: std::path::PathBuf,
    content: Vec<u8>,
}

/// A "hash" for stored content: the tests place files under any 64-hex-digit key.
fn key_for(n: u64) -> String {
    format!("{n:064x}")
}

/// An applicant with an application in `round`: a saved section, a document (stored file
/// `content_key`), a referee who has written a confidential reference, a Japanese assessment and an
/// e-mail in the outbox.
async fn person(app: &TestApp, round: &jetdesk_store::Round, tag: &str, content_key: u64) -> Person {
    let email = format!("{tag}@applicant.example");
    let name = format!("Zed {tag} Person");
    let user = app.create_user(&email, &[Role::Applicant]).await;
    let application = app.store.create_application(round, user, "alt").await.unwrap();
    let data = serde_json::json!({ "full_name": name, "passport": format!("P-{tag}") }).to_string();
    app.store
        .save_section(application, "personal", &data, true, 0)
        .await
        .unwrap();
    app.store
        .set_search_text(application, &name.to_lowercase())
        .await
        .unwrap();
    let sha = key_for(content_key);
    let content = format!("%PDF-1.4 shared content {content_key}").into_bytes();
    let file = app.data_dir.join("files").join(&sha[..2]).join(&sha);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, &content).unwrap();
    app.store
        .put_document(
            application,
            &jetdesk_store::NewDocument {
                kind: "degree",
                sha256: &sha,
                content_type: "application/pdf",
                size_bytes: content.len() as i64,
                original_name: "degree.pdf",
            },
        )
        .await
        .unwrap();
    let token = format!("token-{tag}");
    app.store
        .name_referee(
            application,
            &jetdesk_store::NewReferee {
                slot: 1,
                name: &format!("Prof {tag} Referee"),
                email: &format!("referee-{tag}@uni.example"),
                relationship: "academic",
                token_hash: &token,
                expires_at: jetdesk_store::now() + 86_400,
            },
        )
        .await
        .unwrap();
    let now = jetdesk_store::now();
    sqlx::query("UPDATE referees SET reference_text = $1, received_at = $2 WHERE application_id = $3")
        .bind(format!("CONFIDENTIAL PRAISE FOR {tag}"))
        .bind(now)
        .bind(application)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO japanese_assessments (user_id, application_id, level, source, note, assessed_at)
         VALUES ($1, $2, 'n3', 'evaluation', $3, $4)",
    )
    .bind(user)
    .bind(application)
    .bind(format!("fluent chat with {tag}"))
    .bind(now)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO outbox (to_addr, subject, body_text, created_at, next_attempt_at, sent_at)
         VALUES ($1, 'Your application', $2, $3, $3, $3)",
    )
    .bind(&email)
    .bind(format!("Dear {name}, your reference JET27-UK-{tag}"))
    .bind(now)
    .execute(&app.db)
    .await
    .unwrap();
    Person {
        user,
        application,
        email,
        name,
        file,
        content,
    }
}

/// Every entry of a ZIP archive, as (name, bytes).
pub(crate) fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut content = Vec::new();
        f.read_to_end(&mut content).unwrap();
        out.push((f.name().unwrap().to_string(), content));
    }
    out
}

/// The JSON list in the archive's file `name`.
pub(crate) fn json_of(files: &[(String, Vec<u8>)], name: &str) -> Vec<serde_json::Value> {
    let (_, bytes) = files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} in zip"));
    serde_json::from_slice(bytes).unwrap()
}

/// Sends `user`'s confirmed erasure request through the form; returns the request's id.
async fn confirmed_request(app: &TestApp, client: &reqwest::Client, csrf: &str, user: i64) -> i64 {
    let res = client
        .post(app.at("/my/erasure"))
        .form(&[
            ("csrf", csrf),
            ("reason", "I took another job"),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    sqlx::query_scalar("SELECT id FROM erasure_requests WHERE user_id = $1")
        .bind(user)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// Posts a decision on erasure request `request` as `client`.
async fn decide(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    request: i64,
    decision: &str,
    reason: &str,
) -> reqwest::Response {
    client
        .post(app.at(&format!("/staff/erasure/{request}")))
        .form(&[("csrf", csrf), ("decision", decision), ("reason", reason)])
        .send()
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql).bind(id).fetch_one(&app.db).await.unwrap()
}

async fn count_all(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.db).await.unwrap()
}

on_both!(
    the_download_holds_the_applicants_data_and_no_one_elses,
    |app: TestApp| async move {
        let round = open_round(&app).await;
        let a = person(&app, &round, "alice", 1).await;
        let b = person(&app, &round, "bob", 2).await;
        let (client, _) = app.session_for(Some(a.user)).await;

        let page = client.get(app.at("/my/data")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("/my/data.zip") && html.contains("in confidence"));

        let res = client.get(app.at("/my/data.zip")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/zip");
        let files = unzip(&res.bytes().await.unwrap());
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        for expected in [
            "README.txt",
            "account.json",
            "applications.json",
            "application_sections.json",
            "documents.json",
            "referees.json",
            "outcomes.json",
            "interview_bookings.json",
            "placement_offers.json",
            "japanese_assessments.json",
            "audit_log.json",
            "emails.json",
        ] {
            assert!(names.contains(&expected), "{expected} missing from {names:?}");
        }
        let account = json_of(&files, "account.json");
        assert_eq!(account[0]["email"], a.email.as_str());
        assert!(account[0].get("password_hash").is_none());
        let sections = json_of(&files, "application_sections.json");
        assert!(sections[0]["data_json"].as_str().unwrap().contains(&a.name));
        let referees = json_of(&files, "referees.json");
        assert_eq!(referees[0]["name"], "Prof alice Referee");
        assert_eq!(referees[0]["status"], "received");
        assert_eq!(json_of(&files, "emails.json").len(), 1);
        assert_eq!(json_of(&files, "japanese_assessments.json")[0]["level"], "n3");
        let doc = files
            .iter()
            .find(|(n, _)| n.starts_with("documents/"))
            .expect("the document's bytes");
        assert_eq!(doc.1, a.content);

        for (name, bytes) in &files {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains("CONFIDENTIAL PRAISE"),
                "a reference text in {name}"
            );
            assert!(
                !text.contains(&b.email) && !text.contains(&b.name),
                "Bob's data in {name}"
            );
            assert!(!text.contains("argon2"), "a password hash in {name}");
        }
        let audited = count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'privacy.export' AND actor_user_id = $1",
            a.user,
        )
        .await;
        assert_eq!(audited, 1);

        // Staff and anonymous visitors do not get the applicant's download.
        let reviewer = app.create_user("rev@jetdesk.example", &[Role::Reviewer]).await;
        let (rc, _) = app.session_for(Some(reviewer)).await;
        assert_eq!(rc.get(app.at("/my/data.zip")).send().await.unwrap().status(), 403);
        let (anon, _) = app.session_for(None).await;
        assert_ne!(
            anon.get(app.at("/my/data.zip")).send().await.unwrap().status(),
            200
        );
    }
);

on_both!(
    an_approved_erasure_removes_the_persons_data_but_not_the_figures,
    |app: TestApp| async move {
        let round = open_round(&app).await;
        let a = person(&app, &round, "alice", 1).await;
        let b = person(&app, &round, "bob", 2).await;
        // Carol's document has the same content as Bob's; Bob's erasure must keep the shared file.
        let c = person(&app, &round, "carol", 2).await;
        sqlx::query(
            "UPDATE applications SET state = 'in_review', reference = 'JET27-UK-000777' WHERE id = $1",
        )
        .bind(b.application)
        .execute(&app.db)
        .await
        .unwrap();
        let (bob, csrf) = app.session_for(Some(b.user)).await;

        // No reason: the form says so.
        let res = bob
            .post(app.at("/my/erasure"))
            .form(&[("csrf", csrf.as_str()), ("reason", " ")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("Enter why you are asking for erasure"));
        // A reason: the confirmation page, nothing recorded yet.
        let res = bob
            .post(app.at("/my/erasure"))
            .form(&[("csrf", csrf.as_str()), ("reason", "I took another job")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("confirm-erasure"));
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM erasure_requests WHERE user_id = $1",
                b.user
            )
            .await,
            0
        );
        let request = confirmed_request(&app, &bob, &csrf, b.user).await;

        // The applicant cannot decide their own request.
        let res = decide(&app, &bob, &csrf, request, "approve", "x").await;
        assert_eq!(res.status(), 403);

        let coord = app
            .create_user("coord@jetdesk.example", &[Role::Coordinator])
            .await;
        let (cc, ccsrf) = app.session_for(Some(coord)).await;
        let list = cc
            .get(app.at("/staff/erasure"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(list.contains(&b.email));
        let detail = cc
            .get(app.at(&format!("/staff/erasure/{request}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(detail.contains("active-warning") && detail.contains("in_review"));
        let res = decide(&app, &cc, &ccsrf, request, "approve", "").await;
        assert_eq!(res.status(), 200);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("Enter the reason for the decision"));
        let res = decide(&app, &cc, &ccsrf, request, "approve", "Art. 17 request").await;
        assert_eq!(res.status(), 303);

        // Gone: answers, keys, documents, referees, notes, e-mails, the account's identity.
        let id = b.application;
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM documents WHERE application_id = $1",
                id
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM referees WHERE application_id = $1",
                id
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM application_sections WHERE application_id = $1 AND data_json <> '{}'",
                id
            )
            .await,
            0
        );
        assert_eq!(
        count(&app, "SELECT COUNT(*) FROM applications WHERE id = $1 AND search_text = '' AND erased_at IS NOT NULL", id)
            .await,
        1
    );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM japanese_assessments WHERE user_id = $1 AND note <> ''",
                b.user
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM outbox WHERE to_addr = (SELECT email FROM users WHERE id = $1)",
                b.user
            )
            .await,
            0
        );
        let bob_email = b.email.clone();
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE to_addr = $1")
            .bind(&bob_email)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(left, 0);
        let (email, name): (String, String) =
            sqlx::query_as("SELECT email, display_name FROM users WHERE id = $1")
                .bind(b.user)
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert!(email.ends_with("@erased.invalid") && name.is_empty());
        // The file Carol shares stays; Bob can no longer use his session or sign in.
        assert!(c.file.exists());
        assert_ne!(bob.get(app.at("/my/data")).send().await.unwrap().status(), 200);
        // The figures stay: the round still counts three applications, Bob's still in review.
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM applications WHERE round_id = $1",
                round.id
            )
            .await,
            3
        );
        let state: String = sqlx::query_scalar("SELECT state FROM applications WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(state, "in_review");
        // Audited by ids, not names.
        let after: Vec<String> = sqlx::query_scalar(
            "SELECT COALESCE(before_value, '') || COALESCE(after_value, '') || subject FROM audit_log
         WHERE action LIKE 'privacy.%'",
        )
        .fetch_all(&app.db)
        .await
        .unwrap();
        assert!(after.len() >= 3);
        assert!(after
            .iter()
            .all(|t| !t.contains(&b.name) && !t.contains(&b.email)));
        // Alice is untouched, and her unshared file is still there; a decided request stays decided.
        assert!(a.file.exists());
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM documents WHERE application_id = $1",
                a.application
            )
            .await,
            1
        );
        let res = decide(&app, &cc, &ccsrf, request, "refuse", "again").await;
        assert_eq!(res.status(), 200);
    }
);

on_both!(
    a_lone_erasure_deletes_the_stored_file,
    |app: TestApp| async move {
        let round = open_round(&app).await;
        let a = person(&app, &round, "alice", 9).await;
        let (client, csrf) = app.session_for(Some(a.user)).await;
        let request = confirmed_request(&app, &client, &csrf, a.user).await;
        let coord = app
            .create_user("coord@jetdesk.example", &[Role::Coordinator])
            .await;
        let (cc, ccsrf) = app.session_for(Some(coord)).await;
        let detail = cc
            .get(app.at(&format!("/staff/erasure/{request}")))
            .send()
            .await
            .unwrap();
        assert!(!detail.text().await.unwrap().contains("active-warning"));
        let res = decide(&app, &cc, &ccsrf, request, "approve", "asked").await;
        assert_eq!(res.status(), 303);
        assert!(!a.file.exists(), "the only copy of the document is deleted");
    }
);

on_both!(retention_erases_only_what_is_due, |app: TestApp| async move {
    // A round that closed 90 days ago, and one still open.
    let old = open_round_closing_in(&app, -90 * 86_400).await;
    let a = person(&app, &old, "unsuccessful", 1).await;
    let b = person(&app, &old, "accepted", 2).await;
    let c = person(&app, &old, "withdrawn", 3).await;
    for (id, state) in [
        (a.application, "unsuccessful"),
        (b.application, "accepted"),
        (c.application, "withdrawn"),
    ] {
        sqlx::query("UPDATE applications SET state = $1 WHERE id = $2")
            .bind(state)
            .bind(id)
            .execute(&app.db)
            .await
            .unwrap();
    }

    let coord = app
        .create_user("coord@jetdesk.example", &[Role::Coordinator])
        .await;
    let (cc, csrf) = app.session_for(Some(coord)).await;
    let path = app.at(&format!("/staff/rounds/{}/retention", old.id));
    let page = cc.get(&path).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("retention-none"));
    let res = cc
        .post(&path)
        .form(&[("csrf", csrf.as_str()), ("months", "soon")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("from 1 to 120"));
    // Six months: not due yet.
    let res = cc
        .post(&path)
        .form(&[("csrf", csrf.as_str()), ("months", "6")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let now = jetdesk_store::now();
    assert!(erase::apply_retention(&app.store, &app.data_dir, now, true)
        .await
        .unwrap()
        .is_empty());
    // One month: due for the unsuccessful and the withdrawn, not the accepted.
    let res = cc
        .post(&path)
        .form(&[("csrf", csrf.as_str()), ("months", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = cc.get(&path).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("retention-due"));
    let dry = erase::apply_retention(&app.store, &app.data_dir, now, true)
        .await
        .unwrap();
    let mut ids: Vec<i64> = dry.iter().map(|c| c.application_id).collect();
    ids.sort();
    assert_eq!(ids, vec![a.application, c.application]);
    // The dry run changed nothing.
    assert_eq!(
        count_all(
            &app,
            "SELECT COUNT(*) FROM applications WHERE erased_at IS NOT NULL"
        )
        .await,
        0
    );
    assert!(a.file.exists());

    let done = erase::apply_retention(&app.store, &app.data_dir, now, false)
        .await
        .unwrap();
    assert_eq!(done.len(), 2);
    for p in [&a, &c] {
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM documents WHERE application_id = $1",
                p.application
            )
            .await,
            0
        );
        assert!(!p.file.exists());
        let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(p.user)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert!(email.ends_with("@erased.invalid"));
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM documents WHERE application_id = $1",
            b.application
        )
        .await,
        1
    );
    assert!(b.file.exists());
    assert_eq!(
        count_all(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'privacy.retention.erased'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM applications WHERE round_id = $1",
            old.id
        )
        .await,
        3
    );
    // A second run finds nothing more.
    assert!(erase::apply_retention(&app.store, &app.data_dir, now, false)
        .await
        .unwrap()
        .is_empty());

    // Applicants and reviewers cannot set retention.
    let (ac, acsrf) = app.session_for(Some(b.user)).await;
    let res = ac
        .post(&path)
        .form(&[("csrf", acsrf.as_str()), ("months", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
});
