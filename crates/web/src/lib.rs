//! jetdesk-web: the web application. One module per capability, each with its `routes()`,
//! handlers, forms and templates; the router is their union, wrapped in the layers every request
//! passes: tracing, security headers, session, error pages, CSRF, and each route's access check.
//!
//! `Application::build` binds the listener before serving, so callers (the binary, the tests)
//! know the port at once and nothing waits on a race.

pub mod access;
mod accounts;
mod admin;
pub mod api;
mod applications;
pub mod config;
pub mod csrf;
mod dashboard;
pub mod demo;
mod documents;
pub mod error;
pub mod forms;
pub mod i18n;
pub mod interviews;
pub mod mail;
mod outcomes;
pub mod page;
mod placement;
pub mod privacy;
mod public;
pub mod referees;
mod review;
pub mod security;
pub mod server_key;
pub mod session;
mod staff;
pub(crate) mod timetables;

use access::{Access, RouteDef};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
pub use config::Config;
use error::{AppError, ErrorPage};
use jetdesk_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The configuration the server started with.
    pub config: Arc<Config>,
    /// Queues e-mail.
    pub mailer: mail::Mailer,
    /// The site's address for links in e-mails, without a trailing slash.
    pub base_url: Arc<str>,
    /// Whether the site is served over https (its base URL says so): cookies then carry `Secure`
    /// and every response `Strict-Transport-Security`.
    pub secure_cookies: bool,
    /// Seals and opens the TOTP secrets stored in the database; never stored there itself.
    pub server_key: Arc<server_key::ServerKey>,
}

/// The HSTS policy sent on every response when the site is served over https (ASVS 14.4.5): a
/// year, subdomains included. Never over plain http, where browsers ignore it anyway and local
/// development must keep working.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Every route with the access it declares, for the route-by-role test matrix.
pub fn route_table() -> Vec<(Method, &'static str, Access)> {
    all_routes()
        .into_iter()
        .map(|r| (r.method, r.path, r.access))
        .collect()
}

fn all_routes() -> Vec<RouteDef> {
    let mut routes = Vec::new();
    routes.extend(public::routes());
    routes.extend(accounts::routes());
    routes.extend(admin::routes());
    routes.extend(timetables::routes());
    routes.extend(applications::routes());
    routes.extend(staff::routes());
    routes.extend(dashboard::routes());
    routes.extend(documents::routes());
    routes.extend(referees::routes());
    routes.extend(placement::routes());
    routes.extend(privacy::routes());
    routes.extend(interviews::routes());
    routes.extend(review::routes());
    routes.extend(outcomes::routes());
    routes.extend(api::routes());
    routes
}

/// The router with every layer, for `state`.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for def in all_routes() {
        let (path, handler) = def.into_checked();
        router = router.route(path, handler);
    }
    let csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
               form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
    let hsts = state.secure_cookies.then(|| HeaderValue::from_static(HSTS));
    router
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn(csrf::csrf_layer))
        .layer(middleware::from_fn(error_pages))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::session_layer,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            AppError::Internal(anyhow::anyhow!("a handler panicked")).into_response()
        }))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(axum::extract::DefaultBodyLimit::max(256 * 1024))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            hsts,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Renders an error response as a page in the site's style and the user's language. Responses
/// that are already HTML, and those of `/healthz` and `/static`, pass through.
async fn error_pages(request: Request, next: Next) -> Response {
    let ctx = request.extensions().get::<session::Ctx>().cloned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let Some(ctx) = ctx else { return response };
    if ctx.path().starts_with(api::PREFIX) {
        return api::as_problem(response);
    }
    if is_html || ctx.path().starts_with("/healthz") || ctx.path().starts_with("/static/") {
        return response;
    }
    let info = response
        .extensions()
        .get::<ErrorPage>()
        .cloned()
        .unwrap_or(ErrorPage {
            detail: None,
            reference: None,
        });
    let lang = ctx.lang();
    let (title_key, body_key) = match status {
        StatusCode::NOT_FOUND => ("error-404-title", "error-404-body"),
        StatusCode::FORBIDDEN if info.detail.as_deref() == Some(error::CSRF_DETAIL) => {
            ("error-csrf-title", "error-csrf-body")
        }
        StatusCode::FORBIDDEN => ("error-403-title", "error-403-body"),
        StatusCode::METHOD_NOT_ALLOWED => ("error-405-title", "error-405-body"),
        StatusCode::PAYLOAD_TOO_LARGE => ("error-413-title", "error-413-body"),
        StatusCode::TOO_MANY_REQUESTS => ("error-429-title", "error-429-body"),
        s if s.is_server_error() => ("error-500-title", "error-500-body"),
        _ => ("error-400-title", "error-400-body"),
    };
    let detail = info.detail.filter(|d| d != error::CSRF_DETAIL);
    let page = public::ErrorTemplate {
        page: page::Page::new(&ctx, lang.t(title_key)),
        body: lang.t(body_key),
        detail,
        reference: info.reference,
    };
    match askama::Template::render(&page) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => response,
    }
}

/// A built, bound, not yet serving jetdesk.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// Demo accounts created at start (empty unless `--demo` loaded them).
    pub demo_accounts: Vec<demo::DemoAccount>,
}

impl Application {
    /// Connects to the database, applies migrations, loads the server key and checks it against
    /// the stored TOTP secrets (sealing any from before encryption), loads the demo if asked and
    /// the database is empty, and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| anyhow::anyhow!("creating the data dir {}: {e}", config.data_dir.display()))?;
        let store = Store::connect(&config.database_url()).await?;
        store.migrate().await?;
        let stored_secrets = store.all_mfa_secrets().await?;
        let server_key = server_key::ServerKey::load(
            config.secret_key.as_deref(),
            &config.data_dir,
            stored_secrets.iter().any(|(_, s)| server_key::is_sealed(s)),
        )?;
        server_key::seal_stored_secrets(&store, &server_key, stored_secrets).await?;
        let demo_accounts = if config.demo && store.is_empty().await? {
            demo::load(&store, &config.demo_password).await?
        } else {
            Vec::new()
        };
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|e| anyhow::anyhow!("listening on {}: {e}", config.addr))?;
        let local = listener.local_addr()?;
        let base_url: Arc<str> = match &config.base_url {
            Some(url) => url.trim_end_matches('/').into(),
            None => format!("http://{local}").into(),
        };
        let transport = mail::transport(config.smtp_url.as_deref(), config.outbox_dir())?;
        let mailer = mail::Mailer::new(store.clone(), &config.mail_from, transport)?;
        let secure_cookies = base_url.starts_with("https://");
        let state = AppState {
            store,
            config: Arc::new(config),
            mailer,
            base_url,
            secure_cookies,
            server_key: Arc::new(server_key),
        };
        Ok(Application {
            listener,
            state,
            demo_accounts,
        })
    }

    /// The port the listener is bound to.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The address to open in a browser.
    pub fn url(&self) -> &str {
        &self.state.base_url
    }

    /// The application's state (tests use its store).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, delivering mail in the background.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let worker = tokio::spawn(self.state.mailer.clone().run_worker());
        let reminders = tokio::spawn(referees::reminder_loop(self.state.clone()));
        let interview_reminders = tokio::spawn(interviews::booking::reminder_loop(self.state.clone()));
        let results = tokio::spawn(outcomes::publication_loop(self.state.clone()));
        let retention = tokio::spawn(privacy::retention_loop(self.state.clone()));
        let app = router(self.state.clone());
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        worker.abort();
        reminders.abort();
        interview_reminders.abort();
        results.abort();
        retention.abort();
        self.state.store.close().await;
        Ok(())
    }
}
