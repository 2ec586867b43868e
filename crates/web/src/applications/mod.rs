//! The application, as the applicant lives in it: choose a position, fill in the sections (each
//! saved on its own, as often as they like), check the answers, submit before the deadline,
//! withdraw. Every handler works on the signed-in applicant's own application only: there is no
//! application id in these URLs to guess.

pub mod eligibility;
mod partners;
pub(crate) mod resume;
pub mod sections;

use crate::access::{Access, RouteDef};
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::page::{format_time, Page};
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jetdesk_domain::Role;
use jetdesk_store::{Application, Round, SaveOutcome, SectionRow};
use sections::{Answers, Kind, Section, SECTIONS};
use serde::Deserialize;
use std::collections::HashMap;

const APPLICANT: Access = Access::Roles(&[Role::Applicant]);
/// The country whose desk this instance serves.
pub const COUNTRY: &str = "UK";

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/apply", APPLICANT, get(overview)),
        RouteDef::post("/apply/start", APPLICANT, post(start)),
        RouteDef::get("/apply/section/{id}", APPLICANT, get(section_page)),
        RouteDef::post("/apply/section/{id}", APPLICANT, post(save_section)),
        RouteDef::get("/apply/check", APPLICANT, get(check_page)),
        RouteDef::post("/apply/submit", APPLICANT, post(submit)),
        RouteDef::post("/apply/withdraw", APPLICANT, post(withdraw)),
        RouteDef::post("/apply/partner/confirm", APPLICANT, post(partners::confirm)),
    ]
}

// ----- loading -----

pub(crate) struct Loaded {
    round: Round,
    app: Application,
    sections: HashMap<String, SectionRow>,
}

impl Loaded {
    fn answers(&self, id: &str) -> Answers {
        self.sections
            .get(id)
            .and_then(|s| serde_json::from_str(&s.data_json).ok())
            .unwrap_or_default()
    }

    fn all_complete(&self) -> bool {
        SECTIONS
            .iter()
            .all(|s| self.sections.get(s.id).is_some_and(|r| r.is_complete()))
    }
}

async fn current_round(state: &AppState) -> AppResult<Option<Round>> {
    Ok(state.store.current_round(COUNTRY).await?)
}

pub(crate) async fn load(state: &AppState, ctx: &Ctx) -> AppResult<Option<Loaded>> {
    let user = ctx.require_user()?;
    let Some(round) = current_round(state).await? else {
        return Ok(None);
    };
    let Some(app) = state.store.application_of(round.id, user.id).await? else {
        return Ok(None);
    };
    let sections = state
        .store
        .sections(app.id)
        .await?
        .into_iter()
        .map(|s| (s.section.clone(), s))
        .collect();
    Ok(Some(Loaded { round, app, sections }))
}

fn positions_of(round: &Round) -> Vec<&str> {
    round
        .positions
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

fn position_title(p: &str) -> &'static str {
    match p {
        "alt" => "Assistant Language Teacher (ALT)",
        "cir" => "Coordinator for International Relations (CIR)",
        "sea" => "Sports Exchange Advisor (SEA)",
        _ => "Unknown position",
    }
}

// ----- overview: no round, choose a position, or the task list -----

#[derive(Template)]
#[template(path = "applications/start.html")]
struct StartTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    round_name: String,
    closes: String,
    open: bool,
    choices: Vec<(String, String)>,
    sea_offered: bool,
    declined_previous_round: bool,
}

struct TaskRow {
    id: &'static str,
    title: &'static str,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "applications/tasklist.html")]
struct TaskListTemplate {
    page: Page,
    csrf: String,
    reference: String,
    position: String,
    round_name: String,
    closes: String,
    state: String,
    draft: bool,
    open: bool,
    tasks: Vec<TaskRow>,
    completed: usize,
    all_complete: bool,
    eligibility: Vec<eligibility::Shown>,
    documents_status: String,
    referees_status: String,
    declined_previous_round: bool,
    partner: partners::PartnerView,
    outcome_html: String,
}

async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Response> {
    let lang = ctx.lang();
    let Some(round) = current_round(&state).await? else {
        let page = Page::new(&ctx, "No recruitment round is open");
        let t = crate::public::MessageTemplate {
            page,
            paragraphs: vec![
                "Applications are not open at the moment. Rounds usually open in late September.".into(),
            ],
            link: Some(("/positions".into(), lang.t("account-applicant-next"))),
        };
        return Ok(Html(t.render()?).into_response());
    };
    let Some(loaded) = load(&state, &ctx).await? else {
        let now = jetdesk_store::now();
        let choices = positions_of(&round)
            .into_iter()
            .filter(|p| *p != "sea")
            .map(|p| (p.to_string(), position_title(p).to_string()))
            .collect();
        let t = StartTemplate {
            page: Page::new(&ctx, "Start your application"),
            csrf: ctx.csrf().await?,
            errors: FormErrors::default(),
            round_name: round.name.clone(),
            closes: format_time(round.closes_at),
            open: round.opens_at <= now && now < round.closes_at,
            sea_offered: positions_of(&round).contains(&"sea"),
            choices,
            declined_previous_round: state
                .store
                .user_declined_previous_round(round.id, ctx.require_user()?.id)
                .await?,
        };
        return Ok(Html(t.render()?).into_response());
    };
    let now = jetdesk_store::now();
    let tasks: Vec<TaskRow> = SECTIONS
        .iter()
        .map(|s| TaskRow {
            id: s.id,
            title: s.title,
            status: match loaded.sections.get(s.id) {
                None => "Not started",
                Some(r) if r.is_complete() => "Completed",
                Some(_) => "In progress",
            },
        })
        .collect();
    let completed = tasks.iter().filter(|t| t.status == "Completed").count();
    let notice = match q.notice.as_deref() {
        Some("submitted") => {
            Some("Your application has been submitted. We have sent you a confirmation e-mail.")
        }
        Some("withdrawn") => Some("Your application has been withdrawn."),
        Some("saved") => Some("Section saved."),
        Some("partner") => Some("You have confirmed that you are applying as partners."),
        _ => None,
    };
    let mut page = Page::new(&ctx, "Your application");
    page.notice = notice.map(str::to_string);
    let t = TaskListTemplate {
        page,
        csrf: ctx.csrf().await?,
        reference: loaded.app.reference.clone().unwrap_or_default(),
        position: position_title(&loaded.app.position).to_string(),
        round_name: loaded.round.name.clone(),
        closes: format_time(loaded.round.closes_at),
        state: state_label(&loaded.app.state).to_string(),
        draft: loaded.app.state == "draft",
        open: now < loaded.round.closes_at,
        completed,
        eligibility: eligibility::shown(loaded.app.eligibility_json.as_deref()),
        documents_status: crate::documents::task_status(&state, &loaded.round, loaded.app.id)
            .await?
            .to_string(),
        referees_status: crate::referees::task_status(&state, &loaded.round, loaded.app.id)
            .await?
            .to_string(),
        all_complete: loaded.all_complete() && attachments_ready(&state, &loaded).await?,
        tasks,
        declined_previous_round: state.store.declined_previous_round(loaded.app.id).await?,
        partner: partners::view(&state, loaded.app.id).await?,
        outcome_html: crate::outcomes::applicant_block(&state, ctx.lang(), loaded.app.id).await?,
    };
    Ok(Html(t.render()?).into_response())
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

/// A state as the applicant reads it.
pub fn state_label(state: &str) -> &'static str {
    match state {
        "draft" => "Draft: not submitted",
        "submitted" => "Submitted: being checked",
        "eligible" => "Submitted: eligible",
        "ineligible" => "Submitted: not eligible",
        "in_review" => "In review",
        "invited" => "Invited to interview",
        "interviewed" => "Interviewed",
        "shortlisted" => "Shortlisted",
        "alternate" => "Alternate",
        "unsuccessful" => "Not successful",
        "placed" => "Placed: offer made",
        "accepted" => "Offer accepted",
        "declined" => "Offer declined",
        "departed" => "Departed",
        "withdrawn" => "Withdrawn",
        _ => "Unknown",
    }
}

async fn start(State(state): State<AppState>, ctx: Ctx, RawForm(body): RawForm) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let round = current_round(&state).await?.ok_or(AppError::NotFound)?;
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let position = form.get("position").map(String::as_str).unwrap_or("");
    let code = form.get("invite_code").map(|c| c.trim()).unwrap_or("");
    let offered = positions_of(&round);
    let mut errors = FormErrors::default();
    let now = jetdesk_store::now();
    if !(round.opens_at <= now && now < round.closes_at) {
        errors.add("position", "Applications for this round are closed");
    } else if position == "sea" {
        let valid = offered.contains(&"sea")
            && round
                .sea_invite_code
                .as_deref()
                .is_some_and(|c| !c.is_empty() && c == code);
        if !valid {
            errors.add("invite_code", "Enter the invitation code the JET Desk sent you");
        }
    } else if !offered.contains(&position) {
        errors.add("position", "Choose the position you are applying for");
    }
    if errors.is_empty() {
        match state.store.create_application(&round, user.id, position).await {
            Ok(id) => {
                let app = state.store.application(id).await?.ok_or(AppError::NotFound)?;
                let reference = app.reference.unwrap_or_default();
                state
                    .store
                    .set_search_text(id, &format!("{} {} {}", user.display_name, user.email, reference))
                    .await?;
                state
                    .store
                    .audit(
                        Some(user.id),
                        "application.start",
                        &format!("application:{id}"),
                        None,
                        Some(position),
                    )
                    .await?;
                return Ok(Redirect::to("/apply").into_response());
            }
            Err(jetdesk_store::StoreError::Conflict(_)) => {
                errors.add("position", "You already have an application in this round. You can apply for one position only: applying for both ALT and CIR disqualifies both.");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let t = StartTemplate {
        page: Page::new(&ctx, "Start your application"),
        csrf: ctx.csrf().await?,
        errors,
        round_name: round.name.clone(),
        closes: format_time(round.closes_at),
        open: round.opens_at <= now && now < round.closes_at,
        sea_offered: offered.contains(&"sea"),
        declined_previous_round: state
            .store
            .user_declined_previous_round(round.id, user.id)
            .await?,
        choices: offered
            .iter()
            .filter(|p| **p != "sea")
            .map(|p| (p.to_string(), position_title(p).to_string()))
            .collect(),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(t.render()?)).into_response())
}

// ----- one section -----

/// A field ready for the template.
pub struct FieldView {
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    input: &'static str,
    value: String,
    options: Vec<(&'static str, &'static str, bool)>,
    max: usize,
    rows: usize,
    word_limit: usize,
    required: bool,
}

fn field_views(section: &Section, answers: &Answers, word_limit: usize) -> Vec<FieldView> {
    section
        .fields
        .iter()
        .map(|f| {
            let value = answers.get(f.id).cloned().unwrap_or_default();
            let (input, options, max, rows) = match f.kind {
                Kind::Text(max) => ("text", vec![], max, 0),
                Kind::Area(max) => ("textarea", vec![], max, if max > 1000 { 8 } else { 4 }),
                Kind::Words => ("words", vec![], 0, 16),
                Kind::Date => ("date", vec![], 10, 0),
                Kind::Number(_, _) => ("number", vec![], 4, 0),
                Kind::Select(opts) => (
                    "select",
                    opts.iter().map(|(v, l)| (*v, *l, *v == value)).collect(),
                    0,
                    0,
                ),
                Kind::Radio(opts) => (
                    "radio",
                    opts.iter().map(|(v, l)| (*v, *l, *v == value)).collect(),
                    0,
                    0,
                ),
                Kind::Tick => ("tick", vec![], 0, 0),
            };
            FieldView {
                id: f.id,
                label: f.label,
                hint: f.hint,
                input,
                value,
                options,
                max,
                rows,
                word_limit,
                required: f.required,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "applications/section.html")]
struct SectionTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    section_id: &'static str,
    fields: Vec<FieldView>,
    version: i64,
    editable: bool,
    reference: String,
    stale: bool,
}

pub(crate) fn word_limit(round: &Round) -> usize {
    usize::try_from(round.word_limit).unwrap_or(500)
}

async fn section_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    let section = sections::section(&id).ok_or(AppError::NotFound)?;
    let loaded = load(&state, &ctx).await?.ok_or(AppError::NotFound)?;
    let mut answers = loaded.answers(section.id);
    let mut version = loaded.sections.get(section.id).map(|s| s.version).unwrap_or(0);
    let mut page = Page::new(&ctx, section.title);
    let mut stale = false;
    let path = format!("/apply/section/{}", section.id);
    let kept = resume::take(&state, &headers, &path).await?;
    if let Some(form) = kept.as_ref().filter(|_| loaded.app.state == "draft") {
        answers = sections::answers_from_form(section, form);
        let sent_version: i64 = form
            .iter()
            .find(|(k, _)| k == "version")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        // Saved elsewhere since: say so, as a stale save would, and let this save replace it.
        stale = sent_version != version;
        if !stale {
            version = sent_version;
        }
        page.notice = Some(
            "Your session ended before these answers were saved. Here they are again: check them and save."
                .into(),
        );
    }
    let t = SectionTemplate {
        page,
        csrf: ctx.csrf().await?,
        errors: FormErrors::default(),
        section_id: section.id,
        fields: field_views(section, &answers, word_limit(&loaded.round)),
        version,
        editable: loaded.app.state == "draft",
        reference: loaded.app.reference.clone().unwrap_or_default(),
        stale,
    };
    let mut response = Html(t.render()?).into_response();
    if kept.is_some() {
        if let Some(clear) = resume::clear_cookie(&state) {
            response
                .headers_mut()
                .append(axum::http::header::SET_COOKIE, clear);
        }
    }
    Ok(response)
}

async fn save_section(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let section = sections::section(&id).ok_or(AppError::NotFound)?;
    let loaded = load(&state, &ctx).await?.ok_or(AppError::NotFound)?;
    if loaded.app.state != "draft" {
        return Err(AppError::BadRequest(
            "Your application has been submitted and can no longer be changed.".into(),
        ));
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let expected: i64 = form
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(-1);
    let answers = sections::answers_from_form(section, &form);
    let mut problems = sections::validate(section, &answers, word_limit(&loaded.round));
    let partner = if section.id == "preferences" {
        let choice = partners::choice(&state, &loaded, &answers).await?;
        if let partners::Choice::Problem(message) = &choice {
            if !problems.iter().any(|(f, _)| *f == "partner_reference") {
                problems.push(("partner_reference", message.clone()));
            }
        }
        Some(choice)
    } else {
        None
    };
    let data = serde_json::to_string(&answers).map_err(|e| AppError::Internal(e.into()))?;
    let outcome = state
        .store
        .save_section(loaded.app.id, section.id, &data, problems.is_empty(), expected)
        .await?;
    let mut errors = FormErrors::default();
    for (field, message) in problems {
        errors.add(field, message);
    }
    match outcome {
        SaveOutcome::Saved(version) => {
            if let Some(choice) = &partner {
                partners::apply(&state, loaded.app.id, choice).await?;
            }
            if section.id == "personal" || section.id == "nationality" {
                let merged = |id: &str| {
                    if id == section.id {
                        answers.clone()
                    } else {
                        loaded.answers(id)
                    }
                };
                let (personal, nationality) = (merged("personal"), merged("nationality"));
                let get = |a: &Answers, k: &str| a.get(k).cloned().unwrap_or_default();
                state
                    .store
                    .set_identity_keys(
                        loaded.app.id,
                        jetdesk_domain::identity::passport_key(&get(&nationality, "passport_number"))
                            .as_deref(),
                        jetdesk_domain::identity::identity_key(
                            &get(&personal, "given_names"),
                            &get(&personal, "family_name"),
                            &get(&personal, "date_of_birth"),
                        )
                        .as_deref(),
                    )
                    .await?;
            }
            if section.id == "personal" {
                let user = ctx.require_user()?;
                let text = format!(
                    "{} {} {} {} {}",
                    answers.get("given_names").map(String::as_str).unwrap_or(""),
                    answers.get("family_name").map(String::as_str).unwrap_or(""),
                    user.display_name,
                    user.email,
                    loaded.app.reference.as_deref().unwrap_or("")
                );
                state.store.set_search_text(loaded.app.id, &text).await?;
            }
            if errors.is_empty() {
                return Ok(Redirect::to("/apply?notice=saved").into_response());
            }
            // Saved as "in progress": what they typed is kept; the errors say what is left.
            let mut page = Page::new(&ctx, section.title);
            page.notice =
                Some("Your answers are saved. Some need attention before this section is complete.".into());
            let t = SectionTemplate {
                page,
                csrf: ctx.csrf().await?,
                errors,
                section_id: section.id,
                fields: field_views(section, &answers, word_limit(&loaded.round)),
                version,
                editable: true,
                reference: loaded.app.reference.clone().unwrap_or_default(),
                stale: false,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(t.render()?)).into_response())
        }
        SaveOutcome::Stale => {
            // Another tab saved first. Show what they typed, with the saved version's number, so a
            // second save deliberately replaces it.
            let fresh = state.store.sections(loaded.app.id).await?;
            let version = fresh
                .iter()
                .find(|s| s.section == section.id)
                .map(|s| s.version)
                .unwrap_or(0);
            let t = SectionTemplate {
                page: Page::new(&ctx, section.title),
                csrf: ctx.csrf().await?,
                errors: FormErrors::default(),
                section_id: section.id,
                fields: field_views(section, &answers, word_limit(&loaded.round)),
                version,
                editable: true,
                reference: loaded.app.reference.clone().unwrap_or_default(),
                stale: true,
            };
            Ok((StatusCode::CONFLICT, Html(t.render()?)).into_response())
        }
    }
}

// ----- check your answers, submit, withdraw -----

struct CheckSection {
    id: &'static str,
    title: &'static str,
    complete: bool,
    rows: Vec<(&'static str, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "applications/check.html")]
struct CheckTemplate {
    page: Page,
    csrf: String,
    reference: String,
    sections: Vec<CheckSection>,
    all_complete: bool,
    attachments: bool,
    draft: bool,
    open: bool,
    closes: String,
    late: bool,
}

fn display_value(field: &sections::Field, value: &str) -> String {
    match field.kind {
        Kind::Select(opts) | Kind::Radio(opts) => opts
            .iter()
            .find(|(v, _)| *v == value)
            .map(|(_, l)| l.to_string())
            .unwrap_or_default(),
        Kind::Tick if value == "yes" => "Confirmed".into(),
        _ => value.to_string(),
    }
}

fn check_sections(loaded: &Loaded) -> Vec<CheckSection> {
    SECTIONS
        .iter()
        .map(|s| {
            let answers = loaded.answers(s.id);
            CheckSection {
                id: s.id,
                title: s.title,
                complete: loaded.sections.get(s.id).is_some_and(|r| r.is_complete()),
                rows: s
                    .fields
                    .iter()
                    .map(|f| {
                        (
                            f.id,
                            f.label,
                            display_value(f, answers.get(f.id).map(String::as_str).unwrap_or("")),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

async fn render_check(ctx: &Ctx, loaded: &Loaded, late: bool, attachments: bool) -> AppResult<String> {
    let now = jetdesk_store::now();
    let t = CheckTemplate {
        page: Page::new(ctx, "Check your answers before submitting"),
        csrf: ctx.csrf().await?,
        reference: loaded.app.reference.clone().unwrap_or_default(),
        sections: check_sections(loaded),
        all_complete: loaded.all_complete() && attachments,
        attachments,
        draft: loaded.app.state == "draft",
        open: now < loaded.round.closes_at,
        closes: format_time(loaded.round.closes_at),
        late,
    };
    Ok(t.render()?)
}

async fn check_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let loaded = load(&state, &ctx).await?.ok_or(AppError::NotFound)?;
    let ready = attachments_ready(&state, &loaded).await?;
    Ok(Html(render_check(&ctx, &loaded, false, ready).await?))
}

/// The round's required documents are uploaded and its referees named (references may come later).
async fn attachments_ready(state: &AppState, loaded: &Loaded) -> AppResult<bool> {
    Ok(
        crate::documents::all_required_uploaded(state, &loaded.round, loaded.app.id).await?
            && crate::referees::all_named(state, &loaded.round, loaded.app.id).await?,
    )
}

async fn submit(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    // The server's clock decides, at the moment the request is handled.
    let now = jetdesk_store::now();
    let user = ctx.require_user()?.clone();
    let loaded = load(&state, &ctx).await?.ok_or(AppError::NotFound)?;
    if loaded.app.state != "draft" {
        return Ok(Redirect::to("/apply").into_response());
    }
    if now >= loaded.round.closes_at {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(render_check(&ctx, &loaded, true, true).await?),
        )
            .into_response());
    }
    if !loaded.all_complete() {
        return Err(AppError::BadRequest(
            "Complete every section before you submit.".into(),
        ));
    }
    if !attachments_ready(&state, &loaded).await? {
        return Err(AppError::BadRequest(
            "Upload the required documents and name your referees before you submit.".into(),
        ));
    }
    let all: HashMap<&str, Answers> = SECTIONS.iter().map(|s| (s.id, loaded.answers(s.id))).collect();
    let known = eligibility::Known::of(&state, loaded.app.id, user.id).await?;
    let outcome = eligibility::evaluate(&loaded.round, &loaded.app.position, &all, known);
    let submitted = state
        .store
        .submit_application(
            loaded.app.id,
            now,
            loaded.round.closes_at,
            outcome.state,
            outcome.overall,
            &outcome.json,
        )
        .await?;
    if !submitted {
        // Either a second tab submitted first, or the deadline passed between our checks.
        let fresh = load(&state, &ctx).await?.ok_or(AppError::NotFound)?;
        if fresh.app.state == "draft" {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(render_check(&ctx, &fresh, true, true).await?),
            )
                .into_response());
        }
        return Ok(Redirect::to("/apply").into_response());
    }
    let reference = loaded.app.reference.clone().unwrap_or_default();
    state
        .store
        .audit(
            Some(user.id),
            "application.submit",
            &format!("application:{}", loaded.app.id),
            Some("draft"),
            Some(outcome.state),
        )
        .await?;
    let body = format!(
        "Hello {},\n\nThank you: your application {reference} for the position of {} in {} was submitted on {}.\n\n\
         You can see its progress at {}/apply. It can no longer be changed, but you may withdraw it at any time.\n\n\
         JET Desk, Embassy of Japan in the UK\nReference: {reference}\n",
        user.display_name,
        position_title(&loaded.app.position),
        loaded.round.name,
        format_time(now),
        state.base_url,
    );
    state
        .mailer
        .queue(&user.email, &format!("Application received: {reference}"), &body)
        .await?;
    Ok(Redirect::to("/apply?notice=submitted").into_response())
}

async fn withdraw(State(state): State<AppState>, ctx: Ctx, RawForm(body): RawForm) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let loaded = load(&state, &ctx).await?.ok_or(AppError::NotFound)?;
    let reason: String = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "reason")
        .map(|(_, v)| {
            v.trim()
                .chars()
                .filter(|c| !c.is_control() || *c == '\n')
                .take(1000)
                .collect()
        })
        .unwrap_or_default();
    let from = loaded.app.state.clone();
    let to = from
        .parse::<jetdesk_domain::ApplicationState>()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
        .and_then(|s| {
            jetdesk_domain::transition(s, jetdesk_domain::Event::Withdraw)
                .map_err(|e| AppError::BadRequest(e.to_string()))
        })?
        .as_str()
        .to_string();
    let reason_opt = (!reason.is_empty()).then_some(reason.as_str());
    if !state
        .store
        .set_application_state(loaded.app.id, &from, &to, reason_opt)
        .await?
    {
        return Err(AppError::BadRequest(
            "Your application changed while you were withdrawing it. Try again.".into(),
        ));
    }
    state
        .store
        .audit(
            Some(user.id),
            "application.withdraw",
            &format!("application:{}", loaded.app.id),
            Some(&from),
            Some(&to),
        )
        .await?;
    let reference = loaded.app.reference.clone().unwrap_or_default();
    state
        .mailer
        .queue(
            &user.email,
            &format!("Application withdrawn: {reference}"),
            &format!("Hello {},\n\nYour application {reference} has been withdrawn.\n\nJET Desk\nReference: {reference}\n", user.display_name),
        )
        .await?;
    Ok(Redirect::to("/apply?notice=withdrawn").into_response())
}
