//! Crash safety: nothing acknowledged is ever lost.
//!
//! Starts the real `jetdesk serve` binary, drives a storm of concurrent section saves and
//! submissions from many applicants, kills the server with SIGKILL at a random moment, restarts
//! it, and checks after every kill that each save and submission that got a success answer is in
//! the database, intact, and that no application is half-submitted. 50 kills on SQLite and, when
//! `JETDESK_TEST_POSTGRES_URL` is set, 50 on PostgreSQL. See docs/reliability.md.

use jetdesk_store::{RoundInput, Store};
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const APPLICANTS: usize = 12;
const KILLS: usize = 50;

/// What the server acknowledged for one applicant.
#[derive(Debug, Clone, Default)]
struct Acked {
    /// The newest acknowledged save of the statement: (version after it, text).
    save: Option<(i64, String)>,
    /// Submission acknowledged.
    submitted: bool,
}

struct Applicant {
    cookie: String,
    csrf: String,
    application_id: i64,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start_server(data_dir: &Path, database: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_jetdesk"))
        .arg("serve")
        .env("JETDESK_ADDR", format!("127.0.0.1:{port}"))
        .env("JETDESK_DATA_DIR", data_dir)
        .env("JETDESK_DATABASE", database)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("jetdesk serve starts")
}

async fn wait_healthy(client: &reqwest::Client, base: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(res) = client.get(format!("{base}/healthz")).send().await {
            if res.status() == 200 {
                return;
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("jetdesk serve exited during start-up: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "jetdesk did not become healthy in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every section filled in and complete, so that the application can be submitted at any moment.
fn complete_answers() -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    vec![
        (
            "personal",
            json!({"given_names": "Crash", "family_name": "Test", "sex": "female", "date_of_birth": "1999-03-27", "phone": "07700 900123", "address": "1 High Street", "home_town": "York", "interview_location": "london"}),
        ),
        (
            "nationality",
            json!({"british": "yes", "japanese_nationality": "no", "passport_number": "123456789", "passport_expiry": "2030-01-01"}),
        ),
        (
            "education",
            json!({"degree_title": "BA", "university": "Leeds", "subject": "History", "degree_status": "expected", "expected_date": "2027-06-30", "teacher_training": "no"}),
        ),
        (
            "japanese",
            json!({"jlpt_level": "none", "speaking": "basic", "reading": "basic", "writing": "basic"}),
        ),
        (
            "experience",
            json!({"tefl": "no", "work": "Shop", "previous_jet": "no", "declined_last_year": "no", "months_in_japan": "0"}),
        ),
        ("interest", json!({"interest_japan": "Food", "exchange": "Buddy"})),
        ("statement", json!({"statement": "Initial statement"})),
        (
            "preferences",
            json!({"area1": "hokkaido", "setting": "rural", "partner": "no"}),
        ),
        ("health", json!({"condition": "no"})),
        (
            "declarations",
            json!({"criminal": "no", "true-and-complete": "yes", "english-and-interest": "yes", "fit-to-work": "yes", "criminal-record": "yes", "data-processing": "yes"}),
        ),
    ]
}

/// A round open for a week, and `APPLICANTS` applicants with complete drafts and sessions.
async fn prepare(store: &Store) -> Vec<Applicant> {
    store.migrate().await.expect("migrations");
    let now = jetdesk_store::now();
    let rules = jetdesk_domain::eligibility::RuleSet::uk_default(2027).expect("rules");
    let round_id = store
        .create_round(&RoundInput {
            name: "JET 2027 — United Kingdom".into(),
            country: "UK".into(),
            programme_year: 2027,
            positions: "alt,cir".into(),
            sea_invite_code: None,
            opens_at: now - 3600,
            closes_at: now + 7 * 86400,
            word_limit: 500,
            referees_required: 0,
            documents_required: String::new(),
            rules_json: serde_json::to_string(&rules).expect("json"),
        })
        .await
        .expect("round");
    let round = store.round(round_id).await.expect("round").expect("exists");
    let hash = jetdesk_web::security::hash_password("crash test password").expect("hash");
    let mut applicants = Vec::new();
    for i in 0..APPLICANTS {
        let user = store
            .create_user(
                &format!("crash{i}@example.org"),
                &format!("Crash {i}"),
                &hash,
                &[jetdesk_domain::Role::Applicant],
                true,
            )
            .await
            .expect("user");
        let application_id = store
            .create_application(&round, user, "alt")
            .await
            .expect("application");
        for (section, answers) in complete_answers() {
            store
                .save_section(application_id, section, &answers.to_string(), true, 0)
                .await
                .expect("section");
        }
        let token = jetdesk_web::security::new_token();
        let csrf = jetdesk_web::security::new_token();
        store
            .create_session(
                &jetdesk_web::security::token_hash(&token),
                Some(user),
                &csrf,
                now + 7 * 86400,
            )
            .await
            .expect("session");
        applicants.push(Applicant {
            cookie: format!("jetdesk_session={token}"),
            csrf,
            application_id,
        });
    }
    applicants
}

/// One applicant's storm: saves with the version it last saw, now and then a submission, until
/// the server stops answering. Only answers that say "done" are recorded as acknowledged.
async fn storm(
    client: reqwest::Client,
    base: String,
    applicant: Arc<Applicant>,
    acked: Arc<Mutex<Acked>>,
    seed: u64,
    round_no: usize,
) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut n = 0;
    loop {
        n += 1;
        let version = acked
            .lock()
            .map(|a| a.save.as_ref().map(|s| s.0).unwrap_or(1))
            .unwrap_or(1);
        if rng.gen_ratio(1, 150) {
            let res = client
                .post(format!("{base}/apply/submit"))
                .header("cookie", &applicant.cookie)
                .form(&[("csrf", applicant.csrf.as_str())])
                .send()
                .await;
            match res {
                Ok(r) if r.status() == 303 && r.headers()["location"] == "/apply?notice=submitted" => {
                    if let Ok(mut a) = acked.lock() {
                        a.submitted = true;
                    }
                    return;
                }
                Ok(r) if r.status() == 303 => return, // already submitted earlier (answer was lost)
                Ok(_) => {}
                Err(_) => return,
            }
            continue;
        }
        let text = format!(
            "Statement revision {round_no}.{n} of application {}",
            applicant.application_id
        );
        let res = client
            .post(format!("{base}/apply/section/statement"))
            .header("cookie", &applicant.cookie)
            .form(&[
                ("csrf", applicant.csrf.as_str()),
                ("version", &version.to_string()),
                ("statement", &text),
            ])
            .send()
            .await;
        match res {
            Ok(r) if r.status() == 303 => {
                if let Ok(mut a) = acked.lock() {
                    a.save = Some((version + 1, text));
                }
            }
            // 409: a save whose answer was lost in a crash did land; learn the version and go on.
            Ok(r) if r.status() == 409 => {
                let body = r.text().await.unwrap_or_default();
                let seen = body
                    .split("name=\"version\" value=\"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .and_then(|v| v.parse::<i64>().ok());
                if let (Some(v), Ok(mut a)) = (seen, acked.lock()) {
                    // The page read the stored (committed) version; its text is not known here,
                    // so from now on only the version is checked until the next acknowledged save.
                    a.save = Some((v, String::new()));
                }
            }
            Ok(_) => return, // submitted: no more saves
            Err(_) => return,
        }
    }
}

/// Checks what the database holds against what was acknowledged.
async fn verify(store: &Store, applicants: &[Arc<Applicant>], acked: &[Arc<Mutex<Acked>>]) {
    for (applicant, acked) in applicants.iter().zip(acked) {
        let acked = acked.lock().expect("lock").clone();
        let app = store
            .application(applicant.application_id)
            .await
            .expect("read")
            .expect("application exists");
        // Never half-submitted: a submitted application has its time and its verdict.
        let draft = app.state == "draft";
        assert_eq!(
            draft,
            app.submitted_at.is_none(),
            "application {} half-submitted",
            app.id
        );
        if !draft {
            assert!(app.eligibility_json.is_some() && app.eligibility_overall.is_some());
        }
        if acked.submitted {
            assert!(!draft, "acknowledged submission of {} lost", app.id);
        }
        let sections = store.sections(app.id).await.expect("sections");
        assert_eq!(sections.len(), 10, "sections of {} lost", app.id);
        for s in &sections {
            let parsed: serde_json::Value = serde_json::from_str(&s.data_json).expect("intact JSON");
            assert!(parsed.is_object());
        }
        if let Some((version, text)) = &acked.save {
            let statement = sections
                .iter()
                .find(|s| s.section == "statement")
                .expect("statement");
            assert!(
                statement.version >= *version,
                "acknowledged save of {} lost: stored version {} < acknowledged {version}",
                app.id,
                statement.version
            );
            if statement.version == *version && !text.is_empty() {
                assert!(
                    statement.data_json.contains(text.as_str()),
                    "acknowledged text of {} lost",
                    app.id
                );
            }
        }
    }
}

async fn run(database: String) {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let store = Store::connect(&database).await.expect("database");
    let applicants: Vec<Arc<Applicant>> = prepare(&store).await.into_iter().map(Arc::new).collect();
    let acked: Vec<Arc<Mutex<Acked>>> = (0..APPLICANTS).map(|_| Arc::default()).collect();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut rng = rand::rngs::StdRng::seed_from_u64(2027);
    let mut acknowledged = 0usize;
    for kill in 0..KILLS {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut child = start_server(tmp.path(), &database, port);
        wait_healthy(&client, &base, &mut child).await;
        let workers: Vec<_> = applicants
            .iter()
            .zip(&acked)
            .enumerate()
            .map(|(i, (a, k))| {
                tokio::spawn(storm(
                    client.clone(),
                    base.clone(),
                    a.clone(),
                    k.clone(),
                    (kill * APPLICANTS + i) as u64,
                    kill,
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.gen_range(30..400))).await;
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        for w in workers {
            w.await.expect("worker");
        }
        verify(&store, &applicants, &acked).await;
        acknowledged = acked
            .iter()
            .filter_map(|a| a.lock().ok().and_then(|a| a.save.as_ref().map(|s| s.0)))
            .map(|v| v as usize)
            .sum();
    }
    let submitted = acked
        .iter()
        .filter(|a| a.lock().map(|a| a.submitted).unwrap_or(false))
        .count();
    eprintln!(
        "crash safety on {}: {KILLS} SIGKILLs, statement versions reached {acknowledged} in all, {submitted} acknowledged submissions, nothing lost",
        if database.starts_with("postgres") { "PostgreSQL" } else { "SQLite" }
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_acknowledged_is_lost_when_sqlite_is_killed() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}?mode=rwc", tmp.path().join("crash.db").display());
    run(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_acknowledged_is_lost_when_the_server_on_postgres_is_killed() {
    let Ok(base) = std::env::var("JETDESK_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("JETDESK_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "JETDESK_REQUIRE_POSTGRES=1 but JETDESK_TEST_POSTGRES_URL is not set"
        );
        eprintln!("SKIPPED on PostgreSQL: set JETDESK_TEST_POSTGRES_URL to run this test there too");
        return;
    };
    let schema = format!("crash_{:016x}", rand::random::<u64>());
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&base).await.expect("PostgreSQL");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    run(format!("{base}{sep}options=-c%20search_path%3D{schema}")).await;
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await
        .expect("drop schema");
}
