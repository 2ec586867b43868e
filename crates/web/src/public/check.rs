//! The public "am I eligible?" check: a few questions on one page, answered with the same rules
//! (and the same reasons) that judge a submitted application. A GET form: nothing is stored, no
//! account or session is needed.

use crate::applications::{eligibility::rules_of, COUNTRY};
use crate::error::AppResult;
use crate::page::Page;
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use jetdesk_domain::eligibility::{self, DegreeStatus, Facts, RuleSet, Verdict};
use jetdesk_domain::{JlptLevel, Position};
use std::collections::{BTreeSet, HashMap};

/// One rule's answer, as the page shows it.
pub(crate) struct Line {
    statement: String,
    verdict: &'static str,
    class: &'static str,
    reason: String,
}

#[derive(Template)]
#[template(path = "check.html")]
pub(crate) struct CheckTemplate {
    page: Page,
    q: HashMap<String, String>,
    answered: bool,
    overall: &'static str,
    lines: Vec<Line>,
}

impl CheckTemplate {
    fn v(&self, key: &str) -> &str {
        self.q.get(key).map(String::as_str).unwrap_or("")
    }
    fn checked(&self, key: &str, value: &str) -> &'static str {
        if self.v(key) == value {
            "checked"
        } else {
            ""
        }
    }
}

fn yes(q: &HashMap<String, String>, key: &str) -> Option<bool> {
    match q.get(key).map(String::as_str) {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    }
}

/// What the quick questions tell the rules.
fn facts(q: &HashMap<String, String>, rules: &RuleSet) -> Facts {
    let date = |k: &str| q.get(k).and_then(|v| v.trim().parse::<jiff::civil::Date>().ok());
    let number = |k: &str| q.get(k).and_then(|v| v.trim().parse::<i64>().ok());
    Facts {
        position: q.get("position").and_then(|p| p.parse::<Position>().ok()),
        holds_required_nationality: yes(q, "british"),
        japanese_national: Some(false),
        degree: match q.get("degree").map(String::as_str) {
            Some("awarded") => Some(DegreeStatus::Awarded {
                on: date("degree_date").unwrap_or(jiff::civil::date(2000, 1, 1)),
            }),
            Some("expected") => date("degree_date").map(|by| DegreeStatus::Expected { by }),
            Some("none") => Some(DegreeStatus::None),
            _ => None,
        },
        teacher_training_qualification: yes(q, "teacher_training"),
        former_jet: yes(q, "former_jet"),
        years_on_jet: number("jet_years").and_then(|n| u8::try_from(n).ok()),
        last_jet_departure_year: number("jet_last_year").and_then(|n| i16::try_from(n).ok()),
        declined_placement_last_year: yes(q, "declined"),
        months_in_japan: number("months_in_japan").and_then(|n| u16::try_from(n).ok()),
        jlpt_certificate: q.get("jlpt").and_then(|l| l.parse::<JlptLevel>().ok()),
        japanese_evaluation: None,
        japanese_not_sure: false,
        // The declarations are made in the application itself; the check assumes them.
        declarations_accepted: Some(
            rules
                .declarations
                .iter()
                .map(|d| d.id.clone())
                .collect::<BTreeSet<_>>(),
        ),
        applied_for_both_alt_and_cir: Some(false),
    }
}

pub(crate) async fn check(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Html<String>> {
    let q: HashMap<String, String> = q
        .into_iter()
        .map(|(k, v)| (k, v.chars().take(20).collect::<String>()))
        .collect();
    let rules = match state.store.current_round(COUNTRY).await? {
        Some(round) => rules_of(&round),
        None => None,
    }
    .or_else(|| RuleSet::uk_default(jiff::Zoned::now().year() + 1).ok());
    let answered = q.contains_key("position");
    let (overall, lines) = match (&rules, answered) {
        (Some(rules), true) => {
            let evaluation = eligibility::evaluate(rules, &facts(&q, rules));
            let lines = evaluation
                .outcomes
                .into_iter()
                .filter(|o| o.rule_id != "declarations" && o.rule_id != "one-position")
                .map(|o| Line {
                    statement: o.statement,
                    verdict: o.verdict.label(),
                    class: match o.verdict {
                        Verdict::Pass => "verdict-pass",
                        Verdict::Fail => "verdict-fail",
                        Verdict::NeedsReview => "verdict-review",
                    },
                    reason: o.reason,
                })
                .collect();
            let overall = match evaluation.overall {
                Verdict::Pass => "From your answers, you appear to be eligible.",
                Verdict::NeedsReview => {
                    "From your answers, you may be eligible: some points will be checked when you apply."
                }
                Verdict::Fail => "From your answers, you are not eligible this year.",
            };
            (overall, lines)
        }
        _ => ("", Vec::new()),
    };
    let page = Page::new(&ctx, "Am I eligible?");
    Ok(Html(
        CheckTemplate {
            page,
            q,
            answered,
            overall,
            lines,
        }
        .render()?,
    ))
}
