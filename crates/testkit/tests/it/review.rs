//! Review: automatic assignment (two reviewers each, balanced, never against a declared conflict),
//! reassignment by hand, scoring against the rubric (refusals: not assigned, out of range, twice),
//! the other reviewer's scores hidden until both have submitted, moderation, the ranked list with
//! its cut-off count, invitations (state and e-mail), rejecting those not invited, and name-blind
//! sifting in every page a reviewer can reach. Wrong roles are refused.

use jetdesk_domain::Role;
use jetdesk_store::{DemoApplication, SelectionApplication, SelectionSettings};
use jetdesk_testkit::TestApp;
use std::collections::BTreeMap;

/// Inserts submitted applications of `round` as (name, position, state), with a personal and an
/// education section that name the applicant; returns them in submission order.
pub(crate) async fn seed(
    app: &TestApp,
    round: &jetdesk_store::Round,
    people: &[(&str, &str, &str)],
) -> Vec<SelectionApplication> {
    let now = jetdesk_store::now();
    let batch: Vec<DemoApplication> = people
        .iter()
        .enumerate()
        .map(|(i, (name, position, state))| {
            let (given, family) = name.split_once(' ').unwrap_or((name, ""));
            let personal = serde_json::json!({
                "given_names": given, "family_name": family, "sex": "female",
                "date_of_birth": "1999-03-27", "home_town": "Leeds"
            });
            let education = serde_json::json!({"university": format!("University of {family}shire")});
            DemoApplication {
                email: format!("{}@applicants.example", name.to_lowercase().replace(' ', ".")),
                display_name: (*name).into(),
                position: (*position).into(),
                state: (*state).into(),
                submitted_at: Some(now - 1000 + i as i64),
                eligibility_overall: Some("pass".into()),
                eligibility_json: None,
                search_text: name.to_lowercase(),
                sections: vec![
                    ("personal".into(), personal.to_string(), true),
                    ("education".into(), education.to_string(), true),
                ],
            }
        })
        .collect();
    app.store
        .insert_demo_applications(round, "x", &batch)
        .await
        .unwrap();
    let mut apps = app
        .store
        .selection_applications(
            round.id,
            &[
                "eligible",
                "in_review",
                "invited",
                "interviewed",
                "alternate",
                "shortlisted",
            ],
        )
        .await
        .unwrap();
    apps.sort_by_key(|a| a.submitted_at);
    apps
}

pub(crate) async fn post(client: &reqwest::Client, url: String, form: &[(&str, &str)]) -> reqwest::Response {
    client.post(url).form(form).send().await.unwrap()
}

async fn reviewers_of(app: &TestApp, id: i64) -> Vec<i64> {
    app.store
        .assignments_of(id)
        .await
        .unwrap()
        .iter()
        .map(|a| a.reviewer_id)
        .collect()
}

on_both!(
    assignment_is_balanced_and_never_against_a_conflict,
    |app: TestApp| async move {
        let round = jetdesk_testkit::open_round(&app).await;
        let people: Vec<(String, &str, &str)> = (0..7)
            .map(|i| (format!("Person P{i}"), "alt", "eligible"))
            .collect();
        let refs: Vec<(&str, &str, &str)> = people.iter().map(|(n, p, s)| (n.as_str(), *p, *s)).collect();
        let apps = seed(&app, &round, &refs).await;
        let coordinator = app.create_user("coord@desk.example", &[Role::Coordinator]).await;
        let mut reviewers = Vec::new();
        for i in 0..3 {
            reviewers.push(
                app.create_user(&format!("rev{i}@desk.example"), &[Role::Reviewer])
                    .await,
            );
        }
        let first = &apps[0];
        // The first reviewer knows the first applicant and says so, by reference number.
        let (rev0, rev0_csrf) = app.session_for(Some(reviewers[0])).await;
        let res = post(
            &rev0,
            app.at("/review/conflicts"),
            &[
                ("csrf", &rev0_csrf),
                ("reference", first.reference.as_deref().unwrap()),
                ("reason", "She is my cousin"),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        let res = post(
            &rev0,
            app.at("/review/conflicts"),
            &[("csrf", &rev0_csrf), ("reference", "JET27-UK-999999")],
        )
        .await;
        assert_eq!(res.status(), 400);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("No application has that reference number"));

        let (coord, csrf) = app.session_for(Some(coordinator)).await;
        let res = post(
            &coord,
            app.at(&format!("/staff/selection/{}/assign", round.id)),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(res.status(), 303);
        let mut loads: BTreeMap<i64, usize> = BTreeMap::new();
        for a in &apps {
            let rs = reviewers_of(&app, a.id).await;
            assert_eq!(rs.len(), 2, "two reviewers for {:?}", a.reference);
            assert_ne!(rs[0], rs[1]);
            for r in rs {
                *loads.entry(r).or_default() += 1;
            }
            let state = app.store.application(a.id).await.unwrap().unwrap().state;
            assert_eq!(state, "in_review");
        }
        assert!(
            !reviewers_of(&app, first.id).await.contains(&reviewers[0]),
            "conflict respected"
        );
        let (max, min) = (loads.values().max().unwrap(), loads.values().min().unwrap());
        assert!(max - min <= 1, "balanced: {loads:?}");
        // A second run changes nothing.
        post(
            &coord,
            app.at(&format!("/staff/selection/{}/assign", round.id)),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(app.store.round_assignments(round.id).await.unwrap().len(), 14);

        // By hand: the conflicted reviewer cannot be added; another swap works.
        let on_first = reviewers_of(&app, first.id).await;
        let id = first.id.to_string();
        let res = post(
            &coord,
            app.at(&format!("/staff/selection/{}/reassign", round.id)),
            &[
                ("csrf", &csrf),
                ("application", &id),
                ("remove", &on_first[0].to_string()),
                ("add", &reviewers[0].to_string()),
            ],
        )
        .await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("declared a conflict"));
        assert_eq!(reviewers_of(&app, first.id).await, on_first, "nothing changed");
        let second = &apps[1];
        let on_second = reviewers_of(&app, second.id).await;
        let spare = *reviewers.iter().find(|r| !on_second.contains(r)).unwrap();
        let res = post(
            &coord,
            app.at(&format!("/staff/selection/{}/reassign", round.id)),
            &[
                ("csrf", &csrf),
                ("application", &second.id.to_string()),
                ("remove", &on_second[0].to_string()),
                ("add", &spare.to_string()),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        let now_second = reviewers_of(&app, second.id).await;
        assert!(now_second.contains(&spare) && !now_second.contains(&on_second[0]));
        let page = coord
            .get(app.at(&format!("/staff/selection/{}", round.id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("rev0"), "loads table lists reviewers");
    }
);

on_both!(
    scoring_follows_the_rubric_and_hides_other_scores_until_both_are_in,
    |app: TestApp| async move {
        let round = jetdesk_testkit::open_round(&app).await;
        let apps = seed(
            &app,
            &round,
            &[
                ("Alice Able", "alt", "in_review"),
                ("Bob Baker", "cir", "in_review"),
            ],
        )
        .await;
        let (a, b) = (&apps[0], &apps[1]);
        let r1 = app.create_user("r1@desk.example", &[Role::Reviewer]).await;
        let r2 = app.create_user("r2@desk.example", &[Role::Reviewer]).await;
        let outsider = app.create_user("r3@desk.example", &[Role::Reviewer]).await;
        for r in [r1, r2] {
            app.store.assign_reviewer(a.id, r).await.unwrap();
        }
        let score_url = app.at(&format!("/review/applications/{}/score", a.id));
        let full = |n: &'static str| {
            vec![
                ("motivation", n),
                ("suitability", n),
                ("adaptability", n),
                ("communication", n),
                ("teaching", n),
            ]
        };

        // Not assigned: refused, page and form alike.
        let (out, out_csrf) = app.session_for(Some(outsider)).await;
        let res = out
            .get(app.at(&format!("/review/applications/{}", a.id)))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("not assigned to you"));
        let mut form = full("3");
        form.push(("csrf", &out_csrf));
        let res = post(&out, score_url.clone(), &form).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("not assigned to you"));

        // Out of range and missing: refused beside the field, nothing saved.
        let (c1, csrf1) = app.session_for(Some(r1)).await;
        let page = c1
            .get(app.at(&format!("/review/applications/{}", a.id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Teaching potential"), "ALT rubric");
        assert!(page.contains("Substantial experience"), "anchored descriptors");
        let res = post(
            &c1,
            score_url.clone(),
            &[
                ("csrf", &csrf1),
                ("motivation", "6"),
                ("suitability", "0"),
                ("adaptability", "3"),
                ("communication", "3"),
            ],
        )
        .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("The score for Motivation must be a whole number from 1 to 5"));
        assert!(html.contains("Give a score for Teaching potential"));
        assert!(app
            .store
            .assignments_of(a.id)
            .await
            .unwrap()
            .iter()
            .all(|x| x.submitted_at.is_none()));

        let mut form = full("5");
        form.push(("csrf", &csrf1));
        form.push(("comment", "Outstanding motivation statement"));
        let res = post(&c1, score_url.clone(), &form).await;
        assert_eq!(res.status(), 303);
        let res = post(&c1, score_url.clone(), &form).await;
        assert_eq!(res.status(), 400, "scoring twice is refused");
        assert!(res.text().await.unwrap().contains("already submitted"));

        // The second reviewer cannot see the first's scores before submitting.
        let (c2, csrf2) = app.session_for(Some(r2)).await;
        let page = c2
            .get(app.at(&format!("/review/applications/{}", a.id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains("Outstanding motivation statement"));
        assert!(!page.contains("25 / 25"));
        // Nor can the first see the second's before the second submits.
        let page = c1
            .get(app.at(&format!("/review/applications/{}", a.id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("shown when every reviewer"));
        let mut form = full("2");
        form.push(("csrf", &csrf2));
        assert_eq!(post(&c2, score_url.clone(), &form).await.status(), 303);
        let page = c2
            .get(app.at(&format!("/review/applications/{}", a.id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Outstanding motivation statement"),
            "visible once both are in"
        );
        assert!(page.contains("25 / 25"));

        // The CIR rubric has its own criteria.
        app.store.assign_reviewer(b.id, r1).await.unwrap();
        let page = c1
            .get(app.at(&format!("/review/applications/{}", b.id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("International exchange experience") && page.contains("Japanese"));
        assert!(!page.contains("Teaching potential"));

        // 25 and 10 differ by more than the default margin of 4: moderation.
        let coordinator = app.create_user("coord@desk.example", &[Role::Coordinator]).await;
        let (coord, csrf) = app.session_for(Some(coordinator)).await;
        let overview = coord
            .get(app.at(&format!("/staff/selection/{}", round.id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(overview.contains("Needs moderation"));
        let moderate = app.at(&format!("/staff/selection/{}/moderate", round.id));
        let res = post(
            &coord,
            moderate.clone(),
            &[
                ("csrf", &csrf),
                ("application", &a.id.to_string()),
                ("agreed_total", "40"),
            ],
        )
        .await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("from 5 to 25"));
        let res = post(
            &coord,
            moderate,
            &[
                ("csrf", &csrf),
                ("application", &a.id.to_string()),
                ("agreed_total", "18"),
                ("note", "Agreed at panel"),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        let overview = coord
            .get(app.at(&format!("/staff/selection/{}", round.id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(overview.contains("Score 18.0 (moderated)"));

        // Wrong roles: a reviewer cannot reach the coordinator's pages; an applicant reaches nothing.
        let res = c1
            .get(app.at(&format!("/staff/selection/{}", round.id)))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let res = post(
            &c1,
            app.at(&format!("/staff/selection/{}/assign", round.id)),
            &[("csrf", &csrf1)],
        )
        .await;
        assert_eq!(res.status(), 403);
        let (applicant, applicant_csrf) = app.session_for(Some(a.user_id)).await;
        assert_eq!(
            applicant.get(app.at("/review")).send().await.unwrap().status(),
            403
        );
        let mut form = full("5");
        form.push(("csrf", &applicant_csrf));
        assert_eq!(post(&applicant, score_url, &form).await.status(), 403);
    }
);

on_both!(
    the_cut_off_counts_and_invites_the_ranked_applications,
    |app: TestApp| async move {
        let round = jetdesk_testkit::open_round(&app).await;
        let apps = seed(
            &app,
            &round,
            &[
                ("Ann One", "alt", "in_review"),
                ("Ben Two", "alt", "in_review"),
                ("Cat Three", "alt", "in_review"),
                ("Dan Four", "cir", "in_review"),
            ],
        )
        .await;
        let r1 = app.create_user("r1@desk.example", &[Role::Reviewer]).await;
        let r2 = app.create_user("r2@desk.example", &[Role::Reviewer]).await;
        for (a, t1, t2) in [
            (&apps[0], 20, 22),
            (&apps[1], 18, 18),
            (&apps[2], 10, 12),
            (&apps[3], 25, 26),
        ] {
            for (r, t) in [(r1, t1), (r2, t2)] {
                app.store.assign_reviewer(a.id, r).await.unwrap();
                assert!(app.store.submit_review(a.id, r, "{}", t, "").await.unwrap());
            }
        }
        let coordinator = app.create_user("coord@desk.example", &[Role::Coordinator]).await;
        let (coord, csrf) = app.session_for(Some(coordinator)).await;
        let page = coord
            .get(app.at(&format!(
                "/staff/selection/{}/ranking?cutoff_alt=18&cutoff_cir=",
                round.id
            )))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("This cut-off invites 2 applicants."), "{page}");
        let ann = page.find("Ann One").unwrap();
        let ben = page.find("Ben Two").unwrap();
        let cat = page.find("Cat Three").unwrap();
        assert!(ann < ben && ben < cat, "ranked by score");

        let res = post(
            &coord,
            app.at(&format!("/staff/selection/{}/invite", round.id)),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(res.status(), 400, "no cut-off");
        let res = post(
            &coord,
            app.at(&format!("/staff/selection/{}/reject-not-invited", round.id)),
            &[("csrf", &csrf), ("confirm", "1")],
        )
        .await;
        assert_eq!(res.status(), 400, "invite first");
        let res = post(
            &coord,
            app.at(&format!("/staff/selection/{}/invite", round.id)),
            &[("csrf", &csrf), ("cutoff_alt", "18"), ("cutoff_cir", "30")],
        )
        .await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("2 applicants were invited"));
        let state = |id: i64| {
            let store = app.store.clone();
            async move { store.application(id).await.unwrap().unwrap().state }
        };
        assert_eq!(state(apps[0].id).await, "invited");
        assert_eq!(state(apps[1].id).await, "invited");
        assert_eq!(
            state(apps[2].id).await,
            "in_review",
            "below the cut-off stays in review"
        );
        assert_eq!(state(apps[3].id).await, "in_review");
        let mail = app.mails_to(&apps[0].email, 1).await.remove(0);
        assert!(mail.contains(&format!("{}/my/interview", app.url)));
        assert!(mail.contains(apps[0].reference.as_deref().unwrap()));

        let res = post(
            &coord,
            app.at(&format!("/staff/selection/{}/reject-not-invited", round.id)),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(res.status(), 400, "needs the confirmation");
        let res = post(
            &coord,
            app.at(&format!("/staff/selection/{}/reject-not-invited", round.id)),
            &[("csrf", &csrf), ("confirm", "1")],
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(state(apps[2].id).await, "unsuccessful");
        assert_eq!(state(apps[0].id).await, "invited");
        let mail = app.mails_to(&apps[2].email, 1).await.remove(0);
        assert!(mail.contains(apps[2].reference.as_deref().unwrap()));
    }
);

on_both!(
    a_name_blind_sift_hides_identity_from_reviewers_until_it_closes,
    |app: TestApp| async move {
        let round = jetdesk_testkit::open_round(&app).await;
        let apps = seed(&app, &round, &[("Zebedee Quintrell", "alt", "in_review")]).await;
        let a = &apps[0];
        app.store
            .save_selection_settings(&SelectionSettings {
                name_blind: 1,
                ..SelectionSettings::defaults(round.id)
            })
            .await
            .unwrap();
        let reviewer = app.create_user("r1@desk.example", &[Role::Reviewer]).await;
        app.store.assign_reviewer(a.id, reviewer).await.unwrap();
        let (rc, _) = app.session_for(Some(reviewer)).await;
        let pages = [
            format!("/review/applications/{}", a.id),
            "/review".to_string(),
            format!("/staff/applications?round={}", round.id),
            format!("/staff/applications?round={}&q=quintrell", round.id),
            format!("/staff/applications/{}", a.id),
        ];
        for path in &pages {
            let res = rc.get(app.at(path)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            let html = res.text().await.unwrap();
            for secret in [
                "Zebedee",
                "Quintrell",
                "1999-03-27",
                "Quintrellshire",
                "Female",
                "zebedee.quintrell@",
            ] {
                assert!(!html.contains(secret), "{secret} leaked on {path}");
            }
        }
        // The coordinator always sees the name.
        let coordinator = app.create_user("coord@desk.example", &[Role::Coordinator]).await;
        let (coord, _) = app.session_for(Some(coordinator)).await;
        let html = coord
            .get(app.at(&format!("/staff/applications/{}", a.id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Quintrell"));
        // Once the sift closes, the reviewer sees it too.
        app.store.set_sift_closed(round.id, true).await.unwrap();
        let html = rc
            .get(app.at(&format!("/review/applications/{}", a.id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Zebedee") && html.contains("University of Quintrellshire"));
    }
);
