//! Operations for the JET Desk: the coordinator's dashboard per round (charts drawn on the server
//! as SVG, each with its figures as a table and as CSV), the exports of the staff lists (CSV and
//! XLSX, with the list's filters applied, audited), and the read-only audit log viewer.
//!
//! The figures are counted by the database (`jetdesk_store` `dashboard.rs`); this module only
//! shapes them. It never writes anything but audit entries.

mod audit;
pub(crate) mod exports;
mod svg;

use crate::access::{Access, RouteDef};
use crate::applications::state_label;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::page::Page;
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use axum::routing::get;
use jetdesk_domain::eligibility::{Evaluation, Verdict};
use jetdesk_domain::Role;
use jetdesk_store::Round;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

const DASHBOARD: Access = Access::Roles(&[Role::Coordinator, Role::Admin]);

/// Rows read per query where JSON must be parsed in Rust.
const JSON_PAGE: i64 = 1_000;

/// Every chart, by the id used in its CSV's address, in page order.
pub(crate) const CHARTS: [&str; 9] = [
    "per-day",
    "funnel",
    "eligibility",
    "universities",
    "home-towns",
    "review",
    "interviews",
    "stages",
    "placement",
];

// The application states in the order of the cycle (the staff list's own list).
use crate::staff::STATES as STATE_ORDER;

pub(crate) fn routes() -> Vec<RouteDef> {
    let mut routes = vec![
        RouteDef::get("/staff/dashboard", DASHBOARD, get(dashboard)),
        RouteDef::get("/staff/dashboard/{file}", DASHBOARD, get(chart_csv)),
    ];
    routes.extend(exports::routes());
    routes.extend(audit::routes());
    routes
}

/// One chart: its drawing and the same figures as a table (header and rows).
pub(crate) struct Chart {
    /// The id (see [`CHARTS`]).
    pub(crate) id: &'static str,
    /// The heading and the SVG's title.
    pub(crate) title: String,
    /// The inline SVG, escaped already.
    pub(crate) svg: String,
    /// The table's column headings.
    pub(crate) header: Vec<String>,
    /// The table's rows, as text.
    pub(crate) rows: Vec<Vec<String>>,
}

#[derive(Deserialize, Default)]
struct RoundQuery {
    #[serde(default)]
    round: String,
}

/// The round asked for (the newest when none is) and the one before it, for comparison.
async fn pick_round(state: &AppState, asked: &str) -> AppResult<(Vec<Round>, Option<Round>, Option<Round>)> {
    let rounds = state.store.rounds().await?;
    let round = if asked.is_empty() {
        rounds.first().cloned()
    } else {
        let id: i64 = asked.parse().map_err(|_| AppError::NotFound)?;
        Some(
            rounds
                .iter()
                .find(|r| r.id == id)
                .cloned()
                .ok_or(AppError::NotFound)?,
        )
    };
    let previous = round.as_ref().and_then(|r| {
        rounds
            .iter()
            .filter(|p| p.opens_at < r.opens_at && p.country == r.country)
            .max_by_key(|p| p.opens_at)
            .cloned()
    });
    Ok((rounds, round, previous))
}

/// Bars of a chart: each label with one value per series.
type Bars = Vec<(String, Vec<i64>)>;

/// Builds the chart `id` for `round`.
async fn chart(
    state: &AppState,
    lang: Lang,
    round: &Round,
    previous: Option<&Round>,
    id: &'static str,
) -> AppResult<Chart> {
    let t = |key: &str| lang.t(key);
    let title = t(&format!("dashboard-{id}-title"));
    let desc = t(&format!("dashboard-{id}-desc"));
    let counts = |rows: Vec<(String, i64)>| -> (Vec<String>, Vec<Vec<String>>, Bars) {
        let header = vec![t("dashboard-col-measure"), t("dashboard-col-count")];
        let table = rows.iter().map(|(l, n)| vec![l.clone(), n.to_string()]).collect();
        let bars = rows.into_iter().map(|(l, n)| (l, vec![n])).collect();
        (header, table, bars)
    };
    let one_series = || vec![t("dashboard-col-count")];
    let (svg, header, rows) = match id {
        "per-day" => {
            let this = state.store.submissions_per_day(round.id, round.opens_at).await?;
            let before = match previous {
                Some(p) => state.store.submissions_per_day(p.id, p.opens_at).await?,
                None => Vec::new(),
            };
            let last_day = this.iter().chain(&before).map(|(d, _)| *d).max().unwrap_or(0);
            let (a, b): (HashMap<i64, i64>, HashMap<i64, i64>) =
                (this.into_iter().collect(), before.into_iter().collect());
            // The open round's line stops today: days still to come are not days without
            // applications.
            let today = (jetdesk_store::now() - round.opens_at).div_euclid(86_400);
            let fill = |m: &HashMap<i64, i64>, until: i64| {
                (0..=last_day.min(until))
                    .map(|d| (d, m.get(&d).copied().unwrap_or(0)))
                    .collect()
            };
            let this_name = round.name.clone();
            let mut series = vec![(this_name.clone(), fill(&a, today))];
            let mut header = vec![t("dashboard-col-day"), this_name];
            if let Some(p) = previous {
                series.push((p.name.clone(), fill(&b, last_day)));
                header.push(p.name.clone());
            }
            let rows = (0..=last_day)
                .map(|d| {
                    let this = if d > today {
                        String::new()
                    } else {
                        a.get(&d).copied().unwrap_or(0).to_string()
                    };
                    let mut row = vec![d.to_string(), this];
                    if previous.is_some() {
                        row.push(b.get(&d).copied().unwrap_or(0).to_string());
                    }
                    row
                })
                .collect();
            (
                svg::line_chart(id, &title, &desc, &t("dashboard-col-day"), &series),
                header,
                rows,
            )
        }
        "funnel" => {
            let counts = state.store.funnel(round.id).await?;
            let positions = ["alt", "cir", "sea"];
            let mut header = vec![t("dashboard-col-state")];
            header.extend(positions.iter().map(|p| p.to_uppercase()));
            header.push(t("dashboard-col-total"));
            let bars: Vec<(String, Vec<i64>)> = STATE_ORDER
                .iter()
                .filter(|s| counts.iter().any(|(st, _, _)| st == *s))
                .map(|s| {
                    let values = positions
                        .iter()
                        .map(|p| {
                            counts
                                .iter()
                                .find(|(st, pos, _)| st == s && pos == p)
                                .map_or(0, |(_, _, n)| *n)
                        })
                        .collect();
                    (state_label(s).to_string(), values)
                })
                .collect();
            let rows = bars
                .iter()
                .map(|(l, v)| {
                    let mut row = vec![l.clone()];
                    row.extend(v.iter().map(i64::to_string));
                    row.push(v.iter().sum::<i64>().to_string());
                    row
                })
                .collect();
            let series: Vec<String> = positions.iter().map(|p| p.to_uppercase()).collect();
            (svg::bar_chart(id, &title, &desc, &series, &bars), header, rows)
        }
        "eligibility" => {
            let mut by_rule: BTreeMap<String, [i64; 3]> = BTreeMap::new();
            let mut after = 0;
            loop {
                let page = state.store.eligibility_page(round.id, after, JSON_PAGE).await?;
                let Some((last, _)) = page.last() else { break };
                after = *last;
                for (_, json) in &page {
                    let Ok(evaluation) = serde_json::from_str::<Evaluation>(json) else {
                        continue;
                    };
                    for o in evaluation.outcomes {
                        let slot = by_rule.entry(o.rule_id.to_string()).or_default();
                        let i = Verdict::ALL.iter().position(|v| *v == o.verdict).unwrap_or(0);
                        if let Some(n) = slot.get_mut(i) {
                            *n += 1;
                        }
                    }
                }
            }
            let series: Vec<String> = Verdict::ALL.iter().map(|v| v.label().to_string()).collect();
            let mut header = vec![t("dashboard-col-rule")];
            header.extend(series.iter().cloned());
            let bars: Vec<(String, Vec<i64>)> =
                by_rule.into_iter().map(|(rule, n)| (rule, n.to_vec())).collect();
            let rows = bars
                .iter()
                .map(|(l, v)| {
                    std::iter::once(l.clone())
                        .chain(v.iter().map(i64::to_string))
                        .collect()
                })
                .collect();
            (svg::bar_chart(id, &title, &desc, &series, &bars), header, rows)
        }
        "universities" | "home-towns" => {
            let (section, field) = if id == "universities" {
                ("education", "university")
            } else {
                ("personal", "home_town")
            };
            let top = top_answers(state, round.id, section, field, 10).await?;
            let (mut header, rows, bars) = counts(top);
            if let Some(first) = header.first_mut() {
                *first = t(&format!("dashboard-{id}-col"));
            }
            (
                svg::bar_chart(id, &title, &desc, &one_series(), &bars),
                header,
                rows,
            )
        }
        "review" => {
            let (assigned, submitted, moderated) = state.store.review_progress(round.id).await?;
            let (header, rows, bars) = counts(vec![
                (t("dashboard-review-assigned"), assigned),
                (t("dashboard-review-submitted"), submitted),
                (t("dashboard-review-outstanding"), assigned - submitted),
                (t("dashboard-review-moderated"), moderated),
            ]);
            (
                svg::bar_chart(id, &title, &desc, &one_series(), &bars),
                header,
                rows,
            )
        }
        "interviews" => {
            let (seats, booked, scored) = state.store.interview_progress(round.id).await?;
            let (header, rows, bars) = counts(vec![
                (t("dashboard-interviews-seats"), seats),
                (t("dashboard-interviews-booked"), booked),
                (t("dashboard-interviews-scored"), scored),
            ]);
            (
                svg::bar_chart(id, &title, &desc, &one_series(), &bars),
                header,
                rows,
            )
        }
        "stages" => {
            let times = state.store.stage_times(round.id).await?;
            let header = vec![
                t("dashboard-col-state"),
                t("dashboard-col-left"),
                t("dashboard-col-average-hours"),
            ];
            let mut times: Vec<_> = times.into_iter().collect();
            times.sort_by_key(|s| {
                STATE_ORDER
                    .iter()
                    .position(|o| *o == s.stage)
                    .unwrap_or(usize::MAX)
            });
            let rows = times
                .iter()
                .map(|s| {
                    vec![
                        state_label(&s.stage).to_string(),
                        s.left.to_string(),
                        (s.average_seconds / 3600).to_string(),
                    ]
                })
                .collect();
            let bars: Vec<(String, Vec<i64>)> = times
                .iter()
                .map(|s| (state_label(&s.stage).to_string(), vec![s.average_seconds / 3600]))
                .collect();
            let series = vec![t("dashboard-col-average-hours")];
            (svg::bar_chart(id, &title, &desc, &series, &bars), header, rows)
        }
        _ => {
            let offers = state.store.offers_by_state(round.id).await?;
            let (header, rows, bars) = counts(
                offers
                    .into_iter()
                    .map(|(s, n)| {
                        let label = if s == "placed" {
                            t("dashboard-placement-awaiting")
                        } else {
                            state_label(&s).to_string()
                        };
                        (label, n)
                    })
                    .collect(),
            );
            (
                svg::bar_chart(id, &title, &desc, &one_series(), &bars),
                header,
                rows,
            )
        }
    };
    Ok(Chart {
        id,
        title,
        svg,
        header,
        rows,
    })
}

/// The `limit` most frequent answers to `field` of `section` in the round's submitted
/// applications, most frequent first (ties by name), compared trimmed and case-insensitively.
/// The answers are JSON, so they are read a page at a time.
async fn top_answers(
    state: &AppState,
    round_id: i64,
    section: &str,
    field: &str,
    limit: usize,
) -> AppResult<Vec<(String, i64)>> {
    let mut counts: HashMap<String, (String, i64)> = HashMap::new();
    let mut after = 0;
    loop {
        let page = state
            .store
            .section_page(round_id, section, after, JSON_PAGE)
            .await?;
        let Some((last, _)) = page.last() else { break };
        after = *last;
        for (_, json) in &page {
            let Ok(answers) = serde_json::from_str::<HashMap<String, serde_json::Value>>(json) else {
                continue;
            };
            let Some(answer) = answers.get(field).and_then(|v| v.as_str()).map(str::trim) else {
                continue;
            };
            if answer.is_empty() {
                continue;
            }
            let entry = counts
                .entry(answer.to_lowercase())
                .or_insert_with(|| (answer.to_string(), 0));
            entry.1 += 1;
        }
    }
    let mut top: Vec<(String, i64)> = counts.into_values().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(limit);
    Ok(top)
}

#[derive(Template)]
#[template(path = "dashboard/dashboard.html")]
struct DashboardTemplate {
    page: Page,
    rounds: Vec<(i64, String, bool)>,
    round_id: i64,
    previous: Option<String>,
    charts: Vec<Chart>,
}

async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RoundQuery>,
) -> AppResult<Html<String>> {
    let (rounds, round, previous) = pick_round(&state, &q.round).await?;
    let mut charts = Vec::new();
    if let Some(round) = &round {
        for id in CHARTS {
            charts.push(chart(&state, ctx.lang(), round, previous.as_ref(), id).await?);
        }
    }
    let t = DashboardTemplate {
        page: Page::new(&ctx, ctx.lang().t("dashboard-title")),
        round_id: round.as_ref().map_or(0, |r| r.id),
        rounds: rounds
            .iter()
            .map(|r| (r.id, r.name.clone(), Some(r.id) == round.as_ref().map(|x| x.id)))
            .collect(),
        previous: previous.map(|p| p.name),
        charts,
    };
    Ok(Html(t.render()?))
}

/// A chart's figures as CSV: `/staff/dashboard/{chart}.csv?round=N`.
async fn chart_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
    Query(q): Query<RoundQuery>,
) -> AppResult<Response> {
    let id = file
        .strip_suffix(".csv")
        .and_then(|name| CHARTS.iter().find(|c| **c == name))
        .ok_or(AppError::NotFound)?;
    let (_, round, previous) = pick_round(&state, &q.round).await?;
    let round = round.ok_or(AppError::NotFound)?;
    let chart = chart(&state, ctx.lang(), &round, previous.as_ref(), id).await?;
    let body = exports::csv_bytes(&chart.header, &chart.rows)?;
    Ok(exports::download(
        body,
        "text/csv; charset=utf-8",
        &format!("{id}-round-{}.csv", round.id),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_chart_has_a_title_and_a_description_in_both_languages() {
        for lang in [crate::i18n::Lang::En, crate::i18n::Lang::Ja] {
            for id in super::CHARTS {
                for part in ["title", "desc"] {
                    let key = format!("dashboard-{id}-{part}");
                    let text = lang.t(&key);
                    assert!(!text.is_empty() && !text.contains(&key), "{key} missing");
                }
            }
        }
    }
}
