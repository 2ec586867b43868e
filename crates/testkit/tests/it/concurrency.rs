//! Concurrent requests for one scarce thing give exactly one winner (docs/reliability.md §2):
//! upgrading alternates into one freed place, and publishing a placement run. (The last interview
//! seat has its own test in `interviews.rs`.)

use crate::review::{post, seed};
use jetdesk_domain::Role;
use jetdesk_store::SelectionSettings;
use jetdesk_testkit::TestApp;

const CONCURRENT: usize = 20;

on_both!(
    concurrent_upgrades_fill_a_freed_place_once,
    |app: TestApp| async move {
        let round = jetdesk_testkit::open_round(&app).await;
        let people: Vec<(String, &str, &str)> = (0..6)
            .map(|i| (format!("Person {i}"), "alt", "interviewed"))
            .collect();
        let refs: Vec<(&str, &str, &str)> = people.iter().map(|(n, p, s)| (n.as_str(), *p, *s)).collect();
        let apps = seed(&app, &round, &refs).await;
        let interviewer = app.create_user("iv@desk.example", &[Role::Interviewer]).await;
        for (i, a) in apps.iter().enumerate() {
            app.store
                .demo_interview_total(a.id, interviewer, 30 - i as i64)
                .await
                .unwrap();
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
        // The first is shortlisted, the other five are ranked alternates.
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("position", "alt"),
            ("outcome", "alternate"),
        ];
        let ids: Vec<String> = apps[1..].iter().map(|a| a.id.to_string()).collect();
        form.extend(ids.iter().map(|id| ("application", id.as_str())));
        assert_eq!(
            post(&coord, app.at(&format!("{base}/decide")), &form)
                .await
                .status(),
            303
        );
        let first = apps[0].id.to_string();
        let res = post(
            &coord,
            app.at(&format!("{base}/decide")),
            &[
                ("csrf", &csrf),
                ("position", "alt"),
                ("application", &first),
                ("outcome", "shortlisted"),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        app.store
            .set_results_at(round.id, Some(jetdesk_store::now() - 60))
            .await
            .unwrap();
        assert_eq!(
            post(&coord, app.at(&format!("{base}/publish")), &[("csrf", &csrf)])
                .await
                .status(),
            303
        );

        // The shortlisted candidate withdraws: one place is free. Twenty upgrades arrive at once.
        assert!(app
            .store
            .set_application_state(apps[0].id, "shortlisted", "withdrawn", Some("test"))
            .await
            .unwrap());
        let url = app.at(&format!("{base}/upgrade"));
        let requests: Vec<_> = (0..CONCURRENT)
            .map(|_| {
                let (client, url, csrf) = (coord.clone(), url.clone(), csrf.clone());
                tokio::spawn(async move {
                    client
                        .post(url)
                        .form(&[("csrf", csrf.as_str()), ("position", "alt")])
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .as_u16()
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for r in requests {
            statuses.push(r.await.unwrap());
        }
        assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == 303 || *s == 400), "{statuses:?}");
        let mut shortlisted = Vec::new();
        for a in &apps {
            if app.store.application(a.id).await.unwrap().unwrap().state == "shortlisted" {
                shortlisted.push(a.id);
            }
        }
        assert_eq!(
            shortlisted,
            vec![apps[1].id],
            "exactly the first alternate by rank"
        );
    }
);
