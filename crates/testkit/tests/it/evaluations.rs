//! Japanese evaluation requests: the applicant proposes times (bad ones refused beside the field),
//! a coordinator delegates to an interviewer, who confirms a call (an .ics invitation in the outbox)
//! and records the level; the applicant sees it with advice, and it becomes their assessed Japanese.
//! Other interviewers and applicants are refused.

use crate::interviews::{calendars_to, get, parse_ics, post, value};
use jetdesk_domain::Role;
use jetdesk_testkit::{open_round, TestApp};

/// A London wall-clock time `days` ahead at 15:00, as a datetime-local field sends it.
fn days_ahead(days: i64) -> String {
    let date = jetdesk_web::interviews::london_date(jetdesk_store::now() + days * 86400);
    format!("{date}T15:00")
}

on_both!(
    an_applicant_asks_for_an_evaluation_and_sees_the_result,
    |app: TestApp| async move {
        open_round(&app).await;
        let applicant = app.create_user("eve@ev.example", &[Role::Applicant]).await;
        let coordinator = app.create_user("coord@ev.example", &[Role::Coordinator]).await;
        let interviewer = app.create_user("ivo@ev.example", &[Role::Interviewer]).await;
        let other = app.create_user("olga@ev.example", &[Role::Interviewer]).await;
        let (a, at) = app.session_for(Some(applicant)).await;
        let (c, ct) = app.session_for(Some(coordinator)).await;
        let (i, it) = app.session_for(Some(interviewer)).await;
        let (o, ot) = app.session_for(Some(other)).await;

        let (status, page) = get(&a, &app, "/my/japanese-evaluation").await;
        assert_eq!(status, 200);
        assert!(page.contains("Ask for an evaluation"), "{page}");

        // One time only, a time in the past, a time that is not a time: refused beside the fields.
        let first = days_ahead(7);
        let second = days_ahead(8);
        let (status, page) = post(
            &a,
            &app,
            "/my/japanese-evaluation",
            &[
                ("csrf", &at),
                ("time_1", &first),
                ("time_2", ""),
                ("time_3", ""),
                ("note", "N3 in 2024"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("Propose at least two times"), "{page}");
        assert!(page.contains("N3 in 2024"), "the note is kept");
        let (status, page) = post(
            &a,
            &app,
            "/my/japanese-evaluation",
            &[
                ("csrf", &at),
                ("time_1", "2020-01-01T10:00"),
                ("time_2", "tomorrow"),
                ("time_3", ""),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("at least an hour from now"), "{page}");
        assert!(page.contains("Enter a date and time"), "{page}");
        let (status, page) = post(
            &a,
            &app,
            "/my/japanese-evaluation",
            &[
                ("csrf", &at),
                ("time_1", "2027-03-28T01:30"),
                ("time_2", &second),
                ("time_3", ""),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("clocks change"), "{page}");

        let (status, _) = post(
            &a,
            &app,
            "/my/japanese-evaluation",
            &[
                ("csrf", &at),
                ("time_1", &first),
                ("time_2", &second),
                ("time_3", ""),
                ("note", "N3 in 2024"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let ev = app
            .store
            .japanese_evaluations_of(applicant)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(ev.status, "requested");
        assert!(ev.proposed_2.is_some() && ev.proposed_3.is_none());
        // A second request while one is open is refused.
        let (status, _) = post(
            &a,
            &app,
            "/my/japanese-evaluation",
            &[
                ("csrf", &at),
                ("time_1", &first),
                ("time_2", &second),
                ("time_3", ""),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(status, 422);

        // The coordinator sees it and delegates it; the delegate sees it, another interviewer does not.
        let (status, page) = get(&c, &app, "/evaluations").await;
        assert_eq!(status, 200);
        assert!(page.contains("N3 in 2024"), "{page}");
        let id = ev.id;
        let path = |what: &str| format!("/evaluations/{id}/{what}");
        assert_eq!(
            post(
                &i,
                &app,
                &path("delegate"),
                &[("csrf", &it), ("interviewer", &interviewer.to_string())]
            )
            .await
            .0,
            403
        );
        let (status, _) = post(
            &c,
            &app,
            &path("delegate"),
            &[("csrf", &ct), ("interviewer", &interviewer.to_string())],
        )
        .await;
        assert_eq!(status, 303);
        let (_, page) = get(&i, &app, "/evaluations").await;
        assert!(page.contains("N3 in 2024"), "{page}");
        let (_, page) = get(&o, &app, "/evaluations").await;
        assert!(!page.contains("N3 in 2024"), "{page}");
        let confirm = [
            ("csrf", ot.as_str()),
            ("option", "2"),
            ("meeting_link", "https://meet.example/x"),
        ];
        assert_eq!(post(&o, &app, &path("confirm"), &confirm).await.0, 404);
        assert_eq!(
            post(
                &a,
                &app,
                &path("confirm"),
                &[
                    ("csrf", &at),
                    ("option", "2"),
                    ("meeting_link", "https://meet.example/x")
                ]
            )
            .await
            .0,
            403
        );

        // Recording before the call is confirmed is refused; a bad link too.
        let (status, page) = post(
            &i,
            &app,
            &path("result"),
            &[("csrf", &it), ("level", "n2"), ("note", "Good")],
        )
        .await;
        assert_eq!(status, 400);
        assert!(page.contains("Confirm a call"), "{page}");
        let (status, _) = post(
            &i,
            &app,
            &path("confirm"),
            &[
                ("csrf", &it),
                ("option", "2"),
                ("meeting_link", "javascript:alert(1)"),
            ],
        )
        .await;
        assert_eq!(status, 400);

        let (status, _) = post(
            &i,
            &app,
            &path("confirm"),
            &[
                ("csrf", &it),
                ("option", "2"),
                ("meeting_link", "https://meet.example/eve"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let confirmed = app.store.japanese_evaluation(id).await.unwrap().unwrap();
        assert_eq!(confirmed.call_at, ev.proposed_2);
        let cals = calendars_to(&app, "eve@ev.example", 1).await;
        let ics = parse_ics(&cals[0]);
        assert_eq!(value(&ics, "METHOD"), "REQUEST");
        assert_eq!(value(&ics, "UID"), confirmed.uid);
        assert_eq!(
            value(&ics, "DTSTART"),
            jetdesk_web::interviews::ics::utc(confirmed.call_at.unwrap())
        );
        assert_eq!(value(&ics, "LOCATION"), "https://meet.example/eve");

        let (status, _) = post(
            &i,
            &app,
            &path("result"),
            &[("csrf", &it), ("level", "n9"), ("note", "x")],
        )
        .await;
        assert_eq!(status, 400);
        let (status, _) = post(
            &i,
            &app,
            &path("result"),
            &[
                ("csrf", &it),
                ("level", "n2"),
                ("note", "Confident speaker; keep reading."),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (status, _) = post(
            &i,
            &app,
            &path("result"),
            &[("csrf", &it), ("level", "n1"), ("note", "again")],
        )
        .await;
        assert_eq!(status, 400, "a result is recorded once");
        let assessed = app
            .store
            .latest_japanese_assessment(applicant)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (assessed.level.as_str(), assessed.source.as_str()),
            ("n2", "evaluation")
        );

        let (status, page) = get(&a, &app, "/my/japanese-evaluation").await;
        assert_eq!(status, 200);
        assert!(page.contains("id=\"evaluation-level\">N2"), "{page}");
        assert!(page.contains("Confident speaker; keep reading."));
        assert!(page.contains("We encourage you to apply for CIR"), "{page}");
        let mails = app.mails_to("eve@ev.example", 3).await;
        assert!(mails
            .iter()
            .any(|m| m.contains("Your Japanese evaluation result")));
    }
);

on_both!(
    evaluation_pages_refuse_the_wrong_roles,
    |app: TestApp| async move {
        let reviewer = app.create_user("rev@ev.example", &[Role::Reviewer]).await;
        let coordinator = app.create_user("coord@ev.example", &[Role::Coordinator]).await;
        let (r, rt) = app.session_for(Some(reviewer)).await;
        let (c, ct) = app.session_for(Some(coordinator)).await;
        assert_eq!(get(&r, &app, "/evaluations").await.0, 403);
        assert_eq!(
            post(
                &r,
                &app,
                "/evaluations/1/result",
                &[("csrf", &rt), ("level", "n1"), ("note", "x")]
            )
            .await
            .0,
            403
        );
        assert_eq!(get(&c, &app, "/my/japanese-evaluation").await.0, 403);
        assert_eq!(
            post(
                &c,
                &app,
                "/evaluations/999/confirm",
                &[
                    ("csrf", &ct),
                    ("option", "1"),
                    ("meeting_link", "https://x.example")
                ]
            )
            .await
            .0,
            404
        );
        let res = app
            .client()
            .get(app.at("/my/japanese-evaluation"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
    }
);
