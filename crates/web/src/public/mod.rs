//! The public site: the programme's pages (Markdown under `content/`, rendered into the layout),
//! the language switcher, static files, and `/healthz`. Nothing here needs an account.

mod check;

use crate::access::{Access, RouteDef};
use crate::error::{AppError, AppResult};
use crate::forms::safe_next;
use crate::i18n::Lang;
use crate::page::Page;
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/", Access::Public, get(home)),
        RouteDef::get("/about", Access::Public, get(|ctx: Ctx| content(ctx, "about"))),
        RouteDef::get(
            "/positions",
            Access::Public,
            get(|ctx: Ctx| content(ctx, "positions")),
        ),
        RouteDef::get(
            "/positions/alt",
            Access::Public,
            get(|ctx: Ctx| content(ctx, "alt")),
        ),
        RouteDef::get(
            "/positions/cir",
            Access::Public,
            get(|ctx: Ctx| content(ctx, "cir")),
        ),
        RouteDef::get(
            "/positions/sea",
            Access::Public,
            get(|ctx: Ctx| content(ctx, "sea")),
        ),
        RouteDef::get(
            "/eligibility",
            Access::Public,
            get(|ctx: Ctx| content(ctx, "eligibility")),
        ),
        RouteDef::get(
            "/pay-and-conditions",
            Access::Public,
            get(|ctx: Ctx| content(ctx, "pay-and-conditions")),
        ),
        RouteDef::get(
            "/japanese-evaluation",
            Access::Public,
            get(|ctx: Ctx| content(ctx, "japanese-evaluation")),
        ),
        RouteDef::get("/eligibility/check", Access::Public, get(check::check)),
        RouteDef::get("/language", Access::Public, get(language)),
        RouteDef::get("/healthz", Access::Public, get(healthz)),
        RouteDef::get("/static/{file}", Access::Public, get(static_file)),
    ]
}

/// A content page: its title (the Markdown's first heading) and HTML.
struct Content {
    title: String,
    html: String,
}

/// The Markdown sources, compiled into the binary so it runs from any folder.
const SOURCES: &[(&str, &str)] = &[
    ("home", include_str!("../../../../content/home.md")),
    ("about", include_str!("../../../../content/about.md")),
    ("positions", include_str!("../../../../content/positions.md")),
    ("alt", include_str!("../../../../content/positions-alt.md")),
    ("cir", include_str!("../../../../content/positions-cir.md")),
    ("sea", include_str!("../../../../content/positions-sea.md")),
    ("eligibility", include_str!("../../../../content/eligibility.md")),
    (
        "pay-and-conditions",
        include_str!("../../../../content/pay-and-conditions.md"),
    ),
    (
        "japanese-evaluation",
        include_str!("../../../../content/japanese-evaluation.md"),
    ),
];

static CONTENT: LazyLock<HashMap<&'static str, Content>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(name, md)| (*name, render_markdown(md)))
        .collect()
});

/// Renders trusted Markdown from the repository; the first `# ` heading becomes the title.
fn render_markdown(md: &str) -> Content {
    use pulldown_cmark::{html, Options, Parser};
    let title = md
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or("JET Programme")
        .trim()
        .to_string();
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(md, Options::ENABLE_TABLES));
    Content { title, html: out }
}

#[derive(Template)]
#[template(path = "content.html")]
struct ContentTemplate {
    page: Page,
    html: &'static str,
    english_only: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate {
    page: Page,
    html: &'static str,
    english_only: bool,
}

/// A page with a heading, a few paragraphs and an optional link: "check your e-mail" and friends.
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessageTemplate {
    pub page: Page,
    pub paragraphs: Vec<String>,
    pub link: Option<(String, String)>,
}

/// The error page, rendered by the `error_pages` middleware.
#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorTemplate {
    pub page: Page,
    pub body: String,
    pub detail: Option<String>,
    pub reference: Option<String>,
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

/// Notices that may be shown from a `?notice=` parameter; anything else is ignored.
const NOTICES: &[&str] = &[
    "signed-out",
    "password-changed",
    "password-reset",
    "verified",
    "account-created",
];

fn notice_key(q: &NoticeQuery) -> Option<String> {
    q.notice
        .as_deref()
        .filter(|n| NOTICES.contains(n))
        .map(|n| format!("notice-{n}"))
}

async fn home(ctx: Ctx, Query(q): Query<NoticeQuery>) -> AppResult<Html<String>> {
    let c = CONTENT.get("home").ok_or(AppError::NotFound)?;
    let page = Page::new(&ctx, ctx.lang().t("home-title")).with_notice(notice_key(&q).as_deref());
    Ok(Html(
        HomeTemplate {
            english_only: page.lang == Lang::Ja,
            page,
            html: &c.html,
        }
        .render()?,
    ))
}

async fn content(ctx: Ctx, name: &'static str) -> AppResult<Html<String>> {
    let c = CONTENT.get(name).ok_or(AppError::NotFound)?;
    let page = Page::new(&ctx, c.title.clone());
    Ok(Html(
        ContentTemplate {
            english_only: page.lang == Lang::Ja,
            page,
            html: &c.html,
        }
        .render()?,
    ))
}

#[derive(Deserialize)]
struct LanguageQuery {
    lang: Option<String>,
    next: Option<String>,
}

/// Switches the interface language (a cookie, and the user's saved choice) and goes back.
async fn language(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LanguageQuery>,
) -> AppResult<Response> {
    let lang = q
        .lang
        .as_deref()
        .and_then(Lang::from_tag)
        .ok_or_else(|| AppError::BadRequest(ctx.lang().t("error-unknown-language")))?;
    ctx.set_lang_cookie(lang);
    if let Some(user) = ctx.user() {
        state.store.set_locale(user.id, lang.code()).await?;
    }
    let next = safe_next(q.next.as_deref()).unwrap_or_else(|| "/".into());
    Ok(Redirect::to(&next).into_response())
}

/// 200 when the database answers within two seconds, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n").into_response(),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "health check: database error");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database timed out\n").into_response(),
    }
}

/// Vendored and own front-end files, compiled in. No CDN: the site works offline.
const STATIC: &[(&str, &str, &[u8])] = &[
    (
        "site.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/site.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../static/favicon.svg"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/app.js"),
    ),
];

async fn static_file(Path(file): Path<String>) -> AppResult<Response> {
    let (_, mime, bytes) = STATIC
        .iter()
        .find(|(name, _, _)| *name == file)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, *mime),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *bytes,
    )
        .into_response())
}
