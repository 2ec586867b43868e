//! Outcomes (issue 4): after interviews the coordinator decides, per position, which interviewed
//! applications are shortlisted, alternates (ranked) or unsuccessful (with reasons from a list and
//! optional feedback), with the interview ranking as the proposal and the round's places as the
//! target. Decisions stay private until publication: at the round's results instant (a background
//! check each minute) or by "publish now" at or after it. Publishing applies the state changes,
//! e-mails every applicant their outcome and shows it on their application page
//! ([`applicant_block`]). Afterwards the coordinator upgrades the next alternate by rank when a
//! place frees.
//!
//! Authorisation: every page admits coordinators only, except the applicant's block, which reads
//! the signed-in applicant's own application and shows nothing before publication.

use crate::access::{Access, RouteDef};
use crate::dashboard::exports::{send, Export, ExportLinks, Format, Table};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::page::{format_time, Page};
use crate::review::{apply_event, clean_text, field as one, form_pairs, standings};
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use fluent_templates::fluent_bundle::FluentValue;
use jetdesk_domain::{transition, ApplicationState, Event, Position, Role};
use jetdesk_store::{Outcome, OutcomeInput, Round, SelectionApplication, Upgrade};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

const COORDINATOR: Access = Access::Roles(&[Role::Coordinator]);

/// The reasons an unsuccessful outcome can carry: (id, English, Japanese).
pub(crate) const REASONS: &[(&str, &str, &str)] = &[
    (
        "ranking",
        "Other candidates ranked higher at interview",
        "面接でほかの候補者の評価が上回りました",
    ),
    (
        "motivation",
        "Motivation for the programme was not shown clearly enough",
        "プログラムへの志望動機が十分に示されませんでした",
    ),
    (
        "role",
        "Understanding of the role was limited",
        "職務への理解が限られていました",
    ),
    (
        "communication",
        "Communication at interview",
        "面接でのコミュニケーション",
    ),
    (
        "japanese",
        "Japanese below the level the position needs",
        "職務に必要な日本語の水準に達していませんでした",
    ),
    (
        "places",
        "Not enough places this year",
        "今年度の定員に達しました",
    ),
];

const OUTCOMES: &[&str] = &["shortlisted", "alternate", "unsuccessful"];

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/staff/outcomes/{round}", COORDINATOR, get(page)),
        RouteDef::get("/staff/outcomes/{round}/list.csv", COORDINATOR, get(export)),
        RouteDef::get("/staff/outcomes/{round}/list.xlsx", COORDINATOR, get(export)),
        RouteDef::post("/staff/outcomes/{round}/decide", COORDINATOR, post(decide)),
        RouteDef::post("/staff/outcomes/{round}/propose", COORDINATOR, post(propose)),
        RouteDef::post("/staff/outcomes/{round}/publish", COORDINATOR, post(publish)),
        RouteDef::post("/staff/outcomes/{round}/upgrade", COORDINATOR, post(upgrade)),
    ]
}

fn reason_label(lang: Lang, id: &str) -> String {
    REASONS
        .iter()
        .find(|(r, _, _)| *r == id)
        .map(|(_, en, ja)| if lang == Lang::Ja { *ja } else { *en }.to_string())
        .unwrap_or_else(|| id.to_string())
}

fn outcome_label(lang: Lang, outcome: &str) -> String {
    match outcome {
        "shortlisted" | "alternate" | "unsuccessful" => lang.t(&format!("out-outcome-{outcome}")),
        _ => lang.t("out-undecided"),
    }
}

/// One interviewed application with its interview average, proposal and decision.
#[derive(Debug, Clone)]
struct Candidate {
    app: SelectionApplication,
    interview: Option<f64>,
    review: Option<f64>,
    proposal: &'static str,
    decided: Option<Outcome>,
}

/// The applications of `position` that outcomes are about (interviewed, or decided already),
/// ranked by interview average (highest first), ties by review score, then lower id; with the
/// proposal: the first `places` shortlisted, the next `places` alternates, the rest unsuccessful.
async fn candidates(
    state: &AppState,
    round_id: i64,
    position: &str,
    places: i64,
) -> AppResult<Vec<Candidate>> {
    let apps = state
        .store
        .selection_applications(
            round_id,
            &[
                "interviewed",
                "shortlisted",
                "alternate",
                "unsuccessful",
                "placed",
                "accepted",
                "declined",
                "withdrawn",
            ],
        )
        .await?;
    let outcomes: BTreeMap<i64, Outcome> = state
        .store
        .round_outcomes(round_id)
        .await?
        .into_iter()
        .map(|o| (o.application_id, o))
        .collect();
    let totals: BTreeMap<i64, f64> = state
        .store
        .interview_totals(round_id)
        .await?
        .into_iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(a, sum, n)| (a, sum as f64 / n as f64))
        .collect();
    let reviews = standings(state, round_id).await?;
    let mut list: Vec<Candidate> = apps
        .into_iter()
        .filter(|a| a.position == position)
        .filter(|a| a.state == "interviewed" || outcomes.contains_key(&a.id))
        .map(|a| Candidate {
            interview: totals.get(&a.id).copied(),
            review: reviews.get(&a.id).and_then(|s| s.score()),
            decided: outcomes.get(&a.id).cloned(),
            proposal: "unsuccessful",
            app: a,
        })
        .collect();
    list.sort_by(|a, b| {
        let key = |c: &Candidate| (c.interview.unwrap_or(f64::MIN), c.review.unwrap_or(f64::MIN));
        let (ai, ar) = key(a);
        let (bi, br) = key(b);
        bi.total_cmp(&ai)
            .then(br.total_cmp(&ar))
            .then(a.app.id.cmp(&b.app.id))
    });
    let places = usize::try_from(places).unwrap_or(0);
    for (i, c) in list.iter_mut().enumerate() {
        c.proposal = if c.interview.is_none() {
            "unsuccessful"
        } else if i < places {
            "shortlisted"
        } else if i < places * 2 {
            "alternate"
        } else {
            "unsuccessful"
        };
    }
    Ok(list)
}

// ---------------------------------------------------------------------------------------------
// The coordinator's page

struct Row {
    id: i64,
    rank: usize,
    reference: String,
    name: String,
    state: &'static str,
    interview: String,
    proposal: String,
    decision: String,
    reasons: String,
}

#[derive(Template)]
#[template(path = "outcomes/page.html")]
struct PageTemplate {
    page: Page,
    csrf: String,
    round: Round,
    position: String,
    positions: Vec<(String, &'static str, bool)>,
    show: String,
    filters: Vec<(&'static str, String, bool)>,
    rows: Vec<Row>,
    places: i64,
    counts: Vec<(String, usize)>,
    reasons: Vec<(&'static str, String)>,
    results_at: String,
    published: Option<String>,
    can_publish: bool,
    upgrade_status: String,
    exports: ExportLinks,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    position: Option<String>,
    show: Option<String>,
    notice: Option<String>,
    count: Option<i64>,
}

fn pick_position(round: &Round, wanted: Option<&str>) -> String {
    let offered: Vec<&str> = round
        .positions
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    wanted
        .filter(|w| offered.contains(w))
        .or_else(|| offered.first().copied())
        .unwrap_or("alt")
        .to_string()
}

fn shown(c: &Candidate, show: &str) -> bool {
    match show {
        "undecided" => c.decided.is_none(),
        "shortlisted" | "alternate" | "unsuccessful" => c.decided.as_ref().is_some_and(|d| d.outcome == show),
        _ => true,
    }
}

/// Shortlisted places taken in a position: shortlisted and later states that hold a place.
async fn places_taken(state: &AppState, round_id: i64, position: &str) -> AppResult<i64> {
    Ok(state
        .store
        .selection_applications(round_id, &["shortlisted", "placed", "accepted", "departed"])
        .await?
        .iter()
        .filter(|a| a.position == position)
        .count() as i64)
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let lang = ctx.lang();
    let round = state.store.round(round_id).await?.ok_or(AppError::NotFound)?;
    let settings = state.store.selection_settings(round_id).await?;
    let Listing {
        position,
        places,
        show,
        list,
        rows,
    } = listing(&state, lang, &round, &q).await?;
    let mut counts = vec![(
        lang.t("out-undecided"),
        list.iter().filter(|c| c.decided.is_none()).count(),
    )];
    for o in OUTCOMES {
        counts.push((
            outcome_label(lang, o),
            list.iter()
                .filter(|c| c.decided.as_ref().is_some_and(|d| d.outcome == *o))
                .count(),
        ));
    }
    let exports = ExportLinks::new(
        &format!("/staff/outcomes/{round_id}/list"),
        &[("position", &position), ("show", &show)],
    );
    let results_at = state.store.results_at(round_id).await?;
    let now = jetdesk_store::now();
    let taken = places_taken(&state, round_id, &position).await?;
    let alternates_left = state
        .store
        .selection_applications(round_id, &["alternate"])
        .await?
        .iter()
        .filter(|a| a.position == position)
        .count();
    let notice = match (q.notice.as_deref(), q.count) {
        (Some("decided"), Some(n)) => Some(lang.t1("out-notice-decided", "count", n)),
        (Some("proposed"), Some(n)) => Some(lang.t1("out-notice-proposed", "count", n)),
        (Some("published"), Some(n)) => Some(lang.t1("out-notice-published", "count", n)),
        (Some("upgraded"), _) => Some(lang.t("out-notice-upgraded")),
        _ => None,
    };
    let mut page = Page::new(&ctx, lang.t1("out-title", "round", round.name.clone()));
    page.notice = notice;
    let offered: Vec<String> = round
        .positions
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    Ok(Html(
        PageTemplate {
            page,
            csrf: ctx.csrf().await?,
            positions: offered
                .iter()
                .map(|p| {
                    let abbr = p.parse::<Position>().map(|x| x.abbreviation()).unwrap_or("?");
                    (p.clone(), abbr, *p == position)
                })
                .collect(),
            filters: ["", "undecided", "shortlisted", "alternate", "unsuccessful"]
                .into_iter()
                .map(|f| {
                    let label = if f.is_empty() {
                        lang.t("out-show-all")
                    } else if f == "undecided" {
                        lang.t("out-undecided")
                    } else {
                        outcome_label(lang, f)
                    };
                    (f, label, f == show)
                })
                .collect(),
            show,
            rows,
            places,
            counts,
            reasons: REASONS
                .iter()
                .map(|(id, _, _)| (*id, reason_label(lang, id)))
                .collect(),
            results_at: lang.t1(
                "out-results-at",
                "when",
                results_at
                    .map(format_time)
                    .unwrap_or_else(|| lang.t("out-results-unset")),
            ),
            published: settings
                .published_at
                .map(|p| lang.t1("out-published-at", "when", format_time(p))),
            can_publish: settings.published_at.is_none() && results_at.is_some_and(|r| r <= now),
            exports,
            upgrade_status: lang.ta(
                "out-upgrade-status",
                vec![
                    ("free", FluentValue::from((places - taken).max(0))),
                    ("left", FluentValue::from(alternates_left)),
                ],
            ),
            position,
            round,
        }
        .render()?,
    ))
}

/// What the page lists for its query: the position, its places, the filter, every candidate
/// (for the counts) and the rows the filter shows. Shared by the page and its export.
struct Listing {
    position: String,
    places: i64,
    show: String,
    list: Vec<Candidate>,
    rows: Vec<Row>,
}

async fn listing(state: &AppState, lang: Lang, round: &Round, q: &PageQuery) -> AppResult<Listing> {
    let round_id = round.id;
    let settings = state.store.selection_settings(round_id).await?;
    let position = pick_position(round, q.position.as_deref());
    let places = settings.places(&position);
    let show = q
        .show
        .clone()
        .filter(|s| ["undecided", "shortlisted", "alternate", "unsuccessful"].contains(&s.as_str()))
        .unwrap_or_default();
    let list = candidates(state, round_id, &position, places).await?;
    let rows = list
        .iter()
        .enumerate()
        .filter(|(_, c)| shown(c, &show))
        .map(|(i, c)| Row {
            id: c.app.id,
            rank: i + 1,
            reference: c.app.reference.clone().unwrap_or_default(),
            name: c.app.display_name.clone(),
            state: crate::applications::state_label(&c.app.state),
            interview: c
                .interview
                .map(|v| format!("{v:.1}"))
                .unwrap_or_else(|| "—".into()),
            proposal: outcome_label(lang, c.proposal),
            decision: match &c.decided {
                Some(d) if d.outcome == "alternate" => {
                    format!(
                        "{} #{}",
                        outcome_label(lang, &d.outcome),
                        d.alternate_rank.unwrap_or(0)
                    )
                }
                Some(d) => outcome_label(lang, &d.outcome),
                None => lang.t("out-undecided"),
            },
            reasons: c
                .decided
                .as_ref()
                .map(|d| {
                    d.reasons
                        .split(',')
                        .filter(|r| !r.is_empty())
                        .map(|r| reason_label(lang, r))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default(),
        })
        .collect();
    Ok(Listing {
        position,
        places,
        show,
        list,
        rows,
    })
}

/// The list on the page (its position and filter) as a file.
async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    format: Format,
    Path(round_id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let lang = ctx.lang();
    let round = state.store.round(round_id).await?.ok_or(AppError::NotFound)?;
    let Listing {
        position, show, rows, ..
    } = listing(&state, lang, &round, &q).await?;
    let mut table = Table::new(
        lang,
        &[
            "sel-col-rank",
            "sel-col-reference",
            "sel-col-applicant",
            "out-col-interview",
            "out-col-proposal",
            "out-col-decision",
            "out-col-reasons",
            "sel-col-status",
        ],
    );
    for r in rows {
        table.push(vec![
            r.rank.to_string(),
            r.reference,
            r.name,
            r.interview,
            r.proposal,
            r.decision,
            r.reasons,
            r.state.to_string(),
        ]);
    }
    let export = Export {
        list: "outcomes",
        subject: format!("round:{round_id}"),
        filters: format!("round={round_id} position={position} show={show}"),
        file: format!("outcomes-round-{round_id}-{position}"),
        sheet: lang.t1("out-title", "round", round.name),
    };
    send(&state, &ctx, format, export, table).await
}

// ---------------------------------------------------------------------------------------------
// Deciding

fn all(form: &[(String, String)], name: &str) -> Vec<String> {
    form.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

async fn refuse_if_published(state: &AppState, lang: Lang, round_id: i64) -> AppResult<()> {
    if let Some(at) = state.store.selection_settings(round_id).await?.published_at {
        return Err(AppError::BadRequest(lang.t1(
            "out-error-published",
            "when",
            format_time(at),
        )));
    }
    Ok(())
}

fn next_rank(list: &[Candidate]) -> i64 {
    list.iter()
        .filter_map(|c| c.decided.as_ref().and_then(|d| d.alternate_rank))
        .max()
        .unwrap_or(0)
        + 1
}

async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let round = state.store.round(round_id).await?.ok_or(AppError::NotFound)?;
    refuse_if_published(&state, lang, round_id).await?;
    let form = form_pairs(&body);
    let position = pick_position(&round, Some(one(&form, "position").as_str()));
    let outcome = one(&form, "outcome");
    if !OUTCOMES.contains(&outcome.as_str()) {
        return Err(AppError::BadRequest(lang.t("out-error-outcome")));
    }
    let ids: Vec<i64> = all(&form, "application")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    if ids.is_empty() {
        return Err(AppError::BadRequest(lang.t("out-error-none-chosen")));
    }
    let reasons: Vec<String> = all(&form, "reason")
        .into_iter()
        .filter(|r| REASONS.iter().any(|(id, _, _)| id == r))
        .collect();
    if outcome == "unsuccessful" && reasons.is_empty() {
        return Err(AppError::BadRequest(lang.t("out-error-reasons")));
    }
    let feedback = clean_text(&one(&form, "feedback"), 2000);
    let places = state.store.selection_settings(round_id).await?.places(&position);
    let list = candidates(&state, round_id, &position, places).await?;
    let mut rank = match one(&form, "first_rank") {
        v if v.is_empty() => next_rank(&list),
        v => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| AppError::BadRequest(lang.t("out-error-rank")))?,
    };
    // In ranking order, so alternates' ranks follow the interview ranking.
    let chosen: Vec<&Candidate> = list.iter().filter(|c| ids.contains(&c.app.id)).collect();
    if chosen.len() != ids.len() || chosen.iter().any(|c| c.app.state != "interviewed") {
        return Err(AppError::BadRequest(lang.t("out-error-not-interviewed")));
    }
    for c in &chosen {
        let input = OutcomeInput {
            application_id: c.app.id,
            outcome: outcome.clone(),
            alternate_rank: (outcome == "alternate").then_some(rank),
            reasons: if outcome == "unsuccessful" {
                reasons.join(",")
            } else {
                String::new()
            },
            feedback: if outcome == "unsuccessful" {
                feedback.clone()
            } else {
                String::new()
            },
        };
        if outcome == "alternate" {
            rank += 1;
        }
        state.store.decide_outcome(&input, user.id).await?;
        state
            .store
            .audit(
                Some(user.id),
                "outcome.decide",
                &format!("application:{}", c.app.id),
                c.decided.as_ref().map(|d| d.outcome.as_str()),
                Some(&outcome),
            )
            .await?;
    }
    Ok(Redirect::to(&format!(
        "/staff/outcomes/{round_id}?position={position}&notice=decided&count={}",
        chosen.len()
    ))
    .into_response())
}

async fn propose(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let round = state.store.round(round_id).await?.ok_or(AppError::NotFound)?;
    refuse_if_published(&state, lang, round_id).await?;
    let form = form_pairs(&body);
    let position = pick_position(&round, Some(one(&form, "position").as_str()));
    let show = one(&form, "show");
    let places = state.store.selection_settings(round_id).await?.places(&position);
    let list = candidates(&state, round_id, &position, places).await?;
    let mut rank = next_rank(&list);
    let mut n = 0;
    for c in list
        .iter()
        .filter(|c| c.decided.is_none() && c.app.state == "interviewed" && shown(c, &show))
    {
        let input = OutcomeInput {
            application_id: c.app.id,
            outcome: c.proposal.to_string(),
            alternate_rank: (c.proposal == "alternate").then_some(rank),
            reasons: if c.proposal == "unsuccessful" {
                "ranking".into()
            } else {
                String::new()
            },
            feedback: String::new(),
        };
        if c.proposal == "alternate" {
            rank += 1;
        }
        state.store.decide_outcome(&input, user.id).await?;
        state
            .store
            .audit(
                Some(user.id),
                "outcome.decide",
                &format!("application:{}", c.app.id),
                None,
                Some(c.proposal),
            )
            .await?;
        n += 1;
    }
    Ok(Redirect::to(&format!(
        "/staff/outcomes/{round_id}?position={position}&notice=proposed&count={n}"
    ))
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// Publishing

/// Why a publication did not happen.
enum NotPublished {
    Already(i64),
    NoInstant,
    TooEarly(i64),
    Undecided(usize),
}

impl NotPublished {
    fn message(&self, lang: Lang) -> String {
        match self {
            NotPublished::Already(at) => lang.t1("out-error-published", "when", format_time(*at)),
            NotPublished::NoInstant => lang.t("out-error-no-results-at"),
            NotPublished::TooEarly(at) => lang.t1("out-error-too-early", "when", format_time(*at)),
            NotPublished::Undecided(n) => lang.t1("out-error-undecided", "count", *n as i64),
        }
    }
}

/// Publishes the round's results: claims the publication once, then applies each decided outcome
/// to its application (Shortlist, MakeAlternate or Reject), marks it visible and e-mails the
/// applicant. Returns how many were published.
async fn publish_round(
    state: &AppState,
    actor: Option<i64>,
    round_id: i64,
) -> AppResult<Result<usize, NotPublished>> {
    let settings = state.store.selection_settings(round_id).await?;
    if let Some(at) = settings.published_at {
        return Ok(Err(NotPublished::Already(at)));
    }
    let now = jetdesk_store::now();
    match state.store.results_at(round_id).await? {
        None => return Ok(Err(NotPublished::NoInstant)),
        Some(at) if now < at => return Ok(Err(NotPublished::TooEarly(at))),
        Some(_) => {}
    }
    let outcomes: BTreeMap<i64, Outcome> = state
        .store
        .round_outcomes(round_id)
        .await?
        .into_iter()
        .map(|o| (o.application_id, o))
        .collect();
    let interviewed = state
        .store
        .selection_applications(round_id, &["interviewed"])
        .await?;
    let undecided = interviewed
        .iter()
        .filter(|a| !outcomes.contains_key(&a.id))
        .count();
    if undecided > 0 {
        return Ok(Err(NotPublished::Undecided(undecided)));
    }
    if !state.store.claim_publication(round_id, now).await? {
        let at = state
            .store
            .selection_settings(round_id)
            .await?
            .published_at
            .unwrap_or(now);
        return Ok(Err(NotPublished::Already(at)));
    }
    let mut published = 0;
    for a in &interviewed {
        let Some(o) = outcomes.get(&a.id) else { continue };
        let event = match o.outcome.as_str() {
            "shortlisted" => Event::Shortlist,
            "alternate" => Event::MakeAlternate,
            _ => Event::Reject,
        };
        let reason = (event == Event::Reject).then_some("Not successful at interview");
        if apply_event(state, actor, a.id, &a.state, event, reason)
            .await?
            .is_none()
        {
            continue;
        }
        state.store.mark_outcome_published(a.id, now).await?;
        let reference = a.reference.clone().unwrap_or_default();
        let (subject, text) = outcome_mail(o, &reference, &a.display_name, &state.base_url);
        state.mailer.queue(&a.email, &subject, &text).await?;
        published += 1;
    }
    state
        .store
        .audit(
            actor,
            "outcome.publish",
            &format!("round:{round_id}"),
            None,
            Some(&published.to_string()),
        )
        .await?;
    Ok(Ok(published))
}

fn outcome_mail(o: &Outcome, reference: &str, name: &str, base_url: &str) -> (String, String) {
    let what = match o.outcome.as_str() {
        "shortlisted" => "Congratulations: you have been shortlisted for the JET Programme. Your place is conditional on a \
                          contracting organisation being found for you; we will write about the next steps (criminal records \
                          check, certificate of health)."
            .to_string(),
        "alternate" => "You have been placed on the alternate list. Alternates may be upgraded when a shortlisted candidate \
                        withdraws, as late as December of the departure year; we will write if a place becomes free."
            .to_string(),
        _ => {
            let reasons: Vec<String> = o
                .reasons
                .split(',')
                .filter(|r| !r.is_empty())
                .map(|r| format!("- {}", reason_label(Lang::En, r)))
                .collect();
            let mut t = format!(
                "We are sorry: your application was not successful this year.\n\nThe panel's reasons:\n{}",
                reasons.join("\n")
            );
            if !o.feedback.is_empty() {
                t.push_str(&format!("\n\nFeedback:\n{}", o.feedback));
            }
            t
        }
    };
    (
        format!("Your JET Programme result: {reference}"),
        format!(
            "Hello {name},\n\n{what}\n\nYou can see your result at {base_url}/apply\n\n\
             JET Desk, Embassy of Japan in the UK\nReference: {reference}\n"
        ),
    )
}

async fn publish(State(state): State<AppState>, ctx: Ctx, Path(round_id): Path<i64>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    state.store.round(round_id).await?.ok_or(AppError::NotFound)?;
    match publish_round(&state, Some(user.id), round_id).await? {
        Ok(n) => Ok(
            Redirect::to(&format!("/staff/outcomes/{round_id}?notice=published&count={n}")).into_response(),
        ),
        Err(why) => Err(AppError::BadRequest(why.message(ctx.lang()))),
    }
}

/// Publishes every round whose results instant has passed, once a minute, until aborted. A round
/// with undecided interviewed applications waits (and is logged) until the coordinator decides.
pub(crate) async fn publication_loop(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    loop {
        every.tick().await;
        let rounds = match state.store.rounds().await {
            Ok(r) => r,
            Err(err) => {
                tracing::warn!(error = %err, "scheduled publication: cannot read rounds");
                continue;
            }
        };
        for round in rounds {
            let due =
                matches!(state.store.results_at(round.id).await, Ok(Some(at)) if at <= jetdesk_store::now());
            let unpublished =
                matches!(state.store.selection_settings(round.id).await, Ok(s) if s.published_at.is_none());
            if !(due && unpublished) {
                continue;
            }
            match publish_round(&state, None, round.id).await {
                Ok(Ok(n)) => tracing::info!(
                    round = round.id,
                    published = n,
                    "results published at their instant"
                ),
                Ok(Err(why)) => {
                    tracing::info!(round = round.id, reason = %why.message(Lang::En), "results not published yet")
                }
                Err(err) => tracing::warn!(round = round.id, error = %err, "results publication failed"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Upgrading an alternate

async fn upgrade(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let round = state.store.round(round_id).await?.ok_or(AppError::NotFound)?;
    let settings = state.store.selection_settings(round_id).await?;
    if settings.published_at.is_none() {
        return Err(AppError::BadRequest(lang.t("out-error-publish-first")));
    }
    let form = form_pairs(&body);
    let position = pick_position(&round, Some(one(&form, "position").as_str()));
    let places = settings.places(&position);
    // Checked and applied in one serialised transaction: concurrent clicks upgrade once.
    let (upgraded, rank) = match state
        .store
        .upgrade_next_alternate(round_id, &position, places, user.id)
        .await?
    {
        Upgrade::Upgraded { application_id, rank } => (application_id, rank.unwrap_or(i64::MAX)),
        Upgrade::NoFreePlace { taken } => {
            return Err(AppError::BadRequest(lang.ta(
                "out-error-no-free-place",
                vec![
                    ("taken", FluentValue::from(taken)),
                    ("places", FluentValue::from(places)),
                ],
            )))
        }
        Upgrade::NoAlternate => return Err(AppError::BadRequest(lang.t("out-error-no-alternate"))),
    };
    let next = state
        .store
        .selection_application(upgraded)
        .await?
        .ok_or(AppError::NotFound)?;
    let to =
        transition(ApplicationState::Alternate, Event::Upgrade).map_err(|e| AppError::Internal(e.into()))?;
    state
        .store
        .audit(
            Some(user.id),
            &format!("application.{}", Event::Upgrade.as_str()),
            &format!("application:{upgraded}"),
            Some(ApplicationState::Alternate.as_str()),
            Some(to.as_str()),
        )
        .await?;
    state
        .store
        .audit(
            Some(user.id),
            "outcome.upgrade",
            &format!("application:{}", next.id),
            Some(&format!("alternate #{rank}")),
            Some("shortlisted"),
        )
        .await?;
    let reference = next.reference.clone().unwrap_or_default();
    state
        .mailer
        .queue(
            &next.email,
            &format!("You have been upgraded to the shortlist: {reference}"),
            &format!(
                "Hello {},\n\nGood news: a place has become free and you have been upgraded from the alternate list to the \
                 shortlist for the JET Programme. Your place is conditional on a contracting organisation being found; we \
                 will write about the next steps.\n\nYou can see your result at {}/apply\n\n\
                 JET Desk, Embassy of Japan in the UK\nReference: {reference}\n",
                next.display_name, state.base_url
            ),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/staff/outcomes/{round_id}?position={position}&notice=upgraded"
    ))
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// The applicant's view

#[derive(Template)]
#[template(path = "outcomes/applicant_block.html")]
struct ApplicantBlock {
    lang: Lang,
    outcome: String,
    label: String,
    reasons: Vec<String>,
    feedback: String,
}

impl ApplicantBlock {
    fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }
}

/// The published outcome of application `application_id` as an HTML fragment for the applicant's
/// page (include it with `{{ outcome_html|safe }}`); empty before publication.
pub(crate) async fn applicant_block(state: &AppState, lang: Lang, application_id: i64) -> AppResult<String> {
    let Some(o) = state.store.outcome_of(application_id).await? else {
        return Ok(String::new());
    };
    if o.published_at.is_none() {
        return Ok(String::new());
    }
    Ok(ApplicantBlock {
        lang,
        label: outcome_label(lang, &o.outcome),
        reasons: o
            .reasons
            .split(',')
            .filter(|r| !r.is_empty())
            .map(|r| reason_label(lang, r))
            .collect(),
        feedback: o.feedback,
        outcome: o.outcome,
    }
    .render()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_both_languages_and_a_distinct_id() {
        let ids: std::collections::BTreeSet<_> = REASONS.iter().map(|(id, _, _)| *id).collect();
        assert_eq!(ids.len(), REASONS.len());
        assert!(REASONS.iter().all(|(_, en, ja)| !en.is_empty() && !ja.is_empty()));
        assert_eq!(reason_label(Lang::Ja, "places"), "今年度の定員に達しました");
        assert_eq!(reason_label(Lang::En, "unknown"), "unknown");
    }

    #[test]
    fn an_unsuccessful_mail_lists_the_reasons_and_the_reference() {
        let o = Outcome {
            application_id: 1,
            outcome: "unsuccessful".into(),
            alternate_rank: None,
            reasons: "ranking,japanese".into(),
            feedback: "Keep practising keigo.".into(),
            decided_by: 1,
            decided_at: 0,
            published_at: Some(1),
        };
        let (subject, body) = outcome_mail(&o, "JET27-UK-000001", "Ann", "http://x");
        assert!(subject.contains("JET27-UK-000001"));
        assert!(body.contains("Other candidates ranked higher at interview"));
        assert!(body.contains("Keep practising keigo."));
        assert!(body.contains("Reference: JET27-UK-000001"));
    }
}
