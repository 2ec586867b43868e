//! Interviews (issue 4): the coordinator's venues, panels of interviewers with daily caps, slots
//! created in bulk from a day pattern in Europe/London time and published; applicants invited to
//! interview book, move and cancel their own seat ([`booking`]); interviewers see their day and
//! score with the interview rubric, CIR interviews with the Japanese assessment ([`scoring`]); and
//! Japanese evaluation requests ([`evaluations`]).
//!
//! A seat is never double-booked: the store takes it with one conditional UPDATE of the slot's
//! counter in the booking's transaction (never a lock in this process). Panel assignment respects
//! each interviewer's daily cap when slots are created: a panel sits in a slot only while every
//! member is under their cap that day, and a slot's capacity is the number of panels sitting.
//!
//! This module never changes an application's state except invited → interviewed, through the
//! state machine, on an interview's first score.

pub mod booking;
pub mod demo;
pub mod evaluations;
pub mod ics;
pub mod scoring;

use crate::access::{Access, RouteDef};
use crate::dashboard::exports::{send, Export, ExportLinks, Format, Table};
use crate::error::{AppError, AppResult};
use crate::forms::{Form, FormErrors};
use crate::page::{format_time, Page};
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jetdesk_domain::Role;
use jetdesk_store::{InterviewPanel, InterviewSlot, InterviewVenue, Interviewer, PanelMember, Round};
use serde::Deserialize;
use std::collections::HashMap;

const COORDINATOR: Access = Access::Roles(&[Role::Coordinator]);

/// The time zone every interview is arranged in.
pub const ZONE: &str = "Europe/London";
/// The most slots one bulk creation makes.
const MAX_BULK: i64 = 60;

pub(crate) fn routes() -> Vec<RouteDef> {
    let mut routes = vec![
        RouteDef::get("/interviews", COORDINATOR, get(coordinator_page)),
        RouteDef::get("/interviews/slots.csv", COORDINATOR, get(slots_export)),
        RouteDef::get("/interviews/slots.xlsx", COORDINATOR, get(slots_export)),
        RouteDef::post("/interviews/settings", COORDINATOR, post(save_settings)),
        RouteDef::post("/interviews/venues", COORDINATOR, post(add_venue)),
        RouteDef::post("/interviews/caps", COORDINATOR, post(set_cap)),
        RouteDef::post("/interviews/panels", COORDINATOR, post(add_panel)),
        RouteDef::post("/interviews/slots", COORDINATOR, post(create_slots)),
        RouteDef::post("/interviews/publish", COORDINATOR, post(publish)),
    ];
    routes.extend(booking::routes());
    routes.extend(scoring::routes());
    routes.extend(evaluations::routes());
    routes
}

/// A Unix time as a London date and time, for pages and e-mails.
pub(crate) fn when(unix: i64) -> String {
    format_time(unix)
}

/// The London calendar date of a Unix time (YYYY-MM-DD).
pub fn london_date(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .ok()
        .and_then(|ts| ts.in_tz(ZONE).ok())
        .map(|z| z.date().to_string())
        .unwrap_or_default()
}

/// Why a London wall-clock time cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LocalTimeProblem {
    /// Not a date or time at all.
    Invalid,
    /// The clocks skip it or pass it twice (a daylight-saving change).
    ClocksChange,
}

/// The Unix time of a London wall-clock date and time. A time the clocks skip (01:30 on the last
/// Sunday of March) or pass twice (01:30 on the last Sunday of October) is refused, not guessed.
pub(crate) fn london_instant(dt: jiff::civil::DateTime) -> Result<i64, LocalTimeProblem> {
    let tz = jiff::tz::TimeZone::get(ZONE).map_err(|_| LocalTimeProblem::Invalid)?;
    tz.to_ambiguous_zoned(dt)
        .unambiguous()
        .map(|z| z.timestamp().as_second())
        .map_err(|_| LocalTimeProblem::ClocksChange)
}

/// The round interviews are arranged for: `?round=` if given, else the newest round.
pub(crate) async fn round_for(state: &AppState, id: Option<i64>) -> AppResult<Round> {
    match id {
        Some(id) => state.store.round(id).await?.ok_or(AppError::NotFound),
        None => state
            .store
            .rounds()
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound),
    }
}

// ----- the coordinator's page -----

/// What the bulk form showed when it was refused, so nothing typed is lost.
#[derive(Default, Clone)]
struct BulkTyped {
    date: String,
    first: String,
    length: String,
    gap: String,
    count: String,
    venue: String,
    positions: Vec<String>,
    panels: Vec<String>,
}

struct PanelView {
    panel: InterviewPanel,
    members: String,
}

#[derive(Template)]
#[template(path = "interviews/coordinator.html")]
struct CoordinatorTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    round: Round,
    notice_hours: i64,
    locked: bool,
    venues: Vec<InterviewVenue>,
    interviewers: Vec<Interviewer>,
    panels: Vec<PanelView>,
    slots: Vec<(InterviewSlot, String)>,
    slot_count: i64,
    unpublished: i64,
    bookings: i64,
    typed: BulkTyped,
    positions: Vec<String>,
    exports: ExportLinks,
}

impl CoordinatorTemplate {
    fn checked_position(&self, p: &str) -> bool {
        self.typed.positions.iter().any(|x| x == p)
    }
    fn checked_panel(&self, id: &i64) -> bool {
        self.typed.panels.iter().any(|x| x == &id.to_string())
    }
}

async fn render_coordinator(
    state: &AppState,
    ctx: &Ctx,
    round: Round,
    errors: FormErrors,
    typed: BulkTyped,
    notice: Option<String>,
) -> AppResult<String> {
    let settings = state.store.interview_settings(round.id).await?;
    let panels = state.store.interview_panels(round.id).await?;
    let members: Vec<PanelMember> = state.store.interview_panel_members(round.id).await?;
    let panels = panels
        .into_iter()
        .map(|p| PanelView {
            members: members
                .iter()
                .filter(|m| m.panel_id == p.id)
                .map(|m| m.display_name.clone())
                .collect::<Vec<_>>()
                .join(", "),
            panel: p,
        })
        .collect();
    let slots = slot_list(state, round.id).await?;
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let unpublished = count(slots.iter().filter(|(s, _)| s.published == 0).count());
    let bookings = count(state.store.interview_bookings(round.id).await?.len());
    let slot_count = count(slots.len());
    let mut typed = typed;
    if typed.length.is_empty() {
        typed.length = "40".into();
        typed.gap = "10".into();
        typed.count = "6".into();
        typed.first = "09:00".into();
    }
    let positions = round.positions.split(',').map(|p| p.trim().to_string()).collect();
    let mut page = Page::new(ctx, ctx.lang().t("iv-coord-title"));
    page.notice = notice;
    Ok(CoordinatorTemplate {
        page,
        csrf: ctx.csrf().await?,
        errors,
        notice_hours: settings.notice_hours,
        locked: settings.locked != 0,
        venues: state.store.interview_venues().await?,
        interviewers: state.store.interviewers().await?,
        panels,
        slots,
        slot_count,
        unpublished,
        bookings,
        typed,
        positions,
        exports: ExportLinks::new("/interviews/slots", &[("round", &round.id.to_string())]),
        round,
    }
    .render()?)
}

/// A round's interview slots with their London start times. Shared by the page and its export.
async fn slot_list(state: &AppState, round_id: i64) -> AppResult<Vec<(InterviewSlot, String)>> {
    Ok(state
        .store
        .interview_slots(round_id)
        .await?
        .into_iter()
        .map(|s| {
            let w = when(s.starts_at);
            (s, w)
        })
        .collect())
}

/// The round's slots (`?round=`, else the newest round) as a file, with seats booked.
async fn slots_export(
    State(state): State<AppState>,
    ctx: Ctx,
    format: Format,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let lang = ctx.lang();
    let round = round_for(&state, q.round).await?;
    let mut table = Table::new(
        lang,
        &[
            "iv-col-start",
            "iv-col-length",
            "iv-col-venue",
            "iv-col-positions",
            "iv-col-booked",
            "iv-col-capacity",
            "iv-col-status",
        ],
    );
    for (s, w) in slot_list(&state, round.id).await? {
        table.push(vec![
            w,
            s.length_minutes.to_string(),
            s.venue_name,
            s.positions.to_uppercase(),
            s.booked.to_string(),
            s.capacity.to_string(),
            lang.t(if s.published != 0 {
                "iv-published"
            } else {
                "iv-draft"
            }),
        ]);
    }
    let export = Export {
        list: "interview-slots",
        subject: format!("round:{}", round.id),
        filters: format!("round={}", round.id),
        file: format!("interview-slots-round-{}", round.id),
        sheet: lang.t("iv-slots"),
    };
    send(&state, &ctx, format, export, table).await
}

#[derive(Deserialize)]
struct PageQuery {
    round: Option<i64>,
    notice: Option<String>,
}

fn notice_key(n: Option<&str>) -> Option<&'static str> {
    match n? {
        "settings" => Some("iv-notice-settings"),
        "venue" => Some("iv-notice-venue"),
        "cap" => Some("iv-notice-cap"),
        "panel" => Some("iv-notice-panel"),
        "slots" => Some("iv-notice-slots"),
        "published" => Some("iv-notice-published"),
        _ => None,
    }
}

async fn coordinator_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let round = round_for(&state, q.round).await?;
    Ok(Html(
        render_coordinator(
            &state,
            &ctx,
            round,
            FormErrors::default(),
            BulkTyped::default(),
            notice_key(q.notice.as_deref()).map(|k| ctx.lang().t(k)),
        )
        .await?,
    ))
}

fn done(round: &Round, notice: &str) -> Response {
    Redirect::to(&format!("/interviews?round={}&notice={notice}", round.id)).into_response()
}

async fn refused(
    state: &AppState,
    ctx: &Ctx,
    round: Round,
    errors: FormErrors,
    typed: BulkTyped,
) -> AppResult<Response> {
    let html = render_coordinator(state, ctx, round, errors, typed, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

#[derive(Deserialize)]
struct SettingsForm {
    round: i64,
    notice_hours: String,
    locked: Option<String>,
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let round = round_for(&state, Some(f.round)).await?;
    let lang = ctx.lang();
    let hours = match f.notice_hours.trim().parse::<i64>() {
        Ok(h) if (0..=336).contains(&h) => h,
        _ => {
            let mut errors = FormErrors::default();
            errors.add("notice_hours", lang.t("iv-err-notice"));
            return refused(&state, &ctx, round, errors, BulkTyped::default()).await;
        }
    };
    let locked = f.locked.is_some();
    state
        .store
        .set_interview_settings(round.id, hours, locked)
        .await?;
    state
        .store
        .audit(
            Some(user.id),
            "interviews.settings",
            &format!("round:{}", round.id),
            None,
            Some(&format!("notice {hours} h, locked {locked}")),
        )
        .await?;
    Ok(done(&round, "settings"))
}

#[derive(Deserialize)]
struct VenueForm {
    round: i64,
    #[serde(rename = "venue-name")]
    name: String,
    #[serde(rename = "venue-address")]
    address: String,
    #[serde(rename = "venue-link")]
    meeting_link: String,
    online: Option<String>,
}

async fn add_venue(State(state): State<AppState>, ctx: Ctx, Form(f): Form<VenueForm>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let round = round_for(&state, Some(f.round)).await?;
    let lang = ctx.lang();
    let mut errors = FormErrors::default();
    let name = f.name.trim();
    let online = f.online.is_some();
    let link = f.meeting_link.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.add("venue-name", lang.t("iv-err-venue-name"));
    }
    if !online && f.address.trim().is_empty() {
        errors.add("venue-address", lang.t("iv-err-venue-address"));
    }
    if online && !link.starts_with("https://") {
        errors.add("venue-link", lang.t("iv-err-venue-link"));
    }
    if errors.is_empty() {
        match state
            .store
            .create_interview_venue(name, online, f.address.trim(), link)
            .await
        {
            Ok(id) => {
                state
                    .store
                    .audit(
                        Some(user.id),
                        "interviews.venue",
                        &format!("venue:{id}"),
                        None,
                        Some(name),
                    )
                    .await?;
                return Ok(done(&round, "venue"));
            }
            Err(jetdesk_store::StoreError::Conflict(_)) => {
                errors.add("venue-name", lang.t("iv-err-venue-taken"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    refused(&state, &ctx, round, errors, BulkTyped::default()).await
}

#[derive(Deserialize)]
struct CapForm {
    round: i64,
    user: i64,
    cap: String,
}

async fn set_cap(State(state): State<AppState>, ctx: Ctx, Form(f): Form<CapForm>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let round = round_for(&state, Some(f.round)).await?;
    let interviewers = state.store.interviewers().await?;
    if !interviewers.iter().any(|i| i.id == f.user) {
        return Err(AppError::NotFound);
    }
    let cap = match f.cap.trim().parse::<i64>() {
        Ok(c) if (1..=24).contains(&c) => c,
        _ => return Err(AppError::BadRequest(ctx.lang().t("iv-err-cap"))),
    };
    state.store.set_interviewer_cap(f.user, cap).await?;
    state
        .store
        .audit(
            Some(user.id),
            "interviews.cap",
            &format!("user:{}", f.user),
            None,
            Some(&cap.to_string()),
        )
        .await?;
    Ok(done(&round, "cap"))
}

/// A form's fields as (name, value) pairs (repeated checkboxes need more than serde's struct form).
fn pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(form: &'a [(String, String)], key: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn fields(form: &[(String, String)], key: &str) -> Vec<String> {
    form.iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .collect()
}

async fn add_panel(State(state): State<AppState>, ctx: Ctx, RawForm(body): RawForm) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let form = pairs(&body);
    let round = round_for(
        &state,
        Some(field(&form, "round").parse().map_err(|_| AppError::NotFound)?),
    )
    .await?;
    let lang = ctx.lang();
    let name = field(&form, "panel-name").trim().to_string();
    let interviewers = state.store.interviewers().await?;
    let members: Vec<i64> = fields(&form, "member")
        .iter()
        .filter_map(|m| m.parse().ok())
        .filter(|id| interviewers.iter().any(|i| i.id == *id))
        .collect();
    let mut errors = FormErrors::default();
    if name.is_empty() || name.chars().count() > 100 {
        errors.add("panel-name", lang.t("iv-err-panel-name"));
    }
    if members.is_empty() {
        errors.add("panel-members", lang.t("iv-err-panel-members"));
    }
    if errors.is_empty() {
        match state
            .store
            .create_interview_panel(round.id, &name, &members)
            .await
        {
            Ok(id) => {
                state
                    .store
                    .audit(
                        Some(user.id),
                        "interviews.panel",
                        &format!("panel:{id}"),
                        None,
                        Some(&name),
                    )
                    .await?;
                return Ok(done(&round, "panel"));
            }
            Err(jetdesk_store::StoreError::Conflict(_)) => {
                errors.add("panel-name", lang.t("iv-err-panel-taken"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    refused(&state, &ctx, round, errors, BulkTyped::default()).await
}

/// One slot of a day pattern: its London start and the Unix instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PatternSlot {
    /// London wall-clock start.
    pub local: jiff::civil::DateTime,
    /// The instant (Unix seconds).
    pub starts_at: i64,
}

/// The slots of a day pattern: `count` slots of `length` minutes from `first` on `date`, `gap`
/// minutes apart, in London wall-clock time (so 09:00 is 09:00 whether the clocks say GMT or BST,
/// including on the days they change).
pub(crate) fn day_pattern(
    date: jiff::civil::Date,
    first: jiff::civil::Time,
    length: i64,
    gap: i64,
    count: i64,
) -> Result<Vec<PatternSlot>, LocalTimeProblem> {
    let start = date.to_datetime(first);
    (0..count)
        .map(|i| {
            let minutes = i * (length + gap);
            let local = start
                .checked_add(jiff::Span::new().minutes(minutes))
                .map_err(|_| LocalTimeProblem::Invalid)?;
            if local.date() != date {
                return Err(LocalTimeProblem::Invalid);
            }
            Ok(PatternSlot {
                local,
                starts_at: london_instant(local)?,
            })
        })
        .collect()
}

async fn create_slots(
    State(state): State<AppState>,
    ctx: Ctx,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let form = pairs(&body);
    let round = round_for(
        &state,
        Some(field(&form, "round").parse().map_err(|_| AppError::NotFound)?),
    )
    .await?;
    let lang = ctx.lang();
    let typed = BulkTyped {
        date: field(&form, "date").trim().to_string(),
        first: field(&form, "first").trim().to_string(),
        length: field(&form, "length").trim().to_string(),
        gap: field(&form, "gap").trim().to_string(),
        count: field(&form, "count").trim().to_string(),
        venue: field(&form, "venue").to_string(),
        positions: fields(&form, "position"),
        panels: fields(&form, "panel"),
    };
    let mut errors = FormErrors::default();
    let date = typed.date.parse::<jiff::civil::Date>().ok();
    if date.is_none() {
        errors.add("date", lang.t("iv-err-date"));
    }
    let first = typed.first.parse::<jiff::civil::Time>().ok();
    if first.is_none() {
        errors.add("first", lang.t("iv-err-time"));
    }
    let length = typed
        .length
        .parse::<i64>()
        .ok()
        .filter(|l| (10..=240).contains(l));
    if length.is_none() {
        errors.add("length", lang.t("iv-err-length"));
    }
    let gap = typed.gap.parse::<i64>().ok().filter(|g| (0..=240).contains(g));
    if gap.is_none() {
        errors.add("gap", lang.t("iv-err-gap"));
    }
    let count = typed
        .count
        .parse::<i64>()
        .ok()
        .filter(|c| (1..=MAX_BULK).contains(c));
    if count.is_none() {
        errors.add("count", lang.t("iv-err-count"));
    }
    let venues = state.store.interview_venues().await?;
    let venue = typed
        .venue
        .parse::<i64>()
        .ok()
        .and_then(|v| venues.iter().find(|x| x.id == v));
    if venue.is_none() {
        errors.add("venue", lang.t("iv-err-venue"));
    }
    let offered: Vec<&str> = round.positions.split(',').map(str::trim).collect();
    let positions: Vec<String> = typed
        .positions
        .iter()
        .filter(|p| offered.contains(&p.as_str()))
        .cloned()
        .collect();
    if positions.is_empty() {
        errors.add("position-first", lang.t("iv-err-positions"));
    }
    let round_panels = state.store.interview_panels(round.id).await?;
    let panels: Vec<i64> = typed
        .panels
        .iter()
        .filter_map(|p| p.parse::<i64>().ok())
        .filter(|id| round_panels.iter().any(|p| p.id == *id))
        .collect();
    if panels.is_empty() {
        errors.add("panel-first", lang.t("iv-err-panels"));
    }
    let (Some(date), Some(first), Some(length), Some(gap), Some(count), Some(venue)) =
        (date, first, length, gap, count, venue)
    else {
        return refused(&state, &ctx, round, errors, typed).await;
    };
    let pattern = match day_pattern(date, first, length, gap, count) {
        Ok(p) => p,
        Err(LocalTimeProblem::ClocksChange) => {
            errors.add("first", lang.t("iv-err-clocks"));
            return refused(&state, &ctx, round, errors, typed).await;
        }
        Err(LocalTimeProblem::Invalid) => {
            errors.add("count", lang.t("iv-err-past-midnight"));
            return refused(&state, &ctx, round, errors, typed).await;
        }
    };
    if pattern
        .first()
        .is_some_and(|p| p.starts_at <= jetdesk_store::now())
    {
        errors.add("date", lang.t("iv-err-past"));
    }
    if !errors.is_empty() {
        return refused(&state, &ctx, round, errors, typed).await;
    }
    // Daily caps: a panel sits in a slot only while every member is under their cap that day.
    let members = state.store.interview_panel_members(round.id).await?;
    let caps: HashMap<i64, i64> = state
        .store
        .interviewers()
        .await?
        .into_iter()
        .filter_map(|i| i.daily_cap.map(|c| (i.id, c)))
        .collect();
    let local_date = date.to_string();
    let mut load: HashMap<i64, i64> = state
        .store
        .interviewer_day_loads(&local_date)
        .await?
        .into_iter()
        .collect();
    let positions = positions.join(",");
    let mut created = 0;
    let mut short = 0;
    for slot in &pattern {
        let mut sitting = Vec::new();
        for panel in &panels {
            let ids: Vec<i64> = members
                .iter()
                .filter(|m| m.panel_id == *panel)
                .map(|m| m.user_id)
                .collect();
            let free = ids.iter().all(|u| {
                caps.get(u)
                    .is_none_or(|cap| load.get(u).copied().unwrap_or(0) < *cap)
            });
            if free {
                for u in &ids {
                    *load.entry(*u).or_insert(0) += 1;
                }
                sitting.push(*panel);
            }
        }
        if sitting.len() < panels.len() {
            short += 1;
        }
        if sitting.is_empty() {
            continue;
        }
        state
            .store
            .create_interview_slot(
                round.id,
                venue.id,
                slot.starts_at,
                length,
                &local_date,
                &positions,
                &sitting,
            )
            .await?;
        created += 1;
    }
    state
        .store
        .audit(
            Some(user.id),
            "interviews.slots",
            &format!("round:{}", round.id),
            None,
            Some(&format!("{created} slots on {local_date} at {}", venue.name)),
        )
        .await?;
    if short > 0 {
        let msg = lang.ta(
            "iv-notice-capped",
            vec![("created", created.into()), ("short", short.into())],
        );
        let page = render_coordinator(
            &state,
            &ctx,
            round,
            FormErrors::default(),
            BulkTyped::default(),
            Some(msg),
        )
        .await?;
        return Ok(Html(page).into_response());
    }
    Ok(done(&round, "slots"))
}

#[derive(Deserialize)]
struct RoundForm {
    round: i64,
}

async fn publish(State(state): State<AppState>, ctx: Ctx, Form(f): Form<RoundForm>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let round = round_for(&state, Some(f.round)).await?;
    let n = state.store.publish_interview_slots(round.id).await?;
    state
        .store
        .audit(
            Some(user.id),
            "interviews.publish",
            &format!("round:{}", round.id),
            None,
            Some(&format!("{n} slots")),
        )
        .await?;
    Ok(done(&round, "published"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn slots_on_the_day_the_clocks_go_forward_keep_their_wall_clock_times() {
        // 28 March 2027: clocks go forward at 01:00 GMT. 09:00 is BST (UTC+1).
        let slots = day_pattern(date(2027, 3, 28), time(9, 0, 0, 0), 40, 10, 3).unwrap();
        let utc: Vec<String> = slots
            .iter()
            .map(|s| jiff::Timestamp::from_second(s.starts_at).unwrap().to_string())
            .collect();
        assert_eq!(
            utc,
            [
                "2027-03-28T08:00:00Z",
                "2027-03-28T08:50:00Z",
                "2027-03-28T09:40:00Z"
            ]
        );
        let before = day_pattern(date(2027, 3, 27), time(9, 0, 0, 0), 40, 10, 1).unwrap();
        assert_eq!(before[0].starts_at - slots[0].starts_at, -23 * 3600);
    }

    #[test]
    fn a_slot_the_clocks_skip_is_refused() {
        let err = day_pattern(date(2027, 3, 28), time(0, 30, 0, 0), 30, 0, 3).unwrap_err();
        assert_eq!(err, LocalTimeProblem::ClocksChange);
        let err = day_pattern(date(2027, 10, 31), time(1, 30, 0, 0), 30, 0, 1).unwrap_err();
        assert_eq!(err, LocalTimeProblem::ClocksChange);
    }

    #[test]
    fn a_pattern_past_midnight_is_refused() {
        let err = day_pattern(date(2027, 2, 1), time(23, 0, 0, 0), 40, 20, 2).unwrap_err();
        assert_eq!(err, LocalTimeProblem::Invalid);
    }
}
