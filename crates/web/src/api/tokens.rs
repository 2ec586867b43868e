//! The account's personal API tokens: made with scopes and an expiry date, shown once, stored only
//! as their SHA-256, listed with their last use, revocable. Staff roles only (a host's token sees
//! only its own organisations; see `super::SCOPES`).

use super::SCOPES;
use crate::access::Access;
use crate::error::{AppError, AppResult};
use crate::forms::{Form, FormErrors};
use crate::page::{format_time, Page};
use crate::security::{new_token, token_hash};
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jetdesk_domain::Role;
use std::collections::HashMap;

/// Who may hold API tokens.
pub(crate) const ACCESS: Access = Access::Roles(&[Role::Coordinator, Role::Admin, Role::Host]);
/// The longest a token may live.
pub const MAX_DAYS: i64 = 366;

/// One row of the token list.
struct TokenRow {
    id: i64,
    name: String,
    scopes: String,
    created: String,
    expires: String,
    last_used: String,
    live: bool,
}

#[derive(Template)]
#[template(path = "api/tokens.html")]
struct TokensTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    tokens: Vec<TokenRow>,
    /// Each offered scope and whether its box is ticked.
    scopes: Vec<(&'static str, bool)>,
    name: String,
    days: String,
    new_token: Option<String>,
}

/// The scopes `roles` may use (those offered on the form).
fn offered(user: &crate::session::SignedIn) -> Vec<&'static str> {
    SCOPES
        .iter()
        .filter(|(_, roles)| roles.iter().any(|r| user.has(*r)))
        .map(|(s, _)| *s)
        .collect()
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    form: (Vec<String>, String, String),
    new_token: Option<String>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let lang = ctx.lang();
    let now = jetdesk_store::now();
    let tokens = state
        .store
        .api_tokens_of(user.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            live: t.is_live(now),
            name: t.name,
            scopes: t.scopes,
            created: format_time(t.created_at),
            expires: format_time(t.expires_at),
            last_used: t
                .last_used_at
                .map(format_time)
                .unwrap_or_else(|| lang.t("api-never")),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (checked, name, days) = form;
    let page = TokensTemplate {
        page: Page::new(ctx, lang.t("api-tokens-title")),
        csrf: ctx.csrf().await?,
        errors,
        tokens,
        scopes: offered(user)
            .into_iter()
            .map(|s| (s, checked.iter().any(|c| c == s)))
            .collect(),
        name,
        days,
        new_token,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// Makes a token for `user_id` with `scopes`, living `days` days, audits it, and returns the
/// token: the only time it exists in clear (the database keeps its SHA-256). Callers check that
/// the scopes are known and the days in range.
pub async fn issue(
    store: &jetdesk_store::Store,
    user_id: i64,
    name: &str,
    scopes: &[String],
    days: i64,
) -> jetdesk_store::Result<String> {
    let token = format!("jdt_{}", new_token());
    let scopes = scopes.join(" ");
    let expires_at = jetdesk_store::now() + days * 86_400;
    let id = store
        .create_api_token(user_id, name, &token_hash(&token), &scopes, expires_at)
        .await?;
    store
        .audit(
            Some(user_id),
            "api_token_created",
            &format!("api_token:{id}"),
            None,
            Some(&scopes),
        )
        .await?;
    Ok(token)
}

/// GET /account/tokens
pub(crate) async fn page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render(
        &state,
        &ctx,
        FormErrors::default(),
        (Vec::new(), String::new(), "90".into()),
        None,
    )
    .await
}

/// POST /account/tokens: makes a token and shows it, once.
pub(crate) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let mut errors = FormErrors::default();
    let name = input
        .get("name")
        .map(|n| n.trim().to_string())
        .unwrap_or_default();
    let days_text = input
        .get("days")
        .map(|d| d.trim().to_string())
        .unwrap_or_default();
    let offered = offered(&user);
    let checked: Vec<String> = offered
        .iter()
        .filter(|s| input.contains_key(**s))
        .map(|s| s.to_string())
        .collect();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        errors.add("name", lang.t("api-err-name"));
    }
    let days = days_text
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=MAX_DAYS).contains(d));
    if days.is_none() {
        errors.add("days", lang.t("api-err-days"));
    }
    if checked.is_empty() {
        errors.add("scopes", lang.t("api-err-scopes"));
    }
    let (Some(days), true) = (days, errors.is_empty()) else {
        return render(&state, &ctx, errors, (checked, name, days_text), None).await;
    };
    let token = issue(&state.store, user.id, &name, &checked, days).await?;
    render(
        &state,
        &ctx,
        FormErrors::default(),
        (Vec::new(), String::new(), "90".into()),
        Some(token),
    )
    .await
}

/// POST /account/tokens/{id}/revoke
pub(crate) async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    let user = ctx.require_user()?;
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    if !state.store.revoke_api_token(user.id, id).await? {
        return Err(AppError::NotFound);
    }
    state
        .store
        .audit(
            Some(user.id),
            "api_token_revoked",
            &format!("api_token:{id}"),
            None,
            None,
        )
        .await?;
    Ok(Redirect::to("/account/tokens"))
}
