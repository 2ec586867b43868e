//! Administration: list and search users, edit a user's roles. Only admins; every role change is
//! in the audit log with its before and after.

use crate::access::{Access, RouteDef};
use crate::dashboard::exports::{every_page, send, Export, ExportLinks, Format, Table};
use crate::error::{AppError, AppResult};
use crate::forms::{url_encode, FormErrors};
use crate::i18n::Lang;
use crate::page::Page;
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jetdesk_domain::Role;
use jetdesk_store::{AuditEntry, UserListing};
use serde::Deserialize;
use std::collections::BTreeSet;

const ADMIN: Access = Access::Roles(&[Role::Admin]);
const PAGE_SIZE: i64 = 25;

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/admin/users", ADMIN, get(users)),
        RouteDef::get("/admin/users.csv", ADMIN, get(users_export)),
        RouteDef::get("/admin/users.xlsx", ADMIN, get(users_export)),
        RouteDef::get("/admin/users/{id}", ADMIN, get(user)),
        RouteDef::post("/admin/users/{id}/roles", ADMIN, post(set_roles)),
    ]
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersTemplate {
    page: Page,
    q: String,
    users: Vec<UserListing>,
    total: i64,
    page_no: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    exports: ExportLinks,
}

impl UsersTemplate {
    fn role_names(&self, listing: &UserListing) -> String {
        role_names(self.page.lang, listing)
    }
}

/// A user's roles, named in `lang`.
fn role_names(lang: Lang, listing: &UserListing) -> String {
    listing
        .roles
        .iter()
        .map(|r| lang.t(&format!("role-{r}")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Deserialize)]
struct UsersQuery {
    #[serde(default)]
    q: String,
    page: Option<i64>,
}

impl UsersQuery {
    /// The search as the list and its export read it.
    fn search(&self) -> String {
        self.q.chars().take(100).collect()
    }
}

async fn users(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<UsersQuery>,
) -> AppResult<Html<String>> {
    let q = query.search();
    let page_no = query.page.unwrap_or(1).max(1);
    let (users, total) = state
        .store
        .list_users(&q, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
        .await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let link = |n: i64| format!("/admin/users?q={}&page={n}", url_encode(&q));
    let t = UsersTemplate {
        page: Page::new(&ctx, ctx.lang().t("admin-users-title")),
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no < pages).then(|| link(page_no + 1)),
        exports: ExportLinks::new("/admin/users", &[("q", &q)]),
        q,
        users,
        total,
        page_no,
        pages,
    };
    Ok(Html(t.render()?))
}

/// The user search in full (every page), as a file.
async fn users_export(
    State(state): State<AppState>,
    ctx: Ctx,
    format: Format,
    Query(query): Query<UsersQuery>,
) -> AppResult<Response> {
    let q = query.search();
    let users = every_page(|limit, offset| {
        let (store, q) = (&state.store, &q);
        async move { Ok(store.list_users(q, limit, offset).await?) }
    })
    .await?;
    let lang = ctx.lang();
    let mut table = Table::new(lang, &["field-display-name", "field-email", "account-roles"]);
    for listing in &users {
        table.push(vec![
            listing.user.display_name.clone(),
            listing.user.email.clone(),
            role_names(lang, listing),
        ]);
    }
    let export = Export {
        list: "users",
        subject: "users".into(),
        filters: format!("q={q}"),
        file: "users".into(),
        sheet: lang.t("admin-users-title"),
    };
    send(&state, &ctx, format, export, table).await
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    id: i64,
    email: String,
    display_name: String,
    verified: bool,
    mfa_enabled: bool,
    roles: Vec<(String, String, bool)>,
    history: Vec<AuditEntry>,
}

async fn render_user(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    held: &BTreeSet<Role>,
    errors: FormErrors,
    notice: Option<&str>,
) -> AppResult<String> {
    let user = state.store.user(id).await?.ok_or(AppError::NotFound)?;
    let lang = ctx.lang();
    let roles = Role::ALL
        .iter()
        .map(|r| {
            (
                r.as_str().to_string(),
                lang.t(&format!("role-{r}")),
                held.contains(r),
            )
        })
        .collect();
    let history = state.store.audit_for(&format!("user:{id}"), 20).await?;
    let t = UserTemplate {
        page: Page::new(ctx, user.display_name.clone()).with_notice(notice),
        csrf: ctx.csrf().await?,
        errors,
        id,
        email: user.email,
        display_name: user.display_name,
        verified: user.email_verified_at.is_some(),
        mfa_enabled: state.store.mfa_enabled(id).await?,
        roles,
        history,
    };
    Ok(t.render()?)
}

#[derive(Deserialize)]
struct UserQuery {
    notice: Option<String>,
}

async fn user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<UserQuery>,
) -> AppResult<Html<String>> {
    let held = state.store.roles(id).await?;
    let notice = match q.notice.as_deref() {
        Some("roles-saved") => Some("notice-roles-saved"),
        Some("mfa-reset") => Some("notice-mfa-reset"),
        Some("mfa-none") => Some("notice-mfa-none"),
        _ => None,
    };
    Ok(Html(
        render_user(&state, &ctx, id, &held, FormErrors::default(), notice).await?,
    ))
}

/// The roles form sends one `role` field per ticked box, which `serde_urlencoded` cannot gather
/// into a list, so the raw form is read here.
async fn set_roles(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let admin = ctx.require_user()?.clone();
    state.store.user(id).await?.ok_or(AppError::NotFound)?;
    let lang = ctx.lang();
    let mut roles = BTreeSet::new();
    for (key, value) in form_urlencoded::parse(&body) {
        if key == "role" {
            let role: Role = value
                .parse()
                .map_err(|_| AppError::BadRequest(lang.t("err-unknown-role")))?;
            roles.insert(role);
        }
    }
    if id == admin.id && !roles.contains(&Role::Admin) {
        let mut errors = FormErrors::default();
        errors.add("role-admin", lang.t("err-cannot-drop-own-admin"));
        let html = render_user(&state, &ctx, id, &roles, errors, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    state.store.set_roles(Some(admin.id), id, &roles).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?notice=roles-saved")).into_response())
}
