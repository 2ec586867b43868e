//! Japanese evaluation requests. An applicant unsure whether their Japanese is good enough for CIR
//! asks the JET Desk to evaluate it, proposing two or three times (Europe/London). A coordinator
//! confirms one as a call (or delegates the request to an interviewer, who then may); the
//! confirmation e-mails an .ics invitation. After the call the evaluator records the estimated level
//! and a note; the applicant sees both, with advice, and the level is recorded as their assessed
//! Japanese, which the CIR Japanese eligibility rule reads.

use super::booking::organizer;
use super::ics::{self, Invitation};
use super::{london_instant, when, LocalTimeProblem, ZONE};
use crate::access::{Access, RouteDef};
use crate::dashboard::exports::{send, Export, ExportLinks, Format, Table};
use crate::error::{AppError, AppResult};
use crate::forms::{Form, FormErrors};
use crate::i18n::Lang;
use crate::page::Page;
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jetdesk_domain::Role;
use jetdesk_store::{Interviewer, JapaneseEvaluation};
use serde::Deserialize;

const APPLICANT: Access = Access::Roles(&[Role::Applicant]);
const EVALUATORS: Access = Access::Roles(&[Role::Coordinator, Role::Interviewer]);
const COORDINATOR: Access = Access::Roles(&[Role::Coordinator]);
/// How long an evaluation call lasts unless the evaluator says otherwise.
const CALL_MINUTES: i64 = 20;
/// The levels an evaluator may record, hardest first.
const LEVELS: [&str; 6] = ["n1", "n2", "n3", "n4", "n5", "none"];

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/my/japanese-evaluation", APPLICANT, get(my_page)),
        RouteDef::post("/my/japanese-evaluation", APPLICANT, post(request)),
        RouteDef::get("/evaluations", EVALUATORS, get(list)),
        RouteDef::get("/evaluations.csv", EVALUATORS, get(list_export)),
        RouteDef::get("/evaluations.xlsx", EVALUATORS, get(list_export)),
        RouteDef::post("/evaluations/{id}/delegate", COORDINATOR, post(delegate)),
        RouteDef::post("/evaluations/{id}/confirm", EVALUATORS, post(confirm)),
        RouteDef::post("/evaluations/{id}/result", EVALUATORS, post(result)),
    ]
}

/// The advice shown with a result, by level (a Fluent key).
fn advice_key(level: &str) -> &'static str {
    match level {
        "n1" | "n2" => "ev-advice-ready",
        "n3" => "ev-advice-close",
        _ => "ev-advice-not-yet",
    }
}

/// A level's label: "N2", or "below N5".
fn level_label(page: &Page, level: &str) -> String {
    level_text(page.lang, level)
}

/// [`level_label`] in `lang`.
fn level_text(lang: Lang, level: &str) -> String {
    if level == "none" {
        lang.t("ev-level-none")
    } else {
        level.to_uppercase()
    }
}

/// "Reference: JET27-UK-000123" for e-mails to an applicant who has an application, else nothing.
async fn reference_line(state: &AppState, application_id: Option<i64>) -> AppResult<String> {
    let Some(id) = application_id else {
        return Ok(String::new());
    };
    Ok(state
        .store
        .application(id)
        .await?
        .and_then(|a| a.reference)
        .map(|r| format!("Reference: {r}\n"))
        .unwrap_or_default())
}

// ----- the applicant's page -----

struct RequestView {
    ev: JapaneseEvaluation,
    proposed: Vec<String>,
    call: String,
    level: String,
    advice: String,
}

#[derive(Template)]
#[template(path = "interviews/evaluation.html")]
struct MyTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    times: [String; 3],
    note: String,
    requests: Vec<RequestView>,
    open: bool,
}

async fn render_my(
    state: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    times: [String; 3],
    note: String,
    notice: Option<&str>,
) -> AppResult<String> {
    let user = ctx.require_user()?;
    let page = Page::new(ctx, ctx.lang().t("ev-my-title")).with_notice(notice);
    let requests: Vec<RequestView> = state
        .store
        .japanese_evaluations_of(user.id)
        .await?
        .into_iter()
        .map(|ev| RequestView {
            proposed: [Some(ev.proposed_1), ev.proposed_2, ev.proposed_3]
                .into_iter()
                .flatten()
                .map(when)
                .collect(),
            call: ev.call_at.map(when).unwrap_or_default(),
            level: ev
                .level
                .as_deref()
                .map(|l| level_label(&page, l))
                .unwrap_or_default(),
            advice: ev
                .level
                .as_deref()
                .map(|l| page.t(advice_key(l)))
                .unwrap_or_default(),
            ev,
        })
        .collect();
    let open = requests
        .iter()
        .any(|r| matches!(r.ev.status.as_str(), "requested" | "confirmed"));
    Ok(MyTemplate {
        page,
        csrf: ctx.csrf().await?,
        errors,
        times,
        note,
        requests,
        open,
    }
    .render()?)
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn my_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let notice = (q.notice.as_deref() == Some("requested")).then_some("ev-notice-requested");
    Ok(Html(
        render_my(
            &state,
            &ctx,
            FormErrors::default(),
            Default::default(),
            String::new(),
            notice,
        )
        .await?,
    ))
}

#[derive(Deserialize)]
struct RequestForm {
    time_1: String,
    time_2: String,
    time_3: String,
    note: String,
}

const TIME_FIELDS: [&str; 3] = ["time_1", "time_2", "time_3"];

async fn request(State(state): State<AppState>, ctx: Ctx, Form(f): Form<RequestForm>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let times = [
        f.time_1.trim().to_string(),
        f.time_2.trim().to_string(),
        f.time_3.trim().to_string(),
    ];
    let note = f.note.trim().to_string();
    let mut errors = FormErrors::default();
    let now = jetdesk_store::now();
    let mut proposed = Vec::new();
    for (raw, id) in times.iter().zip(TIME_FIELDS) {
        if raw.is_empty() {
            continue;
        }
        match raw.parse::<jiff::civil::DateTime>() {
            Ok(dt) => match london_instant(dt) {
                Ok(t) if t > now + 3600 => proposed.push(t),
                Ok(_) => errors.add(id, lang.t("ev-err-future")),
                Err(LocalTimeProblem::ClocksChange) => errors.add(id, lang.t("iv-err-clocks")),
                Err(LocalTimeProblem::Invalid) => errors.add(id, lang.t("ev-err-time")),
            },
            Err(_) => errors.add(id, lang.t("ev-err-time")),
        }
    }
    if errors.is_empty() && proposed.len() < 2 {
        errors.add("time_1", lang.t("ev-err-two"));
    }
    if note.chars().count() > 2000 {
        errors.add("note", lang.t("iv-err-note"));
    }
    if errors.is_empty() {
        let open = state
            .store
            .japanese_evaluations_of(user.id)
            .await?
            .iter()
            .any(|e| matches!(e.status.as_str(), "requested" | "confirmed"));
        if open {
            errors.add("time_1", lang.t("ev-err-open"));
        }
    }
    if !errors.is_empty() {
        let html = render_my(&state, &ctx, errors, times, note, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    let application_id = state.store.newest_application_id_of(user.id).await?;
    let uid = format!("evaluation-{}@jetdesk", crate::security::new_token());
    let id = state
        .store
        .create_japanese_evaluation(user.id, application_id, &proposed, &note, &uid)
        .await?;
    state
        .store
        .audit(
            Some(user.id),
            "evaluation.request",
            &format!("evaluation:{id}"),
            None,
            None,
        )
        .await?;
    let body = format!(
        "Dear {},\n\nWe have your request for a Japanese evaluation. You proposed:\n{}\n\nWe will confirm one of \
         these times ({ZONE} time) by e-mail, with a calendar invitation.\n\nYour requests: {}/my/japanese-evaluation\n\n\
         JET Desk, Embassy of Japan in the UK\n{}",
        user.display_name,
        proposed.iter().map(|t| format!("- {}", when(*t))).collect::<Vec<_>>().join("\n"),
        state.base_url,
        reference_line(&state, application_id).await?,
    );
    state
        .mailer
        .queue(&user.email, "Your Japanese evaluation request", &body)
        .await?;
    Ok(Redirect::to("/my/japanese-evaluation?notice=requested").into_response())
}

// ----- staff -----

struct StaffView {
    ev: JapaneseEvaluation,
    options: Vec<(usize, String)>,
    call: String,
    assigned: String,
    level: String,
}

#[derive(Template)]
#[template(path = "interviews/evaluations.html")]
struct ListTemplate {
    page: Page,
    csrf: String,
    coordinator: bool,
    interviewers: Vec<Interviewer>,
    requests: Vec<StaffView>,
    levels: [&'static str; 6],
    exports: ExportLinks,
}

impl ListTemplate {
    fn is_assigned(&self, r: &StaffView, id: &i64) -> bool {
        r.ev.assigned_to == Some(*id)
    }

    fn level_label(&self, level: &str) -> String {
        level_label(&self.page, level)
    }
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let user = ctx.require_user()?.clone();
    let coordinator = user.has(Role::Coordinator);
    let notice = match q.notice.as_deref() {
        Some("delegated") => Some("ev-notice-delegated"),
        Some("confirmed") => Some("ev-notice-confirmed"),
        Some("recorded") => Some("ev-notice-recorded"),
        _ => None,
    };
    let page = Page::new(&ctx, ctx.lang().t("ev-list-title")).with_notice(notice);
    let (interviewers, requests) = staff_requests(&state, ctx.lang(), coordinator, user.id).await?;
    Ok(Html(
        ListTemplate {
            page,
            csrf: ctx.csrf().await?,
            coordinator,
            interviewers,
            requests,
            levels: LEVELS,
            exports: ExportLinks::new("/evaluations", &[]),
        }
        .render()?,
    ))
}

/// The requests a user sees (a coordinator every one, an interviewer those delegated to them)
/// with their times, evaluator and level, and the interviewers. Shared by the list and its export.
async fn staff_requests(
    state: &AppState,
    lang: Lang,
    coordinator: bool,
    user_id: i64,
) -> AppResult<(Vec<Interviewer>, Vec<StaffView>)> {
    let interviewers = state.store.interviewers().await?;
    let rows = state
        .store
        .japanese_evaluations(if coordinator { 0 } else { user_id })
        .await?;
    let requests = rows
        .into_iter()
        .map(|ev| StaffView {
            options: [Some(ev.proposed_1), ev.proposed_2, ev.proposed_3]
                .into_iter()
                .flatten()
                .map(when)
                .enumerate()
                .map(|(i, w)| (i + 1, w))
                .collect(),
            call: ev.call_at.map(when).unwrap_or_default(),
            assigned: ev
                .assigned_to
                .and_then(|a| interviewers.iter().find(|i| i.id == a))
                .map(|i| i.display_name.clone())
                .unwrap_or_default(),
            level: ev
                .level
                .as_deref()
                .map(|l| level_text(lang, l))
                .unwrap_or_default(),
            ev,
        })
        .collect();
    Ok((interviewers, requests))
}

/// The requests the list shows, as a file.
async fn list_export(State(state): State<AppState>, ctx: Ctx, format: Format) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let coordinator = user.has(Role::Coordinator);
    let (_, requests) = staff_requests(&state, lang, coordinator, user.id).await?;
    let mut table = Table::new(
        lang,
        &[
            "iv-col-candidate",
            "dashboard-export-email",
            "ev-col-status",
            "ev-col-proposed",
            "ev-col-assigned",
            "ev-col-call",
            "ev-level",
            "ev-col-note",
        ],
    );
    for r in requests {
        table.push(vec![
            r.ev.display_name,
            r.ev.email,
            lang.t(&format!("ev-status-{}", r.ev.status)),
            r.options
                .into_iter()
                .map(|(_, w)| w)
                .collect::<Vec<_>>()
                .join("; "),
            r.assigned,
            r.call,
            r.level,
            r.ev.applicant_note,
        ]);
    }
    let export = Export {
        list: "evaluations",
        subject: format!("user:{}", user.id),
        filters: format!("all={coordinator}"),
        file: "japanese-evaluations".into(),
        sheet: lang.t("ev-list-title"),
    };
    send(&state, &ctx, format, export, table).await
}

/// The request, if the signed-in user may act on it: a coordinator, or the interviewer it was
/// delegated to (anyone else: 404, so ids do not leak).
async fn evaluation_for(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<JapaneseEvaluation> {
    let user = ctx.require_user()?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let ev = state
        .store
        .japanese_evaluation(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.has(Role::Coordinator) || ev.assigned_to == Some(user.id) {
        Ok(ev)
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Deserialize)]
struct DelegateForm {
    interviewer: String,
}

async fn delegate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DelegateForm>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let ev = evaluation_for(&state, &ctx, &id).await?;
    let to = match f.interviewer.trim() {
        "" => None,
        raw => {
            let id: i64 = raw
                .parse()
                .map_err(|_| AppError::BadRequest(ctx.lang().t("ev-err-interviewer")))?;
            if !state.store.interviewers().await?.iter().any(|i| i.id == id) {
                return Err(AppError::BadRequest(ctx.lang().t("ev-err-interviewer")));
            }
            Some(id)
        }
    };
    if !state.store.delegate_japanese_evaluation(ev.id, to).await? {
        return Err(AppError::BadRequest(ctx.lang().t("ev-err-done")));
    }
    state
        .store
        .audit(
            Some(user.id),
            "evaluation.delegate",
            &format!("evaluation:{}", ev.id),
            None,
            Some(&to.map(|t| format!("user:{t}")).unwrap_or_default()),
        )
        .await?;
    Ok(Redirect::to("/evaluations?notice=delegated").into_response())
}

#[derive(Deserialize)]
struct ConfirmForm {
    option: String,
    meeting_link: String,
}

async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let ev = evaluation_for(&state, &ctx, &id).await?;
    let call_at = match f.option.trim() {
        "1" => Some(ev.proposed_1),
        "2" => ev.proposed_2,
        "3" => ev.proposed_3,
        _ => None,
    }
    .ok_or_else(|| AppError::BadRequest(lang.t("ev-err-option")))?;
    if call_at <= jetdesk_store::now() {
        return Err(AppError::BadRequest(lang.t("ev-err-option-past")));
    }
    let link = f.meeting_link.trim();
    if !link.starts_with("https://") || link.len() > 500 {
        return Err(AppError::BadRequest(lang.t("iv-err-venue-link")));
    }
    if !state
        .store
        .confirm_japanese_evaluation(ev.id, call_at, CALL_MINUTES, link)
        .await?
    {
        return Err(AppError::BadRequest(lang.t("ev-err-done")));
    }
    let ev = state
        .store
        .japanese_evaluation(ev.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let organizer = organizer(&state);
    let attendees = vec![
        (ev.display_name.clone(), ev.email.clone()),
        (user.display_name.clone(), user.email.clone()),
    ];
    let description = format!("Japanese evaluation call with the JET Desk. Join: {link}");
    let inv = Invitation {
        uid: &ev.uid,
        sequence: ev.sequence,
        starts_at: call_at,
        minutes: CALL_MINUTES,
        summary: "JET Desk: Japanese evaluation call",
        description: &description,
        location: link,
        organizer: &organizer,
        attendees: &attendees,
        cancel: false,
    };
    let body = format!(
        "Dear {},\n\nYour Japanese evaluation call is confirmed for {} ({ZONE} time), about {CALL_MINUTES} minutes.\n\
         Join the call at: {link}\nThe call is held in Japanese. The attached invitation adds it to your calendar.\n\n\
         Your requests: {}/my/japanese-evaluation\n\nJET Desk, Embassy of Japan in the UK\n{}",
        ev.display_name,
        when(call_at),
        state.base_url,
        reference_line(&state, ev.application_id).await?,
    );
    state
        .mailer
        .queue_with_attachment(
            &ev.email,
            "Your Japanese evaluation call",
            &body,
            ics::attachment(&inv),
        )
        .await?;
    let staff_body = format!(
        "Japanese evaluation call with {} on {} ({ZONE} time): {link}\n\nRecord the result at {}/evaluations\n",
        ev.display_name,
        when(call_at),
        state.base_url
    );
    state
        .mailer
        .queue_with_attachment(
            &user.email,
            "Japanese evaluation call",
            &staff_body,
            ics::attachment(&inv),
        )
        .await?;
    state
        .store
        .audit(
            Some(user.id),
            "evaluation.confirm",
            &format!("evaluation:{}", ev.id),
            None,
            Some(&when(call_at)),
        )
        .await?;
    Ok(Redirect::to("/evaluations?notice=confirmed").into_response())
}

#[derive(Deserialize)]
struct ResultForm {
    level: String,
    note: String,
}

async fn result(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ResultForm>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let ev = evaluation_for(&state, &ctx, &id).await?;
    let level = f.level.trim().to_lowercase();
    if !LEVELS.contains(&level.as_str()) {
        return Err(AppError::BadRequest(lang.t("ev-err-level")));
    }
    let note = f.note.trim();
    if note.is_empty() || note.chars().count() > 4000 {
        return Err(AppError::BadRequest(lang.t("ev-err-result-note")));
    }
    if ev.status != "confirmed" {
        return Err(AppError::BadRequest(lang.t("ev-err-not-confirmed")));
    }
    if !state
        .store
        .finish_japanese_evaluation(ev.id, &level, note, user.id)
        .await?
    {
        return Err(AppError::BadRequest(lang.t("ev-err-not-confirmed")));
    }
    state
        .store
        .record_japanese_assessment(
            ev.user_id,
            ev.application_id,
            &level,
            "evaluation",
            note,
            Some(user.id),
        )
        .await?;
    if let Some(app) = ev.application_id {
        crate::applications::eligibility::recheck(&state, app, Some(user.id), "Japanese evaluation").await?;
    }
    state
        .store
        .audit(
            Some(user.id),
            "evaluation.result",
            &format!("evaluation:{}", ev.id),
            None,
            Some(&level),
        )
        .await?;
    let body = format!(
        "Dear {},\n\nThe result of your Japanese evaluation is ready. See it, with our advice, at\n{}/my/japanese-evaluation\n\n\
         JET Desk, Embassy of Japan in the UK\n{}",
        ev.display_name,
        state.base_url,
        reference_line(&state, ev.application_id).await?,
    );
    state
        .mailer
        .queue(&ev.email, "Your Japanese evaluation result", &body)
        .await?;
    Ok(Redirect::to("/evaluations?notice=recorded").into_response())
}
