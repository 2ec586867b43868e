//! The coordinator's dashboard (figures against a known set of applications, each chart's CSV the
//! same as its table), the exports of the staff list (a filtered CSV has exactly the filtered rows,
//! the XLSX reads back, each export audited, names hidden during a blind sift), the audit log viewer
//! (filters, read-only) and the roles refused everywhere.

use calamine::Reader;
use jetdesk_domain::eligibility::RULE_IDS;
use jetdesk_domain::Role;
use jetdesk_store::{DemoApplication, SelectionSettings};
use jetdesk_testkit::TestApp;

/// An evaluation in the stored JSON shape: the first rule with `first`, the second with `second`.
fn evaluation(first: &str, second: &str) -> String {
    let outcome = |rule: &str, verdict: &str| serde_json::json!({"rule_id": rule, "statement": "s", "verdict": verdict, "reason": "r"});
    serde_json::json!({
        "outcomes": [outcome(RULE_IDS[0], first), outcome(RULE_IDS[1], second)],
        "overall": if first == "fail" || second == "fail" { "fail" } else { "pass" },
    })
    .to_string()
}

/// Five applications of a fresh round: three ALT (two eligible from Leeds, one ineligible), one
/// CIR eligible, one CIR draft. Returns the round.
async fn seed(app: &TestApp) -> jetdesk_store::Round {
    let round = jetdesk_testkit::open_round(app).await;
    let now = jetdesk_store::now();
    let people = [
        (
            "Ann Able",
            "alt",
            "eligible",
            Some(("pass", "pass")),
            "University of Leeds",
        ),
        (
            "Ben Bell",
            "alt",
            "eligible",
            Some(("pass", "needs_review")),
            "university of leeds ",
        ),
        ("Cat Cole", "alt", "ineligible", Some(("fail", "pass")), "SOAS"),
        ("Dan Dunn", "cir", "eligible", Some(("pass", "pass")), "Durham"),
        ("Eve Earl", "cir", "draft", None, "Durham"),
    ];
    let batch: Vec<DemoApplication> = people
        .iter()
        .enumerate()
        .map(
            |(i, (name, position, state, verdicts, university))| DemoApplication {
                email: format!("{}@applicants.example", name.to_lowercase().replace(' ', ".")),
                display_name: (*name).into(),
                position: (*position).into(),
                state: (*state).into(),
                submitted_at: verdicts.map(|_| now - 600 + i as i64),
                eligibility_overall: verdicts.map(|(a, b)| {
                    if a == "fail" || b == "fail" {
                        "fail"
                    } else {
                        "pass"
                    }
                    .into()
                }),
                eligibility_json: verdicts.map(|(a, b)| evaluation(a, b)),
                search_text: name.to_lowercase(),
                sections: vec![
                    (
                        "personal".into(),
                        serde_json::json!({"given_names": name, "home_town": "York"}).to_string(),
                        true,
                    ),
                    (
                        "education".into(),
                        serde_json::json!({"university": university}).to_string(),
                        true,
                    ),
                ],
            },
        )
        .collect();
    app.store
        .insert_demo_applications(&round, "x", &batch)
        .await
        .unwrap();
    round
}

async fn get(client: &reqwest::Client, url: String) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A CSV's data rows (without its header).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The row as the dashboard's table writes it.
fn table_row(row: &[String]) -> String {
    let mut html = format!("<tr><th scope=\"row\">{}</th>", row[0]);
    for cell in &row[1..] {
        html.push_str(&format!("<td>{cell}</td>"));
    }
    html + "</tr>"
}

on_both!(
    dashboard_figures_match_the_applications,
    |app: TestApp| async move {
        let round = seed(&app).await;
        let coordinator = app.create_user("coord@jetdesk.test", &[Role::Coordinator]).await;
        let (client, _) = app.session_for(Some(coordinator)).await;
        let (status, html) = get(&client, app.at(&format!("/staff/dashboard?round={}", round.id))).await;
        assert_eq!(status, 200);
        for id in ["per-day", "funnel", "eligibility", "universities", "home-towns"] {
            assert!(
                html.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")),
                "{id}"
            );
            assert!(html.contains(&format!("<title id=\"{id}-title\">")), "{id}");
            assert!(html.contains(&format!("href=\"/staff/dashboard/{id}.csv?round={}\"", round.id)));
        }

        let csv = |id: &'static str| {
            let client = client.clone();
            let url = app.at(&format!("/staff/dashboard/{id}.csv?round={}", round.id));
            async move {
                let r = client.get(url).send().await.unwrap();
                assert_eq!(r.status(), 200);
                assert!(r.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/csv"));
                csv_rows(&r.text().await.unwrap())
            }
        };
        let funnel = csv("funnel").await;
        let expect = |rows: &[&[&str]]| -> Vec<Vec<String>> {
            rows.iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect()
        };
        // States in the cycle's order; columns ALT, CIR, SEA, total.
        assert_eq!(
            funnel,
            expect(&[
                &["Draft: not submitted", "0", "1", "0", "1"],
                &["Submitted: eligible", "2", "1", "0", "3"],
                &["Submitted: not eligible", "1", "0", "0", "1"],
            ])
        );
        let eligibility = csv("eligibility").await;
        let mut expected = expect(&[&[RULE_IDS[0], "3", "0", "1"], &[RULE_IDS[1], "3", "1", "0"]]);
        expected.sort();
        assert_eq!(eligibility, expected);
        // "University of Leeds" twice (case and spaces ignored); the draft is not counted.
        let universities = csv("universities").await;
        assert_eq!(
            universities,
            expect(&[&["University of Leeds", "2"], &["Durham", "1"], &["SOAS", "1"]])
        );
        assert_eq!(csv("home-towns").await, expect(&[&["York", "4"]]));
        let per_day = csv("per-day").await;
        assert_eq!(
            per_day.iter().map(|r| r[1].parse::<i64>().unwrap()).sum::<i64>(),
            4
        );
        // Each chart's table holds exactly its CSV's rows.
        for rows in [&funnel, &eligibility, &universities, &per_day] {
            for row in rows.iter() {
                assert!(html.contains(&table_row(row)), "{row:?} not in the page's table");
            }
        }
        // Progress with nothing yet: zeros, not errors.
        assert_eq!(
            csv("review")
                .await
                .iter()
                .map(|r| r[1].as_str())
                .collect::<Vec<_>>(),
            ["0", "0", "0", "0"]
        );
        assert_eq!(csv("interviews").await.len(), 3);
        assert!(csv("placement").await.is_empty());

        // Time in each state from the audit log's state changes.
        let apps = app
            .store
            .list_applications(
                &jetdesk_store::ApplicationFilter {
                    round_id: round.id,
                    state: "eligible".into(),
                    ..Default::default()
                },
                10,
                0,
            )
            .await
            .unwrap()
            .0;
        for (i, a) in apps.iter().enumerate() {
            let subject = format!("application:{}", a.id);
            app.store
                .audit(
                    None,
                    "application.submit",
                    &subject,
                    Some("draft"),
                    Some("submitted"),
                )
                .await
                .unwrap();
            app.store
                .audit(
                    None,
                    "application.check",
                    &subject,
                    Some("submitted"),
                    Some("eligible"),
                )
                .await
                .unwrap();
            let _ = i;
        }
        let stages = csv("stages").await;
        assert_eq!(stages.len(), 1, "{stages:?}");
        assert!(stages[0][0].starts_with("Submitted"), "{stages:?}");
        assert_eq!(stages[0][1], "3");

        // An unknown chart or round is a 404, not a 500.
        assert_eq!(get(&client, app.at("/staff/dashboard/nothing.csv")).await.0, 404);
        assert_eq!(get(&client, app.at("/staff/dashboard?round=99999")).await.0, 404);
        assert_eq!(get(&client, app.at("/staff/dashboard?round=abc")).await.0, 404);
    }
);

on_both!(
    exports_apply_the_lists_filters_and_are_audited,
    |app: TestApp| async move {
        let round = seed(&app).await;
        let coordinator = app.create_user("coord@jetdesk.test", &[Role::Coordinator]).await;
        let (client, _) = app.session_for(Some(coordinator)).await;
        let list = get(
            &client,
            app.at(&format!("/staff/applications?round={}&position=alt", round.id)),
        )
        .await
        .1;
        for format in ["csv", "xlsx"] {
            let start = format!("href=\"/staff/applications.{format}?round={}", round.id);
            let at = list.find(&start).expect("export link");
            let href = &list[at..at + list[at..].find("\" ").unwrap()];
            assert!(href.contains("position=alt"), "{href}");
        }

        let (status, text) = get(
            &client,
            app.at(&format!(
                "/staff/applications.csv?round={}&position=alt",
                round.id
            )),
        )
        .await;
        assert_eq!(status, 200);
        let rows = csv_rows(&text);
        let mut names: Vec<_> = rows.iter().map(|r| r[1].clone()).collect();
        names.sort();
        assert_eq!(names, ["Ann Able", "Ben Bell", "Cat Cole"]);
        assert!(rows.iter().all(|r| r[3] == "ALT"));
        let (_, text) = get(
            &client,
            app.at(&format!(
                "/staff/applications.csv?round={}&position=alt&eligibility=fail",
                round.id
            )),
        )
        .await;
        assert_eq!(csv_rows(&text).len(), 1);

        let r = client
            .get(app.at(&format!(
                "/staff/applications.xlsx?round={}&state=eligible",
                round.id
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap().to_vec();
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("Applications").unwrap();
        let read: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(read.len(), 4, "a header and three eligible applications");
        assert_eq!(read[0][0], "Reference");
        assert!(read[1..].iter().all(|r| r[4] == "Submitted: eligible"));

        let (entries, _) = app
            .store
            .audit_page(
                &jetdesk_store::AuditFilter {
                    action_prefix: "export.".into(),
                    ..Default::default()
                },
                10,
                0,
            )
            .await
            .unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].actor_user_id, Some(coordinator));
        let newest = entries[0].after_value.clone().unwrap();
        assert!(
            newest.contains("format=xlsx") && newest.contains("state=eligible") && newest.contains("rows=3"),
            "{newest}"
        );

        // A reviewer during a name-blind sift exports without names or e-mail addresses.
        let mut settings = SelectionSettings::defaults(round.id);
        settings.name_blind = 1;
        app.store.save_selection_settings(&settings).await.unwrap();
        let reviewer = app.create_user("rev@jetdesk.test", &[Role::Reviewer]).await;
        let (rclient, _) = app.session_for(Some(reviewer)).await;
        let (status, text) = get(
            &rclient,
            app.at(&format!("/staff/applications.csv?round={}&q=ann", round.id)),
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            !text.contains("Ann") && !text.contains("@applicants.example"),
            "{text}"
        );
        assert_eq!(
            csv_rows(&text).len(),
            5,
            "the name search is ignored during the sift"
        );
    }
);

on_both!(
    the_audit_log_viewer_filters_and_cannot_edit,
    |app: TestApp| async move {
        let admin = app.create_user("admin@jetdesk.test", &[Role::Admin]).await;
        let other = app.create_user("other@jetdesk.test", &[Role::Coordinator]).await;
        app.store
            .audit(
                Some(other),
                "user.roles",
                "user:7",
                Some("applicant"),
                Some("reviewer"),
            )
            .await
            .unwrap();
        app.store
            .audit(
                Some(admin),
                "outcome.decide",
                "application:3",
                None,
                Some("shortlisted"),
            )
            .await
            .unwrap();
        app.store
            .audit(Some(other), "outcome.publish", "round:1", None, None)
            .await
            .unwrap();
        let (client, _) = app.session_for(Some(admin)).await;
        let page = |q: &str| get(&client, app.at(&format!("/admin/audit?{q}")));
        let (status, html) = page("").await;
        assert_eq!(status, 200);
        assert!(html.contains("read-only"));
        // Newest first.
        let publish = html.find("outcome.publish").unwrap();
        let decide = html.find("outcome.decide").unwrap();
        assert!(publish < decide);
        let (_, html) = page("action=outcome.").await;
        assert!(
            html.contains("outcome.decide")
                && html.contains("outcome.publish")
                && !html.contains("user.roles")
        );
        let (_, html) = page("actor=other%40jetdesk.test").await;
        assert!(html.contains("user.roles") && !html.contains("outcome.decide"));
        let (_, html) = page("subject=application%3A3").await;
        assert!(html.contains("outcome.decide") && !html.contains("outcome.publish"));
        let (_, html) = page("from=2000-01-01&to=2100-01-01").await;
        assert!(html.contains("outcome.decide"));
        let (_, html) = page("to=2001-01-01").await;
        assert!(!html.contains("outcome.decide"));
        let (status, html) = page("from=31%2F01%2F2027&actor=nobody%40x.test").await;
        assert_eq!(status, 200);
        assert!(html.contains("Enter a date such as 2027-01-31"));
        assert!(html.contains("There is no account with that e-mail address"));
        // No route changes the log.
        for (method, path, _) in jetdesk_web::route_table() {
            assert!(
                !(path.starts_with("/admin/audit") && method.as_str() != "GET"),
                "{method} {path} would change the audit log"
            );
        }
        let (cclient, csrf) = app.session_for(Some(other)).await;
        let r = cclient
            .post(app.at("/admin/audit"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert!(r.status() == 405 || r.status() == 404, "{}", r.status());
    }
);

on_both!(
    dashboard_exports_and_audit_refuse_other_roles,
    |app: TestApp| async move {
        let round = seed(&app).await;
        let applicant = app.create_user("a@jetdesk.test", &[Role::Applicant]).await;
        let reviewer = app.create_user("r@jetdesk.test", &[Role::Reviewer]).await;
        let host = app.create_user("h@jetdesk.test", &[Role::Host]).await;
        let q = format!("?round={}", round.id);
        for (user, paths) in [
            (
                applicant,
                vec![
                    "/staff/dashboard",
                    "/staff/dashboard/funnel.csv",
                    "/admin/audit",
                    "/staff/applications.csv",
                    "/staff/applications.xlsx",
                ],
            ),
            (
                reviewer,
                vec!["/staff/dashboard", "/staff/dashboard/funnel.csv", "/admin/audit"],
            ),
            (
                host,
                vec![
                    "/staff/dashboard",
                    "/staff/dashboard/funnel.csv",
                    "/admin/audit",
                    "/staff/applications.csv",
                    "/staff/applications.xlsx",
                ],
            ),
        ] {
            let (client, _) = app.session_for(Some(user)).await;
            for path in paths {
                let (status, body) = get(&client, app.at(&format!("{path}{q}"))).await;
                assert_eq!(status, 403, "{path} for user {user}");
                assert!(!body.contains("Ann Able"));
            }
        }
        let anonymous = app.client();
        let r = anonymous
            .get(app.at("/staff/applications.csv"))
            .send()
            .await
            .unwrap();
        assert!(!r.status().is_success());
        assert!(!r.text().await.unwrap().contains("Ann Able"));
    }
);
