//! Referees: the applicant names the round's number of referees; each receives an e-mail with a
//! single-use link that expires ([`LINK_DAYS`] days). The link opens a public page (no account)
//! where the referee writes the reference or uploads a PDF (sniffed like every document). The
//! applicant sees requested / opened / received, never the text; staff read it, audited.
//!
//! Only the SHA-256 of each token is stored. A reused, altered, replaced or expired link is refused
//! with a 400 page that says which. A reminder, sent once when the link has [`REMIND_DAYS`] days
//! left, carries a second token for the same referee (the first is not stored anywhere to resend).

use crate::access::{Access, RouteDef};
use crate::documents::{self, attachment, read_upload, sniff, UploadProblem};
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::mail::Mailer;
use crate::page::{format_time, Page};
use crate::security::{new_token, token_hash};
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jetdesk_domain::Role;
use jetdesk_store::{Application, NameOutcome, NewReferee, Referee, ReferenceBody, Round, Store};
use serde::Deserialize;
use std::time::Duration;

const APPLICANT: Access = Access::Roles(&[Role::Applicant]);
const STAFF: Access = Access::Roles(&[Role::Coordinator, Role::Reviewer]);

/// How long a referee's link works.
pub const LINK_DAYS: i64 = 21;
/// A reminder goes out when the link has this many days left.
pub const REMIND_DAYS: i64 = 3;
/// The longest reference written in the form, in characters.
const TEXT_MAX: usize = 20_000;
/// The most referees a round can ask for (the page has this many sets of field ids).
const MAX_SLOTS: usize = 5;
const FIELD_IDS: [[&str; 3]; MAX_SLOTS] = [
    ["name-1", "email-1", "relationship-1"],
    ["name-2", "email-2", "relationship-2"],
    ["name-3", "email-3", "relationship-3"],
    ["name-4", "email-4", "relationship-4"],
    ["name-5", "email-5", "relationship-5"],
];

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/apply/referees", APPLICANT, get(list)),
        RouteDef::post("/apply/referees/{slot}", APPLICANT, post(name_referee)),
        RouteDef::get("/reference/{token}", Access::Public, get(reference_page)),
        RouteDef::post("/reference/{token}", Access::Public, post(reference_text)),
        RouteDef::post(
            "/reference/{token}/upload",
            Access::Public,
            post(reference_upload).layer(DefaultBodyLimit::disable()),
        ),
        RouteDef::get("/staff/referees/{id}", STAFF, get(staff_read)),
    ]
}

fn relationship_label(r: &str) -> &'static str {
    match r {
        "academic" => "Academic",
        "professional" => "Professional",
        _ => "Other",
    }
}

/// The status words the applicant (and staff) see, and a tag class.
fn status_of(r: &Referee, now: i64) -> (String, &'static str) {
    if let Some(at) = r.received_at {
        (format!("Received {}", format_time(at)), "tag-done")
    } else if r.expires_at <= now {
        (format!("Link expired {}", format_time(r.expires_at)), "")
    } else if let Some(at) = r.opened_at {
        (format!("Opened {}", format_time(at)), "tag-progress")
    } else {
        (
            format!("Requested {}", format_time(r.requested_at)),
            "tag-progress",
        )
    }
}

fn slots_of(round: &Round) -> usize {
    usize::try_from(round.referees_required)
        .unwrap_or(0)
        .min(MAX_SLOTS)
}

/// "Not started", "In progress" or "Completed" for the task list: completed when every referee the
/// round asks for has been named (the references themselves arrive later).
pub(crate) async fn task_status(
    state: &AppState,
    round: &Round,
    application_id: i64,
) -> AppResult<&'static str> {
    let named = state.store.referees(application_id).await?.len();
    let wanted = slots_of(round);
    Ok(if named >= wanted {
        "Completed"
    } else if named == 0 {
        "Not started"
    } else {
        "In progress"
    })
}

/// Whether the applicant has named every referee the round asks for (for submission).
pub(crate) async fn all_named(state: &AppState, round: &Round, application_id: i64) -> AppResult<bool> {
    Ok(state.store.referees(application_id).await?.len() >= slots_of(round))
}

// ----- the applicant's page -----

async fn load(state: &AppState, ctx: &Ctx) -> AppResult<(Round, Application)> {
    let user = ctx.require_user()?;
    let round = state
        .store
        .current_round(crate::applications::COUNTRY)
        .await?
        .ok_or(AppError::NotFound)?;
    let app = state
        .store
        .application_of(round.id, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((round, app))
}

struct SlotView {
    n: usize,
    ids: [&'static str; 3],
    referee: Option<Referee>,
    status: String,
    status_class: &'static str,
    replaceable: bool,
    /// What the form shows (what was typed when it failed, else empty).
    name: String,
    email: String,
    relationship: String,
    open: bool,
}

impl SlotView {
    fn relationship_label(&self) -> &'static str {
        self.referee
            .as_ref()
            .map(|r| relationship_label(&r.relationship))
            .unwrap_or("")
    }

    fn current_name(&self) -> &str {
        self.referee.as_ref().map(|r| r.name.as_str()).unwrap_or("")
    }
}

#[derive(Template)]
#[template(path = "referees/list.html")]
struct ListTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    reference: String,
    editable: bool,
    slots: Vec<SlotView>,
    link_days: i64,
}

struct Typed {
    slot: usize,
    name: String,
    email: String,
    relationship: String,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    round: &Round,
    app: &Application,
    errors: FormErrors,
    typed: Option<Typed>,
    notice: Option<&str>,
) -> AppResult<String> {
    let now = jetdesk_store::now();
    let referees = state.store.referees(app.id).await?;
    let editable = app.state != "withdrawn";
    let slots = (1..=slots_of(round))
        .map(|n| {
            let referee = referees
                .iter()
                .find(|r| usize::try_from(r.slot).ok() == Some(n))
                .cloned();
            let (status, status_class) = referee
                .as_ref()
                .map(|r| status_of(r, now))
                .unwrap_or_else(|| ("Not named yet".into(), ""));
            let mine = typed.as_ref().filter(|t| t.slot == n);
            SlotView {
                n,
                ids: FIELD_IDS[n - 1],
                replaceable: editable && referee.as_ref().is_some_and(|r| r.received_at.is_none()),
                open: mine.is_some(),
                name: mine.map(|t| t.name.clone()).unwrap_or_default(),
                email: mine.map(|t| t.email.clone()).unwrap_or_default(),
                relationship: mine.map(|t| t.relationship.clone()).unwrap_or_default(),
                referee,
                status,
                status_class,
            }
        })
        .collect();
    let mut page = Page::new(ctx, "Referees");
    page.notice = notice.map(str::to_string);
    let t = ListTemplate {
        page,
        csrf: ctx.csrf().await?,
        errors,
        reference: app.reference.clone().unwrap_or_default(),
        editable,
        slots,
        link_days: LINK_DAYS,
    };
    Ok(t.render()?)
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let (round, app) = load(&state, &ctx).await?;
    let notice = match q.notice.as_deref() {
        Some("requested") => Some("We have e-mailed your referee a link to write the reference."),
        _ => None,
    };
    Ok(Html(
        render(&state, &ctx, &round, &app, FormErrors::default(), None, notice).await?,
    ))
}

fn clean_line(s: &str, max: usize) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect::<String>()
        .trim()
        .to_string()
}

async fn name_referee(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slot): Path<String>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let (round, app) = load(&state, &ctx).await?;
    let n: usize = slot.parse().map_err(|_| AppError::NotFound)?;
    if n == 0 || n > slots_of(&round) {
        return Err(AppError::NotFound);
    }
    if app.state == "withdrawn" {
        return Err(AppError::BadRequest(
            "Your application has been withdrawn, so no references are needed.".into(),
        ));
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let [name_id, email_id, rel_id] = FIELD_IDS[n - 1];
    let raw_name = get("name");
    let name = clean_line(raw_name, 200);
    let relationship = get("relationship").to_string();
    let mut errors = FormErrors::default();
    if name.is_empty() {
        errors.add(name_id, "Enter the referee's full name");
    } else if raw_name.trim().chars().count() > 200 {
        errors.add(name_id, "The referee's name must be 200 characters or fewer");
    }
    let email = match jetdesk_domain::Email::parse(get("email")) {
        Ok(e) => e.to_string(),
        Err(e) => {
            errors.add(email_id, e.to_string());
            String::new()
        }
    };
    if !email.is_empty() {
        if email.eq_ignore_ascii_case(&user.email) {
            errors.add(email_id, "Your referee must be someone other than you");
        } else {
            let others = state.store.referees(app.id).await?;
            if others
                .iter()
                .any(|r| usize::try_from(r.slot).ok() != Some(n) && r.email.eq_ignore_ascii_case(&email))
            {
                errors.add(
                    email_id,
                    "You have already named this person as a referee: choose someone else",
                );
            }
        }
    }
    if !matches!(relationship.as_str(), "academic" | "professional") {
        errors.add(
            rel_id,
            "Select whether the referee knows you academically or professionally",
        );
    }
    let typed = Typed {
        slot: n,
        name: name.clone(),
        email: get("email").trim().chars().take(254).collect(),
        relationship: relationship.clone(),
    };
    if !errors.is_empty() {
        let html = render(&state, &ctx, &round, &app, errors, Some(typed), None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    let token = new_token();
    let expires_at = jetdesk_store::now() + LINK_DAYS * 24 * 3600;
    let outcome = state
        .store
        .name_referee(
            app.id,
            &NewReferee {
                slot: i64::try_from(n).unwrap_or(1),
                name: &name,
                email: &email,
                relationship: &relationship,
                token_hash: &token_hash(&token),
                expires_at,
            },
        )
        .await?;
    if outcome == NameOutcome::Answered {
        errors.add(
            name_id,
            "This referee has already sent their reference, so they cannot be replaced",
        );
        let html = render(&state, &ctx, &round, &app, errors, Some(typed), None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    let reference = app.reference.clone().unwrap_or_default();
    let body = format!(
        "Dear {name},\n\n{applicant} has applied to the JET Programme (reference {reference}) and has named you as \
         their {rel} referee.\n\nPlease write your reference, or upload it as a PDF, at this link. You do not need an \
         account. The link works once and until {expires} (UK time):\n\n{base}/reference/{token}\n\n\
         If you do not know {applicant}, please ignore this e-mail.\n\nJET Desk, Embassy of Japan in the UK\n\
         Reference: {reference}\n",
        applicant = user.display_name,
        rel = relationship_label(&relationship).to_lowercase(),
        expires = format_time(expires_at),
        base = state.base_url,
    );
    state
        .mailer
        .queue(
            &email,
            &format!("Reference request for {} ({reference})", user.display_name),
            &body,
        )
        .await?;
    state
        .store
        .audit(
            Some(user.id),
            "referee.request",
            &format!("application:{}", app.id),
            None,
            Some(&format!("slot {n}")),
        )
        .await?;
    Ok(Redirect::to("/apply/referees?notice=requested").into_response())
}

// ----- the referee's public page -----

/// The referee behind a link, or the reason the link is refused, in words.
async fn check_link(state: &AppState, token: &str) -> AppResult<(Referee, Application)> {
    let invalid = || {
        AppError::BadRequest(
            "This link is not valid. Check that you copied the whole link from the e-mail, or ask the \
             applicant to send the request again."
                .into(),
        )
    };
    if token.len() > 100 {
        return Err(invalid());
    }
    let referee = state
        .store
        .referee_by_token(&token_hash(token))
        .await?
        .ok_or_else(invalid)?;
    if referee.is_retired() {
        return Err(AppError::BadRequest(
            "This link is no longer valid: the applicant has asked someone else for this reference. \
             Thank you all the same."
                .into(),
        ));
    }
    if let Some(at) = referee.received_at {
        return Err(AppError::BadRequest(format!(
            "This link has already been used: your reference was received on {}. Each link works once. Thank you.",
            format_time(at)
        )));
    }
    if referee.expires_at <= jetdesk_store::now() {
        return Err(AppError::BadRequest(format!(
            "This link expired on {} (UK time). If you would still like to give a reference, ask the applicant \
             to send you a new request.",
            format_time(referee.expires_at)
        )));
    }
    let app = state
        .store
        .application(referee.application_id)
        .await?
        .ok_or_else(invalid)?;
    if app.state == "withdrawn" {
        return Err(AppError::BadRequest(
            "The applicant has withdrawn their application, so no reference is needed. Thank you.".into(),
        ));
    }
    Ok((referee, app))
}

#[derive(Template)]
#[template(path = "referees/reference.html")]
struct ReferenceTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    token: String,
    referee_name: String,
    applicant: String,
    reference: String,
    position: String,
    expires: String,
    text: String,
    text_max: usize,
    limit_mib: u64,
}

async fn render_reference(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
    referee: &Referee,
    app: &Application,
    errors: FormErrors,
    text: String,
) -> AppResult<String> {
    let applicant = state
        .store
        .user(app.user_id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let t = ReferenceTemplate {
        page: Page::new(ctx, format!("Reference for {applicant}")),
        csrf: ctx.csrf().await?,
        errors,
        token: token.to_string(),
        referee_name: referee.name.clone(),
        applicant,
        reference: app.reference.clone().unwrap_or_default(),
        position: app.position.to_uppercase(),
        expires: format_time(referee.expires_at),
        text,
        text_max: TEXT_MAX,
        limit_mib: documents::limit_bytes(state).1,
    };
    Ok(t.render()?)
}

async fn reference_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Html<String>> {
    let (referee, app) = check_link(&state, &token).await?;
    state.store.mark_referee_opened(referee.id).await?;
    Ok(Html(
        render_reference(
            &state,
            &ctx,
            &token,
            &referee,
            &app,
            FormErrors::default(),
            String::new(),
        )
        .await?,
    ))
}

async fn received(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
    referee: &Referee,
    app: &Application,
    body: ReferenceBody<'_>,
) -> AppResult<Response> {
    if !state
        .store
        .receive_reference(referee.id, jetdesk_store::now(), &body)
        .await?
    {
        // Used, replaced or expired between the check and now: say which.
        check_link(state, token).await?;
        return Err(AppError::BadRequest("This link can no longer be used.".into()));
    }
    state
        .store
        .audit(
            None,
            "referee.received",
            &format!("application:{}", app.id),
            None,
            Some(&format!("slot {}", referee.slot)),
        )
        .await?;
    if let Some(user) = state.store.user(app.user_id).await? {
        let reference = app.reference.clone().unwrap_or_default();
        state
            .mailer
            .queue(
                &user.email,
                &format!("Reference received: {reference}"),
                &format!(
                    "Hello {},\n\nWe have received the reference from {}. You can see the status of your referees \
                     at {}/apply/referees.\n\nJET Desk\nReference: {reference}\n",
                    user.display_name, referee.name, state.base_url
                ),
            )
            .await?;
    }
    let t = crate::public::MessageTemplate {
        page: Page::new(ctx, "Thank you: your reference has been received"),
        paragraphs: vec![
            format!(
                "We have received your reference for application {}. The applicant is told that it arrived, but \
                 not what it says.",
                app.reference.clone().unwrap_or_default()
            ),
            "You can close this page. The link you used no longer works.".into(),
        ],
        link: None,
    };
    Ok(Html(t.render()?).into_response())
}

async fn reference_text(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let (referee, app) = check_link(&state, &token).await?;
    let raw: String = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "text")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let text: String = raw
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_string();
    let mut errors = FormErrors::default();
    if text.is_empty() {
        errors.add("text", "Write the reference, or upload it as a PDF below");
    } else if text.chars().count() > TEXT_MAX {
        errors.add(
            "text",
            format!("The reference must be {TEXT_MAX} characters or fewer"),
        );
    }
    if !errors.is_empty() {
        let html = render_reference(&state, &ctx, &token, &referee, &app, errors, text).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    received(&state, &ctx, &token, &referee, &app, ReferenceBody::Text(&text)).await
}

async fn reference_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let (referee, app) = check_link(&state, &token).await?;
    let mut errors = FormErrors::default();
    let upload = match read_upload(&state, multipart).await {
        Ok(u) => Some(u),
        Err(problem) => {
            errors.add("file", problem.message());
            if matches!(problem, UploadProblem::TooLarge(_)) {
                let html =
                    render_reference(&state, &ctx, &token, &referee, &app, errors, String::new()).await?;
                return Ok((StatusCode::PAYLOAD_TOO_LARGE, Html(html)).into_response());
            }
            None
        }
    };
    if let Some(u) = &upload {
        match sniff::sniff(&u.bytes) {
            Ok(sniff::Sniffed::Pdf) => {}
            Ok(_) => errors.add(
                "file",
                "The reference must be a PDF file (we check the content, not the name)",
            ),
            Err(r) => errors.add("file", r.message()),
        }
    }
    let Some(upload) = upload.filter(|_| errors.is_empty()) else {
        let html = render_reference(&state, &ctx, &token, &referee, &app, errors, String::new()).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    };
    let name = upload.name.clone();
    let sha = documents::store_content(&state, upload.bytes).await?;
    let result = received(
        &state,
        &ctx,
        &token,
        &referee,
        &app,
        ReferenceBody::File(&sha, sniff::Sniffed::Pdf.content_type(), &name),
    )
    .await;
    if result.is_err() {
        documents::drop_content_if_unused(&state, &sha).await?;
    }
    result
}

// ----- staff -----

#[derive(Template)]
#[template(path = "referees/staff_read.html")]
struct StaffReadTemplate {
    page: Page,
    application_id: i64,
    referee: Referee,
    relationship: &'static str,
    received: String,
    text: String,
}

/// A coordinator or reviewer reads a received reference (the PDF downloads); audited.
async fn staff_read(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let staff = ctx.require_user()?.clone();
    let referee = state.store.referee(id).await?.ok_or(AppError::NotFound)?;
    let Some(received_at) = referee.received_at else {
        return Err(AppError::NotFound);
    };
    state
        .store
        .audit(
            Some(staff.id),
            "reference.view",
            &format!("application:{}", referee.application_id),
            None,
            Some(&format!("slot {}", referee.slot)),
        )
        .await?;
    if let (Some(sha), Some(ctype)) = (&referee.reference_sha256, &referee.reference_content_type) {
        let bytes = documents::load_content(&state, sha).await?;
        let name = referee
            .reference_name
            .clone()
            .unwrap_or_else(|| "reference.pdf".into());
        return Ok(attachment(bytes, ctype, &name));
    }
    let t = StaffReadTemplate {
        page: Page::new(&ctx, format!("Reference from {}", referee.name)),
        application_id: referee.application_id,
        relationship: relationship_label(&referee.relationship),
        received: format_time(received_at),
        text: referee.reference_text.clone().unwrap_or_default(),
        referee,
    };
    Ok(Html(t.render()?).into_response())
}

struct StaffRow {
    referee: Referee,
    relationship: &'static str,
    status: String,
}

#[derive(Template)]
#[template(path = "referees/staff_summary.html")]
struct StaffSummary {
    rows: Vec<StaffRow>,
    wanted: usize,
}

/// The referees of application `application_id` as an HTML fragment for the staff detail page (a
/// heading and a table with statuses and links to received references). Include it with
/// `{{ referees_html|safe }}`.
pub(crate) async fn staff_summary(state: &AppState, application_id: i64) -> AppResult<String> {
    let now = jetdesk_store::now();
    let app = state
        .store
        .application(application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let wanted = state
        .store
        .round(app.round_id)
        .await?
        .map(|r| slots_of(&r))
        .unwrap_or(0);
    let rows = state
        .store
        .referees(application_id)
        .await?
        .into_iter()
        .map(|r| StaffRow {
            relationship: relationship_label(&r.relationship),
            status: status_of(&r, now).0,
            referee: r,
        })
        .collect();
    Ok(StaffSummary { rows, wanted }.render()?)
}

// ----- reminders -----

/// E-mails every active referee who has not answered and whose link expires within
/// [`REMIND_DAYS`] days, once per request, with a fresh link (the old one keeps working too).
/// Returns how many were reminded.
pub async fn send_referee_reminders(store: &Store, mailer: &Mailer, base_url: &str) -> anyhow::Result<usize> {
    let now = jetdesk_store::now();
    let due = store
        .referees_due_reminder(now, now + REMIND_DAYS * 24 * 3600)
        .await?;
    let mut sent = 0;
    for referee in due {
        let Some(app) = store.application(referee.application_id).await? else {
            continue;
        };
        if app.state == "withdrawn" {
            continue;
        }
        let applicant = store
            .user(app.user_id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_else(|| "An applicant".into());
        let token = new_token();
        if !store
            .mark_referee_reminded(referee.id, &token_hash(&token))
            .await?
        {
            continue;
        }
        let reference = app.reference.clone().unwrap_or_default();
        let body = format!(
            "Dear {name},\n\nA reminder: {applicant} (JET Programme application {reference}) asked you for a reference, \
             and the link to write it stops working on {expires} (UK time).\n\nYou can write it, or upload it as a PDF, \
             here (no account needed):\n\n{base_url}/reference/{token}\n\nIf you have already decided not to give a \
             reference, please ignore this e-mail.\n\nJET Desk, Embassy of Japan in the UK\nReference: {reference}\n",
            name = referee.name,
            expires = format_time(referee.expires_at),
        );
        mailer
            .queue(
                &referee.email,
                &format!("Reminder: reference for {applicant} ({reference})"),
                &body,
            )
            .await?;
        sent += 1;
    }
    Ok(sent)
}

/// Sends reminders every hour until the task is aborted.
pub(crate) async fn reminder_loop(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every.tick().await;
        if let Err(err) = send_referee_reminders(&state.store, &state.mailer, &state.base_url).await {
            tracing::warn!(error = %err, "referee reminders failed; trying again in an hour");
        }
    }
}
