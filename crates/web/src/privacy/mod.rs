//! Data protection (UK GDPR): the applicant downloads everything jetdesk holds about them
//! (`/my/data`, a ZIP of JSON and their documents) and asks for erasure (with a reason and a
//! confirmation step); a coordinator approves or refuses each request (`/staff/erasure`), warned when
//! the person is in an active stage; a retention period per round (`/staff/rounds/{id}/retention`)
//! erases unsuccessful, withdrawn and ineligible applications' personal data, applied hourly by
//! [`retention_loop`] and dry-runnable with `jetdesk retention --dry-run`. Backups: [`backup`].
//!
//! What is kept and what goes is in `docs/privacy.md`; every step is audited with ids only.

pub mod backup;
pub mod erase;
mod export;

use crate::access::{Access, RouteDef};
use crate::dashboard::exports::{send, Export, ExportLinks, Format, Table};
use crate::error::{AppError, AppResult};
use crate::forms::{Form, FormErrors};
use crate::page::{format_time, Page};
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jetdesk_domain::Role;
use jetdesk_store::{ErasureRequest, RetentionCandidate, Round};
use serde::Deserialize;
use std::time::Duration;

const APPLICANT: Access = Access::Roles(&[Role::Applicant]);
const COORDINATOR: Access = Access::Roles(&[Role::Coordinator]);

/// The longest retention period a coordinator may set, in months (ten years).
const MAX_MONTHS: i64 = 120;

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/my/data", APPLICANT, get(my_data)),
        RouteDef::get("/my/data.zip", APPLICANT, get(my_data_zip)),
        RouteDef::post("/my/erasure", APPLICANT, post(request_erasure)),
        RouteDef::get("/staff/erasure", COORDINATOR, get(erasure_list)),
        RouteDef::get("/staff/erasure.csv", COORDINATOR, get(erasure_export)),
        RouteDef::get("/staff/erasure.xlsx", COORDINATOR, get(erasure_export)),
        RouteDef::get("/staff/erasure/{id}", COORDINATOR, get(erasure_detail)),
        RouteDef::post("/staff/erasure/{id}", COORDINATOR, post(erasure_decide)),
        RouteDef::get("/staff/rounds/{id}/retention", COORDINATOR, get(retention_page)),
        RouteDef::post("/staff/rounds/{id}/retention", COORDINATOR, post(retention_save)),
    ]
}

// ----- the applicant -----

#[derive(Template)]
#[template(path = "privacy/my_data.html")]
struct MyData {
    page: Page,
    csrf: String,
    errors: FormErrors,
    reason: String,
    /// The latest request's status (in words) and when it was made.
    request: Option<(String, String)>,
    /// Whether a request is waiting for a decision (no new one can be made).
    pending: bool,
}

/// A request's status in words.
fn status_text(ctx: &Ctx, status: &str) -> String {
    ctx.lang().t(&format!("privacy-status-{status}"))
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn render_my_data(
    ctx: &Ctx,
    errors: FormErrors,
    reason: String,
    notice: Option<&str>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let latest = ctx.app_state().store.latest_erasure_request(user.id).await?;
    let pending = latest.as_ref().is_some_and(|r| r.status == "pending");
    let request = latest.map(|r| (status_text(ctx, &r.status), format_time(r.requested_at)));
    let page = MyData {
        page: Page::new(ctx, ctx.lang().t("privacy-title")).with_notice(notice),
        csrf: ctx.csrf().await?,
        errors,
        reason,
        request,
        pending,
    };
    Ok(Html(page.render()?).into_response())
}

async fn my_data(ctx: Ctx, Query(q): Query<NoticeQuery>) -> AppResult<Response> {
    let notice = match q.notice.as_deref() {
        Some("requested") => Some("privacy-notice-requested"),
        _ => None,
    };
    render_my_data(&ctx, FormErrors::default(), String::new(), notice).await
}

async fn my_data_zip(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let bytes = export::subject_access_zip(&state, user.id).await?;
    state
        .store
        .audit(
            Some(user.id),
            "privacy.export",
            &format!("user:{}", user.id),
            None,
            None,
        )
        .await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"jetdesk-my-data.zip\""),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

#[derive(Deserialize)]
struct ErasureForm {
    #[serde(default)]
    reason: String,
    confirm: Option<String>,
}

#[derive(Template)]
#[template(path = "privacy/confirm.html")]
struct Confirm {
    page: Page,
    csrf: String,
    reason: String,
}

/// The first post shows the confirmation page; the second (with `confirm`) records the request.
async fn request_erasure(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<ErasureForm>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let reason = form.reason.trim().to_string();
    let mut errors = FormErrors::default();
    if reason.is_empty() {
        errors.add("reason", ctx.lang().t("privacy-error-reason"));
    } else if reason.chars().count() > 2000 {
        errors.add("reason", ctx.lang().t("privacy-error-reason-long"));
    }
    if !errors.is_empty() {
        return render_my_data(&ctx, errors, form.reason, None).await;
    }
    if form.confirm.as_deref() != Some("yes") {
        let page = Confirm {
            page: Page::new(&ctx, ctx.lang().t("privacy-confirm-title")),
            csrf: ctx.csrf().await?,
            reason,
        };
        return Ok(Html(page.render()?).into_response());
    }
    if let Some(id) = state.store.request_erasure(user.id, &reason).await? {
        state
            .store
            .audit(
                Some(user.id),
                "privacy.erasure.requested",
                &format!("user:{}", user.id),
                None,
                Some(&format!("erasure:{id}")),
            )
            .await?;
    }
    Ok(Redirect::to("/my/data?notice=requested").into_response())
}

// ----- the coordinator: erasure requests -----

#[derive(Template)]
#[template(path = "privacy/erasure_list.html")]
struct ErasureList {
    page: Page,
    rows: Vec<(ErasureRequest, String, String)>,
    exports: ExportLinks,
}

/// The latest erasure requests with their times and statuses in words. Shared by the list and
/// its export.
async fn erasure_rows(state: &AppState, ctx: &Ctx) -> AppResult<Vec<(ErasureRequest, String, String)>> {
    Ok(state
        .store
        .erasure_requests(200)
        .await?
        .into_iter()
        .map(|r| {
            let at = format_time(r.requested_at);
            let status = status_text(ctx, &r.status);
            (r, at, status)
        })
        .collect())
}

async fn erasure_list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let page = ErasureList {
        page: Page::new(&ctx, ctx.lang().t("privacy-staff-title")),
        rows: erasure_rows(&state, &ctx).await?,
        exports: ExportLinks::new("/staff/erasure", &[]),
    };
    Ok(Html(page.render()?).into_response())
}

/// The erasure requests the list shows, as a file.
async fn erasure_export(State(state): State<AppState>, ctx: Ctx, format: Format) -> AppResult<Response> {
    let lang = ctx.lang();
    let mut table = Table::new(
        lang,
        &[
            "privacy-col-person",
            "dashboard-export-email",
            "privacy-col-requested",
            "privacy-col-status",
        ],
    );
    for (r, at, status) in erasure_rows(&state, &ctx).await? {
        table.push(vec![r.display_name, r.email, at, status]);
    }
    let export = Export {
        list: "erasure",
        subject: "erasure".into(),
        filters: String::new(),
        file: "erasure-requests".into(),
        sheet: lang.t("privacy-staff-title"),
    };
    send(&state, &ctx, format, export, table).await
}

#[derive(Template)]
#[template(path = "privacy/erasure_detail.html")]
struct ErasureDetail {
    page: Page,
    csrf: String,
    errors: FormErrors,
    request: ErasureRequest,
    requested: String,
    status: String,
    active: Vec<String>,
    decision: String,
    reason: String,
}

async fn render_detail(
    state: &AppState,
    ctx: &Ctx,
    request: ErasureRequest,
    errors: FormErrors,
    decision: String,
    reason: String,
) -> AppResult<Response> {
    let active = state.store.active_stages(request.user_id).await?;
    let page = ErasureDetail {
        page: Page::new(ctx, ctx.lang().t("privacy-staff-request")),
        csrf: ctx.csrf().await?,
        errors,
        requested: format_time(request.requested_at),
        status: status_text(ctx, &request.status),
        request,
        active,
        decision,
        reason,
    };
    Ok(Html(page.render()?).into_response())
}

async fn erasure_detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let request = state.store.erasure_request(id).await?.ok_or(AppError::NotFound)?;
    render_detail(
        &state,
        &ctx,
        request,
        FormErrors::default(),
        String::new(),
        String::new(),
    )
    .await
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn erasure_decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let actor = ctx.require_user()?.id;
    let request = state.store.erasure_request(id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FormErrors::default();
    let approve = match form.decision.as_str() {
        "approve" => Some(true),
        "refuse" => Some(false),
        _ => None,
    };
    if approve.is_none() {
        errors.add("decision-approve", ctx.lang().t("privacy-error-decision"));
    }
    let reason = form.reason.trim().to_string();
    if reason.is_empty() {
        errors.add("reason", ctx.lang().t("privacy-error-decision-reason"));
    }
    if request.status != "pending" {
        errors.add("decision-approve", ctx.lang().t("privacy-error-decided"));
    }
    let (Some(approve), true) = (approve, errors.is_empty()) else {
        return render_detail(&state, &ctx, request, errors, form.decision, form.reason).await;
    };
    if !state.store.decide_erasure(id, actor, approve, &reason).await? {
        errors.add("decision-approve", ctx.lang().t("privacy-error-decided"));
        return render_detail(&state, &ctx, request, errors, form.decision, form.reason).await;
    }
    let action = if approve {
        "privacy.erasure.approved"
    } else {
        "privacy.erasure.refused"
    };
    let subject = format!("user:{}", request.user_id);
    state
        .store
        .audit(
            Some(actor),
            action,
            &subject,
            Some(&format!("erasure:{id}")),
            Some(&reason),
        )
        .await?;
    if approve {
        erase::erase_person(&state.store, &state.config.data_dir, request.user_id, Some(actor))
            .await
            .map_err(AppError::Internal)?;
    }
    Ok(Redirect::to("/staff/erasure").into_response())
}

// ----- the coordinator: retention -----

#[derive(Template)]
#[template(path = "privacy/retention.html")]
struct RetentionPage {
    page: Page,
    csrf: String,
    errors: FormErrors,
    round: Round,
    closes: String,
    months: String,
    cutoff: Option<String>,
    due: Vec<RetentionCandidate>,
}

async fn render_retention(
    state: &AppState,
    ctx: &Ctx,
    round: Round,
    errors: FormErrors,
    months_input: Option<String>,
) -> AppResult<Response> {
    let saved = state
        .store
        .round_retentions()
        .await?
        .into_iter()
        .find(|r| r.round_id == round.id)
        .and_then(|r| r.months);
    let cutoff = saved.and_then(|m| erase::retention_cutoff(round.closes_at, m));
    let due = erase::retention_due(&state.store, jetdesk_store::now())
        .await
        .map_err(AppError::Internal)?
        .into_iter()
        .map(|(c, _)| c)
        .filter(|c| c.round_id == round.id)
        .collect();
    let page = RetentionPage {
        page: Page::new(ctx, ctx.lang().t("privacy-retention-title")),
        csrf: ctx.csrf().await?,
        errors,
        closes: format_time(round.closes_at),
        months: months_input.unwrap_or_else(|| saved.map(|m| m.to_string()).unwrap_or_default()),
        cutoff: cutoff.map(format_time),
        due,
        round,
    };
    Ok(Html(page.render()?).into_response())
}

async fn retention_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let round = state.store.round(id).await?.ok_or(AppError::NotFound)?;
    render_retention(&state, &ctx, round, FormErrors::default(), None).await
}

#[derive(Deserialize)]
struct RetentionForm {
    #[serde(default)]
    months: String,
}

async fn retention_save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<RetentionForm>,
) -> AppResult<Response> {
    let actor = ctx.require_user()?.id;
    let round = state.store.round(id).await?.ok_or(AppError::NotFound)?;
    let text = form.months.trim();
    let months = if text.is_empty() {
        None
    } else {
        match text.parse::<i64>() {
            Ok(m) if (1..=MAX_MONTHS).contains(&m) => Some(m),
            _ => {
                let mut errors = FormErrors::default();
                errors.add("months", ctx.lang().t("privacy-error-months"));
                return render_retention(&state, &ctx, round, errors, Some(form.months)).await;
            }
        }
    };
    let before = state
        .store
        .round_retentions()
        .await?
        .into_iter()
        .find(|r| r.round_id == id)
        .and_then(|r| r.months)
        .map(|m| m.to_string());
    state.store.set_round_retention(id, months, actor).await?;
    state
        .store
        .audit(
            Some(actor),
            "privacy.retention.set",
            &format!("round:{id}"),
            before.as_deref(),
            months.map(|m| m.to_string()).as_deref(),
        )
        .await?;
    Ok(Redirect::to(&format!("/staff/rounds/{id}/retention")).into_response())
}

/// Applies the rounds' retention periods once an hour, for as long as the server runs.
pub(crate) async fn retention_loop(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every.tick().await;
        match erase::apply_retention(&state.store, &state.config.data_dir, jetdesk_store::now(), false).await
        {
            Ok(done) if !done.is_empty() => tracing::info!(erased = done.len(), "retention applied"),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "retention failed; trying again in an hour"),
        }
    }
}
