//! The application: start, sections, optimistic saves, check and submit, the deadline, withdrawal,
//! and staff finding it.

use jetdesk_domain::Role;
use jetdesk_testkit::{csrf_from, open_round, open_round_with, open_round_without_attachments, TestApp};

/// Valid answers for every section of a CIR applicant who is not sure of their Japanese.
pub(crate) fn answers(family: &str) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let s = |v: &str| v.to_string();
    vec![
        (
            "personal",
            vec![
                ("given_names", s("Hannah")),
                ("family_name", s(family)),
                ("sex", s("female")),
                ("date_of_birth", s("1999-03-27")),
                ("phone", s("07700 900123")),
                ("address", s("1 High Street\nYork")),
                ("home_town", s("York")),
                ("interview_location", s("london")),
            ],
        ),
        (
            "nationality",
            vec![
                ("british", s("yes")),
                ("japanese_nationality", s("no")),
                ("passport_number", s("123456789")),
                ("passport_expiry", s("2030-01-01")),
            ],
        ),
        (
            "education",
            vec![
                ("degree_title", s("BA (Hons)")),
                ("university", s("University of Leeds")),
                ("subject", s("Japanese Studies")),
                ("degree_status", s("expected")),
                ("expected_date", s("2027-06-30")),
                ("teacher_training", s("no")),
            ],
        ),
        (
            "japanese",
            vec![
                ("jlpt_level", s("none")),
                ("speaking", s("advanced")),
                ("reading", s("intermediate")),
                ("writing", s("intermediate")),
                ("not_sure", s("not_sure")),
            ],
        ),
        (
            "experience",
            vec![
                ("tefl", s("no")),
                ("work", s("Bookshop assistant, 2 years")),
                ("previous_jet", s("no")),
                ("declined_last_year", s("no")),
                ("months_in_japan", s("12")),
            ],
        ),
        (
            "interest",
            vec![
                ("interest_japan", s("A year in Kyoto as a student.")),
                ("exchange", s("Buddy scheme for exchange students.")),
            ],
        ),
        (
            "statement",
            vec![(
                "statement",
                s("I want to build links between York and a Japanese town."),
            )],
        ),
        (
            "preferences",
            vec![
                ("area1", s("hokkaido")),
                ("area2", s("city-sendai")),
                ("setting", s("rural")),
                ("partner", s("no")),
            ],
        ),
        ("health", vec![("condition", s("no"))]),
        (
            "declarations",
            vec![
                ("criminal", s("no")),
                ("true-and-complete", s("yes")),
                ("english-and-interest", s("yes")),
                ("fit-to-work", s("yes")),
                ("criminal-record", s("yes")),
                ("data-processing", s("yes")),
            ],
        ),
    ]
}

pub(crate) async fn start(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    position: &str,
) -> reqwest::Response {
    client
        .post(app.at("/apply/start"))
        .form(&[("csrf", csrf), ("position", position)])
        .send()
        .await
        .unwrap()
}

pub(crate) async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    section: &str,
    fields: &[(&str, String)],
    version: &str,
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf), ("version", version)];
    form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    client
        .post(app.at(&format!("/apply/section/{section}")))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// Starts a CIR application and completes every section.
pub(crate) async fn complete_application(app: &TestApp, client: &reqwest::Client, csrf: &str, family: &str) {
    assert_eq!(start(app, client, csrf, "cir").await.status(), 303);
    for (section, fields) in answers(family) {
        let res = save(app, client, csrf, section, &fields, "0").await;
        assert_eq!(res.status(), 303, "{section}: {}", res.text().await.unwrap());
    }
}

on_both!(
    an_applicant_completes_and_submits_a_cir_application,
    |app: TestApp| async move {
        open_round_without_attachments(&app).await;
        let id = app.create_user("hannah@example.org", &[Role::Applicant]).await;
        let (client, csrf) = app.session_for(Some(id)).await;
        let page = client
            .get(app.at("/apply"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Which position are you applying for?"));
        complete_application(&app, &client, &csrf, "Clarke").await;

        let tasks = client
            .get(app.at("/apply"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(tasks.contains("You have completed 10 of 10 sections"));
        assert!(tasks.contains("JET27-UK-"));
        let check = client
            .get(app.at("/apply/check"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            check.contains("University of Leeds") && check.contains("/apply/section/education#university")
        );
        assert!(check.contains("Submit application"));

        let res = client
            .post(app.at("/apply/submit"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let tasks = client
            .get(app.at("/apply"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            tasks.contains("Submitted: eligible"),
            "needs review does not exclude"
        );
        assert!(
            tasks.contains("Needs review") && tasks.contains("interview"),
            "the CIR Japanese rule explains itself"
        );

        let mail = &app.mails_to("hannah@example.org", 1).await[0];
        assert!(mail.contains("Application received: JET27-UK-"));
        // Read-only now.
        let res = save(&app, &client, &csrf, "health", &[("condition", "no".into())], "1").await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("can no longer be changed"));
        // A second submit does nothing.
        let res = client
            .post(app.at("/apply/submit"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
    }
);

on_both!(
    a_submit_one_moment_late_is_refused_and_the_draft_kept,
    |app: TestApp| async move {
        let round = open_round_with(&app, 3, "", 0).await;
        let id = app.create_user("late@example.org", &[Role::Applicant]).await;
        let (client, csrf) = app.session_for(Some(id)).await;
        complete_application(&app, &client, &csrf, "Late").await;
        while jetdesk_store::now() < round.closes_at {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        let res = client
            .post(app.at("/apply/submit"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("The deadline has passed") && body.contains("Your draft is kept"));
        let stored = app.store.application_of(round.id, id).await.unwrap().unwrap();
        assert_eq!(stored.state, "draft");
        assert_eq!(app.store.sections(stored.id).await.unwrap().len(), 10);
    }
);

on_both!(
    a_second_tab_is_told_the_section_changed,
    |app: TestApp| async move {
        open_round_without_attachments(&app).await;
        let id = app.create_user("tabs@example.org", &[Role::Applicant]).await;
        let (client, csrf) = app.session_for(Some(id)).await;
        start(&app, &client, &csrf, "alt").await;
        let first = save(&app, &client, &csrf, "health", &[("condition", "no".into())], "0").await;
        assert_eq!(first.status(), 303);
        // The second tab was opened before the first saved: it still says version 0.
        let second = save(
            &app,
            &client,
            &csrf,
            "health",
            &[
                ("condition", "yes".into()),
                ("condition_details", "Asthma".into()),
            ],
            "0",
        )
        .await;
        assert_eq!(second.status(), 409);
        let body = second.text().await.unwrap();
        assert!(
            body.contains("changed in another tab") && body.contains("Asthma"),
            "their typing is shown, not lost"
        );
        assert!(body.contains("name=\"version\" value=\"1\""));
        let page = client
            .get(app.at("/apply/section/health"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("value=\"no\" checked"), "the first save stands");
    }
);

on_both!(
    invalid_answers_are_kept_with_their_errors,
    |app: TestApp| async move {
        let round = open_round_without_attachments(&app).await;
        let id = app.create_user("messy@example.org", &[Role::Applicant]).await;
        let (client, csrf) = app.session_for(Some(id)).await;
        start(&app, &client, &csrf, "alt").await;
        let long = "x".repeat(150);
        let res = save(
            &app,
            &client,
            &csrf,
            "personal",
            &[
                ("given_names", "<b>Ann</b>".into()),
                ("family_name", long.clone()),
                ("date_of_birth", "1999-02-30".into()),
                ("sex", "other".into()),
            ],
            "0",
        )
        .await;
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("There is a problem") && body.contains("href=\"#family_name\""));
        assert!(body.contains("100 characters or fewer (you have 150)"));
        assert!(body.contains("real date"));
        assert!(body.contains("&lt;b&gt;Ann&lt;/b&gt;") || body.contains("&#60;b&#62;Ann"));
        assert!(!body.contains("<b>Ann</b>"));
        let stored = app.store.application_of(round.id, id).await.unwrap().unwrap();
        let sections = app.store.sections(stored.id).await.unwrap();
        assert_eq!(sections.len(), 1);
        assert!(!sections[0].is_complete(), "saved as in progress");
        assert!(sections[0].data_json.contains(&long), "nothing typed is lost");
        let tasks = client
            .get(app.at("/apply"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(tasks.contains("In progress"));
        // An unknown section is a 404, and check-your-answers offers no submit button yet.
        assert_eq!(
            client
                .get(app.at("/apply/section/nope"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        let check = client
            .get(app.at("/apply/check"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!check.contains("Submit application"));
        let res = client
            .post(app.at("/apply/submit"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
    }
);

on_both!(
    one_application_per_applicant_per_round,
    |app: TestApp| async move {
        open_round_without_attachments(&app).await;
        let id = app.create_user("both@example.org", &[Role::Applicant]).await;
        let (client, csrf) = app.session_for(Some(id)).await;
        assert_eq!(start(&app, &client, &csrf, "alt").await.status(), 303);
        let res = start(&app, &client, &csrf, "cir").await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("disqualifies both"));
        let res = start(&app, &client, &csrf, "sea").await;
        assert_eq!(
            res.status(),
            422,
            "SEA needs an invitation code the round does not offer"
        );
    }
);

on_both!(
    applicants_see_only_their_own_application,
    |app: TestApp| async move {
        open_round_without_attachments(&app).await;
        let a = app.create_user("a@example.org", &[Role::Applicant]).await;
        let b = app.create_user("b@example.org", &[Role::Applicant]).await;
        let (ca, csrf_a) = app.session_for(Some(a)).await;
        complete_application(&app, &ca, &csrf_a, "Secretname").await;
        let (cb, _) = app.session_for(Some(b)).await;
        for path in ["/apply", "/apply/section/personal", "/apply/check"] {
            let res = cb.get(app.at(path)).send().await.unwrap();
            let body = res.text().await.unwrap();
            assert!(!body.contains("Secretname"), "{path} leaks A's answers to B");
        }
        let listing = app
            .store
            .list_applications(&Default::default(), 10, 0)
            .await
            .unwrap()
            .0;
        let res = cb
            .get(app.at(&format!("/staff/applications/{}", listing[0].id)))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }
);

on_both!(
    staff_find_an_application_by_search_and_filters,
    |app: TestApp| async move {
        open_round_without_attachments(&app).await;
        for (i, family) in ["Okafor", "Nakamura", "Smith"].iter().enumerate() {
            let id = app
                .create_user(&format!("p{i}@example.org"), &[Role::Applicant])
                .await;
            let (c, csrf) = app.session_for(Some(id)).await;
            complete_application(&app, &c, &csrf, family).await;
            if i == 0 {
                c.post(app.at("/apply/submit"))
                    .form(&[("csrf", csrf.as_str())])
                    .send()
                    .await
                    .unwrap();
            }
        }
        let coordinator = app.create_user("desk@example.org", &[Role::Coordinator]).await;
        let (client, _) = app.session_for(Some(coordinator)).await;
        let page = client
            .get(app.at("/staff/applications?q=nakaMURA"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("1 application<") && page.contains("p1@example.org"));
        let page = client
            .get(app.at("/staff/applications?submitted=yes"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("p0@example.org") && !page.contains("p2@example.org"));
        let reference = app
            .store
            .list_applications(&Default::default(), 10, 0)
            .await
            .unwrap()
            .0[0]
            .reference
            .clone()
            .unwrap();
        let page = client
            .get(app.at(&format!("/staff/applications?q={reference}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("1 application<"));
        let page = client
            .get(app.at("/staff/applications?state=%27%20OR%201%3D1--&q=%25"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            page.status(),
            200,
            "hostile filters are ignored or escaped, never an error"
        );

        let first = app
            .store
            .list_applications(&Default::default(), 10, 0)
            .await
            .unwrap()
            .0;
        let id = first.iter().find(|r| r.email == "p0@example.org").unwrap().id;
        let detail = client
            .get(app.at(&format!("/staff/applications/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            detail.contains("Okafor")
                && detail.contains("cir-japanese")
                && detail.contains("application.submit")
        );
        let log = app
            .store
            .audit_for(&format!("application:{id}"), 5)
            .await
            .unwrap();
        assert_eq!(log[0].action, "application.view", "staff views are audited");
    }
);

on_both!(an_applicant_withdraws_with_a_reason, |app: TestApp| async move {
    let round = open_round_without_attachments(&app).await;
    let id = app.create_user("leaver@example.org", &[Role::Applicant]).await;
    let (client, csrf) = app.session_for(Some(id)).await;
    start(&app, &client, &csrf, "alt").await;
    let res = client
        .post(app.at("/apply/withdraw"))
        .form(&[("csrf", csrf.as_str()), ("reason", "Took another job")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let stored = app.store.application_of(round.id, id).await.unwrap().unwrap();
    assert_eq!(stored.state, "withdrawn");
    assert_eq!(stored.withdrawn_reason.as_deref(), Some("Took another job"));
    let res = client
        .post(app.at("/apply/withdraw"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "nothing leaves withdrawn");
});

on_both!(
    a_coordinator_creates_a_round_and_overlaps_are_refused,
    |app: TestApp| async move {
        let id = app.create_user("coord@example.org", &[Role::Coordinator]).await;
        let (client, _) = app.session_for(Some(id)).await;
        let form_page = client
            .get(app.at("/staff/rounds/new"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_from(&form_page);
        let rules =
            serde_json::to_string(&jetdesk_domain::eligibility::RuleSet::uk_default(2027).unwrap()).unwrap();
        let post = |opens: &'static str, closes: &'static str, rules: String| {
            let client = client.clone();
            let csrf = csrf.clone();
            let url = app.at("/staff/rounds/new");
            async move {
                client
                    .post(url)
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("name", "JET 2027 — United Kingdom"),
                        ("programme_year", "2027"),
                        ("position", "alt"),
                        ("position", "cir"),
                        ("opens", opens),
                        ("closes", closes),
                        ("word_limit", "500"),
                        ("referees_required", "2"),
                        ("document", "degree"),
                        ("rules_json", rules.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let res = post("2026-10-01T09:00", "2026-11-27T18:00", rules.clone()).await;
        assert_eq!(res.status(), 303);
        let round = &app.store.rounds().await.unwrap()[0];
        assert_eq!(
            round.closes_at, 1_795_802_400,
            "18:00 UK time on 27 November 2026 is 18:00 UTC"
        );
        let res = post("2026-11-01T09:00", "2026-12-27T18:00", rules.clone()).await;
        assert_eq!(res.status(), 422);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("Only one round can be open at a time"));
        let res = post("2026-12-01T09:00", "2026-11-27T18:00", "{not json".into()).await;
        let body = res.text().await.unwrap();
        assert!(
            body.contains("The deadline must be after the opening time")
                && body.contains("The rule set is not valid")
        );
    }
);

on_both!(
    submission_waits_for_documents_and_referees,
    |app: TestApp| async move {
        open_round(&app).await;
        let id = app.create_user("unready@example.org", &[Role::Applicant]).await;
        let (client, csrf) = app.session_for(Some(id)).await;
        complete_application(&app, &client, &csrf, "Unready").await;
        let tasks = client
            .get(app.at("/apply"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !tasks.contains("Check your answers and submit"),
            "not offered before the documents"
        );
        let check = client
            .get(app.at("/apply/check"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(check.contains("Before you can submit") && !check.contains("Submit application"));
        let res = client
            .post(app.at("/apply/submit"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("Upload the required documents and name your referees"));
    }
);

/// The staff search's totals and matches, straight from the store (round 0: any round).
async fn search(app: &TestApp, q: &str) -> (i64, Vec<String>) {
    let filter = jetdesk_store::ApplicationFilter {
        q: q.to_string(),
        ..Default::default()
    };
    let (rows, total) = app.store.list_applications(&filter, 50, 0).await.unwrap();
    (total, rows.into_iter().map(|r| r.email).collect())
}

on_both!(
    staff_search_index_follows_name_changes_and_erasure,
    |app: TestApp| async move {
        let round = open_round_without_attachments(&app).await;
        let mut ids = Vec::new();
        for (email, name) in [
            ("ann@example.org", "Ann Okafor-Smith"),
            ("dana@example.org", "Dana \"DJ\" Quinn"),
            ("kenji@example.org", "Kenji Tanaka 100%"),
        ] {
            let user = app.create_user(email, &[Role::Applicant]).await;
            let id = app.store.create_application(&round, user, "alt").await.unwrap();
            let reference = app
                .store
                .application(id)
                .await
                .unwrap()
                .unwrap()
                .reference
                .unwrap();
            app.store
                .set_search_text(id, &format!("{name} {email} {reference}"))
                .await
                .unwrap();
            ids.push((id, reference));
        }
        // Name, e-mail, part of a reference, any case; quotes and LIKE's wildcards are plain text.
        assert_eq!(
            search(&app, "SMITH").await,
            (1, vec!["ann@example.org".to_string()])
        );
        assert_eq!(search(&app, "smith okafor").await.0, 0, "a substring, not words");
        assert_eq!(search(&app, "dana@exa").await.0, 1);
        assert_eq!(
            search(&app, "\"dj\"").await,
            (1, vec!["dana@example.org".to_string()])
        );
        assert_eq!(
            search(&app, "100%").await,
            (1, vec!["kenji@example.org".to_string()])
        );
        assert_eq!(
            search(&app, "0%").await.0,
            1,
            "a short term still searches (LIKE, escaped)"
        );
        assert_eq!(search(&app, "_%").await.0, 0);
        let tail = &ids[1].1[9..];
        assert_eq!(search(&app, tail).await.1, vec!["dana@example.org".to_string()]);
        assert_eq!(search(&app, &ids[2].1).await.0, 1, "a whole reference");
        assert_eq!(search(&app, "example.org").await.0, 3);
        assert_eq!(search(&app, "qu").await.0, 1, "two characters: Quinn");
        // The total is every match's, on a short page and past the last page alike.
        let filter = jetdesk_store::ApplicationFilter {
            q: "example.org".into(),
            ..Default::default()
        };
        for (limit, offset, rows) in [(2, 0, 2), (2, 2, 1), (2, 4, 0)] {
            let (page, total) = app.store.list_applications(&filter, limit, offset).await.unwrap();
            assert_eq!((page.len(), total), (rows, 3), "limit {limit} offset {offset}");
        }

        // A new name replaces the old one in the index.
        app.store
            .set_search_text(ids[0].0, &format!("Ann Mensah ann@example.org {}", ids[0].1))
            .await
            .unwrap();
        assert_eq!(search(&app, "smith").await.0, 0);
        assert_eq!(search(&app, "mensah").await.0, 1);

        // An erased person is gone from the search and from the index itself.
        app.store.erase_application(ids[2].0).await.unwrap();
        assert_eq!(search(&app, "tanaka").await.0, 0);
        assert_eq!(search(&app, "kenji@example.org").await.0, 0);
        assert_eq!(search(&app, "example.org").await.0, 2);
        if app.store.backend() == jetdesk_store::Backend::Sqlite {
            let left: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM applications_search WHERE applications_search MATCH '\"tanaka\"'",
            )
            .fetch_one(&app.db)
            .await
            .unwrap();
            assert_eq!(left, 0, "no trigram of the erased name is left to match");
            sqlx::query("INSERT INTO applications_search (applications_search) VALUES ('integrity-check')")
                .execute(&app.db)
                .await
                .expect("the index agrees with the table");
        }
    }
);

on_both!(
    staff_search_plans_agree_with_a_plain_scan,
    |app: TestApp| async move {
        // A round of 40 where half are Smiths (dense: SQLite walks the submission index), three are
        // Zephyrs (sparse: SQLite sorts the looked-up matches), and another round with Smiths too.
        let round = open_round_without_attachments(&app).await;
        let other = open_round_without_attachments(&app).await;
        let mut people = Vec::new();
        for i in 0..45i64 {
            let name = match (i % 2, i % 17) {
                (_, 0) => "Ash Zephyr Smith",
                (0, _) => "Pat Smith",
                _ => "Lee Jones",
            };
            let email = format!("p{i}@example.org");
            let user = app.create_user(&email, &[Role::Applicant]).await;
            let in_round = i < 40;
            let id = app
                .store
                .create_application(if in_round { &round } else { &other }, user, "alt")
                .await
                .unwrap();
            app.store
                .set_search_text(id, &format!("{name} {email}").to_lowercase())
                .await
                .unwrap();
            // Submission times in an order unrelated to the ids.
            let submitted = round.closes_at - 1000 - (i * 7 % 40) * 10;
            assert!(app
                .store
                .submit_application(id, submitted, round.closes_at, "eligible", "pass", "{}")
                .await
                .unwrap());
            if in_round {
                people.push((id, submitted, format!("{name} {email}").to_lowercase(), email));
            }
        }
        for q in ["smith", "zephyr", "jones", "p1", "example", "nobody"] {
            for sort in ["submitted", "reference"] {
                let mut expected: Vec<_> = people.iter().filter(|p| p.2.contains(q)).collect();
                if sort == "reference" {
                    expected.sort_by_key(|p| p.0);
                } else {
                    expected.sort_by_key(|p| std::cmp::Reverse((p.1, p.0)));
                }
                let expected: Vec<String> = expected.iter().map(|p| p.3.clone()).collect();
                let filter = jetdesk_store::ApplicationFilter {
                    round_id: round.id,
                    q: q.into(),
                    sort: sort.into(),
                    ..Default::default()
                };
                for (limit, offset) in [(5, 0), (5, 5), (25, 0), (5, 15), (5, 40)] {
                    let (rows, total) = app.store.list_applications(&filter, limit, offset).await.unwrap();
                    let page: Vec<String> = expected
                        .iter()
                        .skip(offset as usize)
                        .take(limit as usize)
                        .cloned()
                        .collect();
                    assert_eq!(
                        (rows.into_iter().map(|r| r.email).collect::<Vec<_>>(), total),
                        (page, expected.len() as i64),
                        "{q:?} by {sort}, limit {limit} offset {offset}"
                    );
                }
            }
        }
    }
);

on_both!(
    staff_list_totals_follow_state_changes,
    |app: TestApp| async move {
        let round = open_round_without_attachments(&app).await;
        let mut ids = Vec::new();
        for i in 0..4 {
            let user = app
                .create_user(&format!("t{i}@example.org"), &[Role::Applicant])
                .await;
            ids.push(
                app.store
                    .create_application(&round, user, if i == 3 { "cir" } else { "alt" })
                    .await
                    .unwrap(),
            );
        }
        let now = jetdesk_store::now();
        assert!(app
            .store
            .submit_application(ids[0], now, round.closes_at, "eligible", "pass", "{}")
            .await
            .unwrap());
        assert!(app
            .store
            .submit_application(ids[3], now, round.closes_at, "ineligible", "fail", "{}")
            .await
            .unwrap());
        assert!(app
            .store
            .set_application_state(ids[1], "draft", "withdrawn", Some("moved abroad"))
            .await
            .unwrap());
        sqlx::query("DELETE FROM applications WHERE id = $1")
            .bind(ids[2])
            .execute(&app.db)
            .await
            .unwrap();
        let total = |f: jetdesk_store::ApplicationFilter| {
            let store = app.store.clone();
            async move { store.list_applications(&f, 50, 0).await.unwrap() }
        };
        let filter = |position: &str, state: &str, eligibility: &str, submitted: &str| {
            jetdesk_store::ApplicationFilter {
                round_id: round.id,
                position: position.into(),
                state: state.into(),
                eligibility: eligibility.into(),
                submitted: submitted.into(),
                ..Default::default()
            }
        };
        for (f, expected) in [
            (filter("", "", "", ""), 3),
            (filter("alt", "", "", ""), 2),
            (filter("", "", "", "yes"), 2),
            (filter("", "", "", "no"), 1),
            (filter("", "withdrawn", "", ""), 1),
            (filter("", "draft", "", ""), 0),
            (filter("cir", "ineligible", "fail", "yes"), 1),
            (filter("", "", "pass", ""), 1),
        ] {
            let (rows, n) = total(f).await;
            assert_eq!((n, rows.len() as i64), (expected, expected));
        }
    }
);
