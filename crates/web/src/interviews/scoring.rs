//! The interviewer's day and the interview scoring form. The interview rubric is its own (not the
//! paper sift's): every criterion is scored 1–5 against anchored descriptors for 1, 3 and 5. A CIR
//! interview adds the Japanese assessment: speaking, listening and reading/writing, each 0–5, and
//! the level estimate [`japanese_level`] derives from them, which is recorded as the applicant's
//! assessed Japanese and re-checks the CIR eligibility rule.
//!
//! Only a member of the panel assigned to the application's booking may open or submit its form;
//! the first score moves the application invited → interviewed through the state machine.

use super::{london_date, when};
use crate::access::{Access, RouteDef};
use crate::dashboard::exports::{send, Export, ExportLinks, Format, Table};
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::page::Page;
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jetdesk_domain::{transition, ApplicationState, Event, JlptLevel, Role};
use jetdesk_store::{Application, DayInterview, InterviewScore, NewInterviewScore};
use serde::Deserialize;
use std::collections::BTreeMap;

const INTERVIEWER: Access = Access::Roles(&[Role::Interviewer]);

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/interviews/day", INTERVIEWER, get(day)),
        RouteDef::get("/interviews/day.csv", INTERVIEWER, get(day_export)),
        RouteDef::get("/interviews/day.xlsx", INTERVIEWER, get(day_export)),
        RouteDef::get("/interviews/score/{application}", INTERVIEWER, get(score_page)),
        RouteDef::post("/interviews/score/{application}", INTERVIEWER, post(submit_score)),
    ]
}

/// An interview criterion: its id and the positions it applies to (empty: all). Its name and the
/// descriptors anchoring scores 1, 3 and 5 are Fluent messages `iv-crit-<id>`, `iv-crit-<id>-1`, …
pub struct Criterion {
    /// Stable id (the key in the stored JSON).
    pub id: &'static str,
    /// Positions it applies to; empty for every position.
    pub positions: &'static [&'static str],
}

/// The interview rubric.
pub const RUBRIC: [Criterion; 6] = [
    Criterion {
        id: "motivation",
        positions: &[],
    },
    Criterion {
        id: "communication",
        positions: &[],
    },
    Criterion {
        id: "adaptability",
        positions: &[],
    },
    Criterion {
        id: "ambassador",
        positions: &[],
    },
    Criterion {
        id: "teaching",
        positions: &["alt", "sea"],
    },
    Criterion {
        id: "exchange",
        positions: &["cir"],
    },
];

/// The criteria scored for `position`.
pub fn criteria_for(position: &str) -> Vec<&'static Criterion> {
    RUBRIC
        .iter()
        .filter(|c| c.positions.is_empty() || c.positions.contains(&position))
        .collect()
}

/// The Japanese level estimate from the three skill scores (each 0 = none … 5 = near-native).
///
/// The rule: take the mean of the three scores, rounded down, but no more than one above the
/// weakest skill (a strong speaker who cannot read is not N1). Then 5 → N1, 4 → N2, 3 → N3, 2 → N4,
/// 1 → N5, and 0 → below N5 (`None`).
///
/// ```
/// use jetdesk_domain::JlptLevel;
/// use jetdesk_web::interviews::scoring::japanese_level;
/// assert_eq!(japanese_level(5, 5, 5), Some(JlptLevel::N1));
/// assert_eq!(japanese_level(4, 4, 3), Some(JlptLevel::N3)); // mean 3.67 → 3
/// assert_eq!(japanese_level(5, 5, 2), Some(JlptLevel::N3)); // mean 4, capped at 2 + 1
/// assert_eq!(japanese_level(0, 1, 0), None);
/// ```
pub fn japanese_level(speaking: u8, listening: u8, reading_writing: u8) -> Option<JlptLevel> {
    let (s, l, r) = (speaking.min(5), listening.min(5), reading_writing.min(5));
    let mean = (u16::from(s) + u16::from(l) + u16::from(r)) / 3;
    let weakest = u16::from(s.min(l).min(r));
    match mean.min(weakest + 1) {
        5 => Some(JlptLevel::N1),
        4 => Some(JlptLevel::N2),
        3 => Some(JlptLevel::N3),
        2 => Some(JlptLevel::N4),
        1 => Some(JlptLevel::N5),
        _ => None,
    }
}

/// The stored form of a level estimate: `n1`…`n5`, or `none` below N5.
fn level_name(level: Option<JlptLevel>) -> String {
    level
        .map(|l| l.as_str().to_lowercase())
        .unwrap_or_else(|| "none".into())
}

// ----- the day -----

#[derive(Template)]
#[template(path = "interviews/day.html")]
struct DayTemplate {
    page: Page,
    date: String,
    previous: String,
    next: String,
    interviews: Vec<(DayInterview, String)>,
    upcoming: Vec<String>,
    exports: ExportLinks,
}

#[derive(Deserialize)]
struct DayQuery {
    date: Option<String>,
}

/// The day asked for (`?date=YYYY-MM-DD`, else today in London) and the signed-in
/// interviewer's interviews on it. Shared by the page and its export.
async fn day_list(
    state: &AppState,
    ctx: &Ctx,
    q: &DayQuery,
) -> AppResult<(jiff::civil::Date, Vec<(DayInterview, String)>)> {
    let user = ctx.require_user()?;
    let date = match q.date.as_deref().map(str::parse::<jiff::civil::Date>) {
        Some(Ok(d)) => d,
        Some(Err(_)) => return Err(AppError::BadRequest(ctx.lang().t("iv-err-date"))),
        None => london_date(jetdesk_store::now())
            .parse()
            .map_err(|_| AppError::NotFound)?,
    };
    let interviews = state
        .store
        .interviewer_day(user.id, &date.to_string())
        .await?
        .into_iter()
        .map(|i| {
            let w = when(i.starts_at);
            (i, w)
        })
        .collect();
    Ok((date, interviews))
}

async fn day(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DayQuery>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let (date, interviews) = day_list(&state, &ctx, &q).await?;
    let today = london_date(jetdesk_store::now());
    let upcoming = state.store.interviewer_dates(user.id, &today).await?;
    let step = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let t = DayTemplate {
        page: Page::new(&ctx, ctx.lang().t("iv-day-title")),
        previous: step(date.yesterday().ok()),
        next: step(date.tomorrow().ok()),
        exports: ExportLinks::new("/interviews/day", &[("date", &date.to_string())]),
        date: date.to_string(),
        interviews,
        upcoming,
    };
    Ok(Html(t.render()?).into_response())
}

/// The interviewer's day as a file.
async fn day_export(
    State(state): State<AppState>,
    ctx: Ctx,
    format: Format,
    Query(q): Query<DayQuery>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let (date, interviews) = day_list(&state, &ctx, &q).await?;
    let mut table = Table::new(
        lang,
        &[
            "iv-col-start",
            "iv-col-length",
            "sel-col-reference",
            "iv-col-candidate",
            "iv-col-positions",
            "iv-col-venue",
            "iv-col-panel",
            "iv-col-status",
        ],
    );
    for (i, w) in interviews {
        table.push(vec![
            w,
            i.length_minutes.to_string(),
            i.reference.unwrap_or_default(),
            i.display_name,
            i.position.to_uppercase(),
            i.venue_name,
            i.panel_name,
            lang.t(if i.scored != 0 {
                "iv-export-scored"
            } else {
                "iv-export-to-score"
            }),
        ]);
    }
    let export = Export {
        list: "interview-day",
        subject: format!("user:{}", user.id),
        filters: format!("date={date}"),
        file: format!("interviews-{date}"),
        sheet: date.to_string(),
    };
    send(&state, &ctx, format, export, table).await
}

// ----- the scoring form -----

struct CriterionView {
    id: &'static str,
    value: String,
}

#[derive(Template)]
#[template(path = "interviews/score.html")]
struct ScoreTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    app: Application,
    applicant: String,
    criteria: Vec<CriterionView>,
    cir: bool,
    speaking: String,
    listening: String,
    reading_writing: String,
    note: String,
    saved: Option<InterviewScore>,
}

impl ScoreTemplate {
    fn anchor(&self, id: &str, n: u8) -> String {
        self.page.t(&format!("iv-crit-{id}-{n}"))
    }
    fn name(&self, id: &str) -> String {
        self.page.t(&format!("iv-crit-{id}"))
    }
}

/// The application, if the signed-in interviewer sits on its booking's panel (else 403).
async fn scorable(state: &AppState, ctx: &Ctx, application: &str) -> AppResult<Application> {
    let user = ctx.require_user()?;
    let id: i64 = application.parse().map_err(|_| AppError::NotFound)?;
    let app = state.store.application(id).await?.ok_or(AppError::NotFound)?;
    if !state.store.interviewer_may_score(user.id, app.id).await? {
        return Err(AppError::Forbidden);
    }
    Ok(app)
}

struct Typed {
    scores: BTreeMap<String, String>,
    japanese: [String; 3],
    note: String,
}

async fn render_score(
    state: &AppState,
    ctx: &Ctx,
    app: Application,
    errors: FormErrors,
    typed: Option<Typed>,
) -> AppResult<String> {
    let user = ctx.require_user()?;
    let saved = state
        .store
        .interview_scores(app.id)
        .await?
        .into_iter()
        .find(|s| s.interviewer_id == user.id);
    let saved_scores: BTreeMap<String, i64> = saved
        .as_ref()
        .and_then(|s| serde_json::from_str(&s.scores).ok())
        .unwrap_or_default();
    let show = |o: Option<i64>| o.map(|v| v.to_string()).unwrap_or_default();
    let criteria = criteria_for(&app.position)
        .into_iter()
        .map(|c| CriterionView {
            id: c.id,
            value: match &typed {
                Some(t) => t.scores.get(c.id).cloned().unwrap_or_default(),
                None => show(saved_scores.get(c.id).copied()),
            },
        })
        .collect();
    let [speaking, listening, reading_writing] = match &typed {
        Some(t) => t.japanese.clone(),
        None => [
            show(saved.as_ref().and_then(|s| s.japanese_speaking)),
            show(saved.as_ref().and_then(|s| s.japanese_listening)),
            show(saved.as_ref().and_then(|s| s.japanese_reading_writing)),
        ],
    };
    let note = match &typed {
        Some(t) => t.note.clone(),
        None => saved.as_ref().map(|s| s.note.clone()).unwrap_or_default(),
    };
    let applicant = state
        .store
        .user(app.user_id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let mut page = Page::new(ctx, ctx.lang().t("iv-score-title"));
    if saved.is_some() && typed.is_none() && errors.is_empty() {
        page.notice = Some(ctx.lang().t("iv-score-saved"));
    }
    Ok(ScoreTemplate {
        page,
        csrf: ctx.csrf().await?,
        errors,
        cir: app.position == "cir",
        app,
        applicant,
        criteria,
        speaking,
        listening,
        reading_writing,
        note,
        saved,
    }
    .render()?)
}

async fn score_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(application): Path<String>,
) -> AppResult<Html<String>> {
    let app = scorable(&state, &ctx, &application).await?;
    Ok(Html(
        render_score(&state, &ctx, app, FormErrors::default(), None).await?,
    ))
}

const JAPANESE_FIELDS: [&str; 3] = [
    "japanese_speaking",
    "japanese_listening",
    "japanese_reading_writing",
];

async fn submit_score(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(application): Path<String>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let lang = ctx.lang();
    let app = scorable(&state, &ctx, &application).await?;
    if !matches!(app.state.as_str(), "invited" | "interviewed") {
        return Err(AppError::BadRequest(lang.t("iv-err-not-scorable")));
    }
    let form = super::pairs(&body);
    let get = |k: &str| super::field(&form, k).trim().to_string();
    let mut errors = FormErrors::default();
    let mut scores = BTreeMap::new();
    let mut typed = Typed {
        scores: BTreeMap::new(),
        japanese: JAPANESE_FIELDS.map(get),
        note: get("note"),
    };
    for c in criteria_for(&app.position) {
        let raw = get(c.id);
        match raw.parse::<i64>() {
            Ok(v) if (1..=5).contains(&v) => {
                scores.insert(c.id.to_string(), v);
            }
            _ => errors.add(c.id, lang.t("iv-err-score")),
        }
        typed.scores.insert(c.id.to_string(), raw);
    }
    let mut japanese = [0u8; 3];
    if app.position == "cir" {
        for (i, f) in JAPANESE_FIELDS.iter().enumerate() {
            match typed.japanese.get(i).and_then(|v| v.parse::<u8>().ok()) {
                Some(v) if v <= 5 => {
                    if let Some(slot) = japanese.get_mut(i) {
                        *slot = v;
                    }
                }
                _ => errors.add(f, lang.t("iv-err-japanese")),
            }
        }
    }
    if typed.note.chars().count() > 4000 {
        errors.add("note", lang.t("iv-err-note"));
    }
    if !errors.is_empty() {
        let html = render_score(&state, &ctx, app, errors, Some(typed)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    let total: i64 = scores.values().sum();
    let scores_json = serde_json::to_string(&scores).unwrap_or_default();
    let [s, l, r] = japanese;
    let level = (app.position == "cir").then(|| level_name(japanese_level(s, l, r)));
    state
        .store
        .save_interview_score(&NewInterviewScore {
            application_id: app.id,
            interviewer_id: user.id,
            scores: &scores_json,
            total,
            japanese: level
                .as_deref()
                .map(|lv| (i64::from(s), i64::from(l), i64::from(r), lv)),
            note: &typed.note,
        })
        .await?;
    let subject = format!("application:{}", app.id);
    state
        .store
        .audit(
            Some(user.id),
            "interview.score",
            &subject,
            None,
            Some(&total.to_string()),
        )
        .await?;
    if app.state == "invited" {
        let to = transition(ApplicationState::Invited, Event::Interviewed)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        if state
            .store
            .set_application_state(app.id, "invited", to.as_str(), None)
            .await?
        {
            state
                .store
                .audit(
                    Some(user.id),
                    "application.interviewed",
                    &subject,
                    Some("invited"),
                    Some(to.as_str()),
                )
                .await?;
        }
    }
    if let Some(level) = &level {
        state
            .store
            .record_japanese_assessment(
                app.user_id,
                Some(app.id),
                level,
                "interview",
                &typed.note,
                Some(user.id),
            )
            .await?;
        crate::applications::eligibility::recheck(
            &state,
            app.id,
            Some(user.id),
            "Japanese assessed at interview",
        )
        .await?;
    }
    Ok(Redirect::to(&format!("/interviews/score/{}", app.id)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_follows_the_mean_capped_by_the_weakest_skill() {
        assert_eq!(japanese_level(5, 5, 5), Some(JlptLevel::N1));
        assert_eq!(japanese_level(4, 4, 4), Some(JlptLevel::N2));
        assert_eq!(japanese_level(5, 4, 4), Some(JlptLevel::N2));
        assert_eq!(japanese_level(5, 5, 3), Some(JlptLevel::N2));
        assert_eq!(japanese_level(5, 5, 1), Some(JlptLevel::N4));
        assert_eq!(japanese_level(1, 1, 1), Some(JlptLevel::N5));
        assert_eq!(japanese_level(0, 0, 0), None);
        assert_eq!(japanese_level(9, 9, 9), Some(JlptLevel::N1));
        assert_eq!(level_name(None), "none");
        assert_eq!(level_name(Some(JlptLevel::N2)), "n2");
    }

    #[test]
    fn each_position_has_its_own_criteria_with_anchors_in_both_languages() {
        let cir: Vec<_> = criteria_for("cir").iter().map(|c| c.id).collect();
        assert!(cir.contains(&"exchange") && !cir.contains(&"teaching"));
        let alt: Vec<_> = criteria_for("alt").iter().map(|c| c.id).collect();
        assert!(alt.contains(&"teaching") && !alt.contains(&"exchange"));
        for c in RUBRIC {
            for lang in [crate::i18n::Lang::En, crate::i18n::Lang::Ja] {
                for key in [
                    format!("iv-crit-{}", c.id),
                    format!("iv-crit-{}-1", c.id),
                    format!("iv-crit-{}-3", c.id),
                    format!("iv-crit-{}-5", c.id),
                ] {
                    assert!(!lang.t(&key).contains(&key), "{key} in {lang:?}");
                }
            }
        }
    }
}
