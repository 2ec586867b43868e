//! The demo loader (`serve --demo`): every chart of the coordinator's dashboard has figures for the
//! open round at once (submissions per day beside last year's round, every stage of the cycle,
//! eligibility by rule, universities and home towns, reviews, interviews, time in each stage,
//! placement offers), read back from each chart's CSV as a coordinator sees it.

use jetdesk_testkit::TestApp;

/// A chart's CSV for the default (newest) round: the header and the rows.
async fn chart(client: &reqwest::Client, app: &TestApp, id: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let res = client
        .get(app.at(&format!("/staff/dashboard/{id}.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{id}");
    let body = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// Column `i` of every row, as numbers.
fn column(rows: &[Vec<String>], i: usize) -> Vec<i64> {
    rows.iter()
        .map(|r| {
            r[i].parse::<i64>()
                .unwrap_or_else(|_| panic!("a number in {r:?}"))
        })
        .collect()
}

/// The count on the row labelled `label`.
fn count(rows: &[Vec<String>], label: &str) -> i64 {
    rows.iter()
        .find(|r| r[0] == label)
        .unwrap_or_else(|| panic!("no row {label:?} in {rows:?}"))[1]
        .parse()
        .unwrap()
}

on_both!(
    the_demo_dashboard_has_figures_in_every_chart,
    |app: TestApp| async move {
        jetdesk_web::demo::load(&app.store, "jetdesk-demo").await.unwrap();
        let coordinator = app
            .store
            .user_by_email("coordinator@jetdesk.example")
            .await
            .unwrap()
            .expect("the demo coordinator");
        let (client, csrf) = app.session_for(Some(coordinator.id)).await;
        let html = client
            .get(app.at("/staff/dashboard"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // All nine charts are drawn (a chart without figures says so instead).
        assert_eq!(html.matches("<svg").count(), 9, "{html}");
        assert!(!html.contains("No figures yet."), "{html}");

        // Submissions per day: the open round on most of its days so far, beside last year's round.
        let (header, rows) = chart(&client, &app, "per-day").await;
        assert_eq!(header.len(), 3, "this round and the previous one: {header:?}");
        // The open round's column stops today (last year's round ran longer): later days are
        // blank, not zero.
        let so_far = rows.iter().take_while(|r| !r[1].is_empty()).count();
        assert!(so_far < rows.len(), "{rows:?}");
        assert!(rows[so_far..].iter().all(|r| r[1].is_empty()), "{rows:?}");
        let (this, last) = (column(&rows[..so_far], 1), column(&rows, 2));
        assert!(this.iter().sum::<i64>() >= 200, "{this:?}");
        assert!(last.iter().sum::<i64>() >= 250, "{last:?}");
        assert!(this.iter().filter(|n| **n > 0).count() >= 30, "{this:?}");
        assert!(last.iter().filter(|n| **n > 0).count() >= 40, "{last:?}");

        // Every stage of the cycle has applications.
        let (_, rows) = chart(&client, &app, "funnel").await;
        let states: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        for state in [
            "Draft: not submitted",
            "Submitted: eligible",
            "Submitted: not eligible",
            "In review",
            "Invited to interview",
            "Interviewed",
            "Shortlisted",
            "Not successful",
            "Placed: offer made",
            "Offer accepted",
            "Offer declined",
            "Withdrawn",
        ] {
            assert!(states.contains(&state), "{state} missing from {states:?}");
        }

        // Verdicts for every rule, some failing.
        let (header, rows) = chart(&client, &app, "eligibility").await;
        assert!(rows.len() >= 8, "{rows:?}");
        let fail = header
            .iter()
            .position(|h| h == "Fail")
            .unwrap_or_else(|| panic!("a failing verdict column in {header:?}"));
        assert!(column(&rows, fail).iter().sum::<i64>() > 0, "{rows:?}");

        for id in ["universities", "home-towns"] {
            let (_, rows) = chart(&client, &app, id).await;
            assert_eq!(rows.len(), 10, "{id}: {rows:?}");
            assert!(column(&rows, 1).iter().all(|n| *n > 0), "{id}: {rows:?}");
        }

        let (_, rows) = chart(&client, &app, "review").await;
        assert_eq!(rows.len(), 4, "{rows:?}");
        let counts = column(&rows, 1);
        assert!(
            counts.iter().all(|n| *n > 0),
            "assigned, scored, outstanding, moderated: {rows:?}"
        );

        let (_, rows) = chart(&client, &app, "interviews").await;
        let counts = column(&rows, 1);
        assert!(counts.iter().all(|n| *n > 0), "seats, booked, scored: {rows:?}");
        assert!(counts[1] >= 3 && counts[2] >= 10, "{rows:?}");

        // Time in each stage, from the audit log's state changes.
        let (_, rows) = chart(&client, &app, "stages").await;
        let stages: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            stages,
            [
                "Submitted: eligible",
                "In review",
                "Invited to interview",
                "Interviewed",
                "Shortlisted",
                "Placed: offer made"
            ],
            "every state an application has left, and no final one"
        );
        assert!(column(&rows, 1).iter().all(|n| *n > 0), "{rows:?}");
        assert!(column(&rows, 2).iter().all(|n| *n > 0), "{rows:?}");

        // Offers accepted, awaiting an answer and declined.
        let (_, rows) = chart(&client, &app, "placement").await;
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(count(&rows, "Offer accepted"), 2, "{rows:?}");
        assert_eq!(count(&rows, "Offer declined"), 1, "{rows:?}");
        assert!(column(&rows, 1).iter().all(|n| *n > 0), "{rows:?}");

        // The placement demo is untouched: its eight candidates are still shortlisted, and a run
        // places them all.
        let (_, rows) = chart(&client, &app, "funnel").await;
        let shortlisted = rows
            .iter()
            .find(|r| r[0] == "Shortlisted")
            .unwrap_or_else(|| panic!("{rows:?}"));
        assert_eq!(shortlisted.last().map(String::as_str), Some("8"), "{rows:?}");
        let round = app
            .store
            .current_round("UK")
            .await
            .unwrap()
            .expect("the open round");
        let res = client
            .post(app.at(&format!("/placement/{}/run", round.id)))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let run = app
            .store
            .latest_placement_run(round.id)
            .await
            .unwrap()
            .expect("a run");
        let result: serde_json::Value = serde_json::from_str(&run.result_json).unwrap();
        let by_choice: Vec<i64> = result["by_area_choice"]
            .as_array()
            .expect("by_area_choice")
            .iter()
            .map(|n| n.as_i64().unwrap())
            .collect();
        // (first, second, third choice, elsewhere, not placed): as without the history, whose
        // offers hold places at Hokkaido Prefecture, which no candidate asks for.
        assert_eq!(by_choice.iter().take(4).sum::<i64>(), 8, "{by_choice:?}");
        assert!(by_choice[0] >= 7, "{by_choice:?}");
    }
);
