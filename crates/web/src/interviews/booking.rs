//! Self-booking: an applicant invited to interview books a seat of a published slot for their
//! position, and may move or cancel it until the round's minimum notice before the interview
//! (unless the coordinator has locked rescheduling). Every booking, move and cancellation e-mails an
//! .ics invitation to the applicant and to the panel's interviewers; a reminder goes out the day
//! before, once ([`send_reminders`], run hourly beside the mail worker).

use super::ics::{self, Invitation};
use super::{when, ZONE};
use crate::access::{Access, RouteDef};
use crate::error::{AppError, AppResult};
use crate::forms::Form;
use crate::i18n::Lang;
use crate::mail::Mailer;
use crate::page::Page;
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jetdesk_domain::Role;
use jetdesk_store::{Application, BookOutcome, InterviewBooking, InterviewSlot, Store};
use serde::Deserialize;
use std::time::Duration;

const APPLICANT: Access = Access::Roles(&[Role::Applicant]);

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/my/interview", APPLICANT, get(my_interview)),
        RouteDef::post("/my/interview/book", APPLICANT, post(book)),
        RouteDef::post("/my/interview/move", APPLICANT, post(move_booking)),
        RouteDef::post("/my/interview/cancel", APPLICANT, post(cancel)),
    ]
}

/// The signed-in applicant's newest application.
async fn my_application(state: &AppState, ctx: &Ctx) -> AppResult<Option<Application>> {
    let user = ctx.require_user()?;
    let Some(id) = state.store.newest_application_id_of(user.id).await? else {
        return Ok(None);
    };
    Ok(state.store.application(id).await?)
}

struct SlotChoice {
    id: i64,
    when: String,
    venue: String,
    minutes: String,
}

#[derive(Template)]
#[template(path = "interviews/my.html")]
struct MyTemplate {
    page: Page,
    csrf: String,
    reference: String,
    invited: bool,
    booking: Option<InterviewBooking>,
    booking_when: String,
    change_until: String,
    changeable: bool,
    locked: bool,
    choices: Vec<SlotChoice>,
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn my_interview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let lang = ctx.lang();
    let notice = match q.notice.as_deref() {
        Some("booked") => Some("iv-my-notice-booked"),
        Some("moved") => Some("iv-my-notice-moved"),
        Some("cancelled") => Some("iv-my-notice-cancelled"),
        _ => None,
    };
    let page = Page::new(&ctx, lang.t("iv-my-title")).with_notice(notice);
    let app = my_application(&state, &ctx).await?;
    let now = jetdesk_store::now();
    let (reference, invited, booking, choices, settings) = match &app {
        Some(app) => {
            let settings = state.store.interview_settings(app.round_id).await?;
            let booking = state.store.interview_booking_of(app.id).await?;
            let choices = if app.state == "invited" {
                open_slots(&state, app, now)
                    .await?
                    .into_iter()
                    .filter(|s| booking.as_ref().is_none_or(|b| b.slot_id != s.id))
                    .map(|s| SlotChoice {
                        id: s.id,
                        when: when(s.starts_at),
                        venue: s.venue_name,
                        minutes: lang.t1("iv-minutes", "minutes", s.length_minutes),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            (
                app.reference.clone().unwrap_or_default(),
                app.state == "invited",
                booking,
                choices,
                Some(settings),
            )
        }
        None => (String::new(), false, None, Vec::new(), None),
    };
    let locked = settings.as_ref().is_some_and(|s| s.locked != 0);
    let notice_secs = settings.as_ref().map(|s| s.notice_hours * 3600).unwrap_or(0);
    let (booking_when, change_until, changeable) = match &booking {
        Some(b) => (
            when(b.starts_at),
            when(b.starts_at - notice_secs),
            invited && !locked && now < b.starts_at - notice_secs,
        ),
        None => (String::new(), String::new(), false),
    };
    Ok(Html(
        MyTemplate {
            page,
            csrf: ctx.csrf().await?,
            reference,
            invited,
            booking,
            booking_when,
            change_until,
            changeable,
            locked,
            choices,
        }
        .render()?,
    ))
}

/// Published slots of the application's round and position with a free seat, in the future.
async fn open_slots(state: &AppState, app: &Application, now: i64) -> AppResult<Vec<InterviewSlot>> {
    Ok(state
        .store
        .open_interview_slots(app.round_id, now)
        .await?
        .into_iter()
        .filter(|s| s.serves(&app.position))
        .collect())
}

#[derive(Deserialize)]
struct SlotForm {
    slot: String,
}

/// The application if it may book or change a booking, else a refusal in words.
async fn invited_application(state: &AppState, ctx: &Ctx) -> AppResult<Application> {
    let lang = ctx.lang();
    let app = my_application(state, ctx)
        .await?
        .ok_or_else(|| AppError::BadRequest(lang.t("iv-err-not-invited")))?;
    if app.state != "invited" {
        return Err(AppError::BadRequest(lang.t("iv-err-not-invited")));
    }
    Ok(app)
}

/// The slot chosen, if the application may take a seat in it.
async fn bookable_slot(
    state: &AppState,
    lang: Lang,
    app: &Application,
    raw: &str,
) -> AppResult<InterviewSlot> {
    let slot = match raw.trim().parse::<i64>() {
        Ok(id) => state.store.interview_slot(id).await?,
        Err(_) => None,
    };
    let slot = slot
        .filter(|s| s.round_id == app.round_id && s.published != 0)
        .ok_or_else(|| AppError::BadRequest(lang.t("iv-err-no-slot")))?;
    if !slot.serves(&app.position) {
        return Err(AppError::BadRequest(lang.t("iv-err-other-position")));
    }
    if slot.starts_at <= jetdesk_store::now() {
        return Err(AppError::BadRequest(lang.t("iv-err-past-slot")));
    }
    Ok(slot)
}

async fn book(State(state): State<AppState>, ctx: Ctx, Form(f): Form<SlotForm>) -> AppResult<Response> {
    let lang = ctx.lang();
    let app = invited_application(&state, &ctx).await?;
    let slot = bookable_slot(&state, lang, &app, &f.slot).await?;
    if state.store.interview_booking_of(app.id).await?.is_some() {
        return Err(AppError::BadRequest(lang.t("iv-err-second-booking")));
    }
    let uid = format!("interview-{}-{}@jetdesk", app.id, crate::security::new_token());
    match state.store.book_interview(app.id, slot.id, &uid).await? {
        BookOutcome::Booked(_) => {}
        BookOutcome::Full => return Err(AppError::BadRequest(lang.t("iv-err-full"))),
        BookOutcome::AlreadyBooked => return Err(AppError::BadRequest(lang.t("iv-err-second-booking"))),
    }
    let booking = state
        .store
        .interview_booking_of(app.id)
        .await?
        .ok_or(AppError::NotFound)?;
    invite(&state, &app, &booking, Change::Booked, None).await?;
    state
        .store
        .audit(
            ctx.user().map(|u| u.id),
            "interview.book",
            &format!("application:{}", app.id),
            None,
            Some(&format!("slot {}", slot.id)),
        )
        .await?;
    Ok(Redirect::to("/my/interview?notice=booked").into_response())
}

/// The booking, if it may still change (not locked, outside the minimum notice).
async fn changeable_booking(state: &AppState, ctx: &Ctx, app: &Application) -> AppResult<InterviewBooking> {
    let lang = ctx.lang();
    let booking = state
        .store
        .interview_booking_of(app.id)
        .await?
        .ok_or_else(|| AppError::BadRequest(lang.t("iv-err-no-booking")))?;
    let settings = state.store.interview_settings(app.round_id).await?;
    if settings.locked != 0 {
        return Err(AppError::BadRequest(lang.t("iv-err-locked")));
    }
    if jetdesk_store::now() >= booking.starts_at - settings.notice_hours * 3600 {
        return Err(AppError::BadRequest(lang.t1(
            "iv-err-notice-period",
            "hours",
            settings.notice_hours,
        )));
    }
    Ok(booking)
}

async fn move_booking(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SlotForm>,
) -> AppResult<Response> {
    let lang = ctx.lang();
    let app = invited_application(&state, &ctx).await?;
    let booking = changeable_booking(&state, &ctx, &app).await?;
    let slot = bookable_slot(&state, lang, &app, &f.slot).await?;
    if slot.id == booking.slot_id {
        return Err(AppError::BadRequest(lang.t("iv-err-same-slot")));
    }
    match state
        .store
        .move_interview(booking.id, booking.slot_id, slot.id)
        .await?
    {
        BookOutcome::Booked(_) => {}
        BookOutcome::Full => return Err(AppError::BadRequest(lang.t("iv-err-full"))),
        BookOutcome::AlreadyBooked => return Err(AppError::BadRequest(lang.t("iv-err-changed"))),
    }
    let moved = state
        .store
        .interview_booking_of(app.id)
        .await?
        .ok_or(AppError::NotFound)?;
    invite(&state, &app, &moved, Change::Moved, booking.panel_id).await?;
    state
        .store
        .audit(
            ctx.user().map(|u| u.id),
            "interview.move",
            &format!("application:{}", app.id),
            Some(&format!("slot {}", booking.slot_id)),
            Some(&format!("slot {}", slot.id)),
        )
        .await?;
    Ok(Redirect::to("/my/interview?notice=moved").into_response())
}

#[derive(Deserialize)]
struct CancelForm {}

async fn cancel(State(state): State<AppState>, ctx: Ctx, Form(_f): Form<CancelForm>) -> AppResult<Response> {
    let lang = ctx.lang();
    let app = invited_application(&state, &ctx).await?;
    let booking = changeable_booking(&state, &ctx, &app).await?;
    if !state.store.cancel_interview(booking.id, booking.slot_id).await? {
        return Err(AppError::BadRequest(lang.t("iv-err-changed")));
    }
    let cancelled = InterviewBooking {
        sequence: booking.sequence + 1,
        ..booking.clone()
    };
    invite(&state, &app, &cancelled, Change::Cancelled, None).await?;
    state
        .store
        .audit(
            ctx.user().map(|u| u.id),
            "interview.cancel",
            &format!("application:{}", app.id),
            Some(&format!("slot {}", booking.slot_id)),
            None,
        )
        .await?;
    Ok(Redirect::to("/my/interview?notice=cancelled").into_response())
}

/// What happened to a booking, for the e-mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Booked,
    Moved,
    Cancelled,
}

/// The JET Desk's own address (the organiser of every invitation).
pub(crate) fn organizer(state: &AppState) -> String {
    let from = state.config.mail_from.as_str();
    match (from.find('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => from[a + 1..b].to_string(),
        _ => from.trim().to_string(),
    }
}

/// Where a booking's interview happens, in words.
fn place(b: &InterviewBooking) -> String {
    if b.online != 0 {
        format!("{} ({})", b.venue_name, b.meeting_link)
    } else {
        format!("{}, {}", b.venue_name, b.address)
    }
}

/// E-mails the applicant and the panel an .ics invitation (or cancellation). When a move changed the
/// panel, the old panel's members get a cancellation.
async fn invite(
    state: &AppState,
    app: &Application,
    b: &InterviewBooking,
    change: Change,
    old_panel: Option<i64>,
) -> AppResult<()> {
    let applicant = state.store.user(app.user_id).await?.ok_or(AppError::NotFound)?;
    let reference = app.reference.clone().unwrap_or_default();
    let panel = match b.panel_id {
        Some(p) => state.store.panel_members(p).await?,
        None => Vec::new(),
    };
    let mut attendees = vec![(applicant.display_name.clone(), applicant.email.clone())];
    attendees.extend(panel.iter().map(|m| (m.display_name.clone(), m.email.clone())));
    let organizer = organizer(state);
    let location = place(b);
    let summary = format!("JET Programme interview ({reference})");
    let description = format!(
        "Interview for the JET Programme, reference {reference}. {}. Times are in {ZONE} time.",
        location
    );
    let inv = Invitation {
        uid: &b.uid,
        sequence: b.sequence,
        starts_at: b.starts_at,
        minutes: b.length_minutes,
        summary: &summary,
        description: &description,
        location: &location,
        organizer: &organizer,
        attendees: &attendees,
        cancel: change == Change::Cancelled,
    };
    let (subject, line) = match change {
        Change::Booked => ("Your JET interview is booked", "Your interview is booked"),
        Change::Moved => ("Your JET interview has moved", "Your interview has moved"),
        Change::Cancelled => (
            "Your JET interview is cancelled",
            "Your interview booking is cancelled; you can book another time on the interview page",
        ),
    };
    let body = format!(
        "Dear {name},\n\n{line}: {time} ({ZONE}), {minutes} minutes, at {location}.\n\n\
         The attached invitation adds it to your calendar. You can see, move or cancel your interview at\n\
         {base}/my/interview\n\nJET Desk, Embassy of Japan in the UK\nReference: {reference}\n",
        name = applicant.display_name,
        time = when(b.starts_at),
        minutes = b.length_minutes,
        base = state.base_url,
    );
    state
        .mailer
        .queue_with_attachment(
            &applicant.email,
            &format!("{subject} ({reference})"),
            &body,
            ics::attachment(&inv),
        )
        .await?;
    for m in &panel {
        let body = format!(
            "Dear {name},\n\nInterview of {reference} ({position}): {time} ({ZONE}), {minutes} minutes, at {location}.\n\
             {state_line}\n\nYour day: {base}/interviews/day?date={date}\n\nJET Desk\n",
            name = m.display_name,
            position = app.position.to_uppercase(),
            time = when(b.starts_at),
            minutes = b.length_minutes,
            state_line = match change {
                Change::Booked => "The candidate has booked this interview with your panel.",
                Change::Moved => "The candidate has moved their interview to this time.",
                Change::Cancelled => "The candidate has cancelled this interview.",
            },
            base = state.base_url,
            date = super::london_date(b.starts_at),
        );
        state
            .mailer
            .queue_with_attachment(
                &m.email,
                &format!(
                    "Interview {reference}: {}",
                    subject.trim_start_matches("Your JET ")
                ),
                &body,
                ics::attachment(&inv),
            )
            .await?;
    }
    if let Some(old) = old_panel.filter(|o| Some(*o) != b.panel_id) {
        for m in state.store.panel_members(old).await? {
            let inv = Invitation {
                cancel: true,
                attendees: &[(m.display_name.clone(), m.email.clone())],
                ..inv
            };
            let body = format!(
                "Dear {},\n\nThe interview of {reference} has moved to another panel: it is no longer in your day.\n\nJET Desk\n",
                m.display_name
            );
            state
                .mailer
                .queue_with_attachment(
                    &m.email,
                    &format!("Interview {reference}: moved to another panel"),
                    &body,
                    ics::attachment(&inv),
                )
                .await?;
        }
    }
    Ok(())
}

/// Sends each interview's reminder once, when the interview is less than a day after `now`.
/// Idempotent: each reminder is claimed by a conditional UPDATE before it is queued, so a second run
/// (or a second app instance) sends nothing more. Returns how many were sent.
pub async fn send_reminders(
    store: &Store,
    mailer: &Mailer,
    base_url: &str,
    now: i64,
) -> jetdesk_store::Result<usize> {
    let mut sent = 0;
    for b in store.due_interview_reminders(now).await? {
        if !store.claim_interview_reminder(b.id, now).await? {
            continue;
        }
        let Some(app) = store.application(b.application_id).await? else {
            continue;
        };
        let Some(applicant) = store.user(app.user_id).await? else {
            continue;
        };
        let reference = app.reference.clone().unwrap_or_default();
        let body = format!(
            "Dear {name},\n\nA reminder: your JET Programme interview is on {time} ({ZONE}), {minutes} minutes, \
             at {location}.\n\nDetails: {base_url}/my/interview\n\nJET Desk, Embassy of Japan in the UK\nReference: {reference}\n",
            name = applicant.display_name,
            time = when(b.starts_at),
            minutes = b.length_minutes,
            location = place(&b),
        );
        mailer
            .queue(
                &applicant.email,
                &format!(
                    "Reminder: your JET interview on {} ({reference})",
                    when(b.starts_at)
                ),
                &body,
            )
            .await?;
        sent += 1;
    }
    Ok(sent)
}

/// Runs [`send_reminders`] every fifteen minutes until the process ends.
pub async fn reminder_loop(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(900));
    loop {
        every.tick().await;
        if let Err(err) =
            send_reminders(&state.store, &state.mailer, &state.base_url, jetdesk_store::now()).await
        {
            tracing::warn!(error = %err, "interview reminders failed; trying again in 15 minutes");
        }
    }
}
