//! Checks beyond an application's own answers: the same person applying twice, partners confirming
//! each other, a decline in the previous round, eligibility re-checked when the rules change or
//! the JET Desk assesses the applicant's Japanese, and a session that expires mid-form.

use crate::applications::{answers, complete_application, save, start};
use jetdesk_domain::Role;
use jetdesk_testkit::{open_round_without_attachments, TestApp, PASSWORD};

async fn reference_of(app: &TestApp, round_id: i64, user_id: i64) -> String {
    app.store
        .application_of(round_id, user_id)
        .await
        .unwrap()
        .unwrap()
        .reference
        .unwrap()
}

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let res = client.get(app.at(path)).send().await.unwrap();
    assert_eq!(res.status(), 200, "GET {path}");
    res.text().await.unwrap()
}

async fn submit(app: &TestApp, client: &reqwest::Client, csrf: &str) {
    let res = client
        .post(app.at("/apply/submit"))
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
}

/// The fields a page's form would send: text inputs, ticked boxes and textareas, unescaped.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        s.replace("&#34;", "\"")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!("{name}=\"");
        let start = tag.find(&key)? + key.len();
        Some(tag[start..].split('"').next()?.to_string())
    };
    let mut fields = Vec::new();
    for chunk in html.split("<input").skip(1) {
        let tag = chunk.split('>').next().unwrap_or("");
        let kind = attr(tag, "type").unwrap_or_default();
        if kind == "checkbox" && !tag.contains(" checked") {
            continue;
        }
        if let Some(name) = attr(tag, "name") {
            fields.push((name, unescape(&attr(tag, "value").unwrap_or_default())));
        }
    }
    for chunk in html.split("<textarea").skip(1) {
        let (tag, rest) = chunk.split_once('>').unwrap_or(("", ""));
        if let Some(name) = attr(tag, "name") {
            fields.push((name, unescape(rest.split("</textarea>").next().unwrap_or(""))));
        }
    }
    fields
}

on_both!(
    the_same_person_applying_twice_is_flagged_to_staff,
    |app: TestApp| async move {
        open_round_without_attachments(&app).await;
        // Two accounts with the same passport number (and name and birthday): one person.
        let mut ids = Vec::new();
        for email in ["first@example.org", "second@example.org"] {
            let id = app.create_user(email, &[Role::Applicant]).await;
            let (client, csrf) = app.session_for(Some(id)).await;
            complete_application(&app, &client, &csrf, "Okafor").await;
            ids.push(id);
        }
        // A third shares only the name and date of birth.
        let third = app.create_user("third@example.org", &[Role::Applicant]).await;
        let (client, csrf) = app.session_for(Some(third)).await;
        assert_eq!(start(&app, &client, &csrf, "alt").await.status(), 303);
        for (section, fields) in answers("Okafor") {
            let fields: Vec<_> = fields
                .into_iter()
                .map(|(k, v)| {
                    if k == "passport_number" {
                        (k, "99 887 766".to_string())
                    } else {
                        (k, v)
                    }
                })
                .collect();
            assert_eq!(
                save(&app, &client, &csrf, section, &fields, "0").await.status(),
                303
            );
        }
        // A fourth is somebody else.
        let other = app.create_user("other@example.org", &[Role::Applicant]).await;
        let (client, csrf) = app.session_for(Some(other)).await;
        assert_eq!(start(&app, &client, &csrf, "alt").await.status(), 303);
        for (section, fields) in answers("Different") {
            let fields: Vec<_> = fields
                .into_iter()
                .map(|(k, v)| {
                    if k == "passport_number" {
                        (k, "555000111".to_string())
                    } else {
                        (k, v)
                    }
                })
                .collect();
            assert_eq!(
                save(&app, &client, &csrf, section, &fields, "0").await.status(),
                303
            );
        }

        let coordinator = app.create_user("coord@example.org", &[Role::Coordinator]).await;
        let (staff, _) = app.session_for(Some(coordinator)).await;
        let round = app.store.current_round("UK").await.unwrap().unwrap();
        let first = app.store.application_of(round.id, ids[0]).await.unwrap().unwrap();
        let second_ref = reference_of(&app, round.id, ids[1]).await;
        let detail = page(&staff, &app, &format!("/staff/applications/{}", first.id)).await;
        assert!(detail.contains("Possible duplicate"), "{detail}");
        assert!(detail.contains("the same passport number: <a href=\"/staff/applications/"));
        assert!(detail.contains(&second_ref));
        let third_app = app.store.application_of(round.id, third).await.unwrap().unwrap();
        let detail = page(&staff, &app, &format!("/staff/applications/{}", third_app.id)).await;
        assert!(detail.contains("the same name and date of birth"), "{detail}");
        let other_app = app.store.application_of(round.id, other).await.unwrap().unwrap();
        let detail = page(&staff, &app, &format!("/staff/applications/{}", other_app.id)).await;
        assert!(!detail.contains("Possible duplicate"));
        // The list flags the three and not the fourth.
        let list = page(&staff, &app, "/staff/applications").await;
        assert_eq!(list.matches("tag-flag").count(), 3, "{list}");
    }
);

on_both!(
    partners_link_by_reference_and_the_partner_confirms,
    |app: TestApp| async move {
        let round = open_round_without_attachments(&app).await;
        let a = app.create_user("ann@example.org", &[Role::Applicant]).await;
        let b = app.create_user("ben@example.org", &[Role::Applicant]).await;
        let (ca, csrf_a) = app.session_for(Some(a)).await;
        let (cb, csrf_b) = app.session_for(Some(b)).await;
        complete_application(&app, &ca, &csrf_a, "Archer").await;
        complete_application(&app, &cb, &csrf_b, "Baker").await;
        let (ref_a, ref_b) = (
            reference_of(&app, round.id, a).await,
            reference_of(&app, round.id, b).await,
        );
        let prefs = |partner_ref: &str| {
            vec![
                ("area1", "hokkaido".to_string()),
                ("setting", "rural".to_string()),
                ("partner", "yes".to_string()),
                ("partner_reference", partner_ref.to_string()),
            ]
        };
        let version = |app: &TestApp, user: i64| {
            let store = app.store.clone();
            async move {
                let id = store.application_of(round.id, user).await.unwrap().unwrap().id;
                store
                    .sections(id)
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|s| s.section == "preferences")
                    .unwrap()
                    .version
                    .to_string()
            }
        };

        // A reference nobody has, and one's own, are refused beside the field; nothing is linked.
        let v = version(&app, a).await;
        let res = save(&app, &ca, &csrf_a, "preferences", &prefs("JET27-UK-999999"), &v).await;
        assert_eq!(res.status(), 422);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("No application in this round has the reference JET27-UK-999999"));
        let v = version(&app, a).await;
        let res = save(&app, &ca, &csrf_a, "preferences", &prefs(&ref_a), &v).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("not your own"));
        assert!(app.store.confirmed_couples(round.id).await.unwrap().is_empty());

        // Ann names Ben: Ben is asked, Ann waits.
        let v = version(&app, a).await;
        assert_eq!(
            save(&app, &ca, &csrf_a, "preferences", &prefs(&ref_b), &v)
                .await
                .status(),
            303
        );
        assert!(page(&ca, &app, "/apply")
            .await
            .contains(&format!("Waiting for {ref_b} to confirm")));
        let ben = page(&cb, &app, "/apply").await;
        assert!(
            ben.contains("Hannah Archer") && ben.contains("says that you are applying to JET as partners"),
            "{ben}"
        );
        assert!(app.store.confirmed_couples(round.id).await.unwrap().is_empty());

        // Somebody else cannot confirm a request that was not made to them.
        let c = app.create_user("cat@example.org", &[Role::Applicant]).await;
        let (cc, csrf_c) = app.session_for(Some(c)).await;
        complete_application(&app, &cc, &csrf_c, "Carter").await;
        let res = cc
            .post(app.at("/apply/partner/confirm"))
            .form(&[("csrf", csrf_c.as_str()), ("reference", ref_a.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);

        // Ben confirms: a couple, Ann is told, Ben's own answers now name Ann.
        let res = cb
            .post(app.at("/apply/partner/confirm"))
            .form(&[("csrf", csrf_b.as_str()), ("reference", ref_a.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let ids = (
            app.store.application_of(round.id, a).await.unwrap().unwrap().id,
            app.store.application_of(round.id, b).await.unwrap().unwrap().id,
        );
        assert_eq!(app.store.confirmed_couples(round.id).await.unwrap(), vec![ids]);
        assert!(page(&ca, &app, "/apply")
            .await
            .contains(&format!("Confirmed: you and {ref_b}")));
        let mail = app.mails_to("ann@example.org", 1).await;
        assert!(mail[0].contains(&ref_a) && mail[0].contains(&ref_b));
        let check = page(&cb, &app, "/apply/section/preferences").await;
        assert!(check.contains(&ref_a), "{check}");

        // Ann changes her mind: the couple is gone.
        let v = version(&app, a).await;
        let mut no = prefs("");
        no[2].1 = "no".into();
        assert_eq!(
            save(&app, &ca, &csrf_a, "preferences", &no, &v).await.status(),
            303
        );
        assert!(app.store.confirmed_couples(round.id).await.unwrap().is_empty());
    }
);

on_both!(
    a_decline_in_the_previous_round_is_known_and_excludes,
    |app: TestApp| async move {
        // Last year's round, closed, where this person declined a placement under another account.
        let now = jetdesk_store::now();
        let rules = jetdesk_domain::eligibility::RuleSet::uk_default(2026).unwrap();
        let last = app
            .store
            .create_round(&jetdesk_store::RoundInput {
                name: "JET 2026 — United Kingdom".into(),
                country: "UK".into(),
                programme_year: 2026,
                positions: "alt,cir".into(),
                sea_invite_code: None,
                opens_at: now - 400 * 86400,
                closes_at: now - 300 * 86400,
                word_limit: 500,
                referees_required: 0,
                documents_required: String::new(),
                rules_json: serde_json::to_string(&rules).unwrap(),
            })
            .await
            .unwrap();
        let last = app.store.round(last).await.unwrap().unwrap();
        let user = app.create_user("dana@example.org", &[Role::Applicant]).await;
        let old = app.store.create_application(&last, user, "alt").await.unwrap();
        sqlx::query("UPDATE applications SET state = 'declined' WHERE id = $1")
            .bind(old)
            .execute(&app.db)
            .await
            .unwrap();

        let round = open_round_without_attachments(&app).await;
        let (client, csrf) = app.session_for(Some(user)).await;
        let start_page = page(&client, &app, "/apply").await;
        assert!(
            start_page.contains("you declined a JET placement in the previous round"),
            "{start_page}"
        );
        // Answering "no" to the question does not hide what the records say.
        complete_application(&app, &client, &csrf, "Dunn").await;
        assert!(page(&client, &app, "/apply")
            .await
            .contains("you declined a JET placement in the previous round"));
        submit(&app, &client, &csrf).await;
        let stored = app.store.application_of(round.id, user).await.unwrap().unwrap();
        assert_eq!(stored.state, "ineligible");
        assert!(stored.eligibility_json.unwrap().contains("declined"));

        // Somebody who did not decline is not told anything of the kind.
        let other = app.create_user("eve@example.org", &[Role::Applicant]).await;
        let (client, _) = app.session_for(Some(other)).await;
        assert!(!page(&client, &app, "/apply")
            .await
            .contains("declined a JET placement in the previous round"));
    }
);

on_both!(
    verdicts_are_checked_again_when_the_rules_or_the_assessed_japanese_change,
    |app: TestApp| async move {
        let round = open_round_without_attachments(&app).await;
        let user = app.create_user("fay@example.org", &[Role::Applicant]).await;
        let (client, csrf) = app.session_for(Some(user)).await;
        complete_application(&app, &client, &csrf, "Fisher").await;
        submit(&app, &client, &csrf).await;
        let id = app
            .store
            .application_of(round.id, user)
            .await
            .unwrap()
            .unwrap()
            .id;
        // Not sure of their Japanese: "needs review", which lets the application through.
        let before = app.store.application(id).await.unwrap().unwrap();
        assert_eq!(
            (before.state.as_str(), before.eligibility_overall.as_deref()),
            ("eligible", Some("needs_review"))
        );

        // The JET Desk's evaluation finds N4, then the coordinator saves the round with a stricter
        // residence limit (the applicant lived 12 months in Japan).
        app.store
            .record_japanese_assessment(user, Some(id), "n4", "evaluation", "Good listening.", None)
            .await
            .unwrap();
        let coordinator = app.create_user("coord@example.org", &[Role::Coordinator]).await;
        let (staff, staff_csrf) = app.session_for(Some(coordinator)).await;
        let edit = page(&staff, &app, &format!("/staff/rounds/{}", round.id)).await;
        let mut form = form_fields(&edit);
        for (k, v) in form.iter_mut() {
            if k == "csrf" {
                *v = staff_csrf.clone();
            }
            if k == "rules_json" {
                let mut rules: serde_json::Value = serde_json::from_str(v).unwrap();
                rules["japan_residence_limit_months"] = serde_json::json!(12);
                *v = rules.to_string();
            }
        }
        let res = staff
            .post(app.at(&format!("/staff/rounds/{}", round.id)))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
        assert!(res.headers()["location"].to_str().unwrap().contains("rechecking"));

        // The re-check runs in the background: wait for it.
        let mut after = app.store.application(id).await.unwrap().unwrap();
        for _ in 0..100 {
            if after.state != "eligible" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            after = app.store.application(id).await.unwrap().unwrap();
        }
        assert_eq!(after.state, "ineligible");
        let json = after.eligibility_json.unwrap();
        assert!(
            json.contains("Japanese evaluation found level N4, below the N2 required"),
            "{json}"
        );
        let history: Vec<String> = app
            .store
            .audit_for(&format!("application:{id}"), 20)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(history.contains(&"application.reopen".to_string()), "{history:?}");
        assert!(history.contains(&"application.recheck".to_string()));
        // The applicant reads the new verdict in plain words.
        assert!(page(&client, &app, "/apply")
            .await
            .contains("below the N2 required"));
    }
);

on_both!(
    a_session_that_expires_mid_form_loses_nothing,
    |app: TestApp| async move {
        open_round_without_attachments(&app).await;
        let user = app.create_user("gil@example.org", &[Role::Applicant]).await;
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        app.sign_in(&client, "gil@example.org", PASSWORD).await;
        let csrf = jetdesk_testkit::csrf_from(&page(&client, &app, "/apply").await);
        assert_eq!(start(&app, &client, &csrf, "cir").await.status(), 303);
        let form = page(&client, &app, "/apply/section/interest").await;
        let csrf = jetdesk_testkit::csrf_from(&form);

        // The session ends (12 hours pass) while the applicant writes.
        sqlx::query("DELETE FROM sessions")
            .execute(&app.db)
            .await
            .unwrap();
        let written = "Two summers teaching English at a Kyoto summer school <3 & more";
        let res = client
            .post(app.at("/apply/section/interest"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", "0"),
                ("interest_japan", written),
                ("exchange", "Buddy scheme."),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let to = res.headers()["location"].to_str().unwrap().to_string();
        assert!(
            to.starts_with("/login?next=%2Fapply%2Fsection%2Finterest"),
            "{to}"
        );
        let login = page(&client, &app, &to).await;
        assert!(login.contains("Your session ended"), "{login}");

        // Signing in returns to the section with the typing back, not yet saved.
        let csrf = jetdesk_testkit::csrf_from(&login);
        let res = client
            .post(app.at("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "gil@example.org"),
                ("password", PASSWORD),
                ("next", "/apply/section/interest"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], "/apply/section/interest");
        let back = page(&client, &app, "/apply/section/interest").await;
        assert!(
            back.contains("Your session ended before these answers were saved"),
            "{back}"
        );
        assert!(
            back.contains("Two summers teaching English at a Kyoto summer school &#60;3 &#38; more"),
            "{back}"
        );
        let round = app.store.current_round("UK").await.unwrap().unwrap();
        let id = app
            .store
            .application_of(round.id, user)
            .await
            .unwrap()
            .unwrap()
            .id;
        assert!(
            app.store.sections(id).await.unwrap().is_empty(),
            "nothing is saved without the applicant"
        );
        // Taken once: a reload shows the saved (empty) answers.
        assert!(!page(&client, &app, "/apply/section/interest")
            .await
            .contains("Kyoto"));

        // Anything else posted without a session is still refused.
        sqlx::query("DELETE FROM sessions")
            .execute(&app.db)
            .await
            .unwrap();
        let res = client
            .post(app.at("/apply/submit"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }
);
