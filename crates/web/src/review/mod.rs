//! Review (issue 4): the sift before interviews. The coordinator sets a round's selection settings,
//! assigns reviewers automatically (load balanced, never against a declared conflict; see
//! `assign.rs`) or by hand, moderates totals that differ beyond the margin, reads the ranked list
//! per position with a cut-off and its count, and confirms invitations (in_review → invited, with
//! an e-mail). A reviewer sees their queue, reads an application (name-blind during the sift when
//! the round says so) and scores it once against the position's rubric
//! (`jetdesk_domain::rubric`); they see the other reviewers' sheets only when every reviewer of
//! that application has submitted.
//!
//! Authorisation: reviewer pages admit reviewers and answer only for applications assigned to the
//! signed-in reviewer; the selection pages admit coordinators only. The rules are in
//! docs/selection.md.

mod assign;
pub(crate) mod demo;

use crate::access::{Access, RouteDef};
use crate::dashboard::exports::{send, Export, ExportLinks, Format, Table};
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::i18n::Lang;
use crate::page::Page;
use crate::session::Ctx;
use crate::staff::{detail_sections, DetailSection, HIDDEN};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use fluent_templates::fluent_bundle::FluentValue;
use jetdesk_domain::rubric::{needs_moderation, Rubric, MAX_SCORE, MIN_SCORE};
use jetdesk_domain::{transition, ApplicationState, Event, Position, Role};
use jetdesk_store::{ApplicationListing, Assignment, Round, SelectionApplication, SelectionSettings};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

const REVIEWER: Access = Access::Roles(&[Role::Reviewer]);
const COORDINATOR: Access = Access::Roles(&[Role::Coordinator]);

/// The application fields a name-blind sift hides from reviewers.
pub(crate) const BLIND_FIELDS: &[&str] =
    &["given_names", "family_name", "sex", "date_of_birth", "university"];

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/review", REVIEWER, get(queue)),
        RouteDef::get("/review.csv", REVIEWER, get(queue_export)),
        RouteDef::get("/review.xlsx", REVIEWER, get(queue_export)),
        RouteDef::post("/review/conflicts", REVIEWER, post(declare_conflict_by_reference)),
        RouteDef::get("/review/applications/{id}", REVIEWER, get(application_page)),
        RouteDef::post("/review/applications/{id}/score", REVIEWER, post(score)),
        RouteDef::post(
            "/review/applications/{id}/conflict",
            REVIEWER,
            post(declare_conflict),
        ),
        RouteDef::get("/staff/selection", COORDINATOR, get(rounds_index)),
        RouteDef::get("/staff/selection/{round}", COORDINATOR, get(overview)),
        RouteDef::get(
            "/staff/selection/{round}/in-review.csv",
            COORDINATOR,
            get(in_review_export),
        ),
        RouteDef::get(
            "/staff/selection/{round}/in-review.xlsx",
            COORDINATOR,
            get(in_review_export),
        ),
        RouteDef::post(
            "/staff/selection/{round}/settings",
            COORDINATOR,
            post(save_settings),
        ),
        RouteDef::post("/staff/selection/{round}/assign", COORDINATOR, post(auto_assign)),
        RouteDef::post("/staff/selection/{round}/reassign", COORDINATOR, post(reassign)),
        RouteDef::post("/staff/selection/{round}/moderate", COORDINATOR, post(moderate)),
        RouteDef::get("/staff/selection/{round}/ranking", COORDINATOR, get(ranking)),
        RouteDef::get(
            "/staff/selection/{round}/ranking.csv",
            COORDINATOR,
            get(ranking_export),
        ),
        RouteDef::get(
            "/staff/selection/{round}/ranking.xlsx",
            COORDINATOR,
            get(ranking_export),
        ),
        RouteDef::post("/staff/selection/{round}/invite", COORDINATOR, post(invite)),
        RouteDef::post(
            "/staff/selection/{round}/reject-not-invited",
            COORDINATOR,
            post(reject_not_invited),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Name-blind sifting, also used by the staff list and detail pages

/// Whether `ctx`'s user must not see applicants' identities in round `round_id` now: a reviewer
/// who is not also a coordinator, while the round's sift is name-blind and open.
pub(crate) async fn hides_identity_from(state: &AppState, ctx: &Ctx, round_id: i64) -> AppResult<bool> {
    let Some(user) = ctx.user() else {
        return Ok(false);
    };
    if !user.has(Role::Reviewer) || user.has(Role::Coordinator) || round_id <= 0 {
        return Ok(false);
    }
    Ok(state.store.selection_settings(round_id).await?.hides_identity())
}

/// Replaces names and e-mail addresses in a staff list shown during a name-blind sift.
pub(crate) fn blind_listing(rows: &mut [ApplicationListing]) {
    for row in rows {
        row.display_name = HIDDEN.into();
        row.email = HIDDEN.into();
    }
}

// ---------------------------------------------------------------------------------------------
// Shared reading

/// A urlencoded body as (name, value) pairs, repeated names kept.
pub(crate) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// The first value of `name` in a form, trimmed (empty when absent).
pub(crate) fn field(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// Free text from a form: control characters dropped (except newlines), at most `max` characters.
pub(crate) fn clean_text(value: &str, max: usize) -> String {
    value
        .trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(max)
        .collect()
}

fn position_of(code: &str) -> Position {
    code.parse().unwrap_or(Position::Alt)
}

/// Where an application stands in the sift.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Standing {
    /// Some reviewers have not submitted.
    AwaitingScores { submitted: usize, assigned: usize },
    /// Totals differ by more than the margin and no agreed total is set.
    AwaitingModeration { totals: Vec<i64> },
    /// Ranked with this score (the agreed total, else the mean of the reviewers' totals).
    Scored {
        score: f64,
        totals: Vec<i64>,
        moderated: bool,
    },
}

impl Standing {
    /// The score, when ranked.
    pub(crate) fn score(&self) -> Option<f64> {
        match self {
            Standing::Scored { score, .. } => Some(*score),
            _ => None,
        }
    }
}

/// Each application's standing in the round, from its assignments and moderation.
pub(crate) async fn standings(state: &AppState, round_id: i64) -> AppResult<BTreeMap<i64, Standing>> {
    let settings = state.store.selection_settings(round_id).await?;
    let assignments = state.store.round_assignments(round_id).await?;
    let moderated: BTreeMap<i64, i64> = state
        .store
        .round_moderations(round_id)
        .await?
        .into_iter()
        .map(|m| (m.application_id, m.agreed_total))
        .collect();
    let mut by_app: BTreeMap<i64, Vec<&Assignment>> = BTreeMap::new();
    for a in &assignments {
        by_app.entry(a.application_id).or_default().push(a);
    }
    let mut out = BTreeMap::new();
    for (app, list) in by_app {
        let totals: Vec<i64> = list.iter().filter_map(|a| a.total).collect();
        let standing = if totals.len() < list.len() {
            Standing::AwaitingScores {
                submitted: totals.len(),
                assigned: list.len(),
            }
        } else if let Some(agreed) = moderated.get(&app) {
            Standing::Scored {
                score: *agreed as f64,
                totals,
                moderated: true,
            }
        } else if needs_moderation(&totals, settings.moderation_margin) {
            Standing::AwaitingModeration { totals }
        } else {
            let score = totals.iter().sum::<i64>() as f64 / totals.len().max(1) as f64;
            Standing::Scored {
                score,
                totals,
                moderated: false,
            }
        };
        out.insert(app, standing);
    }
    Ok(out)
}

async fn round_or_404(state: &AppState, id: i64) -> AppResult<Round> {
    state.store.round(id).await?.ok_or(AppError::NotFound)
}

fn positions_of(round: &Round) -> Vec<String> {
    round
        .positions
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The reviewer's queue

struct QueueRow {
    application_id: i64,
    reference: String,
    position: String,
    round: String,
    submitted: bool,
}

#[derive(Template)]
#[template(path = "review/queue.html")]
struct QueueTemplate {
    page: Page,
    csrf: String,
    rows: Vec<QueueRow>,
    count_line: String,
    exports: ExportLinks,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    notice: Option<String>,
}

fn notice_key(n: &Option<String>) -> Option<&'static str> {
    match n.as_deref() {
        Some("scored") => Some("sel-notice-scored"),
        Some("conflict") => Some("sel-notice-conflict"),
        Some("settings") => Some("sel-notice-settings"),
        Some("moderated") => Some("sel-notice-moderated"),
        Some("reassigned") => Some("sel-notice-reassigned"),
        _ => None,
    }
}

/// A reviewer's queue: every application assigned to them, with its round. Shared by the page
/// and its export.
async fn queue_rows(state: &AppState, reviewer_id: i64) -> AppResult<Vec<QueueRow>> {
    let mut rows = Vec::new();
    let mut round_names = BTreeMap::new();
    for a in state.store.reviewer_assignments(reviewer_id).await? {
        let Some(app) = state.store.selection_application(a.application_id).await? else {
            continue;
        };
        let round_id = state
            .store
            .application(app.id)
            .await?
            .map(|x| x.round_id)
            .unwrap_or(0);
        if let std::collections::btree_map::Entry::Vacant(e) = round_names.entry(round_id) {
            e.insert(
                state
                    .store
                    .round(round_id)
                    .await?
                    .map(|r| r.name)
                    .unwrap_or_default(),
            );
        }
        rows.push(QueueRow {
            application_id: app.id,
            reference: app.reference.unwrap_or_default(),
            position: app.position.to_uppercase(),
            round: round_names.get(&round_id).cloned().unwrap_or_default(),
            submitted: a.submitted_at.is_some(),
        });
    }
    Ok(rows)
}

async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let user = ctx.require_user()?.clone();
    let rows = queue_rows(&state, user.id).await?;
    let to_score = rows.iter().filter(|r| !r.submitted).count();
    let page = Page::new(&ctx, ctx.lang().t("sel-queue-title")).with_notice(notice_key(&q.notice));
    Ok(Html(
        QueueTemplate {
            page,
            csrf: ctx.csrf().await?,
            rows,
            count_line: ctx.lang().t1("sel-queue-count", "count", to_score),
            exports: ExportLinks::new("/review", &[]),
        }
        .render()?,
    ))
}

/// The signed-in reviewer's queue as a file (references only, as on the page).
async fn queue_export(State(state): State<AppState>, ctx: Ctx, format: Format) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let mut table = Table::new(
        lang,
        &[
            "sel-col-reference",
            "sel-col-position",
            "sel-col-round",
            "sel-col-status",
        ],
    );
    for r in queue_rows(&state, user.id).await? {
        table.push(vec![
            r.reference,
            r.position,
            r.round,
            lang.t(if r.submitted {
                "sel-status-submitted"
            } else {
                "sel-status-to-score"
            }),
        ]);
    }
    let export = Export {
        list: "review-queue",
        subject: format!("user:{}", user.id),
        filters: String::new(),
        file: "review-queue".into(),
        sheet: lang.t("sel-queue-title"),
    };
    send(&state, &ctx, format, export, table).await
}

// ---------------------------------------------------------------------------------------------
// The reviewer's application page and score sheet

struct CriterionView {
    id: &'static str,
    title: &'static str,
    anchors: Vec<(i64, &'static str, bool)>,
    error: Option<String>,
}

struct SheetView {
    reviewer: String,
    total: i64,
    scores: Vec<(&'static str, i64)>,
    comment: String,
}

#[derive(Template)]
#[template(path = "review/application.html")]
struct ApplicationTemplate {
    page: Page,
    csrf: String,
    application_id: i64,
    reference: String,
    position: String,
    applicant: String,
    blind: bool,
    sections: Vec<DetailSection>,
    criteria: Vec<CriterionView>,
    errors: FormErrors,
    comment: String,
    mine: Option<SheetView>,
    others: Vec<SheetView>,
    others_hidden: bool,
    max_total: i64,
}

fn sheet_view(lang: Lang, rubric: &Rubric, a: &Assignment) -> SheetView {
    let parsed: BTreeMap<String, i64> = a
        .scores
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    SheetView {
        reviewer: a.reviewer_name.clone(),
        total: a.total.unwrap_or(0),
        scores: rubric
            .criteria
            .iter()
            .map(|c| {
                let title = if lang == Lang::Ja { c.title_ja } else { c.title_en };
                (title, parsed.get(c.id).copied().unwrap_or(0))
            })
            .collect(),
        comment: a.comment.clone(),
    }
}

/// Loads an application for its assigned reviewer; anything else is a clear refusal.
async fn assigned(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> AppResult<(SelectionApplication, i64, Vec<Assignment>)> {
    let user = ctx.require_user()?;
    let app = state
        .store
        .selection_application(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let assignments = state.store.assignments_of(id).await?;
    if !assignments.iter().any(|a| a.reviewer_id == user.id) {
        return Err(AppError::BadRequest(ctx.lang().t("sel-error-not-assigned")));
    }
    let round_id = state
        .store
        .application(id)
        .await?
        .map(|a| a.round_id)
        .unwrap_or(0);
    Ok((app, round_id, assignments))
}

async fn render_application(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    entered: &BTreeMap<String, String>,
    errors: FormErrors,
    notice: Option<&str>,
) -> AppResult<String> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let (app, round_id, assignments) = assigned(state, ctx, id).await?;
    let blind = hides_identity_from(state, ctx, round_id).await?;
    let rubric = Rubric::for_position(position_of(&app.position));
    let saved = state.store.sections(id).await?;
    let mine = assignments.iter().find(|a| a.reviewer_id == user.id);
    let all_in = assignments.iter().all(|a| a.submitted_at.is_some());
    let criteria = rubric
        .criteria
        .iter()
        .map(|c| {
            let chosen = entered.get(c.id).cloned().unwrap_or_default();
            let anchors = if lang == Lang::Ja {
                c.anchors_ja
            } else {
                c.anchors_en
            };
            CriterionView {
                id: c.id,
                title: if lang == Lang::Ja { c.title_ja } else { c.title_en },
                anchors: (MIN_SCORE..=MAX_SCORE)
                    .zip(anchors)
                    .map(|(n, a)| (n, a, chosen == n.to_string()))
                    .collect(),
                error: errors.get(c.id).map(str::to_string),
            }
        })
        .collect();
    let title = app.reference.clone().unwrap_or_default();
    let t = ApplicationTemplate {
        page: Page::new(ctx, title.clone()).with_notice(notice),
        csrf: ctx.csrf().await?,
        application_id: id,
        reference: title,
        position: app.position.to_uppercase(),
        applicant: if blind {
            HIDDEN.into()
        } else {
            app.display_name.clone()
        },
        blind,
        sections: detail_sections(&saved, if blind { BLIND_FIELDS } else { &[] }),
        criteria,
        comment: entered.get("comment").cloned().unwrap_or_default(),
        errors,
        mine: mine
            .filter(|a| a.submitted_at.is_some())
            .map(|a| sheet_view(lang, &rubric, a)),
        others: if all_in {
            assignments
                .iter()
                .filter(|a| a.reviewer_id != user.id)
                .map(|a| sheet_view(lang, &rubric, a))
                .collect()
        } else {
            Vec::new()
        },
        others_hidden: !all_in,
        max_total: rubric.max_total(),
    };
    Ok(t.render()?)
}

async fn application_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    Ok(Html(
        render_application(
            &state,
            &ctx,
            id,
            &BTreeMap::new(),
            FormErrors::default(),
            notice_key(&q.notice),
        )
        .await?,
    ))
}

async fn score(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let (app, _, assignments) = assigned(&state, &ctx, id).await?;
    if assignments
        .iter()
        .any(|a| a.reviewer_id == user.id && a.submitted_at.is_some())
    {
        return Err(AppError::BadRequest(lang.t("sel-error-already-scored")));
    }
    if app.state != ApplicationState::InReview.as_str() {
        return Err(AppError::BadRequest(lang.t("sel-error-not-in-review")));
    }
    let form = form_pairs(&body);
    let entered: BTreeMap<String, String> = form
        .iter()
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect();
    let rubric = Rubric::for_position(position_of(&app.position));
    let scores = match rubric.score(&entered) {
        Ok(s) => s,
        Err(problems) => {
            let mut errors = FormErrors::default();
            for p in problems {
                let c = p.criterion();
                let title = rubric
                    .criteria
                    .iter()
                    .find(|x| x.id == c)
                    .map(|x| if lang == Lang::Ja { x.title_ja } else { x.title_en })
                    .unwrap_or(c);
                let key = match p {
                    jetdesk_domain::rubric::ScoreError::Missing(_) => "sel-error-score-missing",
                    jetdesk_domain::rubric::ScoreError::OutOfRange(_) => "sel-error-score-range",
                };
                errors.add(
                    c,
                    lang.ta(key, vec![("criterion", FluentValue::from(title.to_string()))]),
                );
            }
            let html = render_application(&state, &ctx, id, &entered, errors, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    let total: i64 = scores.iter().map(|(_, n)| n).sum();
    let json: BTreeMap<&str, i64> = scores.into_iter().collect();
    let json = serde_json::to_string(&json).map_err(|e| AppError::Internal(e.into()))?;
    let comment = clean_text(&field(&form, "comment"), 2000);
    if !state
        .store
        .submit_review(id, user.id, &json, total, &comment)
        .await?
    {
        return Err(AppError::BadRequest(lang.t("sel-error-already-scored")));
    }
    state
        .store
        .audit(
            Some(user.id),
            "review.score",
            &format!("application:{id}"),
            None,
            Some(&total.to_string()),
        )
        .await?;
    Ok(Redirect::to(&format!("/review/applications/{id}?notice=scored")).into_response())
}

async fn declare_conflict(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let app = state
        .store
        .selection_application(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reason = clean_text(&field(&form_pairs(&body), "reason"), 500);
    record_conflict(&state, user.id, app.id, &reason).await?;
    Ok(Redirect::to("/review?notice=conflict").into_response())
}

async fn record_conflict(
    state: &AppState,
    reviewer: i64,
    application_id: i64,
    reason: &str,
) -> AppResult<()> {
    state
        .store
        .declare_conflict(application_id, reviewer, reason)
        .await?;
    // An unscored assignment is dropped so the coordinator's next run gives it someone else.
    state.store.unassign_reviewer(application_id, reviewer).await?;
    state
        .store
        .audit(
            Some(reviewer),
            "review.conflict",
            &format!("application:{application_id}"),
            None,
            Some(reason),
        )
        .await?;
    Ok(())
}

async fn declare_conflict_by_reference(
    State(state): State<AppState>,
    ctx: Ctx,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let form = form_pairs(&body);
    let reference = field(&form, "reference").to_uppercase();
    let reason = clean_text(&field(&form, "reason"), 500);
    let found = if reference.is_empty() {
        None
    } else {
        let (rows, _) = state
            .store
            .list_applications(
                &jetdesk_store::ApplicationFilter {
                    round_id: 0,
                    position: String::new(),
                    state: String::new(),
                    eligibility: String::new(),
                    submitted: String::new(),
                    q: reference.clone(),
                    sort: String::new(),
                },
                2,
                0,
            )
            .await?;
        rows.into_iter()
            .find(|r| r.reference.as_deref() == Some(reference.as_str()))
    };
    let Some(app) = found else {
        return Err(AppError::BadRequest(ctx.lang().t("sel-error-no-reference")));
    };
    record_conflict(&state, user.id, app.id, &reason).await?;
    Ok(Redirect::to("/review?notice=conflict").into_response())
}

// ---------------------------------------------------------------------------------------------
// The coordinator's selection pages

#[derive(Template)]
#[template(path = "review/rounds.html")]
struct RoundsTemplate {
    page: Page,
    rounds: Vec<Round>,
}

async fn rounds_index(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    Ok(Html(
        RoundsTemplate {
            page: Page::new(&ctx, ctx.lang().t("sel-rounds-title")),
            rounds: state.store.rounds().await?,
        }
        .render()?,
    ))
}

struct LoadRow {
    name: String,
    assigned: usize,
    submitted: usize,
}

struct AppRow {
    id: i64,
    reference: String,
    name: String,
    position: String,
    reviewers: String,
    standing: String,
}

struct ModerationRow {
    id: i64,
    reference: String,
    position: String,
    totals: String,
}

#[derive(Template)]
#[template(path = "review/overview.html")]
struct OverviewTemplate {
    page: Page,
    csrf: String,
    round: Round,
    settings: SelectionSettings,
    results_at: String,
    errors: FormErrors,
    awaiting_line: String,
    loads: Vec<LoadRow>,
    reviewers: Vec<(i64, String)>,
    rows: Vec<AppRow>,
    moderation: Vec<ModerationRow>,
    exports: ExportLinks,
}

fn standing_text(lang: Lang, s: Option<&Standing>) -> String {
    match s {
        None => lang.t("sel-standing-unassigned"),
        Some(Standing::AwaitingScores { submitted, assigned }) => lang.ta(
            "sel-standing-awaiting",
            vec![
                ("submitted", FluentValue::from(*submitted)),
                ("assigned", FluentValue::from(*assigned)),
            ],
        ),
        Some(Standing::AwaitingModeration { .. }) => lang.t("sel-standing-moderation"),
        Some(Standing::Scored { score, moderated, .. }) => {
            let s = format!("{score:.1}");
            if *moderated {
                lang.t1("sel-standing-moderated", "score", s)
            } else {
                lang.t1("sel-standing-scored", "score", s)
            }
        }
    }
}

async fn render_overview(
    state: &AppState,
    ctx: &Ctx,
    round: Round,
    settings: SelectionSettings,
    results_at: String,
    errors: FormErrors,
    notice: Option<String>,
) -> AppResult<String> {
    let lang = ctx.lang();
    let standings = standings(state, round.id).await?;
    let assignments = state.store.round_assignments(round.id).await?;
    let reviewers = state.store.reviewers().await?;
    let loads = reviewers
        .iter()
        .map(|r| LoadRow {
            name: r.display_name.clone(),
            assigned: assignments.iter().filter(|a| a.reviewer_id == r.id).count(),
            submitted: assignments
                .iter()
                .filter(|a| a.reviewer_id == r.id && a.submitted_at.is_some())
                .count(),
        })
        .collect();
    let awaiting = state
        .store
        .selection_applications(round.id, &["eligible"])
        .await?
        .len();
    let (rows, moderation) = in_review_rows(state, lang, round.id, &standings, &assignments).await?;
    let round_id = round.id;
    let mut page = Page::new(ctx, lang.t1("sel-overview-title", "round", round.name.clone()));
    page.notice = notice;
    Ok(OverviewTemplate {
        page,
        csrf: ctx.csrf().await?,
        round,
        settings,
        results_at,
        errors,
        awaiting_line: lang.t1("sel-awaiting-count", "count", awaiting),
        loads,
        reviewers: reviewers.into_iter().map(|r| (r.id, r.display_name)).collect(),
        rows,
        moderation,
        exports: ExportLinks::new(&format!("/staff/selection/{round_id}/in-review"), &[]),
    }
    .render()?)
}

/// The round's in-review applications with their reviewers and standing, and those awaiting
/// moderation. Shared by the overview and its export.
async fn in_review_rows(
    state: &AppState,
    lang: Lang,
    round_id: i64,
    standings: &BTreeMap<i64, Standing>,
    assignments: &[Assignment],
) -> AppResult<(Vec<AppRow>, Vec<ModerationRow>)> {
    let apps = state
        .store
        .selection_applications(round_id, &["in_review"])
        .await?;
    // Each application's reviewers, grouped once (not a scan of every assignment per application).
    let mut reviewers: BTreeMap<i64, Vec<&Assignment>> = BTreeMap::new();
    for x in assignments {
        reviewers.entry(x.application_id).or_default().push(x);
    }
    let mut rows = Vec::new();
    let mut moderation = Vec::new();
    for a in &apps {
        let standing = standings.get(&a.id);
        let names: Vec<String> = reviewers
            .get(&a.id)
            .into_iter()
            .flatten()
            .map(|x| match x.total {
                Some(t) => format!("{} ({t})", x.reviewer_name),
                None => x.reviewer_name.clone(),
            })
            .collect();
        if let Some(Standing::AwaitingModeration { totals }) = standing {
            moderation.push(ModerationRow {
                id: a.id,
                reference: a.reference.clone().unwrap_or_default(),
                position: a.position.to_uppercase(),
                totals: lang.t1(
                    "sel-moderation-totals",
                    "totals",
                    totals.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
                ),
            });
        }
        rows.push(AppRow {
            id: a.id,
            reference: a.reference.clone().unwrap_or_default(),
            name: a.display_name.clone(),
            position: a.position.to_uppercase(),
            reviewers: names.join(", "),
            standing: standing_text(lang, standing),
        });
    }
    Ok((rows, moderation))
}

/// The overview's in-review table as a file.
async fn in_review_export(
    State(state): State<AppState>,
    ctx: Ctx,
    format: Format,
    Path(round_id): Path<i64>,
) -> AppResult<Response> {
    let lang = ctx.lang();
    let round = round_or_404(&state, round_id).await?;
    let standings = standings(&state, round_id).await?;
    let assignments = state.store.round_assignments(round_id).await?;
    let (rows, _) = in_review_rows(&state, lang, round_id, &standings, &assignments).await?;
    let mut table = Table::new(
        lang,
        &[
            "sel-col-reference",
            "sel-col-applicant",
            "sel-col-position",
            "sel-col-reviewers",
            "sel-col-status",
        ],
    );
    for r in rows {
        table.push(vec![r.reference, r.name, r.position, r.reviewers, r.standing]);
    }
    let export = Export {
        list: "selection",
        subject: format!("round:{round_id}"),
        filters: format!("round={round_id}"),
        file: format!("in-review-round-{round_id}"),
        sheet: lang.t1("sel-overview-title", "round", round.name),
    };
    send(&state, &ctx, format, export, table).await
}

#[derive(Deserialize, Default)]
struct OverviewQuery {
    notice: Option<String>,
    assigned: Option<usize>,
    short: Option<usize>,
    moved: Option<usize>,
}

async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    Query(q): Query<OverviewQuery>,
) -> AppResult<Html<String>> {
    let lang = ctx.lang();
    let round = round_or_404(&state, round_id).await?;
    let settings = state.store.selection_settings(round_id).await?;
    let results_at = state
        .store
        .results_at(round_id)
        .await?
        .map(crate::staff::rounds::format_london)
        .unwrap_or_default();
    let notice = match (q.notice.as_deref(), q.assigned) {
        (Some("assigned"), Some(n)) => Some(lang.ta(
            "sel-notice-assigned",
            vec![
                ("count", FluentValue::from(n)),
                ("moved", FluentValue::from(q.moved.unwrap_or(0))),
                ("short", FluentValue::from(q.short.unwrap_or(0))),
            ],
        )),
        _ => notice_key(&q.notice).map(|k| lang.t(k)),
    };
    Ok(Html(
        render_overview(
            &state,
            &ctx,
            round,
            settings,
            results_at,
            FormErrors::default(),
            notice,
        )
        .await?,
    ))
}

fn bounded(form: &[(String, String)], name: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
    field(form, name)
        .parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let round = round_or_404(&state, round_id).await?;
    let form = form_pairs(&body);
    let mut errors = FormErrors::default();
    let mut s = state.store.selection_settings(round_id).await?;
    match bounded(&form, "reviewers_per_application", 1..=5) {
        Some(n) => s.reviewers_per_application = n,
        None => errors.add("reviewers_per_application", lang.t("sel-error-reviewers")),
    }
    match bounded(&form, "moderation_margin", 0..=100) {
        Some(n) => s.moderation_margin = n,
        None => errors.add("moderation_margin", lang.t("sel-error-margin")),
    }
    for (key, slot) in [
        ("places_alt", &mut s.places_alt),
        ("places_cir", &mut s.places_cir),
        ("places_sea", &mut s.places_sea),
    ] {
        match bounded(&form, key, 0..=10_000) {
            Some(n) => *slot = n,
            None => errors.add(key, lang.t("sel-error-places")),
        }
    }
    s.name_blind = i64::from(field(&form, "name_blind") == "1");
    let results_text = field(&form, "results_at");
    let results_at = if results_text.is_empty() {
        None
    } else {
        let parsed = crate::staff::rounds::parse_london(&results_text);
        if parsed.is_none() {
            errors.add("results_at", lang.t("sel-error-results-at"));
        }
        parsed
    };
    if s.published_at.is_some() && results_at != state.store.results_at(round_id).await? {
        errors.add("results_at", lang.t("sel-error-results-published"));
    }
    if !errors.is_empty() {
        let html = render_overview(&state, &ctx, round, s, results_text, errors, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    state.store.save_selection_settings(&s).await?;
    state.store.set_results_at(round_id, results_at).await?;
    state
        .store
        .audit(
            Some(user.id),
            "selection.settings",
            &format!("round:{round_id}"),
            None,
            Some(&format!(
                "reviewers={} margin={} blind={} places={}/{}/{} results_at={:?}",
                s.reviewers_per_application,
                s.moderation_margin,
                s.name_blind,
                s.places_alt,
                s.places_cir,
                s.places_sea,
                results_at
            )),
        )
        .await?;
    Ok(Redirect::to(&format!("/staff/selection/{round_id}?notice=settings")).into_response())
}

/// Moves an application along the state machine, refusing clearly when it has moved on.
pub(crate) async fn apply_event(
    state: &AppState,
    actor: Option<i64>,
    application_id: i64,
    from: &str,
    event: Event,
    reason: Option<&str>,
) -> AppResult<Option<ApplicationState>> {
    let Ok(current) = from.parse::<ApplicationState>() else {
        return Ok(None);
    };
    let Ok(to) = transition(current, event) else {
        return Ok(None);
    };
    if !state
        .store
        .set_application_state(application_id, from, to.as_str(), reason)
        .await?
    {
        return Ok(None);
    }
    state
        .store
        .audit(
            actor,
            &format!("application.{}", event.as_str()),
            &format!("application:{application_id}"),
            Some(from),
            Some(to.as_str()),
        )
        .await?;
    Ok(Some(to))
}

async fn auto_assign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    round_or_404(&state, round_id).await?;
    let settings = state.store.selection_settings(round_id).await?;
    let apps = state
        .store
        .selection_applications(round_id, &["eligible", "in_review"])
        .await?;
    let assignments = state.store.round_assignments(round_id).await?;
    let reviewers = state.store.reviewers().await?;
    if reviewers.is_empty() {
        return Err(AppError::BadRequest(ctx.lang().t("sel-error-no-reviewers")));
    }
    let mut loads: BTreeMap<i64, usize> = reviewers.iter().map(|r| (r.id, 0)).collect();
    for a in &assignments {
        if let Some(l) = loads.get_mut(&a.reviewer_id) {
            *l += 1;
        }
    }
    let needs: Vec<assign::Need> = apps
        .iter()
        .map(|a| assign::Need {
            application_id: a.id,
            assigned: assignments
                .iter()
                .filter(|x| x.application_id == a.id)
                .map(|x| x.reviewer_id)
                .collect(),
        })
        .collect();
    let conflicts: BTreeSet<(i64, i64)> = state.store.round_conflicts(round_id).await?.into_iter().collect();
    // The applicant never reviews their own application.
    let conflicts: BTreeSet<(i64, i64)> = conflicts
        .into_iter()
        .chain(apps.iter().map(|a| (a.id, a.user_id)))
        .collect();
    let per = usize::try_from(settings.reviewers_per_application).unwrap_or(2);
    let plan = assign::plan(&needs, &loads, &conflicts, per);
    for (app, reviewer) in &plan.pairs {
        state.store.assign_reviewer(*app, *reviewer).await?;
        state
            .store
            .audit(
                Some(user.id),
                "review.assign",
                &format!("application:{app}"),
                None,
                Some(&reviewer.to_string()),
            )
            .await?;
    }
    let with_reviewer: BTreeSet<i64> = plan
        .pairs
        .iter()
        .map(|(a, _)| *a)
        .chain(assignments.iter().map(|a| a.application_id))
        .collect();
    let mut moved = 0;
    for a in apps
        .iter()
        .filter(|a| a.state == "eligible" && with_reviewer.contains(&a.id))
    {
        if apply_event(&state, Some(user.id), a.id, &a.state, Event::StartReview, None)
            .await?
            .is_some()
        {
            moved += 1;
        }
    }
    Ok(Redirect::to(&format!(
        "/staff/selection/{round_id}?notice=assigned&assigned={}&moved={moved}&short={}",
        plan.pairs.len(),
        plan.short.len()
    ))
    .into_response())
}

async fn reassign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    round_or_404(&state, round_id).await?;
    let form = form_pairs(&body);
    let app_id: i64 = field(&form, "application").parse().unwrap_or(0);
    let app = state
        .store
        .application(app_id)
        .await?
        .filter(|a| a.round_id == round_id)
        .ok_or_else(|| AppError::BadRequest(lang.t("sel-error-choose-application")))?;
    let remove: i64 = field(&form, "remove").parse().unwrap_or(0);
    let add: i64 = field(&form, "add").parse().unwrap_or(0);
    if remove == 0 && add == 0 {
        return Err(AppError::BadRequest(lang.t("sel-error-choose-reviewer")));
    }
    let reviewers = state.store.reviewers().await?;
    if add != 0 {
        if !reviewers.iter().any(|r| r.id == add) {
            return Err(AppError::BadRequest(lang.t("sel-error-choose-reviewer")));
        }
        if add == app.user_id || state.store.has_conflict(app.id, add).await? {
            return Err(AppError::BadRequest(lang.t("sel-error-conflicted")));
        }
        if state
            .store
            .assignments_of(app.id)
            .await?
            .iter()
            .any(|a| a.reviewer_id == add)
        {
            return Err(AppError::BadRequest(lang.t("sel-error-already-assigned")));
        }
    }
    if remove != 0 && !state.store.unassign_reviewer(app.id, remove).await? {
        return Err(AppError::BadRequest(lang.t("sel-error-cannot-remove")));
    }
    if add != 0 {
        state.store.assign_reviewer(app.id, add).await?;
        if app.state == "eligible" {
            apply_event(
                &state,
                Some(user.id),
                app.id,
                &app.state,
                Event::StartReview,
                None,
            )
            .await?;
        }
    }
    state
        .store
        .audit(
            Some(user.id),
            "review.reassign",
            &format!("application:{}", app.id),
            Some(&remove.to_string()),
            Some(&add.to_string()),
        )
        .await?;
    Ok(Redirect::to(&format!("/staff/selection/{round_id}?notice=reassigned")).into_response())
}

async fn moderate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    round_or_404(&state, round_id).await?;
    let form = form_pairs(&body);
    let app_id: i64 = field(&form, "application").parse().unwrap_or(0);
    let app = state
        .store
        .selection_application(app_id)
        .await?
        .ok_or_else(|| AppError::BadRequest(lang.t("sel-error-choose-application")))?;
    let in_round = state
        .store
        .application(app_id)
        .await?
        .is_some_and(|a| a.round_id == round_id);
    if !in_round {
        return Err(AppError::BadRequest(lang.t("sel-error-choose-application")));
    }
    let max = Rubric::for_position(position_of(&app.position)).max_total();
    let min = MIN_SCORE * Rubric::for_position(position_of(&app.position)).criteria.len() as i64;
    let Some(agreed) = bounded(&form, "agreed_total", min..=max) else {
        return Err(AppError::BadRequest(lang.ta(
            "sel-error-agreed-range",
            vec![("min", FluentValue::from(min)), ("max", FluentValue::from(max))],
        )));
    };
    let note = clean_text(&field(&form, "note"), 1000);
    state.store.moderate(app_id, agreed, &note, user.id).await?;
    state
        .store
        .audit(
            Some(user.id),
            "review.moderate",
            &format!("application:{app_id}"),
            None,
            Some(&agreed.to_string()),
        )
        .await?;
    Ok(Redirect::to(&format!("/staff/selection/{round_id}?notice=moderated")).into_response())
}

// ----- the ranked list, the cut-off and invitations -----

struct RankRow {
    rank: usize,
    reference: String,
    name: String,
    standing: String,
    score: Option<f64>,
    invited_if_cut_here: usize,
    above: bool,
}

struct PositionRanking {
    code: String,
    label: &'static str,
    cutoff_label: String,
    cutoff: String,
    invites: usize,
    count_line: String,
    rows: Vec<RankRow>,
    unranked: usize,
    unranked_line: String,
}

#[derive(Template)]
#[template(path = "review/ranking.html")]
struct RankingTemplate {
    page: Page,
    csrf: String,
    round: Round,
    positions: Vec<PositionRanking>,
    sift_closed: bool,
    exports: ExportLinks,
}

/// The in-review applications of a position with their standings, ranked: scored ones by score
/// (highest first), ties by earlier submission then lower id; unranked ones after.
pub(crate) fn rank(
    apps: &[SelectionApplication],
    standings: &BTreeMap<i64, Standing>,
) -> Vec<(SelectionApplication, Option<f64>)> {
    let mut ranked: Vec<(SelectionApplication, Option<f64>)> = apps
        .iter()
        .map(|a| (a.clone(), standings.get(&a.id).and_then(Standing::score)))
        .collect();
    ranked.sort_by(|(a, sa), (b, sb)| {
        let by_score = match (sa, sb) {
            (Some(x), Some(y)) => y.total_cmp(x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_score
            .then(a.submitted_at.cmp(&b.submitted_at))
            .then(a.id.cmp(&b.id))
    });
    ranked
}

fn parse_cutoff(value: &str) -> Option<f64> {
    value.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Each position's ranked list with the cut-offs asked for (`cutoff_alt=…`). Shared by the page
/// and its export.
async fn rankings(
    state: &AppState,
    lang: Lang,
    round: &Round,
    q: &BTreeMap<String, String>,
) -> AppResult<Vec<PositionRanking>> {
    let round_id = round.id;
    let standings = standings(state, round_id).await?;
    let apps = state
        .store
        .selection_applications(round_id, &["in_review"])
        .await?;
    let mut positions = Vec::new();
    for code in positions_of(round) {
        let of_position: Vec<SelectionApplication> =
            apps.iter().filter(|a| a.position == code).cloned().collect();
        let cutoff_text = q.get(&format!("cutoff_{code}")).cloned().unwrap_or_default();
        let cutoff = parse_cutoff(&cutoff_text);
        let ranked = rank(&of_position, &standings);
        let mut rows = Vec::new();
        for (i, (a, score)) in ranked.iter().enumerate() {
            let through_here = ranked
                .iter()
                .filter(|(_, s)| matches!((s, score), (Some(x), Some(y)) if x >= y))
                .count();
            rows.push(RankRow {
                rank: i + 1,
                reference: a.reference.clone().unwrap_or_default(),
                name: a.display_name.clone(),
                standing: standing_text(lang, standings.get(&a.id)),
                score: *score,
                invited_if_cut_here: through_here,
                above: matches!((score, cutoff), (Some(s), Some(c)) if *s >= c),
            });
        }
        let label = position_of(&code).abbreviation();
        let invites = rows.iter().filter(|r| r.above).count();
        let unranked = rows.iter().filter(|r| r.score.is_none()).count();
        positions.push(PositionRanking {
            label,
            cutoff_label: lang.t1("sel-field-cutoff", "position", label),
            invites,
            count_line: lang.t1("sel-cutoff-count", "count", invites),
            unranked,
            unranked_line: lang.t1("sel-unranked-count", "count", unranked),
            code,
            cutoff: cutoff_text,
            rows,
        });
    }
    Ok(positions)
}

async fn ranking(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> AppResult<Html<String>> {
    let lang = ctx.lang();
    let round = round_or_404(&state, round_id).await?;
    let settings = state.store.selection_settings(round_id).await?;
    let positions = rankings(&state, lang, &round, &q).await?;
    let cutoffs: Vec<(String, String)> = positions
        .iter()
        .map(|p| (format!("cutoff_{}", p.code), p.cutoff.clone()))
        .collect();
    let exports = ExportLinks::new(
        &format!("/staff/selection/{round_id}/ranking"),
        &cutoffs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
    );
    Ok(Html(
        RankingTemplate {
            page: Page::new(&ctx, lang.t1("sel-ranking-title", "round", round.name.clone())),
            csrf: ctx.csrf().await?,
            round,
            positions,
            sift_closed: settings.sift_closed != 0,
            exports,
        }
        .render()?,
    ))
}

/// The ranked lists, every position, with the cut-offs asked for, as a file.
async fn ranking_export(
    State(state): State<AppState>,
    ctx: Ctx,
    format: Format,
    Path(round_id): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let lang = ctx.lang();
    let round = round_or_404(&state, round_id).await?;
    let positions = rankings(&state, lang, &round, &q).await?;
    let mut table = Table::new(
        lang,
        &[
            "sel-col-position",
            "sel-col-rank",
            "sel-col-reference",
            "sel-col-applicant",
            "sel-col-status",
            "sel-col-score",
            "sel-col-if-cut",
            "sel-col-above-cutoff",
        ],
    );
    let mut cutoffs = Vec::new();
    for p in positions {
        cutoffs.push(format!("cutoff_{}={}", p.code, p.cutoff));
        for r in p.rows {
            table.push(vec![
                p.label.to_string(),
                r.rank.to_string(),
                r.reference,
                r.name,
                r.standing,
                r.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
                if r.score.is_some() {
                    r.invited_if_cut_here.to_string()
                } else {
                    String::new()
                },
                lang.t(if r.above { "export-yes" } else { "export-no" }),
            ]);
        }
    }
    let export = Export {
        list: "ranking",
        subject: format!("round:{round_id}"),
        filters: format!("round={round_id} {}", cutoffs.join(" ")),
        file: format!("ranking-round-{round_id}"),
        sheet: lang.t1("sel-ranking-title", "round", round.name),
    };
    send(&state, &ctx, format, export, table).await
}

async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let round = round_or_404(&state, round_id).await?;
    let form = form_pairs(&body);
    let standings = standings(&state, round_id).await?;
    let apps = state
        .store
        .selection_applications(round_id, &["in_review"])
        .await?;
    let mut any_cutoff = false;
    let mut chosen = Vec::new();
    for code in positions_of(&round) {
        let text = field(&form, &format!("cutoff_{code}"));
        if text.is_empty() {
            continue;
        }
        let Some(cutoff) = parse_cutoff(&text) else {
            return Err(AppError::BadRequest(lang.t("sel-error-cutoff")));
        };
        any_cutoff = true;
        for a in apps.iter().filter(|a| a.position == code) {
            if standings
                .get(&a.id)
                .and_then(Standing::score)
                .is_some_and(|s| s >= cutoff)
            {
                chosen.push(a.clone());
            }
        }
    }
    if !any_cutoff {
        return Err(AppError::BadRequest(lang.t("sel-error-cutoff")));
    }
    let mut invited = 0;
    for a in &chosen {
        if apply_event(&state, Some(user.id), a.id, &a.state, Event::Invite, None)
            .await?
            .is_none()
        {
            continue;
        }
        invited += 1;
        let reference = a.reference.clone().unwrap_or_default();
        let body = format!(
            "Hello {},\n\nGood news: you are invited to interview for the JET Programme ({}), application {reference}.\n\n\
             Book your slot at {}/my/interview\n\n\
             JET Desk, Embassy of Japan in the UK\nReference: {reference}\n",
            a.display_name,
            position_of(&a.position).title(),
            state.base_url,
        );
        state
            .mailer
            .queue(
                &a.email,
                &format!("You are invited to interview: {reference}"),
                &body,
            )
            .await?;
    }
    state.store.set_sift_closed(round_id, true).await?;
    state
        .store
        .audit(
            Some(user.id),
            "review.invite",
            &format!("round:{round_id}"),
            None,
            Some(&invited.to_string()),
        )
        .await?;
    let mut page = Page::new(&ctx, lang.t("sel-invited-title"));
    page.notice = Some(lang.t1("sel-notice-invited", "count", invited as i64));
    Ok(Html(
        MessageTemplate {
            page,
            back: format!("/staff/selection/{round_id}/ranking"),
        }
        .render()?,
    )
    .into_response())
}

#[derive(Template)]
#[template(path = "review/done.html")]
struct MessageTemplate {
    page: Page,
    back: String,
}

async fn reject_not_invited(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    round_or_404(&state, round_id).await?;
    let settings = state.store.selection_settings(round_id).await?;
    if settings.sift_closed == 0 {
        return Err(AppError::BadRequest(lang.t("sel-error-invite-first")));
    }
    if field(&form_pairs(&body), "confirm") != "1" {
        return Err(AppError::BadRequest(lang.t("sel-error-confirm-reject")));
    }
    let reason = "Not invited to interview";
    let mut rejected = 0;
    for a in state
        .store
        .selection_applications(round_id, &["in_review"])
        .await?
    {
        if apply_event(&state, Some(user.id), a.id, &a.state, Event::Reject, Some(reason))
            .await?
            .is_none()
        {
            continue;
        }
        rejected += 1;
        let reference = a.reference.clone().unwrap_or_default();
        state
            .mailer
            .queue(
                &a.email,
                &format!("Your JET application: {reference}"),
                &format!(
                    "Hello {},\n\nThank you for applying to the JET Programme. We are sorry: your application {reference} \
                     was not selected for interview this year.\n\nJET Desk, Embassy of Japan in the UK\nReference: {reference}\n",
                    a.display_name
                ),
            )
            .await?;
    }
    let mut page = Page::new(&ctx, lang.t("sel-rejected-title"));
    page.notice = Some(lang.t1("sel-notice-rejected", "count", rejected as i64));
    Ok(Html(
        MessageTemplate {
            page,
            back: format!("/staff/selection/{round_id}/ranking"),
        }
        .render()?,
    )
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(id: i64, submitted: i64) -> SelectionApplication {
        SelectionApplication {
            id,
            user_id: id,
            reference: Some(format!("R{id}")),
            position: "alt".into(),
            state: "in_review".into(),
            display_name: String::new(),
            email: String::new(),
            submitted_at: Some(submitted),
        }
    }

    #[test]
    fn ranking_is_by_score_then_earlier_submission_with_unscored_last() {
        let apps = [app(1, 50), app(2, 40), app(3, 30), app(4, 10)];
        let scored = |s: f64| Standing::Scored {
            score: s,
            totals: vec![],
            moderated: false,
        };
        let standings: BTreeMap<i64, Standing> = [
            (1, scored(20.0)),
            (2, scored(21.5)),
            (3, scored(20.0)),
            (
                4,
                Standing::AwaitingScores {
                    submitted: 1,
                    assigned: 2,
                },
            ),
        ]
        .into_iter()
        .collect();
        let order: Vec<i64> = rank(&apps, &standings).iter().map(|(a, _)| a.id).collect();
        assert_eq!(order, vec![2, 3, 1, 4]);
    }
}
