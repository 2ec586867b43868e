//! The placement's demo data: the 47 prefectures and 20 designated cities as organisations, a few
//! towns with profiles, sister cities and posts, and eight shortlisted candidates (accounts
//! `*.candidate@jetdesk.example`, the demo password) so a coordinator can run a placement at once.
//! The demo host (`host@jetdesk.example`) is made a member of Sapporo City, which has posts.

use jetdesk_store::{DemoApplication, PlacementOrgInput, PlacementPostInput, Round, Store};
use serde_json::json;

/// (English name, Japanese name, kind, area, setting, profile, sister cities as (city, country)).
type DemoTown = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const TOWNS: &[DemoTown] = &[
    (
        "Aoba Town",
        "青葉町",
        "town",
        "miyagi",
        "rural",
        "A farming town of 12,000 between the mountains and the sea; rice, apples and a summer festival.",
        &[("Leeds", "United Kingdom")],
    ),
    (
        "Kawabe Village",
        "川辺村",
        "village",
        "nagano",
        "rural",
        "山あいの村です。冬はスキー、夏は川遊びができます。",
        &[],
    ),
    (
        "Minato City",
        "港市",
        "city",
        "hyogo",
        "semi_urban",
        "A port city an hour from Kobe, with a long history of exchange.",
        &[("Cardiff", "United Kingdom")],
    ),
];

/// (organisation English name, position, places, school levels, minimum JLPT, licence, notes).
const POSTS: &[(&str, &str, i64, &str, &str, bool, &str)] = &[
    (
        "Aoba Town",
        "alt",
        2,
        "elementary,junior_high",
        "",
        true,
        "Visits to five schools by car.",
    ),
    (
        "Kawabe Village",
        "alt",
        1,
        "elementary,junior_high",
        "",
        false,
        "冬は雪が多い地域です。",
    ),
    ("Minato City", "alt", 1, "junior_high,senior_high", "", false, ""),
    (
        "Minato City",
        "cir",
        1,
        "",
        "N2",
        false,
        "Translation and sister-city exchange with Cardiff.",
    ),
    (
        "Sapporo City",
        "alt",
        2,
        "junior_high,senior_high",
        "",
        false,
        "Base school in central Sapporo.",
    ),
    (
        "Iwate Prefecture",
        "cir",
        1,
        "",
        "N2",
        false,
        "International Affairs Division, Morioka.",
    ),
    ("Okinawa Prefecture", "alt", 1, "senior_high", "", false, ""),
];

/// (e-mail, given names, family name, home town, position, JLPT, area1, area2, area3, setting,
/// circumstances).
type DemoCandidate = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const CANDIDATES: &[DemoCandidate] = &[
    (
        "sophie.candidate@jetdesk.example",
        "Sophie",
        "Turner",
        "Leeds",
        "alt",
        "N4",
        "city-sapporo",
        "miyagi",
        "okinawa",
        "urban",
        "",
    ),
    (
        "tom.candidate@jetdesk.example",
        "Tom",
        "Hughes",
        "Cardiff",
        "alt",
        "none",
        "hyogo",
        "city-sapporo",
        "",
        "semi_urban",
        "",
    ),
    (
        "aisha.candidate@jetdesk.example",
        "Aisha",
        "Khan",
        "Birmingham",
        "alt",
        "N3",
        "city-sapporo",
        "nagano",
        "",
        "any",
        "Needs a pharmacy within reach for a regular prescription.",
    ),
    (
        "james.candidate@jetdesk.example",
        "James",
        "Reid",
        "Glasgow",
        "alt",
        "none",
        "okinawa",
        "miyagi",
        "",
        "rural",
        "",
    ),
    (
        "olivia.candidate@jetdesk.example",
        "Olivia",
        "Price",
        "Bristol",
        "alt",
        "N5",
        "nagano",
        "city-sapporo",
        "miyagi",
        "rural",
        "",
    ),
    (
        "daniel.candidate@jetdesk.example",
        "Daniel",
        "Evans",
        "Swansea",
        "alt",
        "none",
        "city-sapporo",
        "",
        "",
        "urban",
        "",
    ),
    (
        "hannah.candidate@jetdesk.example",
        "Hannah",
        "Wright",
        "Cardiff",
        "cir",
        "N1",
        "hyogo",
        "iwate",
        "",
        "any",
        "",
    ),
    (
        "mei.candidate@jetdesk.example",
        "Mei",
        "Chen",
        "London",
        "cir",
        "N2",
        "iwate",
        "hyogo",
        "",
        "semi_urban",
        "",
    ),
];

/// Loads the placement demo into `round`: organisations, posts, and shortlisted candidates whose
/// accounts take the demo password (`password_hash`); makes `host_user_id` a member of Sapporo City.
pub async fn load_demo(
    store: &Store,
    round: &Round,
    password_hash: &str,
    host_user_id: i64,
) -> anyhow::Result<()> {
    super::ensure_prefectures(store).await?;
    for (en, ja, kind, area, setting, profile, sisters) in TOWNS {
        let pref = super::areas::prefecture_of(area).ok_or_else(|| anyhow::anyhow!("unknown area {area}"))?;
        let id = store
            .create_placement_org(&PlacementOrgInput {
                name_en: (*en).into(),
                name_ja: (*ja).into(),
                prefecture: pref.en.into(),
                setting: (*setting).into(),
                kind: (*kind).into(),
                region: pref.region.into(),
                area: (*area).into(),
            })
            .await?;
        store.set_org_profile(id, setting, profile).await?;
        let cities: Vec<(String, String)> = sisters
            .iter()
            .map(|(c, n)| ((*c).to_string(), (*n).to_string()))
            .collect();
        store.set_sister_cities(id, &cities).await?;
    }
    let orgs = store.placement_orgs().await?;
    for (org, position, places, levels, jlpt, licence, notes) in POSTS {
        let Some(o) = orgs.iter().find(|o| o.name_en == *org) else {
            continue;
        };
        let input = PlacementPostInput {
            position: (*position).into(),
            places: *places,
            school_levels: (*levels).into(),
            min_jlpt: (*jlpt).into(),
            driving_licence: *licence,
            notes: (*notes).into(),
        };
        store.save_placement_post(o.id, None, &input).await?;
        if o.name_en == "Sapporo City" {
            store.add_host_member(o.id, host_user_id).await?;
        }
    }
    let batch: Vec<DemoApplication> = CANDIDATES
        .iter()
        .enumerate()
        .map(
            |(i, &(email, given, family, town, position, jlpt, a1, a2, a3, setting, circumstances))| {
                let personal = json!({"given_names": given, "family_name": family, "home_town": town,
                "phone": "07700 900123"});
                let japanese = json!({"jlpt_level": jlpt});
                let prefs = json!({"area1": a1, "area2": a2, "area3": a3, "setting": setting,
                "circumstances": circumstances, "partner": "no"});
                DemoApplication {
                    email: email.into(),
                    display_name: format!("{given} {family}"),
                    position: position.into(),
                    state: "shortlisted".into(),
                    // A few days apart in the round's first weeks.
                    submitted_at: Some(round.opens_at + (4 * i as i64 + 1) * 86_400 + 3600),
                    eligibility_overall: Some("pass".into()),
                    eligibility_json: None,
                    search_text: format!("{given} {family} {email}").to_lowercase(),
                    sections: vec![
                        ("personal".into(), personal.to_string(), false),
                        ("japanese".into(), japanese.to_string(), false),
                        ("preferences".into(), prefs.to_string(), false),
                    ],
                }
            },
        )
        .collect();
    store
        .insert_demo_applications(round, password_hash, &batch)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jetdesk_domain::Role;
    use jetdesk_store::RoundInput;

    #[tokio::test]
    async fn the_demo_places_its_shortlisted_candidates_at_once() {
        let path = std::env::temp_dir().join(format!("jetdesk-pl-demo-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let store = Store::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let host = store
            .create_user("host@demo.example", "Host", "x", &[Role::Host], true)
            .await
            .unwrap();
        let round = RoundInput {
            name: "JET 2027".into(),
            country: "UK".into(),
            programme_year: 2027,
            positions: "alt,cir".into(),
            sea_invite_code: None,
            opens_at: 0,
            closes_at: 1,
            word_limit: 500,
            referees_required: 0,
            documents_required: String::new(),
            rules_json: "{}".into(),
        };
        let id = store.create_round(&round).await.unwrap();
        let round = store.round(id).await.unwrap().unwrap();
        load_demo(&store, &round, "x", host).await.unwrap();
        assert_eq!(store.placement_orgs().await.unwrap().len(), 47 + 20 + TOWNS.len());
        let result = crate::placement::run_and_store(&store, round.id, host)
            .await
            .unwrap();
        assert!(result.stable);
        assert_eq!(result.rows.len(), CANDIDATES.len());
        // Nine ALT places for six ALTs and two CIR places for two CIRs: everyone is placed.
        assert_eq!(result.by_area_choice[4], 0, "{result:?}");
        assert!(result.by_area_choice[0] >= 5, "{:?}", result.by_area_choice);
        store.close().await;
        let _ = std::fs::remove_file(&path);
    }
}
