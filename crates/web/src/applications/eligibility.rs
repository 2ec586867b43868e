//! Turns an application's answers into the eligibility rules' `Facts`, runs the round's rule set,
//! and shows the outcomes. The rules themselves live in `jetdesk_domain::eligibility`.

use super::sections::{Answers, SECTIONS};
use crate::error::AppResult;
use crate::AppState;
use jetdesk_domain::eligibility::{self, DegreeStatus, Evaluation, Facts, RuleSet, Verdict};
use jetdesk_domain::{transition, ApplicationState, Event, JlptLevel, Position};
use jetdesk_store::Round;
use std::collections::{BTreeSet, HashMap};

/// The result of the check at submission.
pub struct Outcome {
    /// The state the application moves to.
    pub state: &'static str,
    /// The overall verdict's name.
    pub overall: &'static str,
    /// The whole evaluation as JSON.
    pub json: String,
}

/// The round's rule set; a round whose stored rules do not parse falls back to the UK defaults.
pub fn rules_of(round: &Round) -> Option<RuleSet> {
    serde_json::from_str(&round.rules_json).ok().or_else(|| {
        i16::try_from(round.programme_year)
            .ok()
            .and_then(|y| RuleSet::uk_default(y).ok())
    })
}

fn yes(answers: Option<&Answers>, id: &str) -> Option<bool> {
    match answers?.get(id).map(String::as_str) {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    }
}

fn text<'a>(answers: Option<&'a Answers>, id: &str) -> Option<&'a str> {
    answers?.get(id).map(String::as_str).filter(|v| !v.is_empty())
}

/// What the JET Desk knows beyond the applicant's answers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Known {
    /// The newest Japanese level the JET Desk assessed (evaluation call or CIR interview).
    pub japanese_assessed: Option<JlptLevel>,
    /// The same person declined a placement in the previous round.
    pub declined_previous_round: bool,
}

impl Known {
    /// Reads what the store knows about the application and its applicant.
    pub async fn of(state: &AppState, application_id: i64, user_id: i64) -> AppResult<Known> {
        let japanese_assessed = state
            .store
            .latest_japanese_assessment(user_id)
            .await?
            // A level below N5 ("none") is recorded as such; for the rules it is below every level.
            .map(|a| a.level.parse::<JlptLevel>().unwrap_or(JlptLevel::N5));
        Ok(Known {
            japanese_assessed,
            declined_previous_round: state.store.declined_previous_round(application_id).await?,
        })
    }
}

/// What the answers (and what the JET Desk knows) tell the rules.
pub fn facts(position: &str, all: &HashMap<&str, Answers>, known: Known) -> Facts {
    let nationality = all.get("nationality");
    let education = all.get("education");
    let japanese = all.get("japanese");
    let experience = all.get("experience");
    let declarations = all.get("declarations");
    let date = |a: Option<&Answers>, id: &str| text(a, id).and_then(|v| v.parse::<jiff::civil::Date>().ok());
    let degree = match text(education, "degree_status") {
        Some("awarded") => date(education, "award_date").map(|on| DegreeStatus::Awarded { on }),
        Some("expected") => date(education, "expected_date").map(|by| DegreeStatus::Expected { by }),
        _ => None,
    };
    Facts {
        position: position.parse::<Position>().ok(),
        holds_required_nationality: yes(nationality, "british"),
        japanese_national: yes(nationality, "japanese_nationality"),
        degree,
        teacher_training_qualification: yes(education, "teacher_training"),
        former_jet: yes(experience, "previous_jet"),
        years_on_jet: text(experience, "jet_years").and_then(|v| v.parse().ok()),
        last_jet_departure_year: text(experience, "jet_last_year").and_then(|v| v.parse().ok()),
        // The records outrank the answer: a decline on file is a decline whatever was ticked.
        declined_placement_last_year: if known.declined_previous_round {
            Some(true)
        } else {
            yes(experience, "declined_last_year")
        },
        months_in_japan: text(experience, "months_in_japan").and_then(|v| v.parse().ok()),
        jlpt_certificate: text(japanese, "jlpt_level").and_then(|v| v.parse::<JlptLevel>().ok()),
        japanese_evaluation: known.japanese_assessed,
        japanese_not_sure: text(japanese, "not_sure") == Some("not_sure"),
        declarations_accepted: declarations.map(|d| {
            d.iter()
                .filter(|(_, v)| v.as_str() == "yes")
                .map(|(k, _)| k.clone())
                .collect::<BTreeSet<_>>()
        }),
        // One application per applicant per round is enforced by the database.
        applied_for_both_alt_and_cir: Some(false),
    }
}

/// Runs the round's rules on the answers and decides the state after submission.
pub fn evaluate(round: &Round, position: &str, all: &HashMap<&str, Answers>, known: Known) -> Outcome {
    let Some(rules) = rules_of(round) else {
        return Outcome {
            state: "submitted",
            overall: "needs_review",
            json: String::new(),
        };
    };
    let evaluation = eligibility::evaluate(&rules, &facts(position, all, known));
    let state = transition(ApplicationState::Draft, Event::Submit)
        .and_then(|submitted| transition(submitted, evaluation.event()))
        .map(|s| s.as_str())
        .unwrap_or("submitted");
    Outcome {
        state,
        overall: evaluation.overall.as_str(),
        json: serde_json::to_string(&evaluation).unwrap_or_default(),
    }
}

/// What a fresh check did to one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recheck {
    /// The verdict was recomputed (and stored, with an audit entry if it changed); the state
    /// stayed as it was.
    Unchanged,
    /// The verdict changed the state (eligible ↔ ineligible).
    Moved,
    /// Not re-checked: not submitted yet, or no longer in a state whose verdict can change.
    NotApplicable,
}

/// Re-runs the round's rules on an application after something they read changed (the rules
/// themselves, an assessed Japanese level). An `eligible` or `ineligible` application may move
/// between the two, through `Reopen` and the fresh verdict's event, both written to the audit log.
/// Later in the cycle the verdict is stored for staff to see, but the state does not move (the
/// state machine allows no reopening once review has started). `why` goes into the audit log.
pub async fn recheck(
    state: &AppState,
    application_id: i64,
    actor: Option<i64>,
    why: &str,
) -> AppResult<Recheck> {
    let Some(app) = state.store.application(application_id).await? else {
        return Ok(Recheck::NotApplicable);
    };
    let Some(round) = state.store.round(app.round_id).await? else {
        return Ok(Recheck::NotApplicable);
    };
    let Ok(current) = app.state.parse::<ApplicationState>() else {
        return Ok(Recheck::NotApplicable);
    };
    if matches!(current, ApplicationState::Draft | ApplicationState::Submitted) || current.is_final() {
        return Ok(Recheck::NotApplicable);
    }
    let Some(rules) = rules_of(&round) else {
        return Ok(Recheck::NotApplicable);
    };
    let rows = state.store.sections(app.id).await?;
    let answers: HashMap<&str, Answers> = SECTIONS
        .iter()
        .map(|s| {
            let a = rows
                .iter()
                .find(|r| r.section == s.id)
                .and_then(|r| serde_json::from_str(&r.data_json).ok())
                .unwrap_or_default();
            (s.id, a)
        })
        .collect();
    let known = Known::of(state, app.id, app.user_id).await?;
    let evaluation = eligibility::evaluate(&rules, &facts(&app.position, &answers, known));
    let json = serde_json::to_string(&evaluation).unwrap_or_default();
    let reopenable = transition(current, Event::Reopen)
        .and_then(|submitted| transition(submitted, evaluation.event()))
        .ok();
    let target = reopenable.unwrap_or(current);
    if !state
        .store
        .store_verdict(
            app.id,
            current.as_str(),
            target.as_str(),
            evaluation.overall.as_str(),
            &json,
        )
        .await?
    {
        // It moved meanwhile; whoever moved it decided.
        return Ok(Recheck::NotApplicable);
    }
    let subject = format!("application:{}", app.id);
    if target != current {
        state
            .store
            .audit(
                actor,
                "application.reopen",
                &subject,
                Some(current.as_str()),
                Some("submitted"),
            )
            .await?;
        state
            .store
            .audit(
                actor,
                "application.recheck",
                &subject,
                Some("submitted"),
                Some(target.as_str()),
            )
            .await?;
    }
    if target != current || app.eligibility_overall.as_deref() != Some(evaluation.overall.as_str()) {
        state
            .store
            .audit(
                actor,
                "application.eligibility",
                &subject,
                app.eligibility_overall.as_deref(),
                Some(&format!("{} ({why})", evaluation.overall.as_str())),
            )
            .await?;
    }
    Ok(if target != current {
        Recheck::Moved
    } else {
        Recheck::Unchanged
    })
}

/// Re-checks every application of the round whose verdict stands (after its rules changed).
/// Returns how many were checked and how many moved between eligible and ineligible; the totals
/// go to the audit log.
pub async fn recheck_round(state: &AppState, round_id: i64, actor: Option<i64>) -> AppResult<(usize, usize)> {
    let candidates = state.store.recheck_candidates(round_id).await?;
    let mut moved = 0;
    for c in &candidates {
        if recheck(state, c.id, actor, "the round's rules changed").await? == Recheck::Moved {
            moved += 1;
        }
    }
    state
        .store
        .audit(
            actor,
            "round.recheck",
            &format!("round:{round_id}"),
            None,
            Some(&format!("{} re-checked, {moved} changed state", candidates.len())),
        )
        .await?;
    Ok((candidates.len(), moved))
}

/// One rule's outcome as pages show it.
pub struct Shown {
    /// The rule's stable id (staff see it).
    pub rule_id: String,
    /// Pass / fail / needs review, in words.
    pub verdict: &'static str,
    /// A CSS class for the verdict.
    pub class: &'static str,
    /// The rule in plain words.
    pub statement: String,
    /// Why, with the applicant's own answers.
    pub reason: String,
}

/// The stored evaluation, ready for a page (empty before submission).
pub fn shown(json: Option<&str>) -> Vec<Shown> {
    let Some(evaluation) = json.and_then(|j| serde_json::from_str::<Evaluation>(j).ok()) else {
        return Vec::new();
    };
    evaluation
        .outcomes
        .into_iter()
        .map(|o| Shown {
            rule_id: o.rule_id.to_string(),
            verdict: o.verdict.label(),
            class: match o.verdict {
                Verdict::Pass => "verdict-pass",
                Verdict::Fail => "verdict-fail",
                Verdict::NeedsReview => "verdict-review",
            },
            statement: o.statement,
            reason: o.reason,
        })
        .collect()
}
