//! The host's ALT school-visit planner: set up schools and ALTs, generate a term's plan, move a
//! visit (a conflicting move is refused and not saved), re-generate keeping the moved visit,
//! publish; the ALT then sees their calendar and its .ics feed. Hosts of other organisations get
//! 404s; coordinators read without the editing forms.

use jetdesk_domain::Role;
use jetdesk_testkit::{csrf_from, TestApp};
use serde_json::Value;

/// Two weeks without holidays: 12–23 April 2027.
const TERM: (&str, &str) = ("2027-04-12", "2027-04-23");

struct Setup {
    org: i64,
    plan: i64,
    host: reqwest::Client,
    csrf: String,
}

async fn post(client: &reqwest::Client, url: String, form: &[(&str, &str)]) -> reqwest::Response {
    client.post(url).form(form).send().await.unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// A host organisation with two schools, two ALTs (the first with a jetdesk account) and a
/// two-week plan, all entered through the forms.
async fn setup(app: &TestApp) -> Setup {
    let host_id = app.create_user("host@boe.example", &[Role::Host]).await;
    let org = app
        .store
        .create_host_org(
            "Aoba Town Board of Education",
            "青葉町教育委員会",
            "Miyagi",
            "rural",
        )
        .await
        .unwrap();
    app.store.add_host_member(org, host_id).await.unwrap();
    let (host, csrf) = app.session_for(Some(host_id)).await;
    let base = format!("/timetables/{org}");
    let page = host.get(app.at(&base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("青葉町教育委員会"));

    for (code, name, level, per, days) in [
        ("s1", "Aoba Junior High", "junior_high", "week", "2"),
        ("s2", "Midori Elementary", "elementary", "week", "1"),
    ] {
        let res = post(
            &host,
            app.at(&format!("{base}/schools")),
            &[
                ("csrf", &csrf),
                ("code", code),
                ("name", name),
                ("level", level),
                ("per", per),
                ("days", days),
                ("preferred", ""),
                ("closed", ""),
            ],
        )
        .await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    }
    for (code, name, email, base_school, reachable) in [
        ("a1", "Emma Clarke", "emma@alt.example", "s1", "s2"),
        ("a2", "Liam Byrne", "", "s2", ""),
    ] {
        let res = post(
            &host,
            app.at(&format!("{base}/alts")),
            &[
                ("csrf", &csrf),
                ("alt_code", code),
                ("alt_name", name),
                ("email", email),
                ("base_school", base_school),
                ("weekdays", "mon, tue, wed, thu, fri"),
                ("unavailable", ""),
                ("reachable", reachable),
            ],
        )
        .await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    }
    let res = post(
        &host,
        app.at(&format!("{base}/plans")),
        &[
            ("csrf", &csrf),
            ("plan_name", "Spring 2027"),
            ("term_start", TERM.0),
            ("term_end", TERM.1),
            ("term_closed", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let plan: i64 = location(&res).rsplit('/').next().unwrap().parse().unwrap();
    Setup {
        org,
        plan,
        host,
        csrf,
    }
}

async fn stored(app: &TestApp, s: &Setup) -> (Value, Value) {
    let row = app.store.tt_plan(s.org, s.plan).await.unwrap().unwrap();
    let plan: Value = serde_json::from_str(row.plan_json.as_deref().unwrap_or("null")).unwrap();
    let pins: Value = serde_json::from_str(&row.pins_json).unwrap();
    (plan, pins)
}

fn visits(plan: &Value) -> Vec<(String, String, String, bool)> {
    plan["visits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["date"].as_str().unwrap().to_string(),
                v["alt"].as_str().unwrap().to_string(),
                v["school"].as_str().unwrap().to_string(),
                v["pinned"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

const WEEK1: [&str; 5] = [
    "2027-04-12",
    "2027-04-13",
    "2027-04-14",
    "2027-04-15",
    "2027-04-16",
];

on_both!(
    host_plans_moves_regenerates_and_publishes,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let plan_url = format!("/timetables/{}/plans/{}", s.org, s.plan);

        // Generate.
        let res = post(
            &s.host,
            app.at(&format!("{plan_url}/generate")),
            &[("csrf", &s.csrf), ("week", "")],
        )
        .await;
        assert_eq!(res.status(), 303);
        let (plan, _) = stored(&app, &s).await;
        let all = visits(&plan);
        // s1 twice and s2 once in each of the two weeks, nothing unmet.
        assert_eq!(all.len(), 6, "{all:?}");
        assert!(plan["unmet"].as_array().unwrap().is_empty());
        let html = s
            .host
            .get(app.at(&plan_url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Aoba Junior High") && html.contains("Emma Clarke"),
            "{html}"
        );
        assert!(html.contains("id=\"grid\""));

        // Move Emma's first s1 visit onto another day she is already busy: refused, not saved.
        let a1_week1: Vec<_> = all
            .iter()
            .filter(|v| v.1 == "a1" && WEEK1.contains(&v.0.as_str()))
            .cloned()
            .collect();
        assert!(a1_week1.len() >= 2, "{all:?}");
        let moving = a1_week1.iter().find(|v| v.2 == "s1").unwrap().clone();
        let busy = a1_week1.iter().find(|v| v.0 != moving.0).unwrap().clone();
        let key = format!("{}|{}|{}", moving.0, moving.1, moving.2);
        let res = post(
            &s.host,
            app.at(&format!("{plan_url}/move")),
            &[
                ("csrf", &s.csrf),
                ("visit", &key),
                ("date", &busy.0),
                ("alt", "a1"),
                ("week", WEEK1[0]),
            ],
        )
        .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("This move was not saved"), "{html}");
        assert!(html.contains("already at another school"), "{html}");
        assert_eq!(
            visits(&stored(&app, &s).await.0),
            all,
            "a refused move changes nothing"
        );

        // A move to a Liam, who cannot reach s1: refused too.
        let res = post(
            &s.host,
            app.at(&format!("{plan_url}/move")),
            &[
                ("csrf", &s.csrf),
                ("visit", &key),
                ("date", &moving.0),
                ("alt", "a2"),
                ("week", WEEK1[0]),
            ],
        )
        .await;
        assert_eq!(res.status(), 422);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("not among the schools this ALT can reach"));

        // Onto a free day of the same week: saved and pinned.
        let free = WEEK1
            .iter()
            .find(|d| !all.iter().any(|v| &v.0 == *d && (v.1 == "a1" || v.2 == "s1")))
            .unwrap()
            .to_string();
        let res = post(
            &s.host,
            app.at(&format!("{plan_url}/move")),
            &[
                ("csrf", &s.csrf),
                ("visit", &key),
                ("date", &free),
                ("alt", "a1"),
                ("week", WEEK1[0]),
            ],
        )
        .await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let (plan, pins) = stored(&app, &s).await;
        let moved = (free.clone(), "a1".to_string(), "s1".to_string(), true);
        assert!(visits(&plan).contains(&moved), "{plan}");
        assert!(!visits(&plan)
            .iter()
            .any(|v| v.0 == moving.0 && v.2 == "s1" && v.1 == "a1"));
        assert_eq!(pins.as_array().unwrap().len(), 1);

        // Re-generate: the pinned visit stays.
        let res = post(
            &s.host,
            app.at(&format!("{plan_url}/generate")),
            &[("csrf", &s.csrf), ("week", "")],
        )
        .await;
        assert_eq!(res.status(), 303);
        let (plan, _) = stored(&app, &s).await;
        assert!(
            visits(&plan).contains(&moved),
            "re-generating keeps the pin: {plan}"
        );
        assert_eq!(visits(&plan).len(), 6);

        // Before publishing, the ALT sees nothing.
        let alt_id = app.create_user("emma@alt.example", &[Role::Applicant]).await;
        let (alt, _) = app.session_for(Some(alt_id)).await;
        let mine = alt
            .get(app.at("/my/timetable"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(mine.contains("No published timetable lists you yet"), "{mine}");

        // Publish; the ALT sees their calendar and can fetch the feed.
        let res = post(
            &s.host,
            app.at(&format!("{plan_url}/publish")),
            &[("csrf", &s.csrf)],
        )
        .await;
        assert_eq!(res.status(), 303);
        let mine = alt
            .get(app.at("/my/timetable"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            mine.contains("Spring 2027") && mine.contains("Aoba Junior High"),
            "{mine}"
        );
        let feed = mine
            .split("href=\"")
            .filter_map(|p| p.split('"').next())
            .find(|h| h.contains("/timetable/feed/"))
            .expect("feed link")
            .to_string();
        let res = reqwest::get(&feed).await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar"));
        let ics = res.text().await.unwrap();
        assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
        let emma_visits = visits(&plan).iter().filter(|v| v.1 == "a1").count();
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), emma_visits, "{ics}");
        assert!(
            ics.contains(&format!("DTSTART;VALUE=DATE:{}", free.replace('-', ""))),
            "{ics}"
        );
        // A guessed token is a 404.
        let res = reqwest::get(app.at("/timetable/feed/guess.ics")).await.unwrap();
        assert_eq!(res.status(), 404);

        // The per-ALT and per-school calendars.
        let html = s
            .host
            .get(app.at(&format!("{plan_url}/alts/a1")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Emma Clarke") && html.contains("Aoba Junior High"));
        let res = s
            .host
            .get(app.at(&format!("{plan_url}/schools/s2")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            s.host
                .get(app.at(&format!("{plan_url}/schools/nope")))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
    }
);

on_both!(
    other_hosts_get_404_and_coordinators_only_read,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let plan_url = format!("/timetables/{}/plans/{}", s.org, s.plan);
        post(
            &s.host,
            app.at(&format!("{plan_url}/generate")),
            &[("csrf", &s.csrf), ("week", "")],
        )
        .await;

        // A host of another organisation.
        let other_id = app.create_user("other@boe.example", &[Role::Host]).await;
        let other_org = app
            .store
            .create_host_org("Midori City BOE", "緑市教育委員会", "Iwate", "urban")
            .await
            .unwrap();
        app.store.add_host_member(other_org, other_id).await.unwrap();
        let (other, csrf) = app.session_for(Some(other_id)).await;
        for path in [
            format!("/timetables/{}", s.org),
            plan_url.clone(),
            format!("{plan_url}/alts/a1"),
            format!("{plan_url}/schools/s1"),
        ] {
            let res = other.get(app.at(&path)).send().await.unwrap();
            assert_eq!(res.status(), 404, "GET {path}");
        }
        for path in [
            format!("{plan_url}/generate"),
            format!("{plan_url}/publish"),
            format!("{plan_url}/move"),
            format!("/timetables/{}/schools", s.org),
            format!("/timetables/{}/alts", s.org),
            format!("/timetables/{}/plans", s.org),
            format!("/timetables/{}/schools/1/delete", s.org),
        ] {
            let res = post(&other, app.at(&path), &[("csrf", &csrf)]).await;
            assert_eq!(res.status(), 404, "POST {path}");
        }
        // Their own plan id under the victim's organisation is no way in either.
        let index = other
            .get(app.at("/timetables"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            index.contains("Midori City BOE") && !index.contains("Aoba Town"),
            "{index}"
        );
        // Nor did anything change.
        assert!(app
            .store
            .tt_plan(s.org, s.plan)
            .await
            .unwrap()
            .unwrap()
            .published_at
            .is_none());

        // A coordinator reads, without forms.
        let coord_id = app.create_user("coord@jet.example", &[Role::Coordinator]).await;
        let (coord, _) = app.session_for(Some(coord_id)).await;
        let res = coord.get(app.at(&plan_url)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("id=\"grid\"") && !html.contains("id=\"move-form\""),
            "{html}"
        );
    }
);

on_both!(
    school_and_alt_forms_explain_their_errors,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let res = post(
            &s.host,
            app.at(&format!("/timetables/{}/schools", s.org)),
            &[
                ("csrf", &s.csrf),
                ("code", "bad code!"),
                ("name", "X"),
                ("level", "elementary"),
                ("per", "week"),
                ("days", "9"),
                ("preferred", "thurs"),
                ("closed", "2027-02-30"),
            ],
        )
        .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        csrf_from(&html);
        for message in [
            "Enter a code of letters",
            "Enter a number of days that fits",
            "Enter weekdays as mon",
            "Enter dates as YYYY-MM-DD",
        ] {
            assert!(html.contains(message), "{message}: {html}");
        }
        let res = post(
            &s.host,
            app.at(&format!("/timetables/{}/alts", s.org)),
            &[
                ("csrf", &s.csrf),
                ("alt_code", "a3"),
                ("alt_name", "Noor"),
                ("email", ""),
                ("base_school", "s9"),
                ("weekdays", "mon"),
                ("unavailable", ""),
                ("reachable", "s1, s7"),
            ],
        )
        .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("Enter the code of one of your schools"));
        assert!(html.contains("Enter codes of your schools only"));

        // Japanese.
        let res = s
            .host
            .get(app.at(&format!("/timetables/{}", s.org)))
            .header("accept-language", "ja")
            .send()
            .await
            .unwrap();
        let html = res.text().await.unwrap();
        assert!(html.contains("学校の追加・変更"), "{html}");
    }
);

on_both!(
    closing_a_pinned_day_needs_the_pins_forgotten,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let plan_url = format!("/timetables/{}/plans/{}", s.org, s.plan);
        let gen_url = app.at(&format!("{plan_url}/generate"));
        let gen_form = [("csrf", s.csrf.as_str()), ("week", "")];
        let generate = || post(&s.host, gen_url.clone(), &gen_form);
        assert_eq!(generate().await.status(), 303);
        let all = visits(&stored(&app, &s).await.0);
        let moving = all
            .iter()
            .find(|v| v.1 == "a1" && v.2 == "s1" && WEEK1.contains(&v.0.as_str()))
            .unwrap();
        let free = WEEK1
            .iter()
            .find(|d| !all.iter().any(|v| &v.0 == *d && (v.1 == "a1" || v.2 == "s1")))
            .unwrap()
            .to_string();
        let key = format!("{}|{}|{}", moving.0, moving.1, moving.2);
        let res = post(
            &s.host,
            app.at(&format!("{plan_url}/move")),
            &[
                ("csrf", &s.csrf),
                ("visit", &key),
                ("date", &free),
                ("alt", "a1"),
                ("week", ""),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);

        // A closed date outside the term is refused.
        let settings = app.at(&format!("{plan_url}/settings"));
        let res = post(
            &s.host,
            settings.clone(),
            &[("csrf", &s.csrf), ("term_closed", "2027-09-01")],
        )
        .await;
        assert_eq!(res.status(), 422);
        // Closing the pinned visit's day: saved, but the pin now stops generation, with the reason.
        let res = post(
            &s.host,
            settings.clone(),
            &[("csrf", &s.csrf), ("term_closed", &free)],
        )
        .await;
        assert_eq!(res.status(), 303);
        let res = generate().await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("The plan cannot be generated"), "{html}");
        // Forgetting the hand moves lets it through, and nothing is planned on the closed day.
        let res = post(
            &s.host,
            settings,
            &[("csrf", &s.csrf), ("term_closed", &free), ("clear_pins", "yes")],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert_eq!(stored(&app, &s).await.1, serde_json::json!([]));
        assert_eq!(generate().await.status(), 303);
        let plan = stored(&app, &s).await.0;
        assert!(!visits(&plan).iter().any(|v| v.0 == free), "{plan}");
        assert_eq!(
            app.store.tt_plan(s.org, s.plan).await.unwrap().unwrap().closed,
            free
        );
    }
);
