//! Unit tests for every rule, named by the rule and the case, with the boundaries DOMAIN.md implies.

use std::collections::BTreeSet;

use jiff::civil::date;

use super::*;
use crate::{JlptLevel, Position};

fn rules() -> RuleSet {
    RuleSet::uk_default(2027).unwrap()
}

/// An ALT applicant who passes every rule; each test changes one answer.
fn eligible(position: Position) -> Facts {
    Facts {
        position: Some(position),
        holds_required_nationality: Some(true),
        japanese_national: Some(false),
        degree: Some(DegreeStatus::Awarded {
            on: date(2025, 7, 12),
        }),
        teacher_training_qualification: Some(false),
        former_jet: Some(false),
        years_on_jet: None,
        last_jet_departure_year: None,
        declined_placement_last_year: Some(false),
        months_in_japan: Some(0),
        jlpt_certificate: (position == Position::Cir).then_some(JlptLevel::N2),
        japanese_evaluation: None,
        japanese_not_sure: false,
        declarations_accepted: Some(rules().declarations.iter().map(|d| d.id.clone()).collect()),
        applied_for_both_alt_and_cir: Some(false),
    }
}

fn check(facts: &Facts, id: &str) -> RuleOutcome {
    evaluate(&rules(), facts).outcome(id).unwrap().clone()
}

fn verdict(facts: &Facts, id: &str) -> Verdict {
    check(facts, id).verdict
}

// ---- the evaluation as a whole ----

#[test]
fn an_eligible_alt_and_cir_pass_every_rule() {
    for p in [Position::Alt, Position::Cir] {
        let e = evaluate(&rules(), &eligible(p));
        assert_eq!(e.overall, Verdict::Pass, "{p}: {:#?}", e.concerns());
        assert_eq!(e.event(), crate::Event::EligibilityPassed);
    }
}

#[test]
fn every_rule_is_reported_once_in_rule_id_order() {
    let e = evaluate(&rules(), &eligible(Position::Alt));
    let ids: Vec<&str> = e.outcomes.iter().map(|o| o.rule_id).collect();
    assert_eq!(ids, RULE_IDS);
    let unique: BTreeSet<&str> = RULE_IDS.into_iter().collect();
    assert_eq!(unique.len(), RULE_IDS.len());
}

#[test]
fn nothing_answered_needs_review_on_every_rule_and_never_fails() {
    let e = evaluate(&rules(), &Facts::default());
    assert_eq!(e.overall, Verdict::NeedsReview);
    for o in &e.outcomes {
        assert_eq!(o.verdict, Verdict::NeedsReview, "{}", o.rule_id);
        assert!(
            o.reason.starts_with("Not yet answered") || o.reason.contains("Not yet answered"),
            "{o:?}"
        );
    }
}

#[test]
fn overall_is_fail_if_any_fails_even_when_others_need_review() {
    let mut f = eligible(Position::Alt);
    f.months_in_japan = None;
    f.holds_required_nationality = Some(false);
    let e = evaluate(&rules(), &f);
    assert_eq!(e.overall, Verdict::Fail);
    assert_eq!(e.event(), crate::Event::EligibilityFailed);
    let concerns: Vec<&str> = e.concerns().iter().map(|o| o.rule_id).collect();
    assert_eq!(concerns, [rule_id::NATIONALITY, rule_id::JAPAN_RESIDENCE]);
}

#[test]
fn overall_is_needs_review_when_nothing_fails_and_something_needs_review() {
    let mut f = eligible(Position::Alt);
    f.months_in_japan = None;
    let e = evaluate(&rules(), &f);
    assert_eq!(e.overall, Verdict::NeedsReview);
    assert_eq!(e.event(), crate::Event::EligibilityPassed);
}

#[test]
fn statements_use_the_rule_sets_parameters() {
    let s = rules().statements();
    assert_eq!(s.len(), 9);
    let text = |id: &str| s.iter().find(|(i, _)| *i == id).unwrap().1.clone();
    assert!(text(rule_id::DEGREE).contains("31 July 2027"));
    assert!(text(rule_id::NATIONALITY).contains("British citizens"));
    assert!(text(rule_id::FORMER_JET_GAP).contains("in 2024 or earlier"));
    assert!(text(rule_id::JAPAN_RESIDENCE).contains("6 years or more in total from 2017 to 2026"));
    assert!(text(rule_id::CIR_JAPANESE).contains("JLPT N2"));
}

#[test]
fn an_evaluation_round_trips_through_json_and_refuses_unknown_rule_ids() {
    let e = evaluate(&rules(), &eligible(Position::Cir));
    let json = serde_json::to_string(&e).unwrap();
    assert!(json.contains("\"rule_id\":\"cir-japanese\""));
    assert!(json.contains("\"overall\":\"pass\""));
    assert_eq!(serde_json::from_str::<Evaluation>(&json).unwrap(), e);
    let bad = json.replace("cir-japanese", "cir-klingon");
    assert!(serde_json::from_str::<Evaluation>(&bad)
        .unwrap_err()
        .to_string()
        .contains("cir-klingon"));
}

#[test]
fn facts_round_trip_through_json_and_missing_fields_mean_unanswered() {
    let mut f = eligible(Position::Cir);
    f.degree = Some(DegreeStatus::Expected {
        by: date(2027, 6, 30),
    });
    let json = serde_json::to_value(&f).unwrap();
    assert_eq!(
        json["degree"],
        serde_json::json!({"status": "expected", "by": "2027-06-30"})
    );
    assert_eq!(serde_json::from_value::<Facts>(json).unwrap(), f);
    assert_eq!(serde_json::from_str::<Facts>("{}").unwrap(), Facts::default());
}

#[test]
fn verdicts_order_pass_needs_review_fail_and_round_trip() {
    assert!(Verdict::Pass < Verdict::NeedsReview && Verdict::NeedsReview < Verdict::Fail);
    for v in Verdict::ALL {
        assert_eq!(v.as_str().parse(), Ok(v));
        assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{v}\""));
    }
    assert_eq!(Verdict::NeedsReview.label(), "Needs review");
}

// ---- nationality ----

#[test]
fn nationality_a_british_citizen_passes() {
    let o = check(&eligible(Position::Alt), rule_id::NATIONALITY);
    assert_eq!(
        (o.verdict, o.reason.as_str()),
        (Verdict::Pass, "British citizen.")
    );
}

#[test]
fn nationality_a_non_citizen_fails_and_permanent_residence_is_not_enough() {
    let mut f = eligible(Position::Alt);
    f.holds_required_nationality = Some(false);
    let o = check(&f, rule_id::NATIONALITY);
    assert_eq!(o.verdict, Verdict::Fail);
    assert!(o.reason.contains("permanent residence is not enough"));
}

#[test]
fn nationality_a_dual_japanese_national_passes_and_is_told_to_renounce() {
    let mut f = eligible(Position::Alt);
    f.japanese_national = Some(true);
    let o = check(&f, rule_id::NATIONALITY);
    assert_eq!(o.verdict, Verdict::Pass);
    assert!(
        o.reason.contains("renounced if a place is offered"),
        "{}",
        o.reason
    );
}

#[test]
fn nationality_unanswered_needs_review() {
    let mut f = eligible(Position::Alt);
    f.holds_required_nationality = None;
    let o = check(&f, rule_id::NATIONALITY);
    assert_eq!(o.verdict, Verdict::NeedsReview);
    assert!(o.reason.contains("British citizen"));
}

// ---- degree ----

fn with_degree(status: DegreeStatus) -> Facts {
    Facts {
        degree: Some(status),
        ..eligible(Position::Cir)
    }
}

#[test]
fn degree_awarded_exactly_on_the_deadline_passes() {
    let o = check(
        &with_degree(DegreeStatus::Awarded {
            on: date(2027, 7, 31),
        }),
        rule_id::DEGREE,
    );
    assert_eq!(o.verdict, Verdict::Pass);
    assert_eq!(
        o.reason,
        "Degree awarded on 31 July 2027, on or before 31 July 2027."
    );
}

#[test]
fn degree_awarded_one_day_after_the_deadline_fails() {
    let o = check(
        &with_degree(DegreeStatus::Awarded { on: date(2027, 8, 1) }),
        rule_id::DEGREE,
    );
    assert_eq!(o.verdict, Verdict::Fail);
    assert!(o.reason.contains("1 August 2027"));
}

#[test]
fn degree_expected_exactly_on_the_deadline_passes_and_asks_for_proof() {
    let o = check(
        &with_degree(DegreeStatus::Expected {
            by: date(2027, 7, 31),
        }),
        rule_id::DEGREE,
    );
    assert_eq!(o.verdict, Verdict::Pass);
    assert!(o.reason.contains("proof of the award"));
}

#[test]
fn degree_expected_one_day_after_the_deadline_fails() {
    let f = with_degree(DegreeStatus::Expected { by: date(2027, 8, 1) });
    assert_eq!(verdict(&f, rule_id::DEGREE), Verdict::Fail);
}

#[test]
fn degree_a_masters_ending_in_september_is_too_late() {
    let o = check(
        &with_degree(DegreeStatus::Expected {
            by: date(2027, 9, 30),
        }),
        rule_id::DEGREE,
    );
    assert_eq!(o.verdict, Verdict::Fail);
    assert_eq!(
        o.reason,
        "Degree expected by 30 September 2027, after 31 July 2027: too late for this round."
    );
}

#[test]
fn degree_none_fails_for_cir() {
    let o = check(&with_degree(DegreeStatus::None), rule_id::DEGREE);
    assert_eq!(o.verdict, Verdict::Fail);
    assert_eq!(o.reason, "No bachelor's degree by 31 July 2027.");
}

#[test]
fn degree_teacher_training_counts_for_alt_without_a_degree() {
    let mut f = eligible(Position::Alt);
    f.degree = Some(DegreeStatus::None);
    f.teacher_training_qualification = Some(true);
    let o = check(&f, rule_id::DEGREE);
    assert_eq!(o.verdict, Verdict::Pass);
    assert!(o.reason.contains("teacher-training"));
}

#[test]
fn degree_teacher_training_does_not_count_for_cir() {
    let mut f = with_degree(DegreeStatus::None);
    f.teacher_training_qualification = Some(true);
    assert_eq!(verdict(&f, rule_id::DEGREE), Verdict::Fail);
}

#[test]
fn degree_teacher_training_does_not_count_when_the_round_says_so() {
    let mut r = rules();
    r.teacher_training_counts_for_alt = false;
    let mut f = eligible(Position::Alt);
    f.degree = Some(DegreeStatus::None);
    f.teacher_training_qualification = Some(true);
    let o = evaluate(&r, &f).outcome(rule_id::DEGREE).unwrap().clone();
    assert_eq!(o.verdict, Verdict::Fail);
    assert!(!o.statement.contains("teacher-training"));
}

#[test]
fn degree_none_for_alt_with_teacher_training_unanswered_needs_review() {
    let mut f = eligible(Position::Alt);
    f.degree = Some(DegreeStatus::None);
    f.teacher_training_qualification = None;
    let o = check(&f, rule_id::DEGREE);
    assert_eq!(o.verdict, Verdict::NeedsReview);
    assert!(
        o.reason.contains("teacher-training qualification"),
        "{}",
        o.reason
    );
}

#[test]
fn degree_none_with_teacher_training_but_no_position_needs_review_naming_the_position() {
    let f = Facts {
        degree: Some(DegreeStatus::None),
        teacher_training_qualification: Some(true),
        ..Facts::default()
    };
    let o = check(&f, rule_id::DEGREE);
    assert_eq!(o.verdict, Verdict::NeedsReview);
    assert!(o.reason.contains("the position"), "{}", o.reason);
}

#[test]
fn degree_unanswered_needs_review() {
    let mut f = eligible(Position::Cir);
    f.degree = None;
    assert_eq!(verdict(&f, rule_id::DEGREE), Verdict::NeedsReview);
}

#[test]
fn degree_deadline_follows_the_rule_set() {
    let mut r = rules();
    r.degree_deadline = date(2027, 9, 30);
    let f = with_degree(DegreeStatus::Expected {
        by: date(2027, 9, 30),
    });
    assert_eq!(
        evaluate(&r, &f).outcome(rule_id::DEGREE).unwrap().verdict,
        Verdict::Pass
    );
}

// ---- former JET: gap since last departure ----

fn former_jet(years_on_jet: u8, last: i16) -> Facts {
    Facts {
        former_jet: Some(true),
        years_on_jet: Some(years_on_jet),
        last_jet_departure_year: Some(last),
        ..eligible(Position::Alt)
    }
}

#[test]
fn former_jet_gap_exactly_3_years_since_last_departure_passes() {
    let o = check(&former_jet(1, 2024), rule_id::FORMER_JET_GAP);
    assert_eq!(o.verdict, Verdict::Pass);
    assert_eq!(o.reason, "Last departed on JET in 2024, 3 years before 2027.");
}

#[test]
fn former_jet_gap_2_years_since_last_departure_fails() {
    let o = check(&former_jet(1, 2025), rule_id::FORMER_JET_GAP);
    assert_eq!(o.verdict, Verdict::Fail);
    assert_eq!(
        o.reason,
        "Last departed on JET in 2025, only 2 years before 2027; at least 3 years are needed."
    );
}

#[test]
fn former_jet_gap_never_on_jet_passes() {
    assert_eq!(
        verdict(&eligible(Position::Alt), rule_id::FORMER_JET_GAP),
        Verdict::Pass
    );
}

#[test]
fn former_jet_gap_without_the_year_needs_review() {
    let mut f = former_jet(1, 2020);
    f.last_jet_departure_year = None;
    let o = check(&f, rule_id::FORMER_JET_GAP);
    assert_eq!(o.verdict, Verdict::NeedsReview);
    assert!(o.reason.contains("the year they last departed"));
}

#[test]
fn former_jet_gap_unanswered_needs_review() {
    let mut f = eligible(Position::Alt);
    f.former_jet = None;
    assert_eq!(verdict(&f, rule_id::FORMER_JET_GAP), Verdict::NeedsReview);
}

// ---- former JET: total years ----

#[test]
fn former_jet_total_4_years_passes_because_the_coming_year_makes_5() {
    let o = check(&former_jet(4, 2020), rule_id::FORMER_JET_TOTAL);
    assert_eq!(o.verdict, Verdict::Pass);
    assert_eq!(
        o.reason,
        "4 years on JET so far; with the coming year, 5 in total."
    );
}

#[test]
fn former_jet_total_5_years_fails_because_the_coming_year_would_make_6() {
    let o = check(&former_jet(5, 2018), rule_id::FORMER_JET_TOTAL);
    assert_eq!(o.verdict, Verdict::Fail);
    assert_eq!(
        o.reason,
        "5 years on JET already; the coming year would make 6, over the limit of 5."
    );
}

#[test]
fn former_jet_total_without_the_years_needs_review() {
    let mut f = former_jet(1, 2020);
    f.years_on_jet = None;
    assert_eq!(verdict(&f, rule_id::FORMER_JET_TOTAL), Verdict::NeedsReview);
}

#[test]
fn former_jet_total_never_on_jet_passes() {
    assert_eq!(
        verdict(&eligible(Position::Alt), rule_id::FORMER_JET_TOTAL),
        Verdict::Pass
    );
}

// ---- declined last year ----

#[test]
fn declined_last_year_a_decline_in_the_previous_year_fails() {
    let mut f = eligible(Position::Alt);
    f.declined_placement_last_year = Some(true);
    let o = check(&f, rule_id::DECLINED_LAST_YEAR);
    assert_eq!(
        (o.verdict, o.reason.as_str()),
        (Verdict::Fail, "Declined a JET placement in 2026.")
    );
}

#[test]
fn declined_last_year_no_decline_passes() {
    assert_eq!(
        verdict(&eligible(Position::Alt), rule_id::DECLINED_LAST_YEAR),
        Verdict::Pass
    );
}

#[test]
fn declined_last_year_unanswered_needs_review() {
    let mut f = eligible(Position::Alt);
    f.declined_placement_last_year = None;
    assert_eq!(verdict(&f, rule_id::DECLINED_LAST_YEAR), Verdict::NeedsReview);
}

#[test]
fn declined_last_year_does_not_apply_when_the_round_turns_it_off() {
    let mut r = rules();
    r.declined_last_year_excludes = false;
    let mut f = eligible(Position::Alt);
    f.declined_placement_last_year = Some(true);
    assert_eq!(
        evaluate(&r, &f)
            .outcome(rule_id::DECLINED_LAST_YEAR)
            .unwrap()
            .verdict,
        Verdict::Pass
    );
}

// ---- residence in Japan ----

fn months(m: u16) -> Facts {
    Facts {
        months_in_japan: Some(m),
        ..eligible(Position::Alt)
    }
}

#[test]
fn japan_residence_exactly_6_years_fails() {
    let o = check(&months(72), rule_id::JAPAN_RESIDENCE);
    assert_eq!(o.verdict, Verdict::Fail);
    assert_eq!(
        o.reason,
        "Lived in Japan for 6 years in total from 2017 to 2026: it must be less than 6 years."
    );
}

#[test]
fn japan_residence_5_years_11_months_passes() {
    let o = check(&months(71), rule_id::JAPAN_RESIDENCE);
    assert_eq!(o.verdict, Verdict::Pass);
    assert_eq!(
        o.reason,
        "Lived in Japan for 5 years 11 months in total from 2017 to 2026, less than 6 years."
    );
}

#[test]
fn japan_residence_more_than_6_years_fails() {
    assert_eq!(verdict(&months(120), rule_id::JAPAN_RESIDENCE), Verdict::Fail);
}

#[test]
fn japan_residence_a_year_abroad_passes() {
    let o = check(&months(13), rule_id::JAPAN_RESIDENCE);
    assert_eq!(o.verdict, Verdict::Pass);
    assert!(o.reason.contains("1 year 1 month"), "{}", o.reason);
}

#[test]
fn japan_residence_unanswered_needs_review() {
    let mut f = eligible(Position::Alt);
    f.months_in_japan = None;
    assert_eq!(verdict(&f, rule_id::JAPAN_RESIDENCE), Verdict::NeedsReview);
}

// ---- CIR Japanese ----

fn cir(cert: Option<JlptLevel>, eval: Option<JlptLevel>, not_sure: bool) -> Facts {
    Facts {
        jlpt_certificate: cert,
        japanese_evaluation: eval,
        japanese_not_sure: not_sure,
        ..eligible(Position::Cir)
    }
}

#[test]
fn cir_japanese_an_n2_certificate_passes() {
    let o = check(&cir(Some(JlptLevel::N2), None, false), rule_id::CIR_JAPANESE);
    assert_eq!(
        (o.verdict, o.reason.as_str()),
        (Verdict::Pass, "Holds a JLPT N2 certificate, at or above N2.")
    );
}

#[test]
fn cir_japanese_an_n1_certificate_passes() {
    assert_eq!(
        verdict(&cir(Some(JlptLevel::N1), None, false), rule_id::CIR_JAPANESE),
        Verdict::Pass
    );
}

#[test]
fn cir_japanese_an_evaluation_at_n2_passes() {
    let f = cir(Some(JlptLevel::N3), Some(JlptLevel::N2), false);
    let o = check(&f, rule_id::CIR_JAPANESE);
    assert_eq!(o.verdict, Verdict::Pass);
    assert!(o.reason.contains("evaluation found level N2"));
}

#[test]
fn cir_japanese_an_evaluation_below_n2_fails_and_says_so() {
    let o = check(&cir(None, Some(JlptLevel::N3), false), rule_id::CIR_JAPANESE);
    assert_eq!(o.verdict, Verdict::Fail);
    assert_eq!(
        o.reason,
        "Japanese evaluation found level N3, below the N2 required."
    );
}

#[test]
fn cir_japanese_a_sufficient_certificate_outweighs_a_lower_evaluation() {
    // Certificates never expire (DOMAIN.md), so the certificate settles it.
    assert_eq!(
        verdict(
            &cir(Some(JlptLevel::N2), Some(JlptLevel::N3), false),
            rule_id::CIR_JAPANESE
        ),
        Verdict::Pass
    );
}

#[test]
fn cir_japanese_a_certificate_below_n2_alone_is_assessed_at_interview() {
    let o = check(&cir(Some(JlptLevel::N3), None, false), rule_id::CIR_JAPANESE);
    assert_eq!(o.verdict, Verdict::NeedsReview);
    assert_eq!(
        o.reason,
        "Holds a JLPT N3 certificate, below N2. Japanese to be assessed at interview."
    );
}

#[test]
fn cir_japanese_not_sure_is_assessed_at_interview_and_offered_an_evaluation() {
    let o = check(&cir(None, None, true), rule_id::CIR_JAPANESE);
    assert_eq!(o.verdict, Verdict::NeedsReview);
    assert!(o.reason.contains("Japanese evaluation before the interview"));
    assert!(o.reason.ends_with("to be assessed at interview."));
}

#[test]
fn cir_japanese_nothing_known_is_assessed_at_interview() {
    let o = check(&cir(None, None, false), rule_id::CIR_JAPANESE);
    assert_eq!(o.verdict, Verdict::NeedsReview);
    assert!(o.reason.contains("to be assessed at interview"));
}

#[test]
fn cir_japanese_is_not_required_for_alt() {
    let mut f = eligible(Position::Alt);
    f.japanese_evaluation = Some(JlptLevel::N5);
    let o = check(&f, rule_id::CIR_JAPANESE);
    assert_eq!(
        (o.verdict, o.reason.as_str()),
        (Verdict::Pass, "Not required for ALT.")
    );
}

#[test]
fn cir_japanese_follows_the_rule_sets_level() {
    let mut r = rules();
    r.cir_min_jlpt = JlptLevel::N1;
    let f = cir(Some(JlptLevel::N2), None, false);
    assert_eq!(
        evaluate(&r, &f).outcome(rule_id::CIR_JAPANESE).unwrap().verdict,
        Verdict::NeedsReview
    );
}

#[test]
fn cir_japanese_without_a_position_needs_review() {
    let mut f = eligible(Position::Cir);
    f.position = None;
    assert_eq!(verdict(&f, rule_id::CIR_JAPANESE), Verdict::NeedsReview);
}

// ---- one position ----

#[test]
fn one_position_applying_for_both_alt_and_cir_fails() {
    let mut f = eligible(Position::Alt);
    f.applied_for_both_alt_and_cir = Some(true);
    let o = check(&f, rule_id::ONE_POSITION);
    assert_eq!(o.verdict, Verdict::Fail);
    assert!(o.reason.contains("disqualifies both"));
}

#[test]
fn one_position_a_single_position_passes() {
    assert_eq!(
        verdict(&eligible(Position::Cir), rule_id::ONE_POSITION),
        Verdict::Pass
    );
}

#[test]
fn one_position_unanswered_needs_review() {
    let mut f = eligible(Position::Alt);
    f.applied_for_both_alt_and_cir = None;
    assert_eq!(verdict(&f, rule_id::ONE_POSITION), Verdict::NeedsReview);
}

// ---- declarations ----

#[test]
fn declarations_all_accepted_pass() {
    assert_eq!(
        verdict(&eligible(Position::Alt), rule_id::DECLARATIONS),
        Verdict::Pass
    );
}

#[test]
fn declarations_one_missing_fails_naming_it() {
    let mut f = eligible(Position::Alt);
    f.declarations_accepted
        .as_mut()
        .unwrap()
        .remove("criminal-record");
    let o = check(&f, rule_id::DECLARATIONS);
    assert_eq!(o.verdict, Verdict::Fail);
    assert!(o.reason.contains("criminal record"), "{}", o.reason);
    assert!(!o.reason.contains("true and complete"));
}

#[test]
fn declarations_unanswered_need_review() {
    let mut f = eligible(Position::Alt);
    f.declarations_accepted = None;
    assert_eq!(verdict(&f, rule_id::DECLARATIONS), Verdict::NeedsReview);
}

#[test]
fn declarations_extra_ids_are_ignored() {
    let mut f = eligible(Position::Alt);
    f.declarations_accepted
        .as_mut()
        .unwrap()
        .insert("retired-declaration".into());
    assert_eq!(verdict(&f, rule_id::DECLARATIONS), Verdict::Pass);
}

#[test]
fn declarations_none_required_pass() {
    let mut r = rules();
    r.declarations.clear();
    let f = Facts {
        declarations_accepted: None,
        ..eligible(Position::Alt)
    };
    assert_eq!(
        evaluate(&r, &f).outcome(rule_id::DECLARATIONS).unwrap().verdict,
        Verdict::Pass
    );
}
