//! The JET Desk's side of applications: the searchable list and the detail page (for coordinators
//! and reviewers), and recruitment rounds (coordinators). Staff views of an application are
//! recorded in the audit log.

pub(crate) mod rounds;

use crate::access::{Access, RouteDef};
use crate::applications::eligibility::{self, Shown};
use crate::applications::sections::{Answers, Kind, SECTIONS};
use crate::applications::state_label;
use crate::error::{AppError, AppResult};
use crate::forms::url_encode;
use crate::page::{format_time, Page};
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::routing::get;
use jetdesk_domain::Role;
use jetdesk_store::{ApplicationFilter, ApplicationListing, AuditEntry, Round};
use serde::Deserialize;

const STAFF: Access = Access::Roles(&[Role::Coordinator, Role::Reviewer]);
/// One application's page: staff, and interviewers for the interviews on their panels (checked in
/// the handler).
const STAFF_OR_PANEL: Access = Access::Roles(&[Role::Coordinator, Role::Reviewer, Role::Interviewer]);
const PAGE_SIZE: i64 = 50;

pub(crate) fn routes() -> Vec<RouteDef> {
    let mut routes = vec![
        RouteDef::get("/staff/applications", STAFF, get(list)),
        RouteDef::get("/staff/applications/{id}", STAFF_OR_PANEL, get(detail)),
    ];
    routes.extend(rounds::routes());
    routes
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    #[serde(default)]
    round: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    eligibility: String,
    #[serde(default)]
    submitted: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    page: Option<i64>,
}

/// Allowed values of each filter; anything else is treated as "any".
const POSITIONS: &[(&str, &str)] = &[("", "Any"), ("alt", "ALT"), ("cir", "CIR"), ("sea", "SEA")];
/// Every application state, in the order of the cycle.
pub(crate) const STATES: &[&str] = &[
    "draft",
    "submitted",
    "eligible",
    "ineligible",
    "in_review",
    "invited",
    "interviewed",
    "shortlisted",
    "alternate",
    "unsuccessful",
    "placed",
    "accepted",
    "declined",
    "departed",
    "withdrawn",
];
const VERDICTS: &[(&str, &str)] = &[
    ("", "Any"),
    ("pass", "Pass"),
    ("needs_review", "Needs review"),
    ("fail", "Fail"),
];

fn pick(value: &str, allowed: &[&str]) -> String {
    if allowed.contains(&value) {
        value.to_string()
    } else {
        String::new()
    }
}

#[derive(Template)]
#[template(path = "staff/applications.html")]
struct ListTemplate {
    page: Page,
    rounds: Vec<(String, String, bool)>,
    positions: Vec<(&'static str, &'static str, bool)>,
    states: Vec<(&'static str, &'static str, bool)>,
    verdicts: Vec<(&'static str, &'static str, bool)>,
    submitted: String,
    q: String,
    sort: String,
    rows: Vec<ApplicationListing>,
    total: i64,
    page_no: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    /// The export links, with the filters.
    exports: crate::dashboard::exports::ExportLinks,
}

impl ListTemplate {
    fn when(&self, at: &Option<i64>) -> String {
        at.map(format_time).unwrap_or_else(|| "—".into())
    }
    fn state(&self, s: &str) -> &'static str {
        state_label(s)
    }
    fn verdict(&self, v: &Option<String>) -> &'static str {
        match v.as_deref() {
            Some("pass") => "Pass",
            Some("fail") => "Fail",
            Some("needs_review") => "Needs review",
            _ => "—",
        }
    }
}

/// The list's filters from its query string (unknown values mean "any"; the first round when none is
/// chosen) and whether the viewer is a reviewer in a name-blind sift (then no name search or sort).
/// Shared with the exports, which must apply exactly the same filters.
pub(crate) async fn list_filter(
    state: &AppState,
    ctx: &Ctx,
    q: &ListQuery,
    rounds: &[Round],
) -> AppResult<(ApplicationFilter, bool)> {
    let round_id: i64 = q
        .round
        .parse()
        .unwrap_or_else(|_| rounds.first().map(|r| r.id).unwrap_or(0));
    let blind = crate::review::hides_identity_from(state, ctx, round_id).await?;
    let filter = ApplicationFilter {
        round_id,
        position: pick(&q.position, &["alt", "cir", "sea"]),
        state: pick(&q.state, STATES),
        eligibility: pick(&q.eligibility, &["pass", "needs_review", "fail"]),
        submitted: pick(&q.submitted, &["yes", "no"]),
        q: if blind {
            String::new()
        } else {
            q.q.chars().take(100).collect()
        },
        sort: pick(
            &q.sort,
            if blind {
                &["submitted", "reference"]
            } else {
                &["submitted", "reference", "name"]
            },
        ),
    };
    Ok((filter, blind))
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Html<String>> {
    let rounds = state.store.rounds().await?;
    let (filter, blind) = list_filter(&state, &ctx, &q, &rounds).await?;
    let page_no = q.page.unwrap_or(1).clamp(1, 100_000);
    let (mut rows, total) = state
        .store
        .list_applications(&filter, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
        .await?;
    if blind {
        crate::review::blind_listing(&mut rows);
    }
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let query = format!(
        "round={}&position={}&state={}&eligibility={}&submitted={}&q={}&sort={}",
        filter.round_id,
        filter.position,
        filter.state,
        filter.eligibility,
        filter.submitted,
        url_encode(&filter.q),
        filter.sort
    );
    let link = |n: i64| format!("/staff/applications?{query}&page={n}");
    let t = ListTemplate {
        page: Page::new(&ctx, "Applications"),
        rounds: rounds
            .iter()
            .map(|r| (r.id.to_string(), r.name.clone(), r.id == filter.round_id))
            .collect(),
        positions: POSITIONS
            .iter()
            .map(|(v, l)| (*v, *l, *v == filter.position))
            .collect(),
        states: std::iter::once(("", "Any", filter.state.is_empty()))
            .chain(STATES.iter().map(|s| (*s, state_label(s), *s == filter.state)))
            .collect(),
        verdicts: VERDICTS
            .iter()
            .map(|(v, l)| (*v, *l, *v == filter.eligibility))
            .collect(),
        prev: (page_no > 1).then(|| link(page_no - 1)),
        exports: crate::dashboard::exports::ExportLinks::new(
            "/staff/applications",
            &[
                ("round", &filter.round_id.to_string()),
                ("position", &filter.position),
                ("state", &filter.state),
                ("eligibility", &filter.eligibility),
                ("submitted", &filter.submitted),
                ("q", &filter.q),
                ("sort", &filter.sort),
            ],
        ),
        next: (page_no < pages).then(|| link(page_no + 1)),
        submitted: filter.submitted.clone(),
        q: filter.q.clone(),
        sort: filter.sort.clone(),
        rows,
        total,
        page_no,
        pages,
    };
    Ok(Html(t.render()?))
}

/// The partner link in a sentence for staff, if the applicant named a partner.
async fn partner_summary(state: &AppState, id: i64) -> AppResult<Option<String>> {
    let Some(link) = state.store.partner_link_of(id).await? else {
        return Ok(None);
    };
    let partner = state.store.application(link.partner_application_id).await?;
    let reference = partner.and_then(|p| p.reference).unwrap_or_default();
    let both = state
        .store
        .partner_link_of(link.partner_application_id)
        .await?
        .is_some_and(|back| back.partner_application_id == id && back.confirmed_at.is_some());
    Ok(Some(if link.confirmed_at.is_some() && both {
        format!("Applying as partners with {reference} (confirmed by both).")
    } else {
        format!("Names {reference} as partner; not yet confirmed by them.")
    }))
}

/// One section of an application as staff read it: its title, whether it is complete, and each
/// question with its answer (choices shown by their labels).
pub(crate) struct DetailSection {
    pub(crate) title: &'static str,
    pub(crate) complete: bool,
    pub(crate) rows: Vec<(&'static str, String)>,
}

/// The text shown instead of an answer hidden from a reviewer during a name-blind sift.
pub(crate) const HIDDEN: &str = "Hidden during the sift";

/// Every section of an application with its saved answers, for staff pages; the answers of the
/// fields listed in `hidden` (ids such as "family_name") are replaced by [`HIDDEN`].
pub(crate) fn detail_sections(saved: &[jetdesk_store::SectionRow], hidden: &[&str]) -> Vec<DetailSection> {
    SECTIONS
        .iter()
        .map(|s| {
            let row = saved.iter().find(|r| r.section == s.id);
            let answers: Answers = row
                .and_then(|r| serde_json::from_str(&r.data_json).ok())
                .unwrap_or_default();
            DetailSection {
                title: s.title,
                complete: row.is_some_and(|r| r.is_complete()),
                rows: s
                    .fields
                    .iter()
                    .map(|f| {
                        let v = answers.get(f.id).cloned().unwrap_or_default();
                        let shown = match f.kind {
                            _ if hidden.contains(&f.id) => HIDDEN.to_string(),
                            Kind::Select(o) | Kind::Radio(o) => o
                                .iter()
                                .find(|(k, _)| *k == v)
                                .map(|(_, l)| l.to_string())
                                .unwrap_or(v),
                            _ => v,
                        };
                        (f.label, shown)
                    })
                    .collect(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "staff/application.html")]
struct DetailTemplate {
    page: Page,
    reference: String,
    applicant: String,
    email: String,
    position: String,
    state: &'static str,
    round: String,
    submitted: String,
    sections: Vec<DetailSection>,
    eligibility: Vec<Shown>,
    history: Vec<AuditEntry>,
    documents_html: String,
    referees_html: String,
    duplicates: Vec<jetdesk_store::DuplicateMatch>,
    partner: Option<String>,
}

async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Html<String>> {
    let staff = ctx.require_user()?.clone();
    // An interviewer (without a staff role) reads only the applications their panels interview.
    let on_staff = staff.has(Role::Coordinator) || staff.has(Role::Reviewer);
    if !on_staff && !state.store.interviewer_may_score(staff.id, id).await? {
        return Err(AppError::Forbidden);
    }
    let app = state.store.application(id).await?.ok_or(AppError::NotFound)?;
    let user = state.store.user(app.user_id).await?.ok_or(AppError::NotFound)?;
    let round: Option<Round> = state.store.round(app.round_id).await?;
    let saved = state.store.sections(app.id).await?;
    let blind = crate::review::hides_identity_from(&state, &ctx, app.round_id).await?;
    let sections = detail_sections(&saved, if blind { crate::review::BLIND_FIELDS } else { &[] });
    let subject = format!("application:{id}");
    state
        .store
        .audit(Some(staff.id), "application.view", &subject, None, None)
        .await?;
    let history = state.store.audit_for(&subject, 50).await?;
    let t = DetailTemplate {
        page: Page::new(
            &ctx,
            app.reference
                .clone()
                .unwrap_or_else(|| format!("Application {id}")),
        ),
        reference: app.reference.clone().unwrap_or_default(),
        applicant: if blind { HIDDEN.into() } else { user.display_name },
        email: if blind { HIDDEN.into() } else { user.email },
        position: app.position.to_uppercase(),
        state: state_label(&app.state),
        round: round.map(|r| r.name).unwrap_or_default(),
        submitted: app
            .submitted_at
            .map(format_time)
            .unwrap_or_else(|| "Not submitted".into()),
        sections,
        eligibility: eligibility::shown(app.eligibility_json.as_deref()),
        history,
        documents_html: if blind {
            String::new()
        } else {
            crate::documents::staff_summary(&state, id).await?
        },
        referees_html: if blind {
            String::new()
        } else {
            crate::referees::staff_summary(&state, id).await?
        },
        duplicates: state.store.possible_duplicates(id).await?,
        partner: partner_summary(&state, id).await?,
    };
    Ok(Html(t.render()?))
}
