//! Load: throughput and latency of the pages people use most, against a server holding a large
//! round, at 50 and 200 concurrent connections, and the server's peak memory.
//!
//! ```sh
//! cargo bench -p jetdesk --bench load                      # 50,000 applications, 10 s per run
//! cargo bench -p jetdesk --bench load -- --applicants 5000 --seconds 5
//! cargo bench -p jetdesk --bench load -- --only search --compare /tmp/jetdesk-old --pairs 3
//! cargo bench -p jetdesk --bench load -- --postgres postgres://postgres@127.0.0.1:5432/test
//! ```
//!
//! It fills a fresh data directory with `jetdesk demo --applicants N`, adds 200 applicants with
//! draft applications and sessions (written straight into the database, so that sign-in's
//! deliberately slow password hashing is not what is measured), starts `jetdesk serve` (release
//! build), and then runs each scenario for a fixed time with that many client tasks, each on its own
//! keep-alive connection, as fast as the server answers. A response other than the expected one
//! counts as an error. Results go to standard output as a Markdown table (docs/reliability.md).

use jetdesk_store::Store;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DRAFTS: usize = 200;

struct Fixture {
    staff_cookie: String,
    applicants: Vec<(String, String)>,
}

#[derive(Clone, Copy)]
enum Scenario {
    Public,
    TaskList,
    SectionSave,
    StaffList,
    StaffSearch,
}

impl Scenario {
    const ALL: [Scenario; 5] = [
        Scenario::Public,
        Scenario::TaskList,
        Scenario::SectionSave,
        Scenario::StaffList,
        Scenario::StaffSearch,
    ];

    fn name(self) -> &'static str {
        match self {
            Scenario::Public => "public pages",
            Scenario::TaskList => "applicant's task list",
            Scenario::SectionSave => "section save",
            Scenario::StaffList => "staff list",
            Scenario::StaffSearch => "staff search",
        }
    }
}

const PUBLIC: [&str; 6] = [
    "/",
    "/positions",
    "/positions/alt",
    "/positions/cir",
    "/eligibility",
    "/pay-and-conditions",
];

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn prepare(store: &Store) -> Fixture {
    let round = store
        .current_round("UK")
        .await
        .expect("round")
        .expect("the demo's open round");
    let coordinator = store
        .user_by_email("coordinator@jetdesk.example")
        .await
        .expect("query")
        .expect("demo coordinator");
    let session = |user: i64| async move {
        let token = jetdesk_web::security::new_token();
        let csrf = jetdesk_web::security::new_token();
        store
            .create_session(
                &jetdesk_web::security::token_hash(&token),
                Some(user),
                &csrf,
                jetdesk_store::now() + 86400,
            )
            .await
            .expect("session");
        (format!("jetdesk_session={token}"), csrf)
    };
    let staff_cookie = session(coordinator.id).await.0;
    let hash = jetdesk_web::security::hash_password("load test password").expect("hash");
    let mut applicants = Vec::new();
    for i in 0..DRAFTS {
        let user = store
            .create_user(
                &format!("load{i}@example.org"),
                &format!("Load {i}"),
                &hash,
                &[jetdesk_domain::Role::Applicant],
                true,
            )
            .await
            .expect("user");
        let app = store
            .create_application(&round, user, "alt")
            .await
            .expect("application");
        store
            .save_section(app, "statement", r#"{"statement":"First draft"}"#, true, 0)
            .await
            .expect("section");
        applicants.push(session(user).await);
    }
    Fixture {
        staff_cookie,
        applicants,
    }
}

/// Whether the answer has `status`, once its whole body has been read (an unread body would cost
/// the connection its keep-alive, and the time to send the page belongs in the latency).
async fn answered(response: reqwest::Result<reqwest::Response>, status: u16) -> bool {
    match response {
        Ok(r) => r.status() == status && r.bytes().await.is_ok(),
        Err(_) => false,
    }
}

/// One client task: requests until the deadline; returns latencies (µs) and the error count.
async fn client_task(
    base: String,
    scenario: Scenario,
    fixture: Arc<Fixture>,
    index: usize,
    deadline: Instant,
    version: Arc<std::sync::Mutex<Vec<i64>>>,
) -> (Vec<u32>, usize) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let (cookie, csrf) = fixture.applicants[index % fixture.applicants.len()].clone();
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut n = 0usize;
    while Instant::now() < deadline {
        n += 1;
        let started = Instant::now();
        let ok = match scenario {
            Scenario::Public => {
                answered(
                    client
                        .get(format!("{base}{}", PUBLIC[n % PUBLIC.len()]))
                        .send()
                        .await,
                    200,
                )
                .await
            }
            Scenario::TaskList => {
                answered(
                    client
                        .get(format!("{base}/apply"))
                        .header("cookie", &cookie)
                        .send()
                        .await,
                    200,
                )
                .await
            }
            Scenario::StaffList => {
                answered(
                    client
                        .get(format!("{base}/staff/applications?page={}", 1 + n % 50))
                        .header("cookie", &fixture.staff_cookie)
                        .send()
                        .await,
                    200,
                )
                .await
            }
            Scenario::StaffSearch => {
                answered(
                    client
                        .get(format!(
                            "{base}/staff/applications?q={}",
                            ["smith", "jones", "0123", "tanaka"][n % 4]
                        ))
                        .header("cookie", &fixture.staff_cookie)
                        .send()
                        .await,
                    200,
                )
                .await
            }
            Scenario::SectionSave => {
                // Applicants are shared by index between tasks only above 200 connections; the
                // version vector keeps each applicant's own count.
                let slot = index % fixture.applicants.len();
                let v = version.lock().map(|v| v[slot]).unwrap_or(1);
                let res = client
                    .post(format!("{base}/apply/section/statement"))
                    .header("cookie", &cookie)
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("version", &v.to_string()),
                        ("statement", &format!("Draft {n} of my statement of purpose.")),
                    ])
                    .send()
                    .await;
                let ok = answered(res, 303).await;
                if ok {
                    if let Ok(mut all) = version.lock() {
                        all[slot] = v + 1;
                    }
                }
                ok
            }
        };
        latencies.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
        if !ok {
            errors += 1;
        }
    }
    (latencies, errors)
}

fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// A server under test: its data directory (kept alive), process and address.
struct Target {
    label: String,
    _tmp: tempfile::TempDir,
    server: std::process::Child,
    base: String,
    fixture: Arc<Fixture>,
    /// Each applicant's statement version, across runs (a stale version would be a 409).
    versions: Arc<std::sync::Mutex<Vec<i64>>>,
}

/// A fresh, empty PostgreSQL database `name` beside the one `base` names; returns its URL.
async fn fresh_postgres(base: &str, name: &str) -> String {
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(base).await.expect("PostgreSQL");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&admin)
        .await
        .expect("drop database");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .expect("create database");
    admin.close().await;
    let (server, _) = base.rsplit_once('/').expect("a database URL ends in /NAME");
    format!("{server}/{name}")
}

/// Fills a fresh data directory (and, with `postgres`, a fresh database beside that one) with
/// `bin demo`, adds the drafts and sessions, starts `bin serve`.
fn start_target(
    runtime: &tokio::runtime::Runtime,
    bin: &str,
    label: &str,
    applicants: u64,
    postgres: Option<(&str, &str)>,
) -> Target {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let data = tmp.path();
    let url = match postgres {
        Some((base, name)) => runtime.block_on(fresh_postgres(base, name)),
        None => format!("sqlite://{}", data.join("jetdesk.sqlite3").display()),
    };
    let t0 = Instant::now();
    let status = Command::new(bin)
        .args(["demo", "--applicants", &applicants.to_string()])
        .env("JETDESK_DATA_DIR", data)
        .env("JETDESK_DATABASE", &url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("jetdesk demo");
    assert!(status.success(), "jetdesk demo failed");
    eprintln!(
        "{label}: demo data: {applicants} applications in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let fixture = Arc::new(runtime.block_on(async {
        let store = Store::connect(&url).await.expect("database");
        let f = prepare(&store).await;
        store.close().await;
        f
    }));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let server = Command::new(bin)
        .arg("serve")
        .env("JETDESK_DATA_DIR", data)
        .env("JETDESK_DATABASE", &url)
        .env("JETDESK_ADDR", format!("127.0.0.1:{port}"))
        // The demo's staff have no authenticator: measure the staff list, not the enrolment redirect.
        .env("JETDESK_REQUIRE_STAFF_MFA", "false")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("jetdesk serve");
    let base = format!("http://127.0.0.1:{port}");
    runtime.block_on(async {
        let probe = reqwest::Client::new();
        for _ in 0..500 {
            if probe
                .get(format!("{base}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    Target {
        label: label.to_string(),
        _tmp: tmp,
        server,
        base,
        fixture,
        versions: Arc::new(std::sync::Mutex::new(vec![1i64; DRAFTS])),
    }
}

/// Runs one scenario against `t` and prints its row of the table.
fn run(
    runtime: &tokio::runtime::Runtime,
    t: &Target,
    scenario: Scenario,
    connections: usize,
    seconds: u64,
    label: bool,
) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let results = runtime.block_on(async {
        let tasks: Vec<_> = (0..connections)
            .map(|i| {
                tokio::spawn(client_task(
                    t.base.clone(),
                    scenario,
                    t.fixture.clone(),
                    i,
                    deadline,
                    t.versions.clone(),
                ))
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.push(task.await.expect("client task"));
        }
        all
    });
    let elapsed = started.elapsed().as_secs_f64();
    let errors: usize = results.iter().map(|r| r.1).sum();
    let mut latencies: Vec<u32> = results.into_iter().flat_map(|r| r.0).collect();
    latencies.sort_unstable();
    let q = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map(|us| f64::from(*us) / 1000.0)
            .unwrap_or(f64::NAN)
    };
    println!(
        "| {}{} | {connections} | {} | {errors} | {:.0} | {:.1} | {:.1} |",
        if label {
            format!("{}: ", t.label)
        } else {
            String::new()
        },
        scenario.name(),
        latencies.len(),
        latencies.len() as f64 / elapsed,
        q(0.50),
        q(0.99)
    );
}

fn main() {
    let applicants = arg("--applicants", 50_000);
    let seconds = arg("--seconds", 10);
    let args: Vec<String> = std::env::args().collect();
    let text_arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    // `--only WORD`: just the scenarios whose name holds WORD. `--compare BIN`: a paired run for a
    // shared machine: the same scenarios against this build and against another jetdesk binary
    // (each with its own demo data), alternately, `--pairs N` times (default 2), 50 connections.
    let only = text_arg("--only");
    let compare = text_arg("--compare");
    let pairs = arg("--pairs", 2);
    let scenarios: Vec<Scenario> = Scenario::ALL
        .into_iter()
        .filter(|s| only.as_deref().is_none_or(|w| s.name().contains(w)))
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // `--postgres URL`: each server on its own new database beside the one URL names (dropped and
    // made again at the next run) instead of SQLite.
    let postgres = text_arg("--postgres");
    let db = |name| postgres.as_deref().map(|base| (base, name));
    let bin = env!("CARGO_BIN_EXE_jetdesk");
    let mut targets = vec![start_target(
        &runtime,
        bin,
        "this build",
        applicants,
        db("jetdesk_load_a"),
    )];
    if let Some(other) = &compare {
        targets.push(start_target(
            &runtime,
            other,
            other,
            applicants,
            db("jetdesk_load_b"),
        ));
    }
    println!("| scenario | connections | requests | errors | requests/s | p50 ms | p99 ms |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    if compare.is_some() {
        for scenario in &scenarios {
            for _ in 0..pairs {
                for t in targets.iter().rev() {
                    run(&runtime, t, *scenario, 50, seconds, true);
                }
            }
        }
    } else {
        for scenario in &scenarios {
            for connections in [50usize, 200] {
                run(&runtime, &targets[0], *scenario, connections, seconds, false);
            }
        }
    }
    for mut t in targets {
        println!(
            "\n{}: server peak memory (VmHWM): {:.0} MiB; {applicants} applications; {seconds} s per run",
            t.label,
            peak_rss_mib(t.server.id())
        );
        let _ = t.server.kill();
        let _ = t.server.wait();
    }
}
