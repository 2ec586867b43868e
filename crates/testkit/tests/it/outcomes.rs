//! Outcomes: decisions proposed from the interview ranking and checked (reasons for unsuccessful,
//! interviewed only), nothing visible before publication (pages, e-mails), publication only from
//! the results instant and only once, the state changes and e-mails it makes, the applicant's
//! result block, and upgrading alternates by rank until none remains. Wrong roles are refused.

use crate::review::{post, seed};
use jetdesk_domain::Role;
use jetdesk_store::SelectionSettings;
use jetdesk_testkit::TestApp;

/// Inserts one interview total per interviewer, as the interview module records them.
async fn interview_score(app: &TestApp, application_id: i64, interviewer: i64, total: i64) {
    app.store
        .demo_interview_total(application_id, interviewer, total)
        .await
        .unwrap();
}

on_both!(
    outcomes_are_decided_published_once_and_alternates_upgraded,
    |app: TestApp| async move {
        let round = jetdesk_testkit::open_round(&app).await;
        let apps = seed(
            &app,
            &round,
            &[
                ("Ada First", "alt", "interviewed"),
                ("Ben Second", "alt", "interviewed"),
                ("Cy Third", "alt", "interviewed"),
                ("Di Fourth", "alt", "interviewed"),
                ("Ed Waiting", "alt", "invited"),
            ],
        )
        .await;
        let iv1 = app.create_user("iv1@desk.example", &[Role::Interviewer]).await;
        let iv2 = app.create_user("iv2@desk.example", &[Role::Interviewer]).await;
        // Means: Ben 27, Ada 24, Di 20, Cy 15.
        for (i, (t1, t2)) in [(24, 24), (28, 26), (15, 15), (20, 20)].into_iter().enumerate() {
            interview_score(&app, apps[i].id, iv1, t1).await;
            interview_score(&app, apps[i].id, iv2, t2).await;
        }
        app.store
            .save_selection_settings(&SelectionSettings {
                places_alt: 1,
                ..SelectionSettings::defaults(round.id)
            })
            .await
            .unwrap();
        let coordinator = app.create_user("coord@desk.example", &[Role::Coordinator]).await;
        let (coord, csrf) = app.session_for(Some(coordinator)).await;
        let base = format!("/staff/outcomes/{}", round.id);

        // The proposal follows the interview ranking: Ben shortlisted, Ada alternate, the rest unsuccessful.
        let page = coord
            .get(app.at(&format!("{base}?position=alt")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let (ben, ada, di, cy) = (
            page.find("Ben Second").unwrap(),
            page.find("Ada First").unwrap(),
            page.find("Di Fourth").unwrap(),
            page.find("Cy Third").unwrap(),
        );
        assert!(ben < ada && ada < di && di < cy, "ranked by mean interview total");
        assert!(!page.contains("Ed Waiting"), "only interviewed applications");

        // Unsuccessful needs a reason; an application not interviewed cannot be decided.
        let decide = app.at(&format!("{base}/decide"));
        let cy_id = apps[2].id.to_string();
        let res = post(
            &coord,
            decide.clone(),
            &[
                ("csrf", &csrf),
                ("position", "alt"),
                ("application", &cy_id),
                ("outcome", "unsuccessful"),
            ],
        )
        .await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("at least one reason"));
        let ed_id = apps[4].id.to_string();
        let res = post(
            &coord,
            decide.clone(),
            &[
                ("csrf", &csrf),
                ("position", "alt"),
                ("application", &ed_id),
                ("outcome", "shortlisted"),
            ],
        )
        .await;
        assert_eq!(res.status(), 400);
        let res = post(
            &coord,
            decide.clone(),
            &[
                ("csrf", &csrf),
                ("position", "alt"),
                ("application", &cy_id),
                ("outcome", "unsuccessful"),
                ("reason", "ranking"),
                ("reason", "communication"),
                ("feedback", "Practise answering with examples."),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        // Bulk: Ada and Di as alternates, ranked in interview order (Ada 1, Di 2).
        let res = post(
            &coord,
            decide.clone(),
            &[
                ("csrf", &csrf),
                ("position", "alt"),
                ("application", &apps[3].id.to_string()),
                ("application", &apps[0].id.to_string()),
                ("outcome", "alternate"),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        let res = post(
            &coord,
            app.at(&format!("{base}/propose")),
            &[("csrf", &csrf), ("position", "alt")],
        )
        .await;
        assert_eq!(res.status(), 303);
        let ben_outcome = app.store.outcome_of(apps[1].id).await.unwrap().unwrap();
        assert_eq!(ben_outcome.outcome, "shortlisted");
        assert_eq!(
            app.store
                .outcome_of(apps[0].id)
                .await
                .unwrap()
                .unwrap()
                .alternate_rank,
            Some(1)
        );
        assert_eq!(
            app.store
                .outcome_of(apps[3].id)
                .await
                .unwrap()
                .unwrap()
                .alternate_rank,
            Some(2)
        );

        // Nothing leaks before publication.
        let (ben_client, _) = app.session_for(Some(apps[1].user_id)).await;
        let mine = ben_client
            .get(app.at("/apply"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!mine.contains("Your result"));
        assert_eq!(
            app.store.application(apps[1].id).await.unwrap().unwrap().state,
            "interviewed"
        );
        let publish = app.at(&format!("{base}/publish"));
        let res = post(&coord, publish.clone(), &[("csrf", &csrf)]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("results instant"));
        app.store
            .set_results_at(round.id, Some(jetdesk_store::now() + 3600))
            .await
            .unwrap();
        let res = post(&coord, publish.clone(), &[("csrf", &csrf)]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("can be published from"));
        let outbox: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(outbox, 0, "no e-mail before publication");

        // Publish: states change, everyone is told with their reference, the page shows the result.
        app.store
            .set_results_at(round.id, Some(jetdesk_store::now() - 60))
            .await
            .unwrap();
        let res = post(&coord, publish.clone(), &[("csrf", &csrf)]).await;
        assert_eq!(res.status(), 303);
        let state = |id: i64| {
            let store = app.store.clone();
            async move { store.application(id).await.unwrap().unwrap().state }
        };
        assert_eq!(state(apps[1].id).await, "shortlisted");
        assert_eq!(state(apps[0].id).await, "alternate");
        assert_eq!(state(apps[2].id).await, "unsuccessful");
        for a in &apps[..4] {
            let mail = app.mails_to(&a.email, 1).await.remove(0);
            assert!(mail.contains(a.reference.as_deref().unwrap()), "{}", a.email);
        }
        let cy_mail = app.mails_to(&apps[2].email, 1).await.remove(0);
        assert!(cy_mail.contains("Other candidates ranked higher at interview"));
        assert!(cy_mail.contains("Practise answering with examples."));
        let mine = ben_client
            .get(app.at("/apply"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(mine.contains("Your result") && mine.contains("Shortlisted"));

        // Twice: refused clearly; decisions are frozen.
        let res = post(&coord, publish, &[("csrf", &csrf)]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("already published"));
        let res = post(
            &coord,
            decide,
            &[
                ("csrf", &csrf),
                ("position", "alt"),
                ("application", &cy_id),
                ("outcome", "shortlisted"),
            ],
        )
        .await;
        assert_eq!(res.status(), 400);

        // Upgrades: none while every place is taken; then by rank, until no alternate remains.
        let upgrade = app.at(&format!("{base}/upgrade"));
        let res = post(&coord, upgrade.clone(), &[("csrf", &csrf), ("position", "alt")]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("No place is free"));
        app.store
            .set_application_state(apps[1].id, "shortlisted", "withdrawn", Some("test"))
            .await
            .unwrap();
        let res = post(&coord, upgrade.clone(), &[("csrf", &csrf), ("position", "alt")]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(state(apps[0].id).await, "shortlisted", "rank 1 first");
        assert_eq!(state(apps[3].id).await, "alternate");
        let mail = app.mails_to(&apps[0].email, 2).await;
        assert!(mail
            .iter()
            .any(|m| m.contains("upgraded") && m.contains(apps[0].reference.as_deref().unwrap())));
        let audit = app
            .store
            .audit_for(&format!("application:{}", apps[0].id), 10)
            .await
            .unwrap();
        assert!(audit.iter().any(|e| e.action == "outcome.upgrade"));
        app.store
            .set_application_state(apps[0].id, "shortlisted", "withdrawn", Some("test"))
            .await
            .unwrap();
        assert_eq!(
            post(&coord, upgrade.clone(), &[("csrf", &csrf), ("position", "alt")])
                .await
                .status(),
            303
        );
        assert_eq!(state(apps[3].id).await, "shortlisted");
        app.store
            .set_application_state(apps[3].id, "shortlisted", "withdrawn", Some("test"))
            .await
            .unwrap();
        let res = post(&coord, upgrade, &[("csrf", &csrf), ("position", "alt")]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("No alternate remains"));
    }
);

on_both!(only_coordinators_reach_outcomes, |app: TestApp| async move {
    let round = jetdesk_testkit::open_round(&app).await;
    let reviewer = app.create_user("r1@desk.example", &[Role::Reviewer]).await;
    let applicant = app.create_user("a1@desk.example", &[Role::Applicant]).await;
    for user in [reviewer, applicant] {
        let (client, csrf) = app.session_for(Some(user)).await;
        let res = client
            .get(app.at(&format!("/staff/outcomes/{}", round.id)))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        for action in ["decide", "propose", "publish", "upgrade"] {
            let res = post(
                &client,
                app.at(&format!("/staff/outcomes/{}/{action}", round.id)),
                &[("csrf", &csrf), ("outcome", "shortlisted")],
            )
            .await;
            assert_eq!(res.status(), 403, "{action}");
        }
    }
});
