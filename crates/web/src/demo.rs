//! Demo data, so a new user sees what each role sees: an account for every role (one password), an
//! open recruitment round with a draft and a submitted application, a host organisation with its
//! schools and ALTs, a recruitment history for the dashboard (`history`), and, on request, any
//! number of synthetic applications for load tests.
//! Loaded only into an empty database (by `serve --demo` or `jetdesk demo`).

use crate::applications::sections::{Answers, SECTIONS};
use crate::applications::{eligibility, COUNTRY};
use crate::security::hash_password;
use jetdesk_domain::eligibility::RuleSet;
use jetdesk_domain::Role;
use jetdesk_store::{DemoApplication, Round, RoundInput, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

mod history;

/// A demo account as printed at start.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Its e-mail address (the sign-in name).
    pub email: String,
    /// What it is for.
    pub roles: Vec<Role>,
}

/// The demo accounts: (e-mail, name, roles).
const ACCOUNTS: &[(&str, &str, &[Role])] = &[
    ("admin@jetdesk.example", "Alex Admin", &[Role::Admin]),
    (
        "coordinator@jetdesk.example",
        "Chris Coordinator",
        &[Role::Coordinator],
    ),
    ("reviewer@jetdesk.example", "Robin Reviewer", &[Role::Reviewer]),
    (
        "interviewer@jetdesk.example",
        "Imogen Interviewer",
        &[Role::Interviewer],
    ),
    ("host@jetdesk.example", "Hana Host (Sapporo BOE)", &[Role::Host]),
    ("applicant@jetdesk.example", "Ann Applicant", &[Role::Applicant]),
    ("applicant2@jetdesk.example", "Ben Applicant", &[Role::Applicant]),
    // A participant already in Japan: sees their school-visit timetable once the host publishes it.
    (
        "emma.alt@jetdesk.example",
        "Emma Walker (ALT, Sapporo)",
        &[Role::Applicant],
    ),
];

/// Creates the demo accounts with `password`, the demo round and the demo host organisation;
/// returns the accounts for the start-up banner.
pub async fn load(store: &Store, password: &str) -> anyhow::Result<Vec<DemoAccount>> {
    let phc = {
        let password = password.to_string();
        tokio::task::spawn_blocking(move || hash_password(&password)).await??
    };
    let mut created = Vec::new();
    let mut ids = HashMap::new();
    for (email, name, roles) in ACCOUNTS {
        let id = store.create_user(email, name, &phc, roles, true).await?;
        ids.insert(*email, id);
        created.push(DemoAccount {
            email: (*email).to_string(),
            roles: roles.to_vec(),
        });
    }
    let round = demo_round(store).await?;
    // Ann has started a CIR application; Ben has submitted an ALT one.
    if let Some(ann) = ids.get("applicant@jetdesk.example") {
        let app = store.create_application(&round, *ann, "cir").await?;
        let answers = sample_answers(
            &mut StdRng::seed_from_u64(1),
            "Ann",
            "Applicant",
            "cir",
            true,
            round.programme_year,
        );
        for (section, a) in answers.iter().take(3) {
            store
                .save_section(app, section, &serde_json::to_string(a)?, true, 0)
                .await?;
        }
        store
            .set_search_text(app, "ann applicant applicant@jetdesk.example")
            .await?;
    }
    if let Some(ben) = ids.get("applicant2@jetdesk.example") {
        let app = store.create_application(&round, *ben, "alt").await?;
        let answers = sample_answers(
            &mut StdRng::seed_from_u64(2),
            "Ben",
            "Applicant",
            "alt",
            true,
            round.programme_year,
        );
        for (section, a) in &answers {
            store
                .save_section(app, section, &serde_json::to_string(a)?, true, 0)
                .await?;
        }
        let all: HashMap<&str, Answers> = answers.iter().map(|(s, a)| (*s, a.clone())).collect();
        let outcome = eligibility::evaluate(&round, "alt", &all, eligibility::Known::default());
        store
            .submit_application(
                app,
                jetdesk_store::now(),
                round.closes_at,
                outcome.state,
                outcome.overall,
                &outcome.json,
            )
            .await?;
        store
            .set_search_text(app, "ben applicant applicant2@jetdesk.example")
            .await?;
    }
    if let Some(host) = ids.get("host@jetdesk.example") {
        crate::timetables::demo::load_demo(store, *host).await?;
        crate::placement::demo::load_demo(store, &round, &phc, *host).await?;
    }
    if let (Some(r), Some(c)) = (
        ids.get("reviewer@jetdesk.example"),
        ids.get("coordinator@jetdesk.example"),
    ) {
        crate::review::demo::load_demo(store, &phc, *r, *c).await?;
    }
    created.extend(crate::interviews::demo::load_demo(store, &round, &phc, &ids).await?);
    let staff = history::Staff {
        coordinator: account(store, &ids, "coordinator@jetdesk.example").await?,
        reviewers: [
            account(store, &ids, "reviewer@jetdesk.example").await?,
            account(store, &ids, "reviewer2@jetdesk.example").await?,
        ],
        interviewers: [
            account(store, &ids, "interviewer@jetdesk.example").await?,
            account(store, &ids, "interviewer2@jetdesk.example").await?,
        ],
    };
    history::load(store, &round, &phc, staff).await?;
    Ok(created)
}

/// The id of the demo account `email`, created by this loader or by one of the modules it calls.
async fn account(store: &Store, ids: &HashMap<&str, i64>, email: &str) -> anyhow::Result<i64> {
    if let Some(id) = ids.get(email) {
        return Ok(*id);
    }
    store
        .user_by_email(email)
        .await?
        .map(|u| u.id)
        .ok_or_else(|| anyhow::anyhow!("demo account {email} missing"))
}

/// The open UK round: opened seven weeks ago, closing at 18:00 UK time on the last Friday of
/// November (or in two weeks, when that has passed).
async fn demo_round(store: &Store) -> anyhow::Result<Round> {
    let tz = jiff::tz::TimeZone::get("Europe/London")?;
    let now = jiff::Zoned::now().with_time_zone(tz.clone());
    let mut deadline = last_friday_of_november(now.year())?
        .at(18, 0, 0, 0)
        .to_zoned(tz.clone())?;
    if deadline.timestamp() <= now.timestamp() + jiff::SignedDuration::from_hours(24) {
        deadline = now
            .date()
            .checked_add(jiff::Span::new().days(14))?
            .at(18, 0, 0, 0)
            .to_zoned(tz)?;
    }
    let year = deadline.year() + 1;
    let rules = RuleSet::uk_default(year).map_err(|e| anyhow::anyhow!("{e}"))?;
    let input = RoundInput {
        name: format!("JET {year} — United Kingdom"),
        country: COUNTRY.into(),
        programme_year: i64::from(year),
        positions: "alt,cir".into(),
        sea_invite_code: None,
        opens_at: now.timestamp().as_second() - 49 * 24 * 3600,
        closes_at: deadline.timestamp().as_second(),
        word_limit: 500,
        referees_required: 2,
        documents_required: "degree,passport".into(),
        rules_json: serde_json::to_string(&rules)?,
    };
    let id = store.create_round(&input).await?;
    store
        .round(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo round vanished"))
}

fn last_friday_of_november(year: i16) -> anyhow::Result<jiff::civil::Date> {
    let mut day = jiff::civil::date(year, 11, 30);
    while day.weekday() != jiff::civil::Weekday::Friday {
        day = day.yesterday()?;
    }
    Ok(day)
}

const GIVEN: &[&str] = &[
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Freya", "Lily", "Grace", "Sophie", "Emily", "Oliver",
    "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Oscar", "Charlie", "Thomas", "Priya", "Aisha",
    "Mohammed", "Yusuf", "Chloe", "Ruby", "Callum", "Eilidh", "Rhys", "Siobhan",
];
const FAMILY: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Khan",
    "Campbell",
    "Stewart",
    "MacDonald",
    "Murray",
    "Hughes",
    "Edwards",
    "Lewis",
    "Morgan",
];
const UNIVERSITIES: &[&str] = &[
    "University of Leeds",
    "University of Edinburgh",
    "University of Manchester",
    "SOAS University of London",
    "University of Sheffield",
    "Cardiff University",
    "University of Glasgow",
    "Newcastle University",
    "University of Oxford",
    "University of Cambridge",
    "University of Bristol",
    "Queen's University Belfast",
];
const TOWNS: &[&str] = &[
    "York", "Leeds", "Bath", "Cardiff", "Glasgow", "Derby", "Norwich", "Exeter", "Belfast", "Hull",
];
const SUBJECTS: &[&str] = &[
    "Japanese Studies",
    "English Literature",
    "History",
    "Linguistics",
    "Physics",
    "Geography",
];

/// Plausible answers to every section; with `eligible` false, one rule is broken on purpose.
/// `departure_year` is the round's programme year (the degree is expected by its June).
fn sample_answers(
    rng: &mut StdRng,
    given: &str,
    family: &str,
    position: &str,
    eligible: bool,
    departure_year: i64,
) -> Vec<(&'static str, Answers)> {
    let pick = |rng: &mut StdRng, list: &[&str]| list[rng.gen_range(0..list.len())].to_string();
    let mut out = Vec::new();
    let flaw = if eligible { 0 } else { rng.gen_range(1..=4) };
    for section in SECTIONS {
        let mut a = Answers::new();
        let mut set = |k: &str, v: String| {
            a.insert(k.to_string(), v);
        };
        match section.id {
            "personal" => {
                set("given_names", given.to_string());
                set("family_name", family.to_string());
                set("sex", if rng.gen_bool(0.55) { "female" } else { "male" }.into());
                set(
                    "date_of_birth",
                    format!(
                        "{}-{:02}-{:02}",
                        rng.gen_range(1990..2004),
                        rng.gen_range(1..13),
                        rng.gen_range(1..29)
                    ),
                );
                set("phone", format!("07700 9{:05}", rng.gen_range(0..100_000)));
                set(
                    "address",
                    format!("{} High Street\n{}", rng.gen_range(1..200), pick(rng, TOWNS)),
                );
                set("home_town", pick(rng, TOWNS));
                set(
                    "interview_location",
                    if position == "alt" && rng.gen_bool(0.15) {
                        "edinburgh"
                    } else {
                        "london"
                    }
                    .into(),
                );
            }
            "nationality" => {
                set("british", if flaw == 1 { "no" } else { "yes" }.into());
                set("japanese_nationality", "no".into());
                set(
                    "passport_number",
                    format!("{:09}", rng.gen_range(0..1_000_000_000u64)),
                );
                set("passport_expiry", format!("{}-06-30", rng.gen_range(2028..2036)));
            }
            "education" => {
                set("degree_title", "BA (Hons)".into());
                set("university", pick(rng, UNIVERSITIES));
                set("subject", pick(rng, SUBJECTS));
                set("degree_status", "expected".into());
                set(
                    "expected_date",
                    if flaw == 2 {
                        format!("{departure_year}-09-30")
                    } else {
                        format!("{departure_year}-06-30")
                    },
                );
                set("teacher_training", "no".into());
            }
            "japanese" => {
                let level = if position == "cir" {
                    if rng.gen_bool(0.6) {
                        "N2"
                    } else {
                        "N1"
                    }
                } else {
                    "none"
                };
                set("jlpt_level", level.into());
                if level != "none" {
                    set("jlpt_date", "2025-12-07".into());
                }
                for k in ["speaking", "reading", "writing"] {
                    set(k, if position == "cir" { "advanced" } else { "basic" }.into());
                }
                set("not_sure", if position == "cir" { "sure" } else { "na" }.into());
            }
            "experience" => {
                set("tefl", if rng.gen_bool(0.3) { "yes" } else { "no" }.into());
                set("work", "Retail and tutoring part-time during university.".into());
                set("previous_jet", "no".into());
                set("declined_last_year", if flaw == 3 { "yes" } else { "no" }.into());
                set(
                    "months_in_japan",
                    if flaw == 4 {
                        "80".into()
                    } else {
                        rng.gen_range(0..13).to_string()
                    },
                );
            }
            "interest" => {
                set(
                    "interest_japan",
                    "Studied the language and spent a summer in Japan.".into(),
                );
                set(
                    "exchange",
                    "Ran the university's language exchange society.".into(),
                );
            }
            "statement" => set(
                "statement",
                "I want to help pupils enjoy English and build links between our towns.".into(),
            ),
            "preferences" => {
                set("area1", "hokkaido".into());
                set("area2", "okinawa".into());
                set("setting", "any".into());
                set("partner", "no".into());
            }
            "health" => set("condition", "no".into()),
            _ => {
                set("criminal", "no".into());
                for d in [
                    "true-and-complete",
                    "english-and-interest",
                    "fit-to-work",
                    "criminal-record",
                    "data-processing",
                ] {
                    set(d, "yes".into());
                }
            }
        }
        out.push((section.id, a));
    }
    out
}

/// Fills the current round with `n` synthetic submitted applications (about one in ten
/// ineligible), in batches, calling `progress` with the number written so far.
pub async fn applications(
    store: &Store,
    n: u64,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<()> {
    let round = match store.current_round(COUNTRY).await? {
        Some(r) => r,
        None => demo_round(store).await?,
    };
    let phc = tokio::task::spawn_blocking(|| hash_password("jetdesk-demo")).await??;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut written = 0u64;
    let start = jetdesk_store::now() - 40 * 24 * 3600;
    while written < n {
        let mut batch = Vec::new();
        for i in written..(written + 500).min(n) {
            batch.push(synthetic_application(&mut rng, &round, &i.to_string(), |rng| {
                start + rng.gen_range(0..40 * 24 * 3600)
            }));
        }
        store.insert_demo_applications(&round, &phc, &batch).await?;
        written += batch.len() as u64;
        progress(written);
    }
    store.after_bulk_load().await?;
    Ok(())
}

/// One synthetic submitted application to `round` (about one in ten breaks a rule on purpose),
/// evaluated by the round's rules; `tag` makes the applicant's e-mail unique and `submitted_at`
/// picks the submission time.
fn synthetic_application(
    rng: &mut StdRng,
    round: &Round,
    tag: &str,
    submitted_at: impl FnOnce(&mut StdRng) -> i64,
) -> DemoApplication {
    let given = GIVEN[rng.gen_range(0..GIVEN.len())];
    let family = FAMILY[rng.gen_range(0..FAMILY.len())];
    let position = if rng.gen_bool(0.9) { "alt" } else { "cir" };
    let eligible = !rng.gen_bool(0.1);
    let answers = sample_answers(rng, given, family, position, eligible, round.programme_year);
    let all: HashMap<&str, Answers> = answers.iter().map(|(s, a)| (*s, a.clone())).collect();
    let outcome = eligibility::evaluate(round, position, &all, eligibility::Known::default());
    let email = format!(
        "{}.{}.{tag}@applicants.example",
        given.to_lowercase(),
        family.to_lowercase()
    );
    DemoApplication {
        search_text: format!("{given} {family} {email}").to_lowercase(),
        display_name: format!("{given} {family}"),
        email,
        position: position.into(),
        state: outcome.state.into(),
        submitted_at: Some(submitted_at(rng)),
        eligibility_overall: Some(outcome.overall.into()),
        eligibility_json: Some(outcome.json),
        sections: answers
            .iter()
            .map(|(s, a)| (s.to_string(), serde_json::to_string(a).unwrap_or_default(), true))
            .collect(),
    }
}
