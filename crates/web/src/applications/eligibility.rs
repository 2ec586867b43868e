//! Turns an application's answers into the eligibility rules' `Facts`, runs the round's rule set,
//! and shows the outcomes. The rules themselves live in `jetdesk_domain::eligibility`.

use super::sections::Answers;
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

/// What the answers tell the rules.
pub fn facts(position: &str, all: &HashMap<&str, Answers>) -> Facts {
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
        declined_placement_last_year: yes(experience, "declined_last_year"),
        months_in_japan: text(experience, "months_in_japan").and_then(|v| v.parse().ok()),
        jlpt_certificate: text(japanese, "jlpt_level").and_then(|v| v.parse::<JlptLevel>().ok()),
        japanese_evaluation: None,
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
pub fn evaluate(round: &Round, position: &str, all: &HashMap<&str, Answers>) -> Outcome {
    let Some(rules) = rules_of(round) else {
        return Outcome {
            state: "submitted",
            overall: "needs_review",
            json: String::new(),
        };
    };
    let evaluation = eligibility::evaluate(&rules, &facts(position, all));
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
