//! One function per rule: each reads only the parameters and answers it needs and returns its
//! outcome with a statement and a reason. Kept apart from `mod.rs` so each rule reads on its own.
//! A rule must never panic and never treat a missing answer as a failure.

use super::dates::english;
use super::{rule_id, Facts, RuleOutcome, RuleSet, Verdict};
use crate::eligibility::DegreeStatus;
use crate::Position;

fn outcome(rule_id: &'static str, statement: String, verdict: Verdict, reason: String) -> RuleOutcome {
    RuleOutcome {
        rule_id,
        statement,
        verdict,
        reason,
    }
}

/// "1 year", "3 years".
fn years(n: i64) -> String {
    if n == 1 || n == -1 {
        format!("{n} year")
    } else {
        format!("{n} years")
    }
}

/// 71 → "5 years 11 months", 72 → "6 years", 1 → "1 month".
fn years_and_months(months: u16) -> String {
    let (y, m) = (months / 12, months % 12);
    let m_text = if m == 1 {
        "1 month".to_string()
    } else {
        format!("{m} months")
    };
    match (y, m) {
        (0, _) => m_text,
        (_, 0) => years(i64::from(y)),
        _ => format!("{} {}", years(i64::from(y)), m_text),
    }
}

pub(super) fn nationality(rules: &RuleSet, facts: &Facts) -> RuleOutcome {
    let adj = rules.nationality_adjective();
    let statement = format!(
        "Applicants must be {adj} citizens by the application deadline; permanent residence is not \
         enough. Anyone who also holds Japanese nationality must give it up if offered a place."
    );
    let (verdict, reason) = match (facts.holds_required_nationality, facts.japanese_national) {
        (None, _) => (
            Verdict::NeedsReview,
            format!("Not yet answered: whether the applicant is a {adj} citizen."),
        ),
        (Some(false), _) => (
            Verdict::Fail,
            format!("Not a {adj} citizen (permanent residence is not enough)."),
        ),
        (Some(true), Some(true)) => (
            Verdict::Pass,
            format!(
                "{adj} citizen, also holding Japanese nationality: Japanese nationality must be \
                 renounced if a place is offered."
            ),
        ),
        (Some(true), _) => (Verdict::Pass, format!("{adj} citizen.")),
    };
    outcome(rule_id::NATIONALITY, statement, verdict, reason)
}

pub(super) fn degree(rules: &RuleSet, facts: &Facts) -> RuleOutcome {
    let deadline = english(rules.degree_deadline);
    let mut statement = format!("Applicants must hold at least a bachelor's degree by {deadline}.");
    if rules.teacher_training_counts_for_alt {
        statement.push_str(" For ALT, a 3-year teacher-training qualification also counts.");
    }

    // The teacher-training route, for ALT only, where the round allows it.
    let training_route = rules.teacher_training_counts_for_alt
        && matches!(facts.position, None | Some(Position::Alt))
        && facts.teacher_training_qualification != Some(false);
    if training_route
        && facts.position == Some(Position::Alt)
        && facts.teacher_training_qualification == Some(true)
    {
        return outcome(
            rule_id::DEGREE,
            statement,
            Verdict::Pass,
            "Holds a 3-year teacher-training qualification, which counts for ALT.".to_string(),
        );
    }

    let (verdict, reason) = match facts.degree {
        None => (
            Verdict::NeedsReview,
            "Not yet answered: the applicant's degree.".to_string(),
        ),
        Some(DegreeStatus::Awarded { on }) if on <= rules.degree_deadline => (
            Verdict::Pass,
            format!("Degree awarded on {}, on or before {deadline}.", english(on)),
        ),
        Some(DegreeStatus::Expected { by }) if by <= rules.degree_deadline => (
            Verdict::Pass,
            format!(
                "Degree expected by {}, on or before {deadline}; proof of the award will be needed.",
                english(by)
            ),
        ),
        Some(DegreeStatus::Awarded { on }) => (
            Verdict::Fail,
            format!("Degree awarded on {}, after {deadline}.", english(on)),
        ),
        Some(DegreeStatus::Expected { by }) => (
            Verdict::Fail,
            format!(
                "Degree expected by {}, after {deadline}: too late for this round.",
                english(by)
            ),
        ),
        Some(DegreeStatus::None) => (Verdict::Fail, format!("No bachelor's degree by {deadline}.")),
    };
    if verdict == Verdict::Fail && training_route {
        // The degree fails, but teacher training could still carry an ALT: say what is missing.
        let missing = match (facts.position, facts.teacher_training_qualification) {
            (None, Some(true)) => "the position (a teacher-training qualification counts only for ALT)",
            _ => "whether the applicant holds a 3-year teacher-training qualification",
        };
        return outcome(
            rule_id::DEGREE,
            statement,
            Verdict::NeedsReview,
            format!("{reason} Not yet answered: {missing}."),
        );
    }
    outcome(rule_id::DEGREE, statement, verdict, reason)
}

pub(super) fn former_jet_gap(rules: &RuleSet, facts: &Facts) -> RuleOutcome {
    let min = rules.former_jet_min_gap_years;
    let latest = i64::from(rules.departure_year) - i64::from(min);
    let statement = format!(
        "Former JET participants must have last departed on JET at least {} before {} (in {latest} or \
         earlier).",
        years(i64::from(min)),
        rules.departure_year
    );
    let (verdict, reason) = match (facts.former_jet, facts.last_jet_departure_year) {
        (None, _) => (
            Verdict::NeedsReview,
            "Not yet answered: whether the applicant has been on JET before.".to_string(),
        ),
        (Some(false), _) => (Verdict::Pass, "Not a former JET participant.".to_string()),
        (Some(true), None) => (
            Verdict::NeedsReview,
            "Former JET participant; not yet answered: the year they last departed on JET.".to_string(),
        ),
        (Some(true), Some(last)) => {
            let gap = i64::from(rules.departure_year) - i64::from(last);
            if gap >= i64::from(min) {
                (
                    Verdict::Pass,
                    format!(
                        "Last departed on JET in {last}, {} before {}.",
                        years(gap),
                        rules.departure_year
                    ),
                )
            } else {
                (
                    Verdict::Fail,
                    format!(
                        "Last departed on JET in {last}, only {} before {}; at least {} are needed.",
                        years(gap),
                        rules.departure_year,
                        years(i64::from(min))
                    ),
                )
            }
        }
    };
    outcome(rule_id::FORMER_JET_GAP, statement, verdict, reason)
}

pub(super) fn former_jet_total(rules: &RuleSet, facts: &Facts) -> RuleOutcome {
    let max = rules.former_jet_max_total_years;
    let statement = format!(
        "Former JET participants may spend at most {} on JET in total, counting the coming year.",
        years(i64::from(max))
    );
    let (verdict, reason) = match (facts.former_jet, facts.years_on_jet) {
        (None, _) => (
            Verdict::NeedsReview,
            "Not yet answered: whether the applicant has been on JET before.".to_string(),
        ),
        (Some(false), _) => (Verdict::Pass, "Not a former JET participant.".to_string()),
        (Some(true), None) => (
            Verdict::NeedsReview,
            "Former JET participant; not yet answered: how many years they spent on JET.".to_string(),
        ),
        (Some(true), Some(done)) => {
            // The coming appointment adds at least one year (contracts are yearly).
            let with_next = u16::from(done) + 1;
            if with_next <= u16::from(max) {
                (
                    Verdict::Pass,
                    format!(
                        "{} on JET so far; with the coming year, {with_next} in total.",
                        years(i64::from(done))
                    ),
                )
            } else {
                (
                    Verdict::Fail,
                    format!(
                        "{} on JET already; the coming year would make {with_next}, over the limit of {max}.",
                        years(i64::from(done))
                    ),
                )
            }
        }
    };
    outcome(rule_id::FORMER_JET_TOTAL, statement, verdict, reason)
}

pub(super) fn declined_last_year(rules: &RuleSet, facts: &Facts) -> RuleOutcome {
    let previous = rules.departure_year.saturating_sub(1);
    let statement = format!(
        "Applicants must not have declined a JET placement in the previous programme year ({previous})."
    );
    let (verdict, reason) = if !rules.declined_last_year_excludes {
        (
            Verdict::Pass,
            "This rule does not apply in this round.".to_string(),
        )
    } else {
        match facts.declined_placement_last_year {
            None => (
                Verdict::NeedsReview,
                format!("Not yet answered: whether the applicant declined a JET placement in {previous}."),
            ),
            Some(true) => (Verdict::Fail, format!("Declined a JET placement in {previous}.")),
            Some(false) => (
                Verdict::Pass,
                format!("Did not decline a JET placement in {previous}."),
            ),
        }
    };
    outcome(rule_id::DECLINED_LAST_YEAR, statement, verdict, reason)
}

pub(super) fn japan_residence(rules: &RuleSet, facts: &Facts) -> RuleOutcome {
    let (first, last) = rules.japan_residence_window();
    let limit = years_and_months(rules.japan_residence_limit_months);
    let statement = format!(
        "Applicants must not have lived in Japan for {limit} or more in total from {first} to {last} \
         (the {} before the departure year).",
        years(i64::from(rules.japan_residence_window_years))
    );
    let (verdict, reason) = match facts.months_in_japan {
        None => (
            Verdict::NeedsReview,
            format!("Not yet answered: how long the applicant has lived in Japan from {first} to {last}."),
        ),
        Some(months) if months >= rules.japan_residence_limit_months => (
            Verdict::Fail,
            format!(
                "Lived in Japan for {} in total from {first} to {last}: it must be less than {limit}.",
                years_and_months(months)
            ),
        ),
        Some(months) => (
            Verdict::Pass,
            format!(
                "Lived in Japan for {} in total from {first} to {last}, less than {limit}.",
                years_and_months(months)
            ),
        ),
    };
    outcome(rule_id::JAPAN_RESIDENCE, statement, verdict, reason)
}

pub(super) fn cir_japanese(rules: &RuleSet, facts: &Facts) -> RuleOutcome {
    let min = rules.cir_min_jlpt;
    let statement = format!(
        "CIR applicants need Japanese at about JLPT {min} or above, shown by a certificate or by a \
         Japanese evaluation, or assessed at the interview (held in Japanese)."
    );
    let (verdict, reason) = match facts.position {
        None => (
            Verdict::NeedsReview,
            "Not yet answered: the position applied for.".to_string(),
        ),
        Some(p @ (Position::Alt | Position::Sea)) => {
            (Verdict::Pass, format!("Not required for {}.", p.abbreviation()))
        }
        Some(Position::Cir) => match (facts.jlpt_certificate, facts.japanese_evaluation) {
            // A certificate never expires, so a sufficient one settles it whatever else is known.
            (Some(cert), _) if cert.meets(min) => (
                Verdict::Pass,
                format!("Holds a JLPT {cert} certificate, at or above {min}."),
            ),
            (_, Some(eval)) if eval.meets(min) => (
                Verdict::Pass,
                format!("Japanese evaluation found level {eval}, at or above {min}."),
            ),
            (_, Some(eval)) => (
                Verdict::Fail,
                format!("Japanese evaluation found level {eval}, below the {min} required."),
            ),
            (cert, None) => {
                let known = match cert {
                    Some(cert) => format!("Holds a JLPT {cert} certificate, below {min}. "),
                    None if facts.japanese_not_sure => {
                        "Not sure of their Japanese level: they may ask the JET Desk for a Japanese \
                         evaluation before the interview. "
                            .to_string()
                    }
                    None => "No JLPT certificate or Japanese evaluation. ".to_string(),
                };
                (
                    Verdict::NeedsReview,
                    format!("{known}Japanese to be assessed at interview."),
                )
            }
        },
    };
    outcome(rule_id::CIR_JAPANESE, statement, verdict, reason)
}

pub(super) fn one_position(_rules: &RuleSet, facts: &Facts) -> RuleOutcome {
    let statement = "Applicants may apply for only one position in a programme year: applying for both \
                     ALT and CIR disqualifies both applications."
        .to_string();
    let (verdict, reason) = match facts.applied_for_both_alt_and_cir {
        None => (
            Verdict::NeedsReview,
            "Not yet answered: whether the applicant applied for both ALT and CIR.".to_string(),
        ),
        Some(true) => (
            Verdict::Fail,
            "Applied for both ALT and CIR this year, which disqualifies both applications.".to_string(),
        ),
        Some(false) => (Verdict::Pass, "Applied for one position only.".to_string()),
    };
    outcome(rule_id::ONE_POSITION, statement, verdict, reason)
}

pub(super) fn declarations(rules: &RuleSet, facts: &Facts) -> RuleOutcome {
    let statement = "Applicants must accept every declaration on the application.".to_string();
    let (verdict, reason) = if rules.declarations.is_empty() {
        (
            Verdict::Pass,
            "No declarations are required in this round.".to_string(),
        )
    } else {
        match &facts.declarations_accepted {
            None => (
                Verdict::NeedsReview,
                "Not yet answered: the declarations.".to_string(),
            ),
            Some(accepted) => {
                let missing: Vec<&str> = rules
                    .declarations
                    .iter()
                    .filter(|d| !accepted.contains(&d.id))
                    .map(|d| d.text.as_str())
                    .collect();
                if missing.is_empty() {
                    (Verdict::Pass, "Accepted every declaration.".to_string())
                } else {
                    (Verdict::Fail, format!("Not accepted: {}", missing.join(" ")))
                }
            }
        }
    };
    outcome(rule_id::DECLARATIONS, statement, verdict, reason)
}
