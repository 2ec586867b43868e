//! jetdesk-testkit: boots the real jetdesk on 127.0.0.1:0 with a fresh database — a SQLite file in
//! a temporary folder, or a PostgreSQL schema of its own that is dropped afterwards — and offers
//! typed helpers for the tests: clients with sessions, users with roles, the mail outbox.
//!
//! PostgreSQL runs when `JETDESK_TEST_POSTGRES_URL` is set; if it is set and the server cannot be
//! reached, the test fails. Without it the PostgreSQL variant says loudly that it was skipped, and
//! fails instead when `JETDESK_REQUIRE_POSTGRES=1`.

pub mod browser;

use jetdesk_domain::Role;
use jetdesk_store::Store;
use jetdesk_web::{Application, Config};
use rand::Rng;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tokio::sync::oneshot;

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// One hash of `PASSWORD`, computed once: argon2 is slow on purpose, and tests make many users.
static PASSWORD_HASH: LazyLock<String> =
    LazyLock::new(|| jetdesk_web::security::hash_password(PASSWORD).expect("hashing the test password"));

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh schema on `JETDESK_TEST_POSTGRES_URL`.
    Postgres,
}

/// A running jetdesk for one test.
pub struct TestApp {
    /// The listener's URL, such as `http://127.0.0.1:40123` (not the configured `base_url`).
    pub url: String,
    /// The app's own store (same pool the server uses).
    pub store: Store,
    /// A second pool on the same database for raw SQL in tests (expiring a token, say).
    pub db: AnyPool,
    /// The data dir (SQLite file, outbox, server key).
    pub data_dir: PathBuf,
    /// The database's URL (for a test that starts a second instance on it).
    pub database_url: String,
    _tmp: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    pg_schema: Option<(String, String)>,
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

impl TestApp {
    /// Starts jetdesk on `backend`. Returns `None` (after saying so on stderr) only for PostgreSQL
    /// when it is neither configured nor required.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// As `spawn`, letting the test adjust the configuration first.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let mut config = Config::for_data_dir(tmp.path().to_path_buf());
        config.addr = "127.0.0.1:0".parse().expect("address");
        // Staff two-step verification is off unless a test turns it on (tests/it/mfa.rs does).
        config.require_staff_mfa = false;
        let mut pg_schema = None;
        if backend == Backend::Postgres {
            let Ok(base) = std::env::var("JETDESK_TEST_POSTGRES_URL") else {
                if env_flag("JETDESK_REQUIRE_POSTGRES") {
                    panic!("JETDESK_REQUIRE_POSTGRES=1 but JETDESK_TEST_POSTGRES_URL is not set");
                }
                eprintln!("SKIPPED on PostgreSQL: set JETDESK_TEST_POSTGRES_URL to run this test there too");
                return None;
            };
            let schema = format!("jt_{:016x}", rand::thread_rng().gen::<u64>());
            sqlx::any::install_default_drivers();
            let admin = AnyPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(5))
                .connect(&base)
                .await
                .unwrap_or_else(|e| {
                    panic!("JETDESK_TEST_POSTGRES_URL is set but PostgreSQL cannot be reached: {e}")
                });
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&admin)
                .await
                .expect("create schema");
            admin.close().await;
            let sep = if base.contains('?') { '&' } else { '?' };
            config.database = Some(format!("{base}{sep}options=-c%20search_path%3D{schema}"));
            pg_schema = Some((base, schema));
        }
        adjust(&mut config);
        let database_url = config.database_url();
        let data_dir = config.data_dir.clone();
        let app = Application::build(config).await.expect("jetdesk builds");
        // The listener itself, even when `base_url` names the https address of a proxy in front.
        let url = format!("http://127.0.0.1:{}", app.port());
        let store = app.state().store.clone();
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = app
                .run_until(async {
                    let _ = rx.await;
                })
                .await;
        });
        let db = AnyPoolOptions::new()
            .max_connections(2)
            .connect(&database_url)
            .await
            .expect("test pool");
        Some(TestApp {
            url,
            store,
            db,
            data_dir,
            database_url,
            _tmp: tmp,
            shutdown: Some(tx),
            pg_schema,
        })
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// The absolute URL of `path`.
    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// Creates a verified user with `roles` and the password `PASSWORD`; returns the id.
    pub async fn create_user(&self, email: &str, roles: &[Role]) -> i64 {
        let name = email.split('@').next().unwrap_or("user");
        self.store
            .create_user(email, name, &PASSWORD_HASH, roles, true)
            .await
            .expect("create user")
    }

    /// A client signed in as `user_id` (a session made directly in the database, skipping the
    /// slow password check), and that session's CSRF token.
    pub async fn session_for(&self, user_id: Option<i64>) -> (reqwest::Client, String) {
        let token = jetdesk_web::security::new_token();
        let csrf = jetdesk_web::security::new_token();
        let expires = jetdesk_store::now() + 3600;
        self.store
            .create_session(
                &jetdesk_web::security::token_hash(&token),
                user_id,
                &csrf,
                expires,
            )
            .await
            .expect("session");
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let url: reqwest::Url = self.url.parse().expect("url");
        jar.add_cookie_str(&format!("jetdesk_session={token}; Path=/"), &url);
        let client = reqwest::Client::builder()
            .cookie_provider(jar)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        (client, csrf)
    }

    /// Signs `client` in through the login form; panics unless it succeeds.
    pub async fn sign_in(&self, client: &reqwest::Client, email: &str, password: &str) {
        let page = client
            .get(self.at("/login"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("body");
        let csrf = csrf_from(&page);
        let res = client
            .post(self.at("/login"))
            .form(&[("csrf", csrf.as_str()), ("email", email), ("password", password)])
            .send()
            .await
            .expect("login");
        assert_eq!(
            res.status(),
            303,
            "sign-in as {email} failed: {}",
            res.text().await.unwrap_or_default()
        );
    }

    /// The mails written to the outbox for `to`, waiting up to ten seconds for at least `count`.
    pub async fn mails_to(&self, to: &str, count: usize) -> Vec<String> {
        let dir = self.data_dir.join("outbox");
        for _ in 0..100 {
            let mut found = Vec::new();
            if let Ok(entries) = std::fs::read_dir(&dir) {
                let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
                paths.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
                for path in paths {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    if text.lines().any(|l| l.eq_ignore_ascii_case(&format!("To: {to}"))) {
                        found.push(decode_mail(&text));
                    }
                }
            }
            if found.len() >= count {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {count} mail(s) to {to} in {}", dir.display());
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some((base, schema)) = self.pg_schema.take() {
            // Drop the test's schema on a thread of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    if let Ok(pool) = AnyPoolOptions::new().max_connections(1).connect(&base).await {
                        let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                            .execute(&pool)
                            .await;
                        pool.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// The value of the first `name="csrf"` hidden field in a page.
pub fn csrf_from(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("page has a CSRF field");
    html[start..].split('"').next().unwrap_or_default().to_string()
}

/// The first link in `text` that starts with `prefix`.
pub fn link_in(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no link starting {prefix} in:\n{text}"));
    text[start..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Undoes quoted-printable and base64 bodies well enough to find links and words in test mails.
fn decode_mail(raw: &str) -> String {
    use base64::Engine;
    let (headers, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    let lower = headers.to_ascii_lowercase();
    let body = if lower.contains("content-transfer-encoding: base64") {
        let joined: String = body.split_whitespace().collect();
        base64::engine::general_purpose::STANDARD
            .decode(joined)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default()
    } else if lower.contains("content-transfer-encoding: quoted-printable") {
        decode_quoted_printable(body)
    } else {
        body.to_string()
    };
    format!("{headers}\n\n{body}")
}

fn decode_quoted_printable(s: &str) -> String {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Creates a UK round open from an hour ago until `closes_in` seconds from now, asking for the
/// proof of degree and passport and two referees; returns it.
pub async fn open_round_closing_in(app: &TestApp, closes_in: i64) -> jetdesk_store::Round {
    open_round_with(app, closes_in, "degree,passport", 2).await
}

/// A UK round open for the next week that asks for no documents and no referees (for tests about
/// the form itself).
pub async fn open_round_without_attachments(app: &TestApp) -> jetdesk_store::Round {
    open_round_with(app, 7 * 24 * 3600, "", 0).await
}

/// Creates a UK round closing in `closes_in` seconds with these documents and referees.
pub async fn open_round_with(
    app: &TestApp,
    closes_in: i64,
    documents: &str,
    referees: i64,
) -> jetdesk_store::Round {
    let now = jetdesk_store::now();
    let rules = jetdesk_domain::eligibility::RuleSet::uk_default(2027).expect("rules");
    let input = jetdesk_store::RoundInput {
        name: "JET 2027 — United Kingdom".into(),
        country: "UK".into(),
        programme_year: 2027,
        positions: "alt,cir".into(),
        sea_invite_code: None,
        opens_at: now - 3600,
        closes_at: now + closes_in,
        word_limit: 500,
        referees_required: referees,
        documents_required: documents.into(),
        rules_json: serde_json::to_string(&rules).expect("json"),
    };
    let id = app.store.create_round(&input).await.expect("round");
    app.store.round(id).await.expect("round").expect("round exists")
}

/// A UK round open for the next week.
pub async fn open_round(app: &TestApp) -> jetdesk_store::Round {
    open_round_closing_in(app, 7 * 24 * 3600).await
}
