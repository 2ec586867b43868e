//! Demo data for selection: a past round (name-blind) where a new user sees every stage at once:
//! applications waiting for the demo reviewer's scores, scored ones, a moderation case, and
//! interviewed applications with interview totals, some outcomes decided and the results instant
//! passed, so the coordinator can apply the proposal, publish and upgrade an alternate.

use jetdesk_domain::eligibility::RuleSet;
use jetdesk_store::{DemoApplication, OutcomeInput, RoundInput, SelectionSettings, Store};

/// (name, position, state, reviewer totals, interview total).
const PEOPLE: &[(&str, &str, &str, [i64; 2], i64)] = &[
    ("Amelia Hughes", "alt", "in_review", [0, 0], 0),
    ("Oliver Bennett", "alt", "in_review", [0, 0], 0),
    ("Isla Murray", "alt", "in_review", [21, 19], 0),
    ("Harry Price", "alt", "in_review", [23, 12], 0),
    ("Freya Lloyd", "cir", "in_review", [25, 24], 0),
    ("George Patel", "alt", "interviewed", [22, 21], 27),
    ("Sophie Clarke", "alt", "interviewed", [20, 20], 24),
    ("Jack Evans", "alt", "interviewed", [19, 18], 22),
    ("Grace Ahmed", "alt", "interviewed", [18, 19], 21),
    ("Noah Turner", "alt", "interviewed", [17, 18], 18),
    ("Lily Walsh", "cir", "interviewed", [26, 25], 28),
    ("Ethan Doyle", "cir", "interviewed", [22, 23], 20),
];

/// Loads the selection demo; `reviewer` and `coordinator` are the demo accounts' ids.
pub(crate) async fn load_demo(
    store: &Store,
    password_hash: &str,
    reviewer: i64,
    coordinator: i64,
) -> anyhow::Result<()> {
    let now = jetdesk_store::now();
    let year = jiff::Zoned::now().year();
    let rules = RuleSet::uk_default(year).map_err(|e| anyhow::anyhow!("{e}"))?;
    let round_id = store
        .create_round(&RoundInput {
            name: format!("JET {year} — United Kingdom (selection demo)"),
            country: crate::applications::COUNTRY.into(),
            programme_year: i64::from(year),
            positions: "alt,cir".into(),
            sea_invite_code: None,
            opens_at: now - 400 * 24 * 3600,
            closes_at: now - 330 * 24 * 3600,
            word_limit: 500,
            referees_required: 2,
            documents_required: String::new(),
            rules_json: serde_json::to_string(&rules)?,
        })
        .await?;
    let round = store
        .round(round_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo round vanished"))?;
    let second = store
        .create_user(
            "reviewer2@jetdesk.example",
            "Rowan Reviewer",
            password_hash,
            &[jetdesk_domain::Role::Reviewer],
            true,
        )
        .await?;
    let batch: Vec<DemoApplication> = PEOPLE
        .iter()
        .enumerate()
        .map(|(i, (name, position, state, _, _))| DemoApplication {
            email: format!("{}.{i}@selection.example", name.to_lowercase().replace(' ', ".")),
            display_name: (*name).into(),
            position: (*position).into(),
            state: (*state).into(),
            submitted_at: Some(round.closes_at - 86_400 * (i as i64 + 1)),
            eligibility_overall: Some("pass".into()),
            eligibility_json: None,
            search_text: name.to_lowercase(),
            sections: Vec::new(),
        })
        .collect();
    store
        .insert_demo_applications(&round, password_hash, &batch)
        .await?;
    store
        .save_selection_settings(&SelectionSettings {
            name_blind: 1,
            places_alt: 2,
            places_cir: 1,
            ..SelectionSettings::defaults(round_id)
        })
        .await?;
    store.set_results_at(round_id, Some(now - 3600)).await?;
    let apps = store
        .selection_applications(round_id, &["in_review", "interviewed"])
        .await?;
    let interviewer = store
        .user_by_email("interviewer@jetdesk.example")
        .await?
        .map(|u| u.id);
    for app in &apps {
        let Some((_, _, _, totals, interview)) = PEOPLE.iter().find(|p| p.0 == app.display_name) else {
            continue;
        };
        for (who, total) in [(reviewer, totals[0]), (second, totals[1])] {
            store.assign_reviewer(app.id, who).await?;
            if total > 0 {
                store.submit_review(app.id, who, "{}", total, "").await?;
            }
        }
        if let (Some(iv), true) = (interviewer, *interview > 0) {
            store.demo_interview_total(app.id, iv, *interview).await?;
        }
    }
    // Two decisions already taken (not yet published); the rest wait for the coordinator.
    for (name, outcome, rank) in [
        ("George Patel", "shortlisted", None),
        ("Lily Walsh", "shortlisted", None),
    ] {
        if let Some(app) = apps.iter().find(|a| a.display_name == name) {
            let input = OutcomeInput {
                application_id: app.id,
                outcome: outcome.into(),
                alternate_rank: rank,
                reasons: String::new(),
                feedback: String::new(),
            };
            store.decide_outcome(&input, coordinator).await?;
        }
    }
    Ok(())
}
