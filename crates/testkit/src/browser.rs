//! A real browser for end-to-end tests: Debian's headless chromium driven through chromedriver
//! (started here on a free port, in a process group of its own that is killed on drop) with
//! `fantoccini`, plus an accessibility check with the vendored axe-core.
//!
//! ```no_run
//! # use jetdesk_testkit::{browser::Browser, Backend, TestApp};
//! # async fn example() {
//! let app = TestApp::spawn(Backend::Sqlite).await.expect("jetdesk");
//! let Some(mut browser) = Browser::start().await else { return };  // skipped, loudly
//! browser.set_base_url(&app.url);
//! browser.goto("/positions/cir").await;
//! browser.assert_accessible().await;
//! # }
//! ```
//!
//! Without chromedriver or chromium, [`Browser::start`] prints a loud notice and returns `None`;
//! with `JETDESK_REQUIRE_BROWSER=1` it panics instead, so CI cannot pass by skipping.
//!
//! The site's Content-Security-Policy forbids inline script, but script that WebDriver injects
//! with "Execute Script" is run by chromedriver through the DevTools protocol
//! (`Runtime.callFunctionOn`), which CSP does not govern: that is how axe-core gets in. The
//! `csp_still_blocks_page_script` test in `tests/it/e2e.rs` checks that the policy is nonetheless
//! in force for the page's own script.

use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, TimeoutConfiguration};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

/// axe-core, vendored from npm (see `assets/README.md`).
pub const AXE_SOURCE: &str = include_str!("../assets/axe.min.js");

/// The WCAG tags every page is checked against.
pub const AXE_TAGS: &[&str] = &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

/// How long helpers wait for a page to show what they expect.
const WAIT: Duration = Duration::from_secs(15);

/// One chromium at a time in this process: the suite runs tests in parallel on small machines,
/// and two browsers plus two apps on two cores make every wait flaky.
static ONE_AT_A_TIME: LazyLock<Arc<tokio::sync::Mutex<()>>> = LazyLock::new(Default::default);

fn require_browser() -> bool {
    std::env::var("JETDESK_REQUIRE_BROWSER").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// Says once per test process, on the real stderr (libtest captures `eprintln!` of passing tests),
/// that the browser tests were skipped.
fn loud_skip_notice(message: &str) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let bar = "!".repeat(78);
        let text = format!(
            "\n{bar}\n!!! SKIPPED browser tests: {message}\n!!! Set JETDESK_REQUIRE_BROWSER=1 to make this a \
             failure.\n{bar}\n\n"
        );
        let _ = std::io::stderr().write_all(text.as_bytes());
    });
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// `target/screenshots` under the workspace root (or under `CARGO_TARGET_DIR`), created on demand.
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| {
            if p.is_relative() {
                workspace_root().join(p)
            } else {
                p
            }
        })
        .unwrap_or_else(|| workspace_root().join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

/// One headless chromium with its own chromedriver and a fresh profile.
pub struct Browser {
    client: Option<Client>,
    driver: Child,
    driver_port: u16,
    session_id: Option<String>,
    base_url: String,
    profile: tempfile::TempDir,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl Browser {
    /// Starts chromedriver and a headless chromium session.
    ///
    /// Returns `None` after a loud notice on stderr when chromedriver or chromium is missing
    /// (paths from `JETDESK_CHROMEDRIVER` / `JETDESK_CHROMIUM`, default `/usr/bin/…`); panics
    /// instead when `JETDESK_REQUIRE_BROWSER=1`. Any other failure to start panics.
    pub async fn start() -> Option<Browser> {
        let driver_path =
            std::env::var("JETDESK_CHROMEDRIVER").unwrap_or_else(|_| DEFAULT_CHROMEDRIVER.into());
        let chromium_path = std::env::var("JETDESK_CHROMIUM").unwrap_or_else(|_| DEFAULT_CHROMIUM.into());
        for (what, path, package) in [
            ("chromedriver", &driver_path, "chromium-driver"),
            ("chromium", &chromium_path, "chromium"),
        ] {
            if !Path::new(path).is_file() {
                let message = format!(
                    "{what} not found at {path} (install the Debian package `{package}`, or set \
                     JETDESK_{}).",
                    what.to_ascii_uppercase()
                );
                if require_browser() {
                    panic!("JETDESK_REQUIRE_BROWSER=1 but {message}");
                }
                loud_skip_notice(&message);
                return None;
            }
        }

        let turn = ONE_AT_A_TIME.clone().lock_owned().await;
        let profile = tempfile::Builder::new()
            .prefix("jetdesk-chromium-")
            .tempdir()
            .expect("profile folder");
        let (driver, driver_port) = spawn_chromedriver(&driver_path, profile.path()).await;
        let mut browser = Browser {
            client: None,
            driver,
            driver_port,
            session_id: None,
            base_url: String::new(),
            profile,
            _turn: turn,
        };

        let user_data_dir = browser.profile.path().join("user-data");
        let args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--window-size=1280,900".into(),
            // English first, whatever the machine's locale: the tests switch to Japanese themselves.
            "--lang=en-GB".into(),
            format!("--user-data-dir={}", user_data_dir.display()),
        ];
        let mut caps = Capabilities::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium_path,
                "args": args,
                "prefs": { "intl.accept_languages": "en-GB,en" },
            }),
        );
        let webdriver = format!("http://127.0.0.1:{driver_port}");
        // fantoccini's connector is built on rustls, which cannot choose between the two crypto
        // providers the workspace's dependencies enable; pick one (chromedriver is plain HTTP on
        // 127.0.0.1 anyway). An error only means a provider is already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = ClientBuilder::rustls().expect("rustls connector");
        builder.capabilities(caps);
        let client = match builder.connect(&webdriver).await {
            Ok(client) => client,
            Err(e) => {
                let log = browser.driver_log();
                panic!("chromium did not start through chromedriver: {e}\n--- chromedriver log (tail) ---\n{log}");
            }
        };
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(Duration::from_secs(60)),
                Some(Duration::from_secs(60)),
                Some(Duration::from_secs(0)),
            ))
            .await
            .expect("set timeouts");
        browser.session_id = client.session_id().await.ok().flatten();
        browser.client = Some(client);
        Some(browser)
    }

    /// The fantoccini client, for anything the helpers do not cover.
    pub fn client(&self) -> &Client {
        self.client.as_ref().expect("browser is open")
    }

    /// Sets the base URL that [`goto`](Self::goto) resolves paths against, e.g. `app.url`.
    pub fn set_base_url(&mut self, url: &str) {
        self.base_url = url.trim_end_matches('/').to_string();
    }

    /// Opens `path` (relative to the base URL) or an absolute `http(s)://` URL, and waits for it
    /// to load.
    pub async fn goto(&self, path: &str) {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            assert!(!self.base_url.is_empty(), "call set_base_url before goto({path})");
            format!("{}{}", self.base_url, path)
        };
        self.client()
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("goto {url}: {e}"));
        self.wait_for_load().await;
    }

    /// The current URL.
    pub async fn url(&self) -> String {
        self.client()
            .current_url()
            .await
            .expect("current URL")
            .to_string()
    }

    /// The current URL's path and query, e.g. `/login?notice=verified`.
    pub async fn path(&self) -> String {
        let url = self.client().current_url().await.expect("current URL");
        match url.query() {
            Some(q) => format!("{}?{}", url.path(), q),
            None => url.path().to_string(),
        }
    }

    /// Waits until the current path (without the query) is `path`.
    pub async fn wait_for_path(&self, path: &str) {
        let start = Instant::now();
        loop {
            let url = self.client().current_url().await.expect("current URL");
            if url.path() == path {
                self.wait_for_load().await;
                return;
            }
            if start.elapsed() > WAIT {
                panic!(
                    "expected to reach {path}, still at {url}\n--- page text ---\n{}",
                    self.text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `document.readyState` is `complete`.
    pub async fn wait_for_load(&self) {
        let start = Instant::now();
        loop {
            let state = self.client().execute("return document.readyState", vec![]).await;
            if matches!(state.as_ref().ok().and_then(Value::as_str), Some("complete")) {
                return;
            }
            if start.elapsed() > WAIT {
                panic!("page did not finish loading: {state:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The page's visible text (`document.body.innerText`).
    pub async fn text(&self) -> String {
        match self.client().find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The page's HTML as the browser now has it.
    pub async fn source(&self) -> String {
        self.client().source().await.expect("page source")
    }

    /// The `lang` attribute of `<html>`.
    pub async fn html_lang(&self) -> String {
        self.client()
            .execute(
                "return document.documentElement.getAttribute('lang') || ''",
                vec![],
            )
            .await
            .expect("read html lang")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Asserts that the visible text contains `needle`.
    pub async fn assert_text(&self, needle: &str) {
        let text = self.text().await;
        assert!(
            text.contains(needle),
            "expected the page at {} to say {needle:?}; it says:\n{text}",
            self.url().await
        );
    }

    /// The element with `id`.
    pub async fn by_id(&self, id: &str) -> Element {
        match self.client().find(Locator::Id(id)).await {
            Ok(e) => e,
            Err(e) => panic!("no element #{id} at {}: {e}", self.url().await),
        }
    }

    /// The first element matching the CSS selector.
    pub async fn by_css(&self, css: &str) -> Element {
        match self.client().find(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => panic!("no element matches {css:?} at {}: {e}", self.url().await),
        }
    }

    /// Replaces the value of the field with `id` by `value`, typing it as a user would.
    pub async fn fill(&self, id: &str, value: &str) {
        let field = self.by_id(id).await;
        field.clear().await.unwrap_or_else(|e| panic!("clear #{id}: {e}"));
        field
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("type into #{id}: {e}"));
    }

    /// The current `value` of the field with `id`.
    pub async fn value_of(&self, id: &str) -> String {
        self.by_id(id)
            .await
            .prop("value")
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Clicks the first element matching the CSS selector and waits for any page load.
    pub async fn click_css(&self, css: &str) {
        let element = self.by_css(css).await;
        self.click_and_wait(element, css).await;
    }

    /// Clicks `element`; if that starts a navigation, waits until the new page has loaded.
    ///
    /// `document.readyState` alone cannot tell: right after the click the old page still says
    /// "complete". So the old document is marked first, and the wait ends when the mark is gone
    /// (a new document) or, for a click that does not navigate, after a short grace period.
    async fn click_and_wait(&self, element: Element, what: &str) {
        let _ = self
            .client()
            .execute("window.__jetdeskOldPage = true;", vec![])
            .await;
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {what:?}: {e}"));
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(3) {
            let old = self
                .client()
                .execute("return window.__jetdeskOldPage === true;", vec![])
                .await;
            if !matches!(old, Ok(Value::Bool(true))) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.wait_for_load().await;
    }

    /// Clicks the link or button whose visible text is exactly `text` (spaces trimmed) and waits
    /// for any page load.
    pub async fn click_text(&self, text: &str) {
        let literal = xpath_literal(text);
        let xpath = format!(
            "//a[normalize-space(.)={literal}] | //button[normalize-space(.)={literal}] \
             | //input[(@type='submit' or @type='button') and @value={literal}]"
        );
        let element = match self.client().find(Locator::XPath(&xpath)).await {
            Ok(e) => e,
            Err(e) => panic!("no link or button {text:?} at {}: {e}", self.url().await),
        };
        self.click_and_wait(element, text).await;
    }

    /// Clicks the (first) submit button inside the form that holds the field with `field_id`.
    pub async fn submit_form_of(&self, field_id: &str) {
        self.click_css(&format!("form:has(#{field_id}) button[type=submit]"))
            .await;
    }

    /// Chooses the file `path` in the file input with `id` and submits the input's form.
    pub async fn upload(&self, id: &str, path: &Path) {
        let name = path.to_str().expect("a UTF-8 path");
        self.by_id(id)
            .await
            .send_keys(name)
            .await
            .unwrap_or_else(|e| panic!("choose {name} in #{id}: {e}"));
        self.submit_form_of(id).await;
    }

    /// Saves a PNG screenshot of the viewport to `path` and returns the path.
    pub async fn screenshot_to(&self, path: &Path) -> PathBuf {
        let png = self.client().screenshot().await.expect("screenshot");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot folder");
        }
        std::fs::write(path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path.to_path_buf()
    }

    /// Saves a screenshot as `target/screenshots/{name}.png` and returns the path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        self.screenshot_to(&screenshot_dir().join(format!("{name}.png")))
            .await
    }

    /// Runs axe-core on the current page against [`AXE_TAGS`] and returns the violations.
    pub async fn axe_violations(&self) -> Vec<AxeViolation> {
        let client = self.client();
        let loaded = client
            .execute(
                "return typeof window.axe === 'object' && typeof window.axe.run === 'function'",
                vec![],
            )
            .await
            .expect("probe for axe");
        if loaded != Value::Bool(true) {
            // Injected through WebDriver (DevTools), not as a page <script>, so the site's CSP
            // does not stand in the way.
            let script = format!("{AXE_SOURCE}\n;return typeof window.axe === 'object';");
            let ok = client.execute(&script, vec![]).await.expect("inject axe-core");
            assert_eq!(
                ok,
                Value::Bool(true),
                "axe-core did not load into {}",
                self.url().await
            );
        }
        let run = r#"
            const tags = arguments[0];
            const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
              .then(r => done({ violations: r.violations.map(v => ({
                  id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
                  nodes: v.nodes.map(n => ({
                      target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : String(t)),
                      html: n.html, summary: n.failureSummary || '' })) })) }))
              .catch(e => done({ error: String(e && e.stack || e) }));
        "#;
        let result = client
            .execute_async(run, vec![json!(AXE_TAGS)])
            .await
            .expect("run axe-core");
        if let Some(error) = result.get("error") {
            panic!("axe-core failed at {}: {error}", self.url().await);
        }
        serde_json::from_value(result["violations"].clone()).expect("axe violations")
    }

    /// Fails with a readable list unless axe-core finds no WCAG 2.2 A/AA violations on the page.
    pub async fn assert_accessible(&self) {
        let violations = self.axe_violations().await;
        if !violations.is_empty() {
            let url = self.url().await;
            panic!(
                "axe-core found {} violation(s) at {url}:\n{}",
                violations.len(),
                format_violations(&violations)
            );
        }
    }

    /// Ends the WebDriver session (closing chromium) and stops chromedriver.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
            self.session_id = None;
        }
        // Drop kills chromedriver's process group.
    }

    fn driver_log(&self) -> String {
        let log = std::fs::read_to_string(self.profile.path().join("chromedriver.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Close the session synchronously when a test ended without `close()` (a panic, say), so
        // that chromium exits cleanly before its driver is killed.
        if let Some(id) = self.session_id.take() {
            delete_session(self.driver_port, &id);
        }
        self.client = None;
        // chromedriver runs in a process group of its own (see `spawn_chromedriver`); chromium
        // and its helpers inherit it. Kill the group, then reap our child.
        let pgid = self.driver.id();
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// One axe-core violation.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AxeViolation {
    /// The rule, e.g. `color-contrast`.
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: String,
    /// What the rule asks for.
    pub help: String,
    /// Deque's page about the rule.
    #[serde(rename = "helpUrl")]
    pub help_url: String,
    /// The offending elements.
    pub nodes: Vec<AxeNode>,
}

/// One element that breaks a rule.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AxeNode {
    /// CSS selectors leading to the element.
    pub target: Vec<String>,
    /// The element's HTML (shortened by axe).
    pub html: String,
    /// axe's explanation of what to fix.
    pub summary: String,
}

/// Formats violations one rule per paragraph, with each offending element.
pub fn format_violations(violations: &[AxeViolation]) -> String {
    let mut out = String::new();
    for v in violations {
        let _ = writeln!(out, "- {} [{}]: {} ({})", v.id, v.impact, v.help, v.help_url);
        for node in &v.nodes {
            let _ = writeln!(out, "    at {}: {}", node.target.join(", "), node.html);
            for line in node.summary.lines() {
                let _ = writeln!(out, "      {line}");
            }
        }
    }
    out
}

fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// Starts chromedriver on a free port in a new process group and waits until it answers.
async fn spawn_chromedriver(path: &str, dir: &Path) -> (Child, u16) {
    use std::os::unix::process::CommandExt;
    let mut last_error = String::new();
    for _attempt in 0..5 {
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").expect("find a free port");
            listener.local_addr().expect("port").port()
        };
        let mut child = Command::new(path)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", dir.join("chromedriver.log").display()))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {path}: {e}"));
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("chromedriver status") {
                let mut err = String::new();
                if let Some(mut stderr) = child.stderr.take() {
                    let _ = stderr.read_to_string(&mut err);
                }
                last_error = format!("chromedriver exited with {status}: {err}");
                break;
            }
            if driver_ready(port) {
                return (child, port);
            }
            if start.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                let _ = child.wait();
                last_error = format!("chromedriver did not answer on port {port} within 20 s");
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    panic!("could not start chromedriver: {last_error}");
}

/// A tiny blocking HTTP/1.1 request to chromedriver; returns the response or an empty string.
fn driver_request(port: u16, method: &str, path: &str) -> String {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return String::new();
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return String::new();
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

fn driver_ready(port: u16) -> bool {
    let response = driver_request(port, "GET", "/status");
    response.starts_with("HTTP/1.1 200") && response.contains("\"ready\":true")
}

fn delete_session(port: u16, session_id: &str) {
    let _ = driver_request(port, "DELETE", &format!("/session/{session_id}"));
}
