//! Recruitment rounds, for coordinators: create and edit the name, positions, window (in UK time),
//! word limit, referees, documents and the eligibility rule set. One round is open at a time per
//! country; earlier rounds stay readable.

use crate::access::{Access, RouteDef};
use crate::dashboard::exports::{send, Export, ExportLinks, Format, Table};
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::page::Page;
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jetdesk_domain::eligibility::RuleSet;
use jetdesk_domain::Role;
use jetdesk_store::{Round, RoundInput};
use std::collections::HashMap;

const COORDINATOR: Access = Access::Roles(&[Role::Coordinator]);

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/staff/rounds", COORDINATOR, get(list)),
        RouteDef::get("/staff/rounds.csv", COORDINATOR, get(list_export)),
        RouteDef::get("/staff/rounds.xlsx", COORDINATOR, get(list_export)),
        RouteDef::get("/staff/rounds/new", COORDINATOR, get(new_form)),
        RouteDef::post("/staff/rounds/new", COORDINATOR, post(create)),
        RouteDef::get("/staff/rounds/{id}", COORDINATOR, get(edit_form)),
        RouteDef::post("/staff/rounds/{id}", COORDINATOR, post(update)),
    ]
}

const LONDON: &str = "Europe/London";

/// `2026-11-27T18:00` in UK time → Unix seconds.
pub fn parse_london(value: &str) -> Option<i64> {
    let dt: jiff::civil::DateTime = value.trim().parse().ok()?;
    let zoned = dt.to_zoned(jiff::tz::TimeZone::get(LONDON).ok()?).ok()?;
    Some(zoned.timestamp().as_second())
}

/// Unix seconds → `2026-11-27T18:00` in UK time, for a datetime-local input.
pub fn format_london(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .ok()
        .and_then(|t| t.in_tz(LONDON).ok())
        .map(|z| z.strftime("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "staff/rounds.html")]
struct ListTemplate {
    page: Page,
    rounds: Vec<(Round, String, String, &'static str)>,
    exports: ExportLinks,
}

#[derive(serde::Deserialize)]
struct ListQuery {
    notice: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> AppResult<Html<String>> {
    let mut page = Page::new(&ctx, "Recruitment rounds");
    if q.notice.as_deref() == Some("rechecking") {
        page.notice = Some(
            "Round saved. The eligibility rules changed, so every submitted application's verdict is being \
             checked again; each application's history will show any change."
                .into(),
        );
    }
    let rounds = round_rows(&state).await?;
    let exports = ExportLinks::new("/staff/rounds", &[]);
    Ok(Html(
        ListTemplate {
            page,
            rounds,
            exports,
        }
        .render()?,
    ))
}

/// Every round with its opening and closing times and whether it is open now. Shared by the list
/// and its export.
async fn round_rows(state: &AppState) -> AppResult<Vec<(Round, String, String, &'static str)>> {
    let now = jetdesk_store::now();
    Ok(state
        .store
        .rounds()
        .await?
        .into_iter()
        .map(|r| {
            let status = if now < r.opens_at {
                "Not yet open"
            } else if now < r.closes_at {
                "Open"
            } else {
                "Closed"
            };
            let (o, c) = (
                crate::page::format_time(r.opens_at),
                crate::page::format_time(r.closes_at),
            );
            (r, o, c, status)
        })
        .collect())
}

/// The rounds list as a file.
async fn list_export(State(state): State<AppState>, ctx: Ctx, format: Format) -> AppResult<Response> {
    let lang = ctx.lang();
    let mut table = Table::new(
        lang,
        &[
            "rounds-col-round",
            "rounds-col-positions",
            "rounds-col-opens",
            "rounds-col-deadline",
            "rounds-col-status",
        ],
    );
    for (r, opens, closes, status) in round_rows(&state).await? {
        table.push(vec![
            r.name,
            r.positions.to_uppercase(),
            opens,
            closes,
            status.to_string(),
        ]);
    }
    let export = Export {
        list: "rounds",
        subject: "rounds".into(),
        filters: String::new(),
        file: "rounds".into(),
        sheet: lang.t("rounds-title"),
    };
    send(&state, &ctx, format, export, table).await
}

#[derive(Template)]
#[template(path = "staff/round_form.html")]
struct FormTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    action: String,
    v: HashMap<String, String>,
    positions: Vec<(&'static str, &'static str, bool)>,
    documents: Vec<(&'static str, &'static str, bool)>,
}

impl FormTemplate {
    fn val(&self, key: &str) -> String {
        self.v.get(key).cloned().unwrap_or_default()
    }
}

const POSITIONS: &[(&str, &str)] = &[
    ("alt", "ALT"),
    ("cir", "CIR"),
    ("sea", "SEA (by invitation code)"),
];
const DOCUMENTS: &[(&str, &str)] = &[
    ("degree", "Proof of degree"),
    ("passport", "Passport photo page"),
    ("jlpt", "JLPT certificate (optional)"),
];

fn values_of(r: &Round) -> (HashMap<String, String>, Vec<String>) {
    let mut v = HashMap::new();
    v.insert("name".into(), r.name.clone());
    v.insert("programme_year".into(), r.programme_year.to_string());
    v.insert(
        "sea_invite_code".into(),
        r.sea_invite_code.clone().unwrap_or_default(),
    );
    v.insert("opens".into(), format_london(r.opens_at));
    v.insert("closes".into(), format_london(r.closes_at));
    v.insert("word_limit".into(), r.word_limit.to_string());
    v.insert("referees_required".into(), r.referees_required.to_string());
    v.insert("rules_json".into(), r.rules_json.clone());
    let mut ticked: Vec<String> = r.positions.split(',').map(str::to_string).collect();
    ticked.extend(r.documents_required.split(',').map(|d| format!("doc-{d}")));
    (v, ticked)
}

async fn render(
    ctx: &Ctx,
    title: &str,
    action: String,
    v: HashMap<String, String>,
    ticked: &[String],
    errors: FormErrors,
) -> AppResult<String> {
    let t = FormTemplate {
        page: Page::new(ctx, title),
        csrf: ctx.csrf().await?,
        errors,
        action,
        v,
        positions: POSITIONS
            .iter()
            .map(|(k, l)| (*k, *l, ticked.iter().any(|t| t == k)))
            .collect(),
        documents: DOCUMENTS
            .iter()
            .map(|(k, l)| (*k, *l, ticked.iter().any(|t| *t == format!("doc-{k}"))))
            .collect(),
    };
    Ok(t.render()?)
}

async fn new_form(ctx: Ctx) -> AppResult<Html<String>> {
    let year = jiff::Zoned::now().year() + 1;
    let rules = RuleSet::uk_default(year).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let mut v = HashMap::new();
    v.insert("name".into(), format!("JET {year} — United Kingdom"));
    v.insert("programme_year".into(), year.to_string());
    v.insert("word_limit".into(), "500".into());
    v.insert("referees_required".into(), "2".into());
    v.insert(
        "rules_json".into(),
        serde_json::to_string_pretty(&rules).unwrap_or_default(),
    );
    let ticked: Vec<String> = vec![
        "alt".into(),
        "cir".into(),
        "doc-degree".into(),
        "doc-passport".into(),
    ];
    Ok(Html(
        render(
            &ctx,
            "New recruitment round",
            "/staff/rounds/new".into(),
            v,
            &ticked,
            FormErrors::default(),
        )
        .await?,
    ))
}

/// Parses and checks the round form; on failure returns the errors with the input kept.
fn parse(
    form: &[(String, String)],
) -> (
    Result<RoundInput, FormErrors>,
    HashMap<String, String>,
    Vec<String>,
) {
    let mut v: HashMap<String, String> = HashMap::new();
    let mut ticked = Vec::new();
    for (k, val) in form {
        match k.as_str() {
            "position" => ticked.push(val.clone()),
            "document" => ticked.push(format!("doc-{val}")),
            _ => {
                v.insert(k.clone(), val.trim().to_string());
            }
        }
    }
    let mut errors = FormErrors::default();
    let get = |k: &str| v.get(k).cloned().unwrap_or_default();
    let name = jetdesk_domain::clean_line(&get("name"), 120)
        .map_err(|e| errors.add("name", e.to_string()))
        .ok();
    let year = get("programme_year")
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=2099).contains(y));
    if year.is_none() {
        errors.add("programme_year", "Enter the departure year, like 2027");
    }
    let positions: Vec<&str> = POSITIONS
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| ticked.iter().any(|t| t == k))
        .collect();
    if positions.is_empty() {
        errors.add("position-alt", "Choose at least one position");
    }
    let code = get("sea_invite_code");
    if positions.contains(&"sea") && code.len() < 6 {
        errors.add(
            "sea_invite_code",
            "SEA is by invitation: set an invitation code of at least 6 characters",
        );
    }
    let opens = parse_london(&get("opens"));
    if opens.is_none() {
        errors.add("opens", "Enter when applications open, as a date and time");
    }
    let closes = parse_london(&get("closes"));
    match (opens, closes) {
        (_, None) => errors.add("closes", "Enter the deadline, as a date and time"),
        (Some(o), Some(c)) if c <= o => errors.add("closes", "The deadline must be after the opening time"),
        _ => {}
    }
    let word_limit = get("word_limit")
        .parse::<i64>()
        .ok()
        .filter(|n| (50..=5000).contains(n));
    if word_limit.is_none() {
        errors.add("word_limit", "Enter a word limit from 50 to 5000");
    }
    let referees = get("referees_required")
        .parse::<i64>()
        .ok()
        .filter(|n| (0..=5).contains(n));
    if referees.is_none() {
        errors.add("referees_required", "Enter a number of referees from 0 to 5");
    }
    let rules = serde_json::from_str::<RuleSet>(&get("rules_json"));
    match &rules {
        Err(e) => errors.add("rules_json", format!("The rule set is not valid: {e}")),
        Ok(r) => {
            if let Err(e) = r.validate() {
                errors.add("rules_json", format!("The rule set is not valid: {e}"));
            }
        }
    }
    let documents: Vec<&str> = DOCUMENTS
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| ticked.iter().any(|t| *t == format!("doc-{k}")))
        .collect();
    let result = match (
        name,
        year,
        opens,
        closes,
        word_limit,
        referees,
        rules,
        errors.is_empty(),
    ) {
        (
            Some(name),
            Some(year),
            Some(opens),
            Some(closes),
            Some(word_limit),
            Some(referees),
            Ok(rules),
            true,
        ) => Ok(RoundInput {
            name,
            country: crate::applications::COUNTRY.into(),
            programme_year: year,
            positions: positions.join(","),
            sea_invite_code: (!code.is_empty()).then_some(code),
            opens_at: opens,
            closes_at: closes,
            word_limit,
            referees_required: referees,
            documents_required: documents.join(","),
            rules_json: serde_json::to_string(&rules).unwrap_or_default(),
        }),
        _ => Err(errors),
    };
    (result, v, ticked)
}

async fn save(state: &AppState, ctx: &Ctx, id: Option<i64>, body: &[u8]) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let (parsed, v, ticked) = parse(&form);
    let action = id
        .map(|i| format!("/staff/rounds/{i}"))
        .unwrap_or_else(|| "/staff/rounds/new".into());
    let title = if id.is_some() {
        "Edit recruitment round"
    } else {
        "New recruitment round"
    };
    let input = match parsed {
        Ok(input) => input,
        Err(errors) => {
            let html = render(ctx, title, action, v, &ticked, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    let overlap = state
        .store
        .overlapping_rounds(&input.country, input.opens_at, input.closes_at, id.unwrap_or(0))
        .await?;
    if let Some(other) = overlap.first() {
        let mut errors = FormErrors::default();
        errors.add(
            "opens",
            format!(
                "Only one round can be open at a time: these dates overlap “{}”",
                other.name
            ),
        );
        let html = render(ctx, title, action, v, &ticked, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    let mut rules_changed = false;
    let id = match id {
        Some(id) => {
            let before = state.store.round(id).await?.ok_or(AppError::NotFound)?;
            state.store.update_round(id, &input).await?;
            rules_changed = before.rules_json != input.rules_json;
            id
        }
        None => state.store.create_round(&input).await?,
    };
    state
        .store
        .audit(
            Some(user.id),
            "round.save",
            &format!("round:{id}"),
            None,
            Some(&input.name),
        )
        .await?;
    if rules_changed {
        // Every standing verdict is computed again with the new rules, in the background (a round
        // may hold tens of thousands of applications); the audit log records the totals.
        let state = state.clone();
        let actor = Some(user.id);
        tokio::spawn(async move {
            if let Err(err) = crate::applications::eligibility::recheck_round(&state, id, actor).await {
                tracing::error!(round = id, error = ?err, "re-checking eligibility failed");
            }
        });
        return Ok(Redirect::to("/staff/rounds?notice=rechecking").into_response());
    }
    Ok(Redirect::to("/staff/rounds").into_response())
}

async fn create(State(state): State<AppState>, ctx: Ctx, RawForm(body): RawForm) -> AppResult<Response> {
    save(&state, &ctx, None, &body).await
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Html<String>> {
    let round = state.store.round(id).await?.ok_or(AppError::NotFound)?;
    let (v, ticked) = values_of(&round);
    Ok(Html(
        render(
            &ctx,
            "Edit recruitment round",
            format!("/staff/rounds/{id}"),
            v,
            &ticked,
            FormErrors::default(),
        )
        .await?,
    ))
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    save(&state, &ctx, Some(id), &body).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_time_follows_daylight_saving() {
        // 18:00 on the last Friday of November is GMT (UTC+0); 9:00 on 1 October is BST (UTC+1).
        assert_eq!(parse_london("2026-11-27T18:00"), Some(1_795_802_400));
        assert_eq!(
            parse_london("2026-10-01T09:00").map(|t| t % 86400),
            Some(8 * 3600)
        );
        assert_eq!(format_london(1_795_802_400), "2026-11-27T18:00");
        assert_eq!(parse_london("2026-02-30T10:00"), None);
    }
}
