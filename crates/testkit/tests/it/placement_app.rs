//! The JET placement in the app: hosts edit their organisation and posts (field errors for bad
//! input, in Japanese too), and see nothing of other organisations; the coordinator runs a
//! placement built from preferences, interview scores, sister cities and couples, pins and
//! forbids, publishes (states, offers, e-mails); candidates accept or decline their own offer only;
//! a re-run fills a freed post without moving anyone who accepted.

use jetdesk_domain::Role;
use jetdesk_store::{HeldAt, PlacementOrgInput, PlacementPostInput, Round};
use jetdesk_testkit::TestApp;
use serde_json::json;

async fn post(client: &reqwest::Client, url: String, form: &[(&str, &str)]) -> reqwest::Response {
    client.post(url).form(form).send().await.unwrap()
}

async fn org(app: &TestApp, name: &str, area: &str, setting: &str) -> i64 {
    let pref = match area {
        "miyagi" => ("Miyagi", "tohoku"),
        "iwate" => ("Iwate", "tohoku"),
        _ => ("Kochi", "shikoku"),
    };
    app.store
        .create_placement_org(&PlacementOrgInput {
            name_en: name.into(),
            name_ja: format!("{name}（日本語）"),
            prefecture: pref.0.into(),
            setting: setting.into(),
            kind: "town".into(),
            region: pref.1.into(),
            area: area.into(),
        })
        .await
        .unwrap()
}

async fn add_post(app: &TestApp, org: i64, position: &str, places: i64, min_jlpt: &str) -> i64 {
    let input = PlacementPostInput {
        position: position.into(),
        places,
        min_jlpt: min_jlpt.into(),
        ..Default::default()
    };
    app.store
        .save_placement_post(org, None, &input)
        .await
        .unwrap()
        .unwrap()
}

/// A shortlisted candidate with these preferences; returns (user id, application id, e-mail).
async fn candidate(
    app: &TestApp,
    round: &Round,
    name: &str,
    position: &str,
    areas: [&str; 3],
    jlpt: &str,
    home_town: &str,
) -> (i64, i64, String) {
    let email = format!("{}@cand.example", name.to_lowercase());
    let user = app.create_user(&email, &[Role::Applicant]).await;
    let id = app.store.create_application(round, user, position).await.unwrap();
    let sections = [
        (
            "personal",
            json!({"given_names": name, "family_name": "Candidate", "home_town": home_town, "phone": "0770"}),
        ),
        ("japanese", json!({"jlpt_level": jlpt})),
        (
            "preferences",
            json!({"area1": areas[0], "area2": areas[1], "area3": areas[2], "setting": "any",
                   "circumstances": format!("{name} needs step-free access")}),
        ),
    ];
    for (section, answers) in sections {
        app.store
            .save_section(id, section, &answers.to_string(), true, 0)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE applications SET state = 'shortlisted', reference = $1 WHERE id = $2")
        .bind(format!("JET27-UK-{id:06}"))
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    (user, id, email)
}

async fn state_of(app: &TestApp, id: i64) -> String {
    app.store.application(id).await.unwrap().unwrap().state
}

async fn coordinator(app: &TestApp) -> (reqwest::Client, String) {
    let id = app.create_user("coord@desk.example", &[Role::Coordinator]).await;
    app.session_for(Some(id)).await
}

async fn placed_at(app: &TestApp, round: i64) -> Vec<(i64, Option<i64>)> {
    let run = app.store.latest_placement_run(round).await.unwrap().unwrap();
    let v: serde_json::Value = serde_json::from_str(&run.result_json).unwrap();
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["application_id"].as_i64().unwrap(), r["post_id"].as_i64()))
        .collect()
}

on_both!(
    hosts_edit_their_posts_with_field_errors_in_japanese,
    |app: TestApp| async move {
        let host = app.create_user("host@aoba.example", &[Role::Host]).await;
        let aoba = org(&app, "Aoba Town", "miyagi", "rural").await;
        app.store.add_host_member(aoba, host).await.unwrap();
        let (client, csrf) = app.session_for(Some(host)).await;
        let base = format!("/hosts/{aoba}");

        // Bad input: each field gets its message and nothing is saved.
        for (field, value, message) in [
            ("places", "0", "whole number from 1 to 100"),
            ("places", "-3", "whole number from 1 to 100"),
            ("places", "two", "whole number from 1 to 100"),
            ("position", "sea", "Choose ALT or CIR"),
            ("min_jlpt", "N9", "Choose a JLPT level"),
        ] {
            let mut form = vec![
                ("csrf", csrf.as_str()),
                ("position", "alt"),
                ("places", "2"),
                ("min_jlpt", ""),
            ];
            form.retain(|(k, _)| *k != field);
            form.push((field, value));
            let res = post(&client, app.at(&format!("{base}/posts")), &form).await;
            assert_eq!(res.status(), 422, "{field}={value}");
            let html = res.text().await.unwrap();
            assert!(html.contains(message), "{field}={value}: {html}");
            assert!(
                html.contains(&format!("href=\"#{field}\"")),
                "summary links to {field}"
            );
        }
        assert!(app.store.placement_posts(aoba).await.unwrap().is_empty());

        // In Japanese, the message is Japanese.
        let res = client
            .post(app.at(&format!("{base}/posts")))
            .header("accept-language", "ja")
            .form(&[("csrf", csrf.as_str()), ("position", "alt"), ("places", "0")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("人数は 1 から 100 までの整数"));

        // A good post, written in Japanese, then changed.
        let res = post(
            &client,
            app.at(&format!("{base}/posts")),
            &[
                ("csrf", &csrf),
                ("position", "alt"),
                ("places", "2"),
                ("level_elementary", "yes"),
                ("level_junior_high", "yes"),
                ("min_jlpt", ""),
                ("driving_licence", "yes"),
                ("notes", "車で五校を訪問します。"),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        let posts = app.store.placement_posts(aoba).await.unwrap();
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].school_levels, "elementary,junior_high");
        assert_eq!(posts[0].driving_licence, 1);
        let id = posts[0].id.to_string();
        let res = post(
            &client,
            app.at(&format!("{base}/posts")),
            &[
                ("csrf", &csrf),
                ("post_id", &id),
                ("position", "cir"),
                ("places", "1"),
                ("min_jlpt", "N2"),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        let posts = app.store.placement_posts(aoba).await.unwrap();
        assert_eq!(
            (
                posts[0].position.as_str(),
                posts[0].places,
                posts[0].min_jlpt.as_str()
            ),
            ("cir", 1, "N2")
        );
        assert_eq!(posts[0].school_levels, "", "school levels are for ALT posts");

        // The profile and sister cities; a malformed sister city is refused.
        let res = post(
            &client,
            app.at(&format!("{base}/profile")),
            &[
                ("csrf", &csrf),
                ("setting", "rural"),
                ("profile", "x"),
                ("sister_cities", "Leeds"),
            ],
        )
        .await;
        assert_eq!(res.status(), 422);
        let res = post(
            &client,
            app.at(&format!("{base}/profile")),
            &[
                ("csrf", &csrf),
                ("setting", "rural"),
                ("profile", "林檎の町です。"),
                ("sister_cities", "Leeds, United Kingdom"),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        let cities = app.store.sister_cities(aoba).await.unwrap();
        assert_eq!(
            (cities[0].city.as_str(), cities[0].country.as_str()),
            ("Leeds", "United Kingdom")
        );
        let page = client
            .get(app.at(&base))
            .header("accept-language", "ja")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("林檎の町です。") && page.contains("ポストを保存"),
            "{page}"
        );
    }
);

on_both!(
    hosts_see_and_change_only_their_own_organisation,
    |app: TestApp| async move {
        let round = jetdesk_testkit::open_round_without_attachments(&app).await;
        let host_a = app.create_user("a@host.example", &[Role::Host]).await;
        let host_b = app.create_user("b@host.example", &[Role::Host]).await;
        let org_a = org(&app, "Aoba Town", "miyagi", "rural").await;
        let org_b = org(&app, "Kawa Village", "kochi", "rural").await;
        app.store.add_host_member(org_a, host_a).await.unwrap();
        app.store.add_host_member(org_b, host_b).await.unwrap();
        let post_b = add_post(&app, org_b, "alt", 1, "").await;
        let (_, cand, _) = candidate(&app, &round, "Zoe", "alt", ["kochi", "", ""], "none", "York").await;
        let (coord, coord_csrf) = coordinator(&app).await;
        post(
            &coord,
            app.at(&format!("/placement/{}/run", round.id)),
            &[("csrf", &coord_csrf)],
        )
        .await;
        let res = post(
            &coord,
            app.at(&format!("/placement/{}/publish", round.id)),
            &[("csrf", &coord_csrf), ("days", "14")],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert_eq!(state_of(&app, cand).await, "placed");

        let (a, csrf) = app.session_for(Some(host_a)).await;
        assert_eq!(
            a.get(app.at(&format!("/hosts/{org_b}")))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        for path in [
            format!("/hosts/{org_b}/posts"),
            format!("/hosts/{org_b}/profile"),
            format!("/hosts/{org_b}/posts/{post_b}/delete"),
        ] {
            let res = post(
                &a,
                app.at(&path),
                &[("csrf", &csrf), ("position", "alt"), ("places", "5")],
            )
            .await;
            assert_eq!(res.status(), 404, "{path}");
        }
        assert_eq!(app.store.placement_posts(org_b).await.unwrap()[0].places, 1);
        let list = a
            .get(app.at("/hosts"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(list.contains("Aoba Town") && !list.contains("Kawa Village"));
        let own = a
            .get(app.at(&format!("/hosts/{org_a}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!own.contains("Zoe"), "host A sees nothing of B's candidates");

        // Host B sees Zoe, her needs, and no contact details before she accepts.
        let (b, _) = app.session_for(Some(host_b)).await;
        let page = b
            .get(app.at(&format!("/hosts/{org_b}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Zoe Candidate") && page.contains("Zoe needs step-free access"));
        assert!(!page.contains("zoe@cand.example"));
        // A host cannot run or see placements, nor create organisations.
        assert_eq!(
            b.get(app.at(&format!("/placement/{}", round.id)))
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
        let res = post(&b, app.at("/hosts"), &[("csrf", &csrf)]).await;
        assert_eq!(res.status(), 403);
    }
);

on_both!(
    the_coordinator_runs_pins_forbids_and_publishes,
    |app: TestApp| async move {
        let round = jetdesk_testkit::open_round_without_attachments(&app).await;
        let aoba = org(&app, "Aoba Town", "miyagi", "rural").await;
        let kochi = org(&app, "Kochi Town", "kochi", "rural").await;
        let iwate = org(&app, "Iwate Pref", "iwate", "urban").await;
        let aoba_alt = add_post(&app, aoba, "alt", 1, "").await;
        let kochi_alt = add_post(&app, kochi, "alt", 1, "").await;
        let iwate_cir = add_post(&app, iwate, "cir", 1, "N2").await;
        app.store
            .set_sister_cities(aoba, &[("Leeds".into(), "United Kingdom".into())])
            .await
            .unwrap();
        // Both want Aoba; Leeds has the sister-city link, though Bea has the higher interview score.
        let (_, ann, ann_email) = candidate(
            &app,
            &round,
            "Ann",
            "alt",
            ["miyagi", "kochi", ""],
            "none",
            "Leeds",
        )
        .await;
        let (_, bea, _) = candidate(&app, &round, "Bea", "alt", ["miyagi", "", ""], "N5", "York").await;
        // A CIR with N3 cannot take the N2 post.
        let (_, cid, _) = candidate(&app, &round, "Cid", "cir", ["iwate", "", ""], "N3", "Bath").await;
        let interviewer = app.create_user("panel@desk.example", &[Role::Interviewer]).await;
        for (id, total) in [(ann, 10), (bea, 40)] {
            sqlx::query(
            "INSERT INTO interview_scores (application_id, interviewer_id, scores, total, note, submitted_at)
             VALUES ($1, $2, '{}', $3, '', 0)",
        )
        .bind(id)
        .bind(interviewer)
        .bind(total as i64)
        .execute(&app.db)
        .await
        .unwrap();
        }
        let (coord, csrf) = coordinator(&app).await;
        let preview = format!("/placement/{}", round.id);
        let page = coord
            .get(app.at(&preview))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Run the placement"));

        let res = post(&coord, app.at(&format!("{preview}/run")), &[("csrf", &csrf)]).await;
        assert_eq!(res.status(), 303);
        let mut placed = placed_at(&app, round.id).await;
        placed.sort();
        assert_eq!(
            placed,
            [(ann, Some(aoba_alt)), (bea, Some(kochi_alt)), (cid, None)]
        );
        let run = app.store.latest_placement_run(round.id).await.unwrap().unwrap();
        let v: serde_json::Value = serde_json::from_str(&run.result_json).unwrap();
        let fill = v["posts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["post_id"] == iwate_cir)
            .unwrap()
            .clone();
        assert_eq!(
            (fill["free"].as_i64(), fill["filled"].as_i64()),
            (Some(1), Some(0)),
            "N3 does not meet N2"
        );
        assert_eq!(v["by_area_choice"], json!([1, 0, 0, 1, 1]));
        let page = coord
            .get(app.at(&preview))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for needle in [
            "Ann Candidate",
            "Placed in their 1st choice of area",
            "The placement is stable",
            "Your 1st choice took 1 candidate with higher priority",
            "Ann needs step-free access",
        ] {
            assert!(page.contains(needle), "{needle}: {page}");
        }

        // Forbid Ann at Aoba and pin Bea there: the re-run swaps them.
        for (app_id, kind) in [(ann, "forbid"), (bea, "pin")] {
            let res = post(
                &coord,
                app.at(&format!("{preview}/adjust")),
                &[
                    ("csrf", &csrf),
                    ("application_id", &app_id.to_string()),
                    ("post_id", &aoba_alt.to_string()),
                    ("kind", kind),
                ],
            )
            .await;
            assert_eq!(res.status(), 303);
        }
        post(&coord, app.at(&format!("{preview}/run")), &[("csrf", &csrf)]).await;
        let mut placed = placed_at(&app, round.id).await;
        placed.sort();
        assert_eq!(
            placed,
            [(ann, Some(kochi_alt)), (bea, Some(aoba_alt)), (cid, None)]
        );

        // Bad adjustments and publish input get field errors.
        let res = post(
            &coord,
            app.at(&format!("{preview}/adjust")),
            &[
                ("csrf", &csrf),
                ("application_id", &ann.to_string()),
                ("post_id", "99999"),
                ("kind", "pin"),
            ],
        )
        .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("Choose a post"));
        let res = post(
            &coord,
            app.at(&format!("{preview}/adjust")),
            &[
                ("csrf", &csrf),
                ("application_id", &cid.to_string()),
                ("post_id", &aoba_alt.to_string()),
                ("kind", "pin"),
            ],
        )
        .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("another position"));
        for days in ["0", "-2", "soon"] {
            let res = post(
                &coord,
                app.at(&format!("{preview}/publish")),
                &[("csrf", &csrf), ("days", days)],
            )
            .await;
            assert_eq!(res.status(), 422);
            assert!(res.text().await.unwrap().contains("from 1 to 90"));
        }
        assert_eq!(state_of(&app, ann).await, "shortlisted", "nothing published yet");

        // Publish: states, offers, e-mails with the reference.
        let res = post(
            &coord,
            app.at(&format!("{preview}/publish")),
            &[("csrf", &csrf), ("days", "10")],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert_eq!(state_of(&app, ann).await, "placed");
        assert_eq!(state_of(&app, bea).await, "placed");
        assert_eq!(state_of(&app, cid).await, "shortlisted");
        let mail = &app.mails_to(&ann_email, 1).await[0];
        assert!(
            mail.contains(&format!("JET27-UK-{ann:06}")) && mail.contains("Kochi Town"),
            "{mail}"
        );
        let offers = app
            .store
            .placement_offers_held(HeldAt::Round(round.id))
            .await
            .unwrap();
        assert_eq!(offers.len(), 2);
        let offer = offers.iter().find(|o| o.application_id == ann).unwrap();
        assert!((offer.deadline_at - offer.offered_at - 10 * 86400).abs() < 5);
        // Publishing twice does nothing more.
        let res = post(
            &coord,
            app.at(&format!("{preview}/publish")),
            &[("csrf", &csrf), ("days", "10")],
        )
        .await;
        assert_eq!(res.status(), 422);
        assert_eq!(
            app.store
                .placement_offers_held(HeldAt::Round(round.id))
                .await
                .unwrap()
                .len(),
            2
        );
    }
);

on_both!(
    accept_decline_and_the_rerun_fills_the_freed_post,
    |app: TestApp| async move {
        let round = jetdesk_testkit::open_round_without_attachments(&app).await;
        let aoba = org(&app, "Aoba Town", "miyagi", "rural").await;
        let kochi = org(&app, "Kochi Town", "kochi", "rural").await;
        let aoba_alt = add_post(&app, aoba, "alt", 1, "").await;
        let kochi_alt = add_post(&app, kochi, "alt", 1, "").await;
        let (ann_user, ann, ann_email) =
            candidate(&app, &round, "Ann", "alt", ["miyagi", "", ""], "none", "Leeds").await;
        let (bea_user, bea, _) =
            candidate(&app, &round, "Bea", "alt", ["kochi", "", ""], "none", "York").await;
        let (coord, csrf) = coordinator(&app).await;
        let preview = format!("/placement/{}", round.id);
        post(&coord, app.at(&format!("{preview}/run")), &[("csrf", &csrf)]).await;
        post(
            &coord,
            app.at(&format!("{preview}/publish")),
            &[("csrf", &csrf), ("days", "14")],
        )
        .await;
        let offers = app
            .store
            .placement_offers_held(HeldAt::Round(round.id))
            .await
            .unwrap();
        let ann_offer = offers.iter().find(|o| o.application_id == ann).unwrap().id;
        let bea_offer = offers.iter().find(|o| o.application_id == bea).unwrap().id;

        // Bea cannot answer Ann's offer; other roles cannot reach the routes at all.
        let (bea_client, bea_csrf) = app.session_for(Some(bea_user)).await;
        let res = post(
            &bea_client,
            app.at(&format!("/my/placement/{ann_offer}/accept")),
            &[("csrf", &bea_csrf)],
        )
        .await;
        assert_eq!(res.status(), 404);
        let res = post(
            &bea_client,
            app.at(&format!("/my/placement/{ann_offer}/decline")),
            &[("csrf", &bea_csrf), ("confirm", "yes")],
        )
        .await;
        assert_eq!(res.status(), 404);
        assert_eq!(state_of(&app, ann).await, "placed");
        let res = post(
            &coord,
            app.at(&format!("/my/placement/{ann_offer}/accept")),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(res.status(), 403);

        // Ann accepts; as an ALT she joins Aoba's school-visit planner, based at its first school.
        let school = jetdesk_store::TtSchoolInput {
            code: "s1".into(),
            name: "Aoba Junior High".into(),
            level: "junior_high".into(),
            per: "week".into(),
            days: 2,
            ..Default::default()
        };
        app.store.save_tt_school(aoba, &school).await.unwrap();
        let (ann_client, ann_csrf) = app.session_for(Some(ann_user)).await;
        let page = ann_client
            .get(app.at("/my/placement"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Aoba Town") && page.contains("Accept the placement"));
        let res = post(
            &ann_client,
            app.at(&format!("/my/placement/{ann_offer}/accept")),
            &[("csrf", &ann_csrf)],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert_eq!(state_of(&app, ann).await, "accepted");
        let alts = app.store.tt_alts(aoba).await.unwrap();
        assert_eq!(alts.len(), 1);
        assert_eq!(
            (
                alts[0].name.as_str(),
                alts[0].email.as_str(),
                alts[0].base_school.as_str()
            ),
            ("Ann Candidate", ann_email.as_str(), "s1")
        );
        let mails = app.mails_to(&ann_email, 2).await;
        assert!(mails
            .iter()
            .any(|m| m.contains("Placement accepted") && m.contains(&format!("JET27-UK-{ann:06}"))));
        // Accepting again changes nothing.
        let res = post(
            &ann_client,
            app.at(&format!("/my/placement/{ann_offer}/accept")),
            &[("csrf", &ann_csrf)],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert_eq!(state_of(&app, ann).await, "accepted");

        // After the deadline Bea can no longer accept (she still may decline).
        sqlx::query("UPDATE placement_offers SET deadline_at = 1 WHERE id = $1")
            .bind(bea_offer)
            .execute(&app.db)
            .await
            .unwrap();
        let res = post(
            &bea_client,
            app.at(&format!("/my/placement/{bea_offer}/accept")),
            &[("csrf", &bea_csrf)],
        )
        .await;
        assert_eq!(res.status(), 422);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("deadline to accept this offer has passed"));
        assert_eq!(state_of(&app, bea).await, "placed");

        // Bea must confirm the decline; then declines.
        let res = post(
            &bea_client,
            app.at(&format!("/my/placement/{bea_offer}/decline")),
            &[("csrf", &bea_csrf)],
        )
        .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("Tick the box"));
        assert_eq!(state_of(&app, bea).await, "placed");
        let res = post(
            &bea_client,
            app.at(&format!("/my/placement/{bea_offer}/decline")),
            &[("csrf", &bea_csrf), ("confirm", "yes")],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert_eq!(state_of(&app, bea).await, "declined");

        // Host of Aoba now sees Ann's contact details.
        let host = app.create_user("host@aoba.example", &[Role::Host]).await;
        app.store.add_host_member(aoba, host).await.unwrap();
        let (h, _) = app.session_for(Some(host)).await;
        let page = h
            .get(app.at(&format!("/hosts/{aoba}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(&ann_email), "{page}");

        // A new shortlisted candidate who wants Aoba most: the re-run gives them Kochi (Bea's freed
        // place) and leaves Ann where she accepted.
        let (_, cal, _) = candidate(
            &app,
            &round,
            "Cal",
            "alt",
            ["miyagi", "kochi", ""],
            "none",
            "Hull",
        )
        .await;
        post(&coord, app.at(&format!("{preview}/run")), &[("csrf", &csrf)]).await;
        assert_eq!(placed_at(&app, round.id).await, [(cal, Some(kochi_alt))]);
        let page = coord
            .get(app.at(&preview))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Accepted"), "the held places are listed");
        post(
            &coord,
            app.at(&format!("{preview}/publish")),
            &[("csrf", &csrf), ("days", "14")],
        )
        .await;
        assert_eq!(state_of(&app, cal).await, "placed");
        assert_eq!(state_of(&app, ann).await, "accepted");
        let offers = app
            .store
            .placement_offers_held(HeldAt::Round(round.id))
            .await
            .unwrap();
        let held: Vec<(i64, i64)> = offers.iter().map(|o| (o.application_id, o.post_id)).collect();
        assert!(held.contains(&(ann, aoba_alt)) && held.contains(&(cal, kochi_alt)) && held.len() == 2);

        // Withdrawal frees a place too.
        sqlx::query("UPDATE applications SET state = 'withdrawn' WHERE id = $1")
            .bind(cal)
            .execute(&app.db)
            .await
            .unwrap();
        assert_eq!(app.store.places_taken(round.id).await.unwrap(), [(aoba_alt, 1)]);
    }
);

on_both!(
    couples_are_placed_together_and_staff_create_organisations,
    |app: TestApp| async move {
        let round = jetdesk_testkit::open_round_without_attachments(&app).await;
        let (coord, csrf) = coordinator(&app).await;
        // Staff create an organisation (bad input first) and add all prefectures.
        let res = post(
            &coord,
            app.at("/hosts"),
            &[
                ("csrf", &csrf),
                ("name_en", ""),
                ("name_ja", "町"),
                ("kind", "hamlet"),
                ("area", "atlantis"),
                ("setting", "urban"),
            ],
        )
        .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("href=\"#name_en\"")
                && html.contains("href=\"#kind\"")
                && html.contains("href=\"#area\"")
        );
        let res = post(
            &coord,
            app.at("/hosts"),
            &[
                ("csrf", &csrf),
                ("name_en", "Aoba Town"),
                ("name_ja", "青葉町"),
                ("kind", "town"),
                ("area", "miyagi"),
                ("setting", "rural"),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        let res = post(&coord, app.at("/hosts/prefectures"), &[("csrf", &csrf)]).await;
        assert_eq!(res.status(), 303);
        let orgs = app.store.placement_orgs().await.unwrap();
        assert_eq!(orgs.len(), 1 + 47 + 20);
        let aoba = orgs.iter().find(|o| o.name_en == "Aoba Town").unwrap();
        assert_eq!(
            (aoba.prefecture.as_str(), aoba.region.as_str()),
            ("Miyagi", "tohoku")
        );
        let miyagi = orgs
            .iter()
            .find(|o| o.area == "miyagi" && o.kind == "prefecture")
            .unwrap();
        let kochi = orgs
            .iter()
            .find(|o| o.area == "kochi" && o.kind == "prefecture")
            .unwrap();
        // Attaching a host: only accounts with the host role.
        app.create_user("not-a-host@x.example", &[Role::Applicant]).await;
        let res = post(
            &coord,
            app.at(&format!("/hosts/{}/members", aoba.id)),
            &[("csrf", &csrf), ("email", "not-a-host@x.example")],
        )
        .await;
        assert_eq!(res.status(), 422);
        app.create_user("host@x.example", &[Role::Host]).await;
        let res = post(
            &coord,
            app.at(&format!("/hosts/{}/members", aoba.id)),
            &[("csrf", &csrf), ("email", "host@x.example")],
        )
        .await;
        assert_eq!(res.status(), 303);

        let aoba_alt = add_post(&app, aoba.id, "alt", 1, "").await;
        let miyagi_cir = add_post(&app, miyagi.id, "cir", 1, "").await;
        let kochi_alt = add_post(&app, kochi.id, "alt", 1, "").await;
        let kochi_cir = add_post(&app, kochi.id, "cir", 1, "").await;
        // Dan (ALT) and Eve (CIR) are a couple: Dan wants Miyagi then Kochi, Eve Kochi then Miyagi.
        // The pairs (Aoba ALT, Miyagi CIR) and (Kochi ALT, Kochi CIR) are equally good by their lists;
        // the one at a single organisation comes first.
        let (_, dan, _) = candidate(
            &app,
            &round,
            "Dan",
            "alt",
            ["miyagi", "kochi", ""],
            "none",
            "Hull",
        )
        .await;
        let (_, eve, _) = candidate(&app, &round, "Eve", "cir", ["kochi", "miyagi", ""], "N1", "Hull").await;
        app.store.request_partner_link(dan, eve).await.unwrap();
        app.store.request_partner_link(eve, dan).await.unwrap();
        post(
            &coord,
            app.at(&format!("/placement/{}/run", round.id)),
            &[("csrf", &csrf)],
        )
        .await;
        let mut placed = placed_at(&app, round.id).await;
        placed.sort();
        assert_eq!(placed, [(dan, Some(kochi_alt)), (eve, Some(kochi_cir))]);
        let page = coord
            .get(app.at(&format!("/placement/{}", round.id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Couple with"));
        // Forbid Eve at Kochi: together they go to Miyagi.
        post(
            &coord,
            app.at(&format!("/placement/{}/adjust", round.id)),
            &[
                ("csrf", &csrf),
                ("application_id", &eve.to_string()),
                ("post_id", &kochi_cir.to_string()),
                ("kind", "forbid"),
            ],
        )
        .await;
        post(
            &coord,
            app.at(&format!("/placement/{}/run", round.id)),
            &[("csrf", &csrf)],
        )
        .await;
        let mut placed = placed_at(&app, round.id).await;
        placed.sort();
        assert_eq!(placed, [(dan, Some(aoba_alt)), (eve, Some(miyagi_cir))]);
    }
);
