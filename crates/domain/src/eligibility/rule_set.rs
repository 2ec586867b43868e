//! A round's eligibility parameters, stored by the round as JSON and edited by its coordinator.
//!
//! This module must never evaluate anything (that is `evaluate`) nor hold a rule that is not in
//! DOMAIN.md's list: a new kind of rule is code plus a new parameter here, with a serde default so that
//! rule sets already stored still load.

use std::collections::BTreeSet;

use jiff::civil::Date;

use crate::JlptLevel;

/// The parameters of every eligibility rule for one round. Build the UK defaults with
/// [`RuleSet::uk_default`], let a coordinator change them, check with [`RuleSet::validate`].
///
/// ```
/// use jetdesk_domain::eligibility::RuleSet;
/// let rules = RuleSet::uk_default(2027).unwrap();
/// assert_eq!(rules.degree_deadline.to_string(), "2027-07-31");
/// let json = serde_json::to_string(&rules).unwrap();
/// assert_eq!(serde_json::from_str::<RuleSet>(&json).unwrap(), rules);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RuleSet {
    /// The programme year in which participants depart, e.g. 2027. Year-based rules count from it.
    pub departure_year: i16,
    /// The nationality applicants must hold, lower case as an adjective: "british". Shown capitalised.
    pub nationality: String,
    /// A degree must be awarded (or expected) on or before this day. UK: 31 July of the departure year.
    #[serde(with = "super::dates::iso")]
    pub degree_deadline: Date,
    /// Whether a 3-year teacher-training qualification counts instead of a degree for ALT (UK: yes).
    pub teacher_training_counts_for_alt: bool,
    /// Former JETs: at least this many years between the year they last departed on JET and the
    /// departure year (UK: 3; exactly 3 passes).
    pub former_jet_min_gap_years: u8,
    /// Former JETs: at most this many years on JET in total, counting the coming year (UK: 5, so a
    /// former JET with 5 years already is not eligible; 4 is).
    pub former_jet_max_total_years: u8,
    /// Fails when the months lived in Japan during the window reach this many (UK: 72, i.e. "6 years or
    /// more" fails; 71 months passes).
    pub japan_residence_limit_months: u16,
    /// The window for the residence rule: this many calendar years before the departure year (UK: 10,
    /// so 2017–2026 for a 2027 departure).
    pub japan_residence_window_years: u8,
    /// The Japanese level a CIR needs, by certificate or evaluation (UK: N2).
    pub cir_min_jlpt: JlptLevel,
    /// Whether declining a JET placement in the previous programme year excludes (UK: yes).
    pub declined_last_year_excludes: bool,
    /// The declarations every applicant must accept, in the order the form shows them.
    pub declarations: Vec<Declaration>,
}

/// A statement an applicant must accept. The form shows `text` beside a checkbox and stores `id`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Declaration {
    /// Stable id, kebab-case, e.g. "true-and-complete".
    pub id: String,
    /// What the applicant declares, in the first person.
    pub text: String,
}

/// Why a rule set was refused. Messages are fit to show beside the coordinator's field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleSetError {
    /// The departure year is outside 2000–2099 (reference numbers carry two digits of it).
    #[error("The departure year must be between 2000 and 2099")]
    DepartureYear,
    /// No nationality was given.
    #[error("Enter the nationality applicants must hold, like british")]
    Nationality,
    /// A limit that must be at least 1 is 0.
    #[error("{0} must be at least 1")]
    Zero(&'static str),
    /// A declaration has an empty id or text.
    #[error("Each declaration needs an id and a text")]
    EmptyDeclaration,
    /// Two declarations share an id.
    #[error("Two declarations have the id {0:?}")]
    DuplicateDeclaration(String),
}

impl RuleSet {
    /// The UK rules from DOMAIN.md for participants departing in `departure_year`: British citizens; a
    /// degree by 31 July of the departure year (teacher training counts for ALT); former JETs 3 years
    /// apart and at most 5 years in total; no placement declined last year; under 6 years (72 months)
    /// in Japan in the 10 years before; CIR Japanese at N2; five declarations.
    ///
    /// # Errors
    /// [`RuleSetError::DepartureYear`] outside 2000–2099.
    pub fn uk_default(departure_year: i16) -> Result<RuleSet, RuleSetError> {
        if !(2000..=2099).contains(&departure_year) {
            return Err(RuleSetError::DepartureYear);
        }
        let degree_deadline = Date::new(departure_year, 7, 31).map_err(|_| RuleSetError::DepartureYear)?;
        let declaration = |id: &str, text: &str| Declaration {
            id: id.to_string(),
            text: text.to_string(),
        };
        Ok(RuleSet {
            departure_year,
            nationality: "british".to_string(),
            degree_deadline,
            teacher_training_counts_for_alt: true,
            former_jet_min_gap_years: 3,
            former_jet_max_total_years: 5,
            japan_residence_limit_months: 72,
            japan_residence_window_years: 10,
            cir_min_jlpt: JlptLevel::N2,
            declined_last_year_excludes: true,
            declarations: vec![
                declaration(
                    "true-and-complete",
                    "The information I have given is true and complete, and I will tell the JET Desk \
                     at once of any change.",
                ),
                declaration(
                    "english-and-interest",
                    "My English is at native level, and I am interested in Japan and in \
                     international exchange.",
                ),
                declaration(
                    "fit-to-work",
                    "I am fit to live and work in Japan for a year, and I have declared any medical \
                     condition.",
                ),
                declaration(
                    "criminal-record",
                    "I have declared any criminal record, and I will provide a criminal records \
                     check if I am successful.",
                ),
                declaration(
                    "data-processing",
                    "I consent to my personal data being processed to assess my application and to \
                     run the JET Programme.",
                ),
            ],
        })
    }

    /// Checks the parameters a coordinator may have edited.
    ///
    /// # Errors
    /// The first [`RuleSetError`] found.
    pub fn validate(&self) -> Result<(), RuleSetError> {
        if !(2000..=2099).contains(&self.departure_year) {
            return Err(RuleSetError::DepartureYear);
        }
        if self.nationality.trim().is_empty() {
            return Err(RuleSetError::Nationality);
        }
        if self.former_jet_max_total_years == 0 {
            return Err(RuleSetError::Zero("The most years on JET"));
        }
        if self.japan_residence_limit_months == 0 {
            return Err(RuleSetError::Zero("The limit on months lived in Japan"));
        }
        if self.japan_residence_window_years == 0 {
            return Err(RuleSetError::Zero("The years counted for residence in Japan"));
        }
        let mut seen = BTreeSet::new();
        for d in &self.declarations {
            if d.id.trim().is_empty() || d.text.trim().is_empty() {
                return Err(RuleSetError::EmptyDeclaration);
            }
            if !seen.insert(d.id.as_str()) {
                return Err(RuleSetError::DuplicateDeclaration(d.id.clone()));
            }
        }
        Ok(())
    }

    /// The nationality as it reads in a sentence: "british" → "British".
    pub fn nationality_adjective(&self) -> String {
        let n = self.nationality.trim();
        let mut chars = n.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    /// The first and last calendar years of the residence window: (2017, 2026) for a 2027 departure
    /// with a 10-year window.
    pub fn japan_residence_window(&self) -> (i16, i16) {
        let last = self.departure_year.saturating_sub(1);
        let first = self
            .departure_year
            .saturating_sub(i16::from(self.japan_residence_window_years));
        (first, last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uk_default_matches_domain_md() {
        let r = RuleSet::uk_default(2027).unwrap();
        assert_eq!(r.nationality, "british");
        assert_eq!(r.nationality_adjective(), "British");
        assert_eq!(r.degree_deadline, jiff::civil::date(2027, 7, 31));
        assert!(r.teacher_training_counts_for_alt);
        assert_eq!(r.former_jet_min_gap_years, 3);
        assert_eq!(r.former_jet_max_total_years, 5);
        assert_eq!(r.japan_residence_limit_months, 72);
        assert_eq!(r.japan_residence_window(), (2017, 2026));
        assert_eq!(r.cir_min_jlpt, JlptLevel::N2);
        assert!(r.declined_last_year_excludes);
        assert_eq!(r.declarations.len(), 5);
        assert_eq!(r.validate(), Ok(()));
    }

    #[test]
    fn a_departure_year_outside_2000_to_2099_is_refused() {
        assert_eq!(RuleSet::uk_default(1999), Err(RuleSetError::DepartureYear));
        assert_eq!(RuleSet::uk_default(2100), Err(RuleSetError::DepartureYear));
    }

    #[test]
    fn a_rule_set_round_trips_through_json_with_iso_dates() {
        let r = RuleSet::uk_default(2027).unwrap();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["degree_deadline"], "2027-07-31");
        assert_eq!(json["cir_min_jlpt"], "N2");
        assert_eq!(serde_json::from_value::<RuleSet>(json).unwrap(), r);
    }

    #[test]
    fn a_stored_rule_set_with_a_bad_date_is_refused_clearly() {
        let mut json = serde_json::to_value(RuleSet::uk_default(2027).unwrap()).unwrap();
        json["degree_deadline"] = "31/07/2027".into();
        let err = serde_json::from_value::<RuleSet>(json).unwrap_err().to_string();
        assert!(err.contains("YYYY-MM-DD"), "{err}");
    }

    #[test]
    fn validate_refuses_zero_limits_and_duplicate_declarations() {
        let good = RuleSet::uk_default(2027).unwrap();
        let mut r = good.clone();
        r.japan_residence_limit_months = 0;
        assert!(matches!(r.validate(), Err(RuleSetError::Zero(_))));
        let mut r = good.clone();
        r.nationality = " ".into();
        assert_eq!(r.validate(), Err(RuleSetError::Nationality));
        let mut r = good.clone();
        let first = r.declarations[0].clone();
        r.declarations.push(first);
        assert_eq!(
            r.validate(),
            Err(RuleSetError::DuplicateDeclaration("true-and-complete".into()))
        );
        let mut r = good;
        r.declarations[1].text = String::new();
        assert_eq!(r.validate(), Err(RuleSetError::EmptyDeclaration));
    }
}
