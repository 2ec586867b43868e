//! The planner's demo data: the Sapporo City Board of Education with eight schools, three ALTs
//! and a generated (unpublished) plan for the 2027 spring term.

use jetdesk_store::{Store, TtAltInput, TtSchoolInput};
use jetdesk_timetable::{Instance, Options};

/// (code, name, level, per, days, preferred weekdays, closed dates).
const SCHOOLS: &[(&str, &str, &str, &str, i64, &str, &str)] = &[
    ("chuo-jhs", "札幌市立中央中学校", "junior_high", "week", 2, "", ""),
    (
        "kita-jhs",
        "札幌市立北中学校",
        "junior_high",
        "week",
        2,
        "",
        "2027-06-11",
    ),
    (
        "minami-shs",
        "札幌市立南高等学校",
        "senior_high",
        "week",
        1,
        "tue, thu",
        "",
    ),
    (
        "odori-es",
        "札幌市立大通小学校",
        "elementary",
        "month",
        3,
        "mon, thu",
        "",
    ),
    (
        "maruyama-es",
        "札幌市立円山小学校",
        "elementary",
        "month",
        2,
        "",
        "2027-05-29",
    ),
    (
        "toyohira-es",
        "札幌市立豊平小学校",
        "elementary",
        "month",
        2,
        "wed",
        "",
    ),
    (
        "shiroishi-es",
        "札幌市立白石小学校",
        "elementary",
        "month",
        2,
        "",
        "",
    ),
    (
        "teine-sn",
        "札幌市立手稲特別支援学校",
        "special_needs",
        "term",
        4,
        "fri",
        "",
    ),
];

/// (code, name, e-mail, base school, weekdays, days off, reachable).
const ALTS: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "emma",
        "Emma Clarke",
        "emma.alt@jetdesk.example",
        "chuo-jhs",
        "mon, tue, wed, thu, fri",
        "2027-05-17",
        "odori-es, maruyama-es, minami-shs",
    ),
    (
        "liam",
        "Liam O'Brien",
        "liam.alt@jetdesk.example",
        "kita-jhs",
        "mon, tue, wed, thu, fri",
        "",
        "shiroishi-es, toyohira-es, teine-sn",
    ),
    (
        "aroha",
        "Aroha Ngata",
        "aroha.alt@jetdesk.example",
        "minami-shs",
        "mon, tue, wed, thu, fri",
        "2027-06-21, 2027-06-22",
        "toyohira-es, odori-es, chuo-jhs",
    ),
];

/// Creates the demo host organisation (Sapporo City Board of Education / 札幌市教育委員会) with
/// eight schools, three ALTs (accounts `emma.alt@`, `liam.alt@`, `aroha.alt@jetdesk.example`, if
/// they exist, see their calendars once a plan is published) and a generated plan for the 2027
/// spring term, and makes `host_user_id` a member.
pub async fn load_demo(store: &Store, host_user_id: i64) -> anyhow::Result<()> {
    let org = store
        .create_host_org(
            "Sapporo City Board of Education",
            "札幌市教育委員会",
            "Hokkaido",
            "urban",
        )
        .await?;
    store.add_host_member(org, host_user_id).await?;
    for (code, name, level, per, days, preferred, closed) in SCHOOLS {
        let input = TtSchoolInput {
            code: (*code).into(),
            name: (*name).into(),
            level: (*level).into(),
            per: (*per).into(),
            days: *days,
            preferred_weekdays: (*preferred).into(),
            closed: (*closed).into(),
        };
        store.save_tt_school(org, &input).await?;
    }
    for (code, name, email, base, weekdays, unavailable, reachable) in ALTS {
        let input = TtAltInput {
            code: (*code).into(),
            name: (*name).into(),
            email: (*email).into(),
            base_school: (*base).into(),
            weekdays: (*weekdays).into(),
            unavailable: (*unavailable).into(),
            reachable: (*reachable).into(),
        };
        store
            .save_tt_alt(org, &input, &crate::security::new_token())
            .await?;
    }
    let plan_id = store
        .create_tt_plan(
            org,
            "2027 spring term / 2027年度 1学期",
            "2027-04-06",
            "2027-07-20",
            "2027-04-06",
        )
        .await?;
    let plan_row = store
        .tt_plan(org, plan_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo plan vanished"))?;
    let request = super::model::request(
        &plan_row,
        &store.tt_schools(org).await?,
        &store.tt_alts(org).await?,
        Vec::new(),
    );
    let plan = tokio::task::spawn_blocking(move || {
        Instance::new(&request).map(|i| jetdesk_timetable::solve(&i, &Options::default()))
    })
    .await??;
    store
        .save_tt_plan_result(plan_id, &serde_json::to_string(&plan)?, "[]")
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jetdesk_domain::Role;
    use jetdesk_timetable::Plan;

    #[tokio::test]
    async fn the_demo_organisation_has_eight_schools_three_alts_and_a_generated_plan() {
        let path = std::env::temp_dir().join(format!("jetdesk-tt-demo-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let store = Store::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let host = store
            .create_user("host@demo.example", "Host", "x", &[Role::Host], true)
            .await
            .unwrap();
        load_demo(&store, host).await.unwrap();
        let orgs = store.host_orgs_of(host).await.unwrap();
        assert_eq!(orgs.len(), 1);
        assert_eq!(orgs[0].name_ja, "札幌市教育委員会");
        let org = orgs[0].id;
        assert_eq!(store.tt_schools(org).await.unwrap().len(), 8);
        assert_eq!(store.tt_alts(org).await.unwrap().len(), 3);
        let row = store.tt_plans(org).await.unwrap().remove(0);
        let plan: Plan = serde_json::from_str(row.plan_json.as_deref().unwrap()).unwrap();
        assert!(plan.visits.len() > 100, "{}", plan.visits.len());
        // Only the term's last, cut week (Marine Day, then one day) falls short.
        assert!(
            plan.unmet.iter().all(|u| u.period == "2027-W29"),
            "{:?}",
            plan.unmet
        );
        store.close().await;
        let _ = std::fs::remove_file(&path);
    }
}
