//! The host's ALT school-visit planner (issue 6). A host keeps their organisation's schools
//! (visits needed per week, month or term; preferred weekdays; closed dates) and ALTs (base school,
//! working weekdays, days off, reachable schools), creates a term plan with its closed dates,
//! generates it with `jetdesk-timetable` (on a blocking thread), reads it as a week grid and as
//! per-ALT and per-school calendars, moves visits by hand, re-generates keeping the moved (pinned)
//! visits, and publishes. Each ALT whose account e-mail matches then sees their calendar at
//! `/my/timetable` and can subscribe to a secret `.ics` feed.
//!
//! Authorisation: hosts see and change only organisations they belong to (any other id is a 404);
//! coordinators and admins may read every organisation's plans, but change nothing.
//!
//! Moves: a move that breaks a hard constraint (the ALT is elsewhere that day, the school or the
//! ALT is not open or working, the school is out of reach, a period gets more visits than it
//! needs) is refused with the checker's reasons and never saved. A move that only leaves a period
//! short of its requirement is saved only when the host ticks "save anyway".

pub(crate) mod demo;
mod model;

use crate::access::{Access, RouteDef};
use crate::error::{AppError, AppResult};
use crate::forms::{Form, FormErrors};
use crate::i18n::Lang;
use crate::page::Page;
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use fluent_templates::fluent_bundle::FluentValue;
use jetdesk_domain::Role;
use jetdesk_store::{HostOrg, TtAlt, TtAltInput, TtPlan, TtSchool, TtSchoolInput};
use jetdesk_timetable::{Date, Instance, Options, Plan, Visit, Weekday};
use model::{split_list, Conflict};
use serde::Deserialize;
use std::collections::BTreeMap;

const HOST: Access = Access::Roles(&[Role::Host]);
const READERS: Access = Access::Roles(&[Role::Host, Role::Coordinator, Role::Admin]);

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/timetables", READERS, get(index)),
        RouteDef::get("/timetables/{org}", READERS, get(org_page)),
        RouteDef::post("/timetables/{org}/schools", HOST, post(save_school)),
        RouteDef::post("/timetables/{org}/schools/{id}/delete", HOST, post(delete_school)),
        RouteDef::post("/timetables/{org}/alts", HOST, post(save_alt)),
        RouteDef::post("/timetables/{org}/alts/{id}/delete", HOST, post(delete_alt)),
        RouteDef::post("/timetables/{org}/plans", HOST, post(create_plan)),
        RouteDef::get("/timetables/{org}/plans/{plan}", READERS, get(plan_page)),
        RouteDef::post("/timetables/{org}/plans/{plan}/generate", HOST, post(generate)),
        RouteDef::post("/timetables/{org}/plans/{plan}/move", HOST, post(move_visit)),
        RouteDef::post(
            "/timetables/{org}/plans/{plan}/settings",
            HOST,
            post(plan_settings),
        ),
        RouteDef::post("/timetables/{org}/plans/{plan}/publish", HOST, post(publish)),
        RouteDef::get(
            "/timetables/{org}/plans/{plan}/alts/{code}",
            READERS,
            get(alt_calendar),
        ),
        RouteDef::get(
            "/timetables/{org}/plans/{plan}/schools/{code}",
            READERS,
            get(school_calendar),
        ),
        RouteDef::get("/my/timetable", Access::SignedIn, get(my_timetable)),
        RouteDef::get("/timetable/feed/{file}", Access::Public, get(feed)),
    ]
}

// ---------------------------------------------------------------------------------------------
// Who may see what

/// The organisation, if the user may see it: a host who belongs to it (and may change it), or a
/// coordinator or admin (read only, unless `write`). Anything else is a 404, so ids do not leak.
async fn org_for(state: &AppState, ctx: &Ctx, org_id: i64, write: bool) -> AppResult<(HostOrg, bool)> {
    let user = ctx.require_user()?;
    let org = state.store.host_org(org_id).await?.ok_or(AppError::NotFound)?;
    if user.has(Role::Host) && state.store.is_host_member(org_id, user.id).await? {
        return Ok((org, true));
    }
    if !write && (user.has(Role::Coordinator) || user.has(Role::Admin)) {
        return Ok((org, false));
    }
    Err(AppError::NotFound)
}

async fn plan_for(state: &AppState, org_id: i64, plan_id: i64) -> AppResult<TtPlan> {
    state
        .store
        .tt_plan(org_id, plan_id)
        .await?
        .ok_or(AppError::NotFound)
}

fn org_name(lang: Lang, org: &HostOrg) -> String {
    match lang {
        Lang::Ja => org.name_ja.clone(),
        Lang::En => org.name_en.clone(),
    }
}

fn stored_plan(json: Option<&str>) -> Option<Plan> {
    json.and_then(|j| serde_json::from_str(j).ok())
}

// ---------------------------------------------------------------------------------------------
// Organisations

#[derive(Template)]
#[template(path = "timetables/index.html")]
struct IndexTemplate {
    page: Page,
    orgs: Vec<(i64, String, String)>,
}

async fn index(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let user = ctx.require_user()?;
    let lang = ctx.lang();
    let orgs = if user.has(Role::Coordinator) || user.has(Role::Admin) {
        state.store.host_orgs().await?
    } else {
        state.store.host_orgs_of(user.id).await?
    };
    let t = IndexTemplate {
        page: Page::new(&ctx, lang.t("tt-index-title")),
        orgs: orgs
            .iter()
            .map(|o| {
                (
                    o.id,
                    org_name(lang, o),
                    format!(
                        "{} · {}",
                        o.prefecture,
                        lang.t(&format!("tt-setting-{}", o.setting))
                    ),
                )
            })
            .collect(),
    };
    Ok(Html(t.render()?))
}

#[derive(Deserialize, Default, Clone)]
struct SchoolForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    per: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    preferred: String,
    #[serde(default)]
    closed: String,
}

#[derive(Deserialize, Default, Clone)]
struct AltForm {
    #[serde(default)]
    alt_code: String,
    #[serde(default)]
    alt_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    base_school: String,
    #[serde(default)]
    weekdays: String,
    #[serde(default)]
    unavailable: String,
    #[serde(default)]
    reachable: String,
}

#[derive(Deserialize, Default, Clone)]
struct PlanForm {
    #[serde(default)]
    plan_name: String,
    #[serde(default)]
    term_start: String,
    #[serde(default)]
    term_end: String,
    #[serde(default)]
    term_closed: String,
}

#[derive(Template)]
#[template(path = "timetables/org.html")]
struct OrgTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    can_edit: bool,
    org_id: i64,
    org_line: String,
    schools: Vec<TtSchool>,
    alts: Vec<TtAlt>,
    plans: Vec<(i64, String, String, bool)>,
    school_form: SchoolForm,
    alt_form: AltForm,
    plan_form: PlanForm,
    levels: Vec<(&'static str, String)>,
    pers: Vec<(&'static str, String)>,
}

impl OrgTemplate {
    fn level_name(&self, code: &str) -> String {
        self.page.t(&format!("tt-level-{code}"))
    }

    fn need(&self, s: &TtSchool) -> String {
        self.page.lang.t1(&format!("tt-need-{}", s.per), "days", s.days)
    }
}

#[derive(Default)]
struct OrgForms {
    errors: FormErrors,
    school: SchoolForm,
    alt: AltForm,
    plan: PlanForm,
}

async fn render_org(
    state: &AppState,
    ctx: &Ctx,
    org: &HostOrg,
    can_edit: bool,
    forms: OrgForms,
    notice: Option<&str>,
) -> AppResult<String> {
    let lang = ctx.lang();
    let plans = state
        .store
        .tt_plans(org.id)
        .await?
        .into_iter()
        .map(|p| {
            let term = format!("{} – {}", p.term_start, p.term_end);
            (p.id, p.name, term, p.published_at.is_some())
        })
        .collect();
    let mut alt_form = forms.alt;
    if alt_form.weekdays.is_empty() && forms.errors.is_empty() {
        alt_form.weekdays = "mon, tue, wed, thu, fri".into();
    }
    let t = OrgTemplate {
        page: Page::new(ctx, org_name(lang, org)).with_notice(notice),
        csrf: ctx.csrf().await?,
        errors: forms.errors,
        can_edit,
        org_id: org.id,
        org_line: format!(
            "{} / {} · {} · {}",
            org.name_en,
            org.name_ja,
            org.prefecture,
            lang.t(&format!("tt-setting-{}", org.setting))
        ),
        schools: state.store.tt_schools(org.id).await?,
        alts: state.store.tt_alts(org.id).await?,
        plans,
        school_form: forms.school,
        alt_form,
        plan_form: forms.plan,
        levels: ["elementary", "junior_high", "senior_high", "special_needs"]
            .into_iter()
            .map(|l| (l, lang.t(&format!("tt-level-{l}"))))
            .collect(),
        pers: ["week", "month", "term"]
            .into_iter()
            .map(|p| (p, lang.t(&format!("tt-per-{p}"))))
            .collect(),
    };
    Ok(t.render()?)
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

fn notice_key(q: &NoticeQuery) -> Option<&'static str> {
    match q.notice.as_deref() {
        Some("school-saved") => Some("tt-notice-school-saved"),
        Some("alt-saved") => Some("tt-notice-alt-saved"),
        Some("deleted") => Some("tt-notice-deleted"),
        Some("generated") => Some("tt-notice-generated"),
        Some("moved") => Some("tt-notice-moved"),
        Some("published") => Some("tt-notice-published"),
        Some("settings-saved") => Some("tt-notice-settings-saved"),
        _ => None,
    }
}

async fn org_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(org_id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let (org, can_edit) = org_for(&state, &ctx, org_id, false).await?;
    Ok(Html(
        render_org(&state, &ctx, &org, can_edit, OrgForms::default(), notice_key(&q)).await?,
    ))
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 32
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn valid_weekdays(text: &str) -> bool {
    split_list(text).iter().all(|w| Weekday::parse(w).is_some())
}

fn valid_dates(text: &str) -> bool {
    split_list(text).iter().all(|d| Date::parse(d).is_some())
}

/// Lists as stored: normalised, comma-separated.
fn normal_list(text: &str) -> String {
    split_list(text).join(", ")
}

async fn save_school(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(org_id): Path<i64>,
    Form(form): Form<SchoolForm>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, true).await?;
    let lang = ctx.lang();
    let mut errors = FormErrors::default();
    let code = form.code.trim().to_string();
    if !valid_code(&code) {
        errors.add("code", lang.t("tt-err-code"));
    }
    let name = form.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        errors.add("name", lang.t("tt-err-name"));
    }
    if !["elementary", "junior_high", "senior_high", "special_needs"].contains(&form.level.as_str()) {
        errors.add("level", lang.t("tt-err-level"));
    }
    let max = match form.per.as_str() {
        "week" => 7,
        "month" => 31,
        "term" => 200,
        _ => {
            errors.add("per", lang.t("tt-err-per"));
            0
        }
    };
    let days = form
        .days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=max).contains(d));
    if days.is_none() {
        errors.add("days", lang.t("tt-err-days"));
    }
    if !valid_weekdays(&form.preferred) {
        errors.add("preferred", lang.t("tt-err-weekdays"));
    }
    if !valid_dates(&form.closed) {
        errors.add("closed", lang.t("tt-err-dates"));
    }
    if !errors.is_empty() {
        let forms = OrgForms {
            errors,
            school: form,
            ..Default::default()
        };
        let html = render_org(&state, &ctx, &org, true, forms, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    let input = TtSchoolInput {
        code,
        name,
        level: form.level,
        per: form.per,
        days: days.unwrap_or(1),
        preferred_weekdays: normal_list(&form.preferred),
        closed: normal_list(&form.closed),
    };
    state.store.save_tt_school(org.id, &input).await?;
    Ok(Redirect::to(&format!("/timetables/{}?notice=school-saved", org.id)).into_response())
}

async fn delete_school(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((org_id, id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, true).await?;
    if !state.store.delete_tt_school(org.id, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/timetables/{}?notice=deleted", org.id)).into_response())
}

async fn save_alt(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(org_id): Path<i64>,
    Form(form): Form<AltForm>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, true).await?;
    let lang = ctx.lang();
    let schools = state.store.tt_schools(org.id).await?;
    let known = |code: &str| schools.iter().any(|s| s.code == code);
    let mut errors = FormErrors::default();
    let code = form.alt_code.trim().to_string();
    if !valid_code(&code) {
        errors.add("alt_code", lang.t("tt-err-code"));
    }
    let name = form.alt_name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        errors.add("alt_name", lang.t("tt-err-name"));
    }
    // The same e-mail rules (and normalisation) as accounts, so an ALT's address matches their login.
    let email = if form.email.trim().is_empty() {
        String::new()
    } else {
        match jetdesk_domain::Email::parse(&form.email) {
            Ok(e) => e.as_str().to_string(),
            Err(_) => {
                errors.add("email", lang.t("tt-err-email"));
                String::new()
            }
        }
    };
    let base = form.base_school.trim().to_string();
    if !known(&base) {
        errors.add("base_school", lang.t("tt-err-base-school"));
    }
    if split_list(&form.weekdays).is_empty() || !valid_weekdays(&form.weekdays) {
        errors.add("weekdays", lang.t("tt-err-weekdays"));
    }
    if !valid_dates(&form.unavailable) {
        errors.add("unavailable", lang.t("tt-err-dates"));
    }
    if !split_list(&form.reachable).iter().all(|c| known(c)) {
        errors.add("reachable", lang.t("tt-err-reachable"));
    }
    if !errors.is_empty() {
        let forms = OrgForms {
            errors,
            alt: form,
            ..Default::default()
        };
        let html = render_org(&state, &ctx, &org, true, forms, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    let input = TtAltInput {
        code,
        name,
        email,
        base_school: base,
        weekdays: normal_list(&form.weekdays),
        unavailable: normal_list(&form.unavailable),
        reachable: normal_list(&form.reachable),
    };
    state
        .store
        .save_tt_alt(org.id, &input, &crate::security::new_token())
        .await?;
    Ok(Redirect::to(&format!("/timetables/{}?notice=alt-saved", org.id)).into_response())
}

async fn delete_alt(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((org_id, id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, true).await?;
    if !state.store.delete_tt_alt(org.id, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/timetables/{}?notice=deleted", org.id)).into_response())
}

async fn create_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(org_id): Path<i64>,
    Form(form): Form<PlanForm>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, true).await?;
    let lang = ctx.lang();
    let mut errors = FormErrors::default();
    let name = form.plan_name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        errors.add("plan_name", lang.t("tt-err-name"));
    }
    let start = Date::parse(form.term_start.trim());
    let end = Date::parse(form.term_end.trim());
    if start.is_none() {
        errors.add("term_start", lang.t("tt-err-date"));
    }
    match (start, end) {
        (_, None) => errors.add("term_end", lang.t("tt-err-date")),
        (Some(s), Some(e))
            if e < s
                || e.days_since_epoch() - s.days_since_epoch() >= jetdesk_timetable::input::MAX_TERM_DAYS =>
        {
            errors.add("term_end", lang.t("tt-err-term"))
        }
        _ => {}
    }
    let closed = split_list(&form.term_closed);
    let in_term = |d: &String| match (Date::parse(d), start, end) {
        (Some(d), Some(s), Some(e)) => d >= s && d <= e,
        (Some(_), _, _) => true,
        _ => false,
    };
    if !closed.iter().all(in_term) {
        errors.add("term_closed", lang.t("tt-err-closed-in-term"));
    }
    if !errors.is_empty() {
        let forms = OrgForms {
            errors,
            plan: form,
            ..Default::default()
        };
        let html = render_org(&state, &ctx, &org, true, forms, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    let (Some(start), Some(end)) = (start, end) else {
        return Err(AppError::NotFound);
    };
    let id = state
        .store
        .create_tt_plan(
            org.id,
            &name,
            &start.to_string(),
            &end.to_string(),
            &closed.join(", "),
        )
        .await?;
    Ok(Redirect::to(&format!("/timetables/{}/plans/{id}", org.id)).into_response())
}

// ---------------------------------------------------------------------------------------------
// A plan: week grid, unmet, move, generate, publish

struct DayHead {
    date: String,
    label: String,
    holiday: Option<String>,
}

struct Cell {
    text: String,
    href: String,
    pinned: bool,
}

struct GridRow {
    code: String,
    name: String,
    cells: Vec<Option<Cell>>,
}

struct UnmetRow {
    school: String,
    period: String,
    scheduled: u32,
    required: u32,
    reason: String,
}

#[derive(Template)]
#[template(path = "timetables/plan.html")]
struct PlanTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    can_edit: bool,
    org_id: i64,
    org: String,
    plan: TtPlan,
    generated: bool,
    published: bool,
    published_at: String,
    summary: String,
    pins: usize,
    week: String,
    week_label: String,
    prev_week: Option<String>,
    next_week: Option<String>,
    days: Vec<DayHead>,
    rows: Vec<GridRow>,
    unmet: Vec<UnmetRow>,
    week_visits: Vec<(String, String)>,
    alts: Vec<TtAlt>,
    schools: Vec<TtSchool>,
    conflicts: Vec<String>,
    can_confirm: bool,
    move_form: MoveForm,
}

#[derive(Deserialize, Default, Clone)]
struct MoveForm {
    #[serde(default)]
    visit: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    alt: String,
    #[serde(default)]
    confirm: Option<String>,
    #[serde(default)]
    week: String,
}

#[derive(Deserialize)]
struct PlanQuery {
    week: Option<String>,
    notice: Option<String>,
}

fn weekday_label(lang: Lang, date: Date) -> String {
    let (_, m, d) = date.ymd();
    let wd = lang.t(&format!("tt-wd-{}", date.weekday().short_name()));
    match lang {
        Lang::Ja => format!("{m}月{d}日（{wd}）"),
        Lang::En => format!("{wd} {d}/{m}"),
    }
}

fn holidays_of(plan: Option<&Plan>, lang: Lang) -> BTreeMap<String, String> {
    plan.map(|p| {
        p.stats
            .holidays
            .iter()
            .map(|h| {
                let name = match lang {
                    Lang::Ja => h.name_ja.clone(),
                    Lang::En => h.name.clone(),
                };
                (h.date.clone(), name)
            })
            .collect()
    })
    .unwrap_or_default()
}

fn visit_key(v: &Visit) -> String {
    format!("{}|{}|{}", v.date, v.alt, v.school)
}

/// A checker conflict in the user's language (the checker's English when the wording is new).
fn conflict_text(lang: Lang, conflict: &Conflict, school_names: &BTreeMap<String, String>) -> String {
    let name = |code: &str| {
        school_names
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    };
    match conflict {
        Conflict::Short(school, period, got, required) => lang.ta(
            "tt-conflict-short",
            vec![
                ("school", FluentValue::from(name(school))),
                ("period", FluentValue::from(period.clone())),
                ("scheduled", FluentValue::from(*got)),
                ("required", FluentValue::from(*required)),
            ],
        ),
        Conflict::Hard(text) => {
            // "(2027-04-12, a1, s1): the ALT is at two schools that day"
            let parsed = text
                .strip_prefix('(')
                .and_then(|t| t.split_once("): "))
                .map(|(who, why)| (who.split(", ").map(str::to_string).collect::<Vec<_>>(), why));
            let key = parsed.as_ref().and_then(|(_, why)| match *why {
                "closed everywhere that day" => Some("tt-conflict-closed-everywhere"),
                "the school is closed" => Some("tt-conflict-school-closed"),
                "the ALT does not work" => Some("tt-conflict-alt-off"),
                "the ALT cannot reach the school" => Some("tt-conflict-unreachable"),
                "the ALT is at two schools that day" => Some("tt-conflict-alt-busy"),
                "the school has two ALTs that day" => Some("tt-conflict-school-busy"),
                "outside the term" => Some("tt-conflict-outside-term"),
                _ => None,
            });
            match (parsed, key) {
                (Some((who, _)), Some(key)) if who.len() == 3 => lang.ta(
                    key,
                    vec![
                        ("date", FluentValue::from(who[0].clone())),
                        ("alt", FluentValue::from(who[1].clone())),
                        ("school", FluentValue::from(name(&who[2]))),
                    ],
                ),
                _ if text.contains("more than the") => {
                    let school = text.split_whitespace().next().unwrap_or("");
                    let period = text
                        .split(" in ")
                        .nth(1)
                        .and_then(|r| r.split(',').next())
                        .unwrap_or("");
                    lang.ta(
                        "tt-conflict-too-many",
                        vec![
                            ("school", FluentValue::from(name(school))),
                            ("period", FluentValue::from(period.to_string())),
                        ],
                    )
                }
                _ => text.clone(),
            }
        }
    }
}

/// A period as the scheduler words it (`week 2027-W18`, `month 2027-05`, `the term`), in Japanese.
fn ja_period(phrase: &str) -> String {
    if let Some(label) = phrase.strip_prefix("week ") {
        if let Some((year, week)) = label.split_once("-W") {
            return format!("{year}年第{}週", week.trim_start_matches('0'));
        }
    }
    if let Some(label) = phrase.strip_prefix("month ") {
        if let Some((year, month)) = label.split_once('-') {
            return format!("{year}年{}月", month.trim_start_matches('0'));
        }
    }
    if phrase == "the term" {
        return "学期".to_string();
    }
    phrase.to_string()
}

/// The scheduler's reason for an unmet requirement (English, from `jetdesk-timetable`) in the
/// user's language; any wording not recognised is shown as it is.
fn reason_text(lang: Lang, reason: &str) -> String {
    if reason == model::MOVED_BY_HAND {
        return lang.t("tt-reason-moved");
    }
    if lang == Lang::En {
        return reason.to_string();
    }
    let (core, partial) = match reason.strip_suffix(" (the term covers only part of it)") {
        Some(core) => (core, lang.t("tt-reason-partial")),
        None => (reason, String::new()),
    };
    let arg = |s: &str| FluentValue::from(s.to_string());
    if let Some(period) = core.strip_prefix("no open days in ") {
        return lang.ta(
            "tt-reason-no-open",
            vec![("period", arg(&ja_period(period))), ("partial", arg(&partial))],
        );
    }
    if core.starts_with("no ALT can reach ") {
        return lang.t("tt-reason-no-alt");
    }
    if let Some(rest) = core.strip_prefix("only ") {
        let words: Vec<&str> = rest.split(' ').collect();
        if let (Some(staffed), Some("of"), Some("the"), Some(open)) = (
            words.first(),
            words.get(1).copied(),
            words.get(2).copied(),
            words.get(3),
        ) {
            // only X of the Y open days in PERIOD have an ALT who can reach S at work (A, B)
            let period = rest
                .split_once(" open days in ")
                .and_then(|(_, r)| r.split_once(" have an ALT"))
                .map(|(p, _)| p)
                .unwrap_or("");
            let alts = rest
                .rsplit_once(" (")
                .map(|(_, a)| a.trim_end_matches(')'))
                .unwrap_or("");
            return lang.ta(
                "tt-reason-few-staffed",
                vec![
                    ("period", arg(&ja_period(period))),
                    ("open", arg(open)),
                    ("staffed", arg(staffed)),
                    ("alts", arg(alts)),
                ],
            );
        }
        if let (Some(count), Some((_, period))) = (words.first(), rest.split_once(" in ")) {
            return lang.ta(
                "tt-reason-few-open",
                vec![
                    ("period", arg(&ja_period(period))),
                    ("count", arg(count)),
                    ("partial", arg(&partial)),
                ],
            );
        }
    }
    if let Some(rest) = core.strip_prefix("the ALTs who can reach ") {
        let alts = rest
            .split_once(" (")
            .and_then(|(_, r)| r.split_once(") are fully booked"))
            .map(|(a, _)| a)
            .unwrap_or("");
        let period = rest
            .split_once(" open days in ")
            .map(|(_, r)| r.split(" (no rearrangement").next().unwrap_or(r))
            .unwrap_or("");
        return lang.ta(
            "tt-reason-booked",
            vec![("period", arg(&ja_period(period))), ("alts", arg(alts))],
        );
    }
    reason.to_string()
}

#[derive(Default)]
struct PlanView {
    week: Option<String>,
    notice: Option<&'static str>,
    errors: FormErrors,
    conflicts: Vec<String>,
    can_confirm: bool,
    move_form: MoveForm,
}

async fn render_plan(
    state: &AppState,
    ctx: &Ctx,
    org: &HostOrg,
    can_edit: bool,
    plan_row: TtPlan,
    view: PlanView,
) -> AppResult<String> {
    let lang = ctx.lang();
    let week = view.week.as_deref();
    let notice = view.notice;
    let schools = state.store.tt_schools(org.id).await?;
    let alts = state.store.tt_alts(org.id).await?;
    let plan = stored_plan(plan_row.plan_json.as_deref());
    let school_names: BTreeMap<String, String> =
        schools.iter().map(|s| (s.code.clone(), s.name.clone())).collect();
    let holidays = holidays_of(plan.as_ref(), lang);
    let closed = split_list(&plan_row.closed);
    let mondays = model::term_mondays(&plan_row.term_start, &plan_row.term_end);
    let monday = week
        .and_then(Date::parse)
        .map(Date::monday)
        .filter(|m| mondays.contains(m))
        .or_else(|| mondays.first().copied())
        .unwrap_or(Date::from_days(0));
    let pos = mondays.iter().position(|m| *m == monday).unwrap_or(0);
    let week_dates = model::school_week(monday);
    let days = week_dates
        .iter()
        .map(|d| {
            let date = d.to_string();
            let holiday = holidays
                .get(&date)
                .cloned()
                .or_else(|| closed.contains(&date).then(|| lang.t("tt-closed")));
            DayHead {
                label: weekday_label(lang, *d),
                holiday,
                date,
            }
        })
        .collect::<Vec<_>>();
    let visits: Vec<Visit> = plan.as_ref().map(|p| p.visits.clone()).unwrap_or_default();
    let base = format!("/timetables/{}/plans/{}", org.id, plan_row.id);
    let rows = alts
        .iter()
        .map(|a| GridRow {
            code: a.code.clone(),
            name: a.name.clone(),
            cells: days
                .iter()
                .map(|d| {
                    visits
                        .iter()
                        .find(|v| v.alt == a.code && v.date == d.date)
                        .map(|v| Cell {
                            text: school_names
                                .get(&v.school)
                                .cloned()
                                .unwrap_or_else(|| v.school.clone()),
                            href: format!("{base}/schools/{}", v.school),
                            pinned: v.pinned,
                        })
                })
                .collect(),
        })
        .collect();
    let week_visits = visits
        .iter()
        .filter(|v| days.iter().any(|d| d.date == v.date))
        .map(|v| {
            let school = school_names
                .get(&v.school)
                .cloned()
                .unwrap_or_else(|| v.school.clone());
            let alt = alts
                .iter()
                .find(|a| a.code == v.alt)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| v.alt.clone());
            (visit_key(v), format!("{} · {} · {}", v.date, alt, school))
        })
        .collect();
    let unmet = plan
        .as_ref()
        .map(|p| {
            p.unmet
                .iter()
                .map(|u| UnmetRow {
                    school: school_names
                        .get(&u.school)
                        .cloned()
                        .unwrap_or_else(|| u.school.clone()),
                    period: u.period.clone(),
                    scheduled: u.scheduled,
                    required: u.required,
                    reason: reason_text(lang, &u.reason),
                })
                .collect()
        })
        .unwrap_or_default();
    let summary = plan
        .as_ref()
        .map(|p| {
            lang.ta(
                "tt-plan-summary",
                vec![
                    ("scheduled", FluentValue::from(p.visits.len())),
                    ("unmet", FluentValue::from(p.stats.unmet_visits)),
                    ("alts", FluentValue::from(p.stats.alts)),
                    ("schools", FluentValue::from(p.stats.schools)),
                ],
            )
        })
        .unwrap_or_default();
    let week_link = |m: &Date| format!("{base}?week={m}");
    let mut move_form = view.move_form;
    if move_form.date.is_empty() {
        move_form.date = monday.to_string();
    }
    let t = PlanTemplate {
        page: Page::new(ctx, plan_row.name.clone()).with_notice(notice),
        csrf: ctx.csrf().await?,
        errors: view.errors,
        can_edit,
        org_id: org.id,
        org: org_name(lang, org),
        generated: plan.is_some(),
        published: plan_row.published_json.is_some(),
        published_at: plan_row
            .published_at
            .map(crate::page::format_time)
            .unwrap_or_default(),
        summary,
        pins: model::pins_of(&plan_row).len(),
        week: monday.to_string(),
        week_label: lang.t1("tt-week-of", "date", monday.to_string()),
        prev_week: pos.checked_sub(1).and_then(|i| mondays.get(i)).map(week_link),
        next_week: mondays.get(pos + 1).map(week_link),
        days,
        rows,
        unmet,
        week_visits,
        alts,
        schools,
        conflicts: view.conflicts,
        can_confirm: view.can_confirm,
        move_form,
        plan: plan_row,
    };
    Ok(t.render()?)
}

async fn plan_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((org_id, plan_id)): Path<(i64, i64)>,
    Query(q): Query<PlanQuery>,
) -> AppResult<Html<String>> {
    let (org, can_edit) = org_for(&state, &ctx, org_id, false).await?;
    let plan = plan_for(&state, org.id, plan_id).await?;
    let notice = notice_key(&NoticeQuery { notice: q.notice });
    let view = PlanView {
        week: q.week,
        notice,
        ..Default::default()
    };
    Ok(Html(render_plan(&state, &ctx, &org, can_edit, plan, view).await?))
}

#[derive(Deserialize, Default)]
struct WeekForm {
    #[serde(default)]
    week: String,
}

async fn generate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((org_id, plan_id)): Path<(i64, i64)>,
    Form(form): Form<WeekForm>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, true).await?;
    let plan_row = plan_for(&state, org.id, plan_id).await?;
    let schools = state.store.tt_schools(org.id).await?;
    let alts = state.store.tt_alts(org.id).await?;
    let pins = model::pins_of(&plan_row);
    let request = model::request(&plan_row, &schools, &alts, pins.clone());
    let solved = tokio::task::spawn_blocking(move || {
        Instance::new(&request).map(|instance| jetdesk_timetable::solve(&instance, &Options::default()))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    match solved {
        Ok(plan) => {
            let json = serde_json::to_string(&plan).map_err(|e| AppError::Internal(e.into()))?;
            let pins_json = serde_json::to_string(&pins).map_err(|e| AppError::Internal(e.into()))?;
            state
                .store
                .save_tt_plan_result(plan_row.id, &json, &pins_json)
                .await?;
            let summary = format!("{} visits, {} unmet", plan.visits.len(), plan.stats.unmet_visits);
            state
                .store
                .audit(
                    Some(ctx.require_user()?.id),
                    "timetable.generate",
                    &format!("tt_plan:{}", plan_row.id),
                    None,
                    Some(&summary),
                )
                .await?;
            Ok(Redirect::to(&format!(
                "/timetables/{}/plans/{}?notice=generated&week={}",
                org.id, plan_row.id, form.week
            ))
            .into_response())
        }
        Err(err) => {
            let lang = ctx.lang();
            let mut errors = FormErrors::default();
            errors.add("generate", lang.t1("tt-err-generate", "detail", err.to_string()));
            let view = PlanView {
                week: Some(form.week),
                errors,
                ..Default::default()
            };
            let html = render_plan(&state, &ctx, &org, true, plan_row, view).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

async fn move_visit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((org_id, plan_id)): Path<(i64, i64)>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, true).await?;
    let plan_row = plan_for(&state, org.id, plan_id).await?;
    let lang = ctx.lang();
    let Some(plan) = stored_plan(plan_row.plan_json.as_deref()) else {
        return Err(AppError::BadRequest(lang.t("tt-err-not-generated")));
    };
    let schools = state.store.tt_schools(org.id).await?;
    let alts = state.store.tt_alts(org.id).await?;
    let school_names: BTreeMap<String, String> =
        schools.iter().map(|s| (s.code.clone(), s.name.clone())).collect();
    let mut errors = FormErrors::default();
    let from = plan.visits.iter().find(|v| visit_key(v) == form.visit).cloned();
    if from.is_none() {
        errors.add("visit", lang.t("tt-err-visit"));
    }
    let date = Date::parse(form.date.trim());
    if date.is_none() {
        errors.add("date", lang.t("tt-err-date"));
    }
    if !alts.iter().any(|a| a.code == form.alt) {
        errors.add("alt", lang.t("tt-err-alt"));
    }
    let week = form.week.clone();
    let rerender =
        |errors: FormErrors, conflicts: Vec<String>, can_confirm: bool, form: MoveForm, plan_row: TtPlan| {
            let state = state.clone();
            let ctx = ctx.clone();
            let org = org.clone();
            let week = week.clone();
            async move {
                let view = PlanView {
                    week: Some(week),
                    notice: None,
                    errors,
                    conflicts,
                    can_confirm,
                    move_form: form,
                };
                let html = render_plan(&state, &ctx, &org, true, plan_row, view).await?;
                Ok::<Response, AppError>((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
            }
        };
    let (Some(from), Some(date)) = (from, date) else {
        return rerender(errors, Vec::new(), false, form, plan_row).await;
    };
    if !errors.is_empty() {
        return rerender(errors, Vec::new(), false, form, plan_row).await;
    }
    let request = model::request(&plan_row, &schools, &alts, Vec::new());
    let instance = match Instance::new(&request) {
        Ok(instance) => instance,
        Err(err) => {
            errors.add("visit", lang.t1("tt-err-generate", "detail", err.to_string()));
            return rerender(errors, Vec::new(), false, form, plan_row).await;
        }
    };
    let date_text = date.to_string();
    let outcome = model::try_move(&instance, &plan, &from, &date_text, &form.alt);
    if !outcome.conflicts.is_empty() {
        let texts: Vec<String> = outcome
            .conflicts
            .iter()
            .map(|c| conflict_text(lang, c, &school_names))
            .collect();
        let hard = outcome.breaks_hard();
        if hard || form.confirm.is_none() {
            errors.add(
                "visit",
                lang.t(if hard {
                    "tt-err-move-refused"
                } else {
                    "tt-err-move-confirm"
                }),
            );
            return rerender(errors, texts, !hard, form, plan_row).await;
        }
    }
    let to = Visit {
        date: date_text,
        alt: form.alt.clone(),
        school: from.school.clone(),
        pinned: true,
    };
    let pins = model::pins_after_move(model::pins_of(&plan_row), &from, &to);
    let json = serde_json::to_string(&outcome.plan).map_err(|e| AppError::Internal(e.into()))?;
    let pins_json = serde_json::to_string(&pins).map_err(|e| AppError::Internal(e.into()))?;
    state
        .store
        .save_tt_plan_result(plan_row.id, &json, &pins_json)
        .await?;
    state
        .store
        .audit(
            Some(ctx.require_user()?.id),
            "timetable.move",
            &format!("tt_plan:{}", plan_row.id),
            Some(&visit_key(&from)),
            Some(&visit_key(&to)),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/timetables/{}/plans/{}?notice=moved&week={}",
        org.id, plan_row.id, to.date
    ))
    .into_response())
}

#[derive(Deserialize, Default)]
struct SettingsForm {
    #[serde(default)]
    term_closed: String,
    #[serde(default)]
    clear_pins: Option<String>,
}

/// Changes the dates closed at every school this term, and optionally forgets the visits moved
/// by hand (a pin that a new closure or a changed ALT makes impossible stops re-generation).
async fn plan_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((org_id, plan_id)): Path<(i64, i64)>,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, true).await?;
    let plan_row = plan_for(&state, org.id, plan_id).await?;
    let closed = split_list(&form.term_closed);
    let in_term = |d: &String| {
        Date::parse(d).is_some_and(|d| {
            Some(d) >= Date::parse(&plan_row.term_start) && Some(d) <= Date::parse(&plan_row.term_end)
        })
    };
    if !closed.iter().all(in_term) {
        let mut errors = FormErrors::default();
        errors.add("term_closed", ctx.lang().t("tt-err-closed-in-term"));
        let view = PlanView {
            errors,
            ..Default::default()
        };
        let html = render_plan(&state, &ctx, &org, true, plan_row, view).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    let closed = closed.join(", ");
    state
        .store
        .update_tt_plan_settings(plan_row.id, &closed, form.clear_pins.is_some())
        .await?;
    state
        .store
        .audit(
            Some(ctx.require_user()?.id),
            "timetable.settings",
            &format!("tt_plan:{}", plan_row.id),
            Some(&plan_row.closed),
            Some(&format!(
                "closed: {closed}; pins cleared: {}",
                form.clear_pins.is_some()
            )),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/timetables/{}/plans/{}?notice=settings-saved",
        org.id, plan_row.id
    ))
    .into_response())
}

async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((org_id, plan_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, true).await?;
    let plan_row = plan_for(&state, org.id, plan_id).await?;
    let Some(json) = plan_row.plan_json.as_deref() else {
        return Err(AppError::BadRequest(ctx.lang().t("tt-err-not-generated")));
    };
    state.store.publish_tt_plan(plan_row.id, json).await?;
    state
        .store
        .audit(
            Some(ctx.require_user()?.id),
            "timetable.publish",
            &format!("tt_plan:{}", plan_row.id),
            None,
            None,
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/timetables/{}/plans/{}?notice=published",
        org.id, plan_row.id
    ))
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// Calendars

struct WeekRow {
    label: String,
    cells: Vec<(String, Vec<String>)>,
}

#[derive(Template)]
#[template(path = "timetables/calendar.html")]
struct CalendarTemplate {
    page: Page,
    back: Option<(String, String)>,
    sections: Vec<CalendarSection>,
    empty_key: &'static str,
}

struct CalendarSection {
    heading: String,
    feed: Option<String>,
    heads: Vec<String>,
    weeks: Vec<WeekRow>,
    count_text: String,
}

/// A calendar of `visits` over the term: one row per week, Monday to Friday; each cell lists
/// `label(visit)`.
fn calendar_section(
    lang: Lang,
    heading: String,
    feed: Option<String>,
    plan_row: &TtPlan,
    plan: &Plan,
    visits: &[&Visit],
    label: &dyn Fn(&Visit) -> String,
) -> CalendarSection {
    let holidays = holidays_of(Some(plan), lang);
    let heads = Weekday::SCHOOL_DAYS
        .iter()
        .map(|w| lang.t(&format!("tt-wd-{}", w.short_name())))
        .collect();
    let weeks = model::term_mondays(&plan_row.term_start, &plan_row.term_end)
        .into_iter()
        .map(|monday| WeekRow {
            label: lang.t1("tt-week-of", "date", monday.to_string()),
            cells: model::school_week(monday)
                .into_iter()
                .map(|d| {
                    let date = d.to_string();
                    let mut items: Vec<String> = visits
                        .iter()
                        .filter(|v| v.date == date)
                        .map(|v| label(v))
                        .collect();
                    if let Some(h) = holidays.get(&date) {
                        items.push(h.clone());
                    }
                    (weekday_label(lang, d), items)
                })
                .collect(),
        })
        .collect();
    CalendarSection {
        heading,
        feed,
        heads,
        weeks,
        count_text: lang.t1("tt-visit-count", "count", visits.len()),
    }
}

async fn alt_calendar(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((org_id, plan_id, code)): Path<(i64, i64, String)>,
) -> AppResult<Html<String>> {
    let (org, _) = org_for(&state, &ctx, org_id, false).await?;
    let plan_row = plan_for(&state, org.id, plan_id).await?;
    let alts = state.store.tt_alts(org.id).await?;
    let alt = alts.iter().find(|a| a.code == code).ok_or(AppError::NotFound)?;
    let schools = state.store.tt_schools(org.id).await?;
    let plan = stored_plan(plan_row.plan_json.as_deref()).ok_or(AppError::NotFound)?;
    let lang = ctx.lang();
    let visits: Vec<&Visit> = plan.visits.iter().filter(|v| v.alt == alt.code).collect();
    let name_of = |v: &Visit| {
        schools
            .iter()
            .find(|s| s.code == v.school)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| v.school.clone())
    };
    let section = calendar_section(lang, alt.name.clone(), None, &plan_row, &plan, &visits, &name_of);
    let t = CalendarTemplate {
        page: Page::new(&ctx, format!("{} — {}", alt.name, plan_row.name)),
        back: Some((
            format!("/timetables/{}/plans/{}", org.id, plan_row.id),
            plan_row.name.clone(),
        )),
        sections: vec![section],
        empty_key: "tt-calendar-empty",
    };
    Ok(Html(t.render()?))
}

async fn school_calendar(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((org_id, plan_id, code)): Path<(i64, i64, String)>,
) -> AppResult<Html<String>> {
    let (org, _) = org_for(&state, &ctx, org_id, false).await?;
    let plan_row = plan_for(&state, org.id, plan_id).await?;
    let schools = state.store.tt_schools(org.id).await?;
    let school = schools
        .iter()
        .find(|s| s.code == code)
        .ok_or(AppError::NotFound)?;
    let alts = state.store.tt_alts(org.id).await?;
    let plan = stored_plan(plan_row.plan_json.as_deref()).ok_or(AppError::NotFound)?;
    let lang = ctx.lang();
    let visits: Vec<&Visit> = plan.visits.iter().filter(|v| v.school == school.code).collect();
    let name_of = |v: &Visit| {
        alts.iter()
            .find(|a| a.code == v.alt)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| v.alt.clone())
    };
    let section = calendar_section(
        lang,
        school.name.clone(),
        None,
        &plan_row,
        &plan,
        &visits,
        &name_of,
    );
    let t = CalendarTemplate {
        page: Page::new(&ctx, format!("{} — {}", school.name, plan_row.name)),
        back: Some((
            format!("/timetables/{}/plans/{}", org.id, plan_row.id),
            plan_row.name.clone(),
        )),
        sections: vec![section],
        empty_key: "tt-calendar-empty",
    };
    Ok(Html(t.render()?))
}

/// The published plans an ALT entry appears in, with the plan row: (plan row, published plan).
async fn published_for(state: &AppState, alt: &TtAlt) -> AppResult<Vec<(TtPlan, Plan)>> {
    Ok(state
        .store
        .tt_plans(alt.org_id)
        .await?
        .into_iter()
        .filter_map(|row| {
            let plan = stored_plan(row.published_json.as_deref())?;
            Some((row, plan))
        })
        .collect())
}

async fn my_timetable(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let user = ctx.require_user()?;
    let lang = ctx.lang();
    let mut sections = Vec::new();
    for alt in state.store.tt_alts_by_email(&user.email).await? {
        let schools = state.store.tt_schools(alt.org_id).await?;
        let org = state.store.host_org(alt.org_id).await?;
        let feed = format!("{}/timetable/feed/{}.ics", state.base_url, alt.feed_token);
        for (row, plan) in published_for(&state, &alt).await? {
            let visits: Vec<&Visit> = plan.visits.iter().filter(|v| v.alt == alt.code).collect();
            let name_of = |v: &Visit| {
                schools
                    .iter()
                    .find(|s| s.code == v.school)
                    .map(|s| s.name.clone())
                    .unwrap_or_else(|| v.school.clone())
            };
            let heading = match &org {
                Some(o) => format!("{} — {}", org_name(lang, o), row.name),
                None => row.name.clone(),
            };
            sections.push(calendar_section(
                lang,
                heading,
                Some(feed.clone()),
                &row,
                &plan,
                &visits,
                &name_of,
            ));
        }
    }
    let t = CalendarTemplate {
        page: Page::new(&ctx, lang.t("tt-my-title")),
        back: None,
        sections,
        empty_key: "tt-my-empty",
    };
    Ok(Html(t.render()?))
}

/// The ALT's published visits as an iCalendar feed. The token is a 256-bit random id: whoever has
/// the URL can read the calendar (that is what subscribing needs), nobody can guess it.
async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    use icalendar::{Calendar, Component, Event, EventLike, Property};
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    if token.is_empty() || token.len() > 100 {
        return Err(AppError::NotFound);
    }
    let alt = state
        .store
        .tt_alt_by_feed_token(token)
        .await?
        .ok_or(AppError::NotFound)?;
    let schools = state.store.tt_schools(alt.org_id).await?;
    let compact = |d: &str| d.replace('-', "");
    let mut calendar = Calendar::new();
    calendar.name(&format!("{} — school visits / 学校訪問", alt.name));
    for (row, plan) in published_for(&state, &alt).await? {
        let stamp = format!("{}T000000Z", compact(&row.term_start));
        for v in plan.visits.iter().filter(|v| v.alt == alt.code) {
            let school = schools
                .iter()
                .find(|s| s.code == v.school)
                .map(|s| s.name.clone())
                .unwrap_or_else(|| v.school.clone());
            let next = Date::parse(&v.date)
                .map(|d| compact(&d.succ().to_string()))
                .unwrap_or_else(|| compact(&v.date));
            let mut event = Event::new();
            event
                .uid(&format!(
                    "{}-{}-{}-{}@timetable.jetdesk",
                    row.id,
                    compact(&v.date),
                    alt.code,
                    v.school
                ))
                .summary(&format!("Visit: {school}"))
                .location(&school)
                .append_property(
                    Property::new("DTSTART", compact(&v.date))
                        .add_parameter("VALUE", "DATE")
                        .done(),
                )
                .append_property(Property::new("DTEND", next).add_parameter("VALUE", "DATE").done())
                .add_property("DTSTAMP", &stamp);
            calendar.push(event.done());
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        calendar.done().to_string(),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_schedulers_reasons_read_in_japanese() {
        use super::{reason_text, Lang};
        let ja = |r: &str| reason_text(Lang::Ja, r);
        assert_eq!(
            ja("only 1 open day in week 2027-W18"),
            "2027年第18週の開校日は 1 日しかありません"
        );
        assert_eq!(
            ja("no open days in month 2027-06 (the term covers only part of it)"),
            "2027年6月に開校日がありません（学期に含まれるのは一部のみ）"
        );
        assert_eq!(ja("no ALT can reach s3"), "この学校に訪問できる ALT がいません");
        assert_eq!(
            ja("only 2 of the 4 open days in week 2027-W20 have an ALT who can reach s3 at work (a1, a2)"),
            "2027年第20週の開校日 4 日のうち、訪問できる ALT（a1, a2）が勤務しているのは 2 日だけです"
        );
        assert_eq!(
            ja("the ALTs who can reach s3 (a1) are fully booked on its open days in the term \
                (no rearrangement of other schools' visits frees a day)"),
            "訪問できる ALT（a1）は学期の開校日がすべて埋まっています（ほかの学校の訪問を組み替えても空きません）"
        );
        assert_eq!(
            reason_text(Lang::En, "no ALT can reach s3"),
            "no ALT can reach s3"
        );
        assert_eq!(ja("something new"), "something new");
    }
}
