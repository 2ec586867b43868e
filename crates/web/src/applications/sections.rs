//! The application form as data: its sections, each with its fields, and the checks on them.
//! One template renders any section and one validator checks it, so adding a question is a line
//! here. Answers are kept as strings, exactly as typed (trimmed), so nothing an applicant typed is
//! ever lost, even when it does not pass validation yet.

use std::collections::BTreeMap;

/// The answers of one section: field id → value.
pub type Answers = BTreeMap<String, String>;

/// What kind of input a field is.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One line of text, at most this many characters.
    Text(usize),
    /// Several lines, at most this many characters.
    Area(usize),
    /// The statement of purpose: several lines, limited by the round's word limit.
    Words,
    /// A calendar date (YYYY-MM-DD).
    Date,
    /// A whole number in a range.
    Number(i64, i64),
    /// One of the options (value, label), shown as a drop-down.
    Select(&'static [(&'static str, &'static str)]),
    /// One of the options, shown as radio buttons.
    Radio(&'static [(&'static str, &'static str)]),
    /// A box that must be ticked (declarations).
    Tick,
}

/// One question.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Its id: form field name, HTML id, key in the stored answers.
    pub id: &'static str,
    /// The question.
    pub label: &'static str,
    /// Help under the question ("" for none).
    pub hint: &'static str,
    /// The input.
    pub kind: Kind,
    /// Whether an answer is needed to complete the section.
    pub required: bool,
}

/// One section of the form.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    /// Its id, used in the URL.
    pub id: &'static str,
    /// Its title.
    pub title: &'static str,
    /// Its questions.
    pub fields: &'static [Field],
}

const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];
const LEVELS: &[(&str, &str)] = &[
    ("none", "No JLPT"),
    ("N1", "N1"),
    ("N2", "N2"),
    ("N3", "N3"),
    ("N4", "N4"),
    ("N5", "N5"),
];
const SKILL: &[(&str, &str)] = &[
    ("none", "None"),
    ("basic", "Basic"),
    ("intermediate", "Intermediate"),
    ("advanced", "Advanced"),
    ("fluent", "Fluent"),
];

/// The 47 prefectures and the 20 designated cities, as placement preferences.
pub const AREAS: &[(&str, &str)] = &[
    ("", "Choose an area"),
    ("hokkaido", "Hokkaido"),
    ("aomori", "Aomori"),
    ("iwate", "Iwate"),
    ("miyagi", "Miyagi"),
    ("akita", "Akita"),
    ("yamagata", "Yamagata"),
    ("fukushima", "Fukushima"),
    ("ibaraki", "Ibaraki"),
    ("tochigi", "Tochigi"),
    ("gunma", "Gunma"),
    ("saitama", "Saitama"),
    ("chiba", "Chiba"),
    ("tokyo", "Tokyo"),
    ("kanagawa", "Kanagawa"),
    ("niigata", "Niigata"),
    ("toyama", "Toyama"),
    ("ishikawa", "Ishikawa"),
    ("fukui", "Fukui"),
    ("yamanashi", "Yamanashi"),
    ("nagano", "Nagano"),
    ("gifu", "Gifu"),
    ("shizuoka", "Shizuoka"),
    ("aichi", "Aichi"),
    ("mie", "Mie"),
    ("shiga", "Shiga"),
    ("kyoto", "Kyoto"),
    ("osaka", "Osaka"),
    ("hyogo", "Hyogo"),
    ("nara", "Nara"),
    ("wakayama", "Wakayama"),
    ("tottori", "Tottori"),
    ("shimane", "Shimane"),
    ("okayama", "Okayama"),
    ("hiroshima", "Hiroshima"),
    ("yamaguchi", "Yamaguchi"),
    ("tokushima", "Tokushima"),
    ("kagawa", "Kagawa"),
    ("ehime", "Ehime"),
    ("kochi", "Kochi"),
    ("fukuoka", "Fukuoka"),
    ("saga", "Saga"),
    ("nagasaki", "Nagasaki"),
    ("kumamoto", "Kumamoto"),
    ("oita", "Oita"),
    ("miyazaki", "Miyazaki"),
    ("kagoshima", "Kagoshima"),
    ("okinawa", "Okinawa"),
    ("city-sapporo", "Sapporo City"),
    ("city-sendai", "Sendai City"),
    ("city-saitama", "Saitama City"),
    ("city-chiba", "Chiba City"),
    ("city-yokohama", "Yokohama City"),
    ("city-kawasaki", "Kawasaki City"),
    ("city-sagamihara", "Sagamihara City"),
    ("city-niigata", "Niigata City"),
    ("city-shizuoka", "Shizuoka City"),
    ("city-hamamatsu", "Hamamatsu City"),
    ("city-nagoya", "Nagoya City"),
    ("city-kyoto", "Kyoto City"),
    ("city-osaka", "Osaka City"),
    ("city-sakai", "Sakai City"),
    ("city-kobe", "Kobe City"),
    ("city-okayama", "Okayama City"),
    ("city-hiroshima", "Hiroshima City"),
    ("city-kitakyushu", "Kitakyushu City"),
    ("city-fukuoka", "Fukuoka City"),
    ("city-kumamoto", "Kumamoto City"),
];

const fn f(id: &'static str, label: &'static str, hint: &'static str, kind: Kind, required: bool) -> Field {
    Field {
        id,
        label,
        hint,
        kind,
        required,
    }
}

/// Every section, in the order of the task list.
pub const SECTIONS: &[Section] = &[
    Section {
        id: "personal",
        title: "Personal details",
        fields: &[
            f("given_names", "Given names", "Exactly as in your passport.", Kind::Text(100), true),
            f("family_name", "Family name", "Exactly as in your passport.", Kind::Text(100), true),
            f("sex", "Sex", "As in your passport.", Kind::Radio(&[("female", "Female"), ("male", "Male")]), true),
            f("date_of_birth", "Date of birth", "For example 1999-03-27.", Kind::Date, true),
            f("phone", "Telephone number", "", Kind::Text(30), true),
            f("address", "Postal address in the UK", "", Kind::Area(400), true),
            f("home_town", "Home town", "Used to find sister-city links with Japanese towns.", Kind::Text(100), true),
            f(
                "interview_location",
                "Where would you like to be interviewed?",
                "CIR interviews are held in London only.",
                Kind::Radio(&[("london", "London"), ("edinburgh", "Edinburgh")]),
                true,
            ),
        ],
    },
    Section {
        id: "nationality",
        title: "Nationality and passport",
        fields: &[
            f("british", "Are you a British citizen?", "Permanent residence is not enough.", Kind::Radio(YES_NO), true),
            f("japanese_nationality", "Do you also hold Japanese nationality?", "", Kind::Radio(YES_NO), true),
            f("other_nationalities", "Any other nationalities", "Leave blank if none.", Kind::Text(200), false),
            f("passport_number", "Passport number", "", Kind::Text(20), true),
            f("passport_expiry", "Passport expiry date", "", Kind::Date, true),
        ],
    },
    Section {
        id: "education",
        title: "Education",
        fields: &[
            f("degree_title", "Degree", "For example BA (Hons).", Kind::Text(100), true),
            f("university", "University", "", Kind::Text(150), true),
            f("subject", "Subject", "", Kind::Text(150), true),
            f(
                "degree_status",
                "Has your degree been awarded?",
                "",
                Kind::Radio(&[("awarded", "Yes, it has been awarded"), ("expected", "Not yet")]),
                true,
            ),
            f("award_date", "Date awarded", "If it has been awarded.", Kind::Date, false),
            f("expected_date", "Expected date of award", "If it has not been awarded yet.", Kind::Date, false),
            f(
                "teacher_training",
                "Do you hold a 3-year teacher-training qualification?",
                "It counts instead of a degree for ALTs.",
                Kind::Radio(YES_NO),
                true,
            ),
        ],
    },
    Section {
        id: "japanese",
        title: "Japanese ability",
        fields: &[
            f("jlpt_level", "Highest JLPT level passed", "A certificate is not required.", Kind::Select(LEVELS), true),
            f("jlpt_date", "When did you pass it?", "If you passed a JLPT level.", Kind::Date, false),
            f("speaking", "Speaking", "Your own assessment.", Kind::Select(SKILL), true),
            f("reading", "Reading", "Your own assessment.", Kind::Select(SKILL), true),
            f("writing", "Writing", "Your own assessment.", Kind::Select(SKILL), true),
            f(
                "not_sure",
                "Are you sure your Japanese is at about JLPT N2? (CIR applicants)",
                "If you are not sure, you can ask the JET Desk to evaluate it.",
                Kind::Radio(&[("sure", "Yes, I am sure"), ("not_sure", "I am not sure"), ("na", "I am applying for ALT")]),
                true,
            ),
        ],
    },
    Section {
        id: "experience",
        title: "Teaching and other experience",
        fields: &[
            f("tefl", "Do you hold a TEFL, CELTA or similar certificate?", "", Kind::Radio(YES_NO), true),
            f("teaching", "Teaching or tutoring experience", "Leave blank if none.", Kind::Area(2000), false),
            f("work", "Work experience", "", Kind::Area(2000), true),
            f("previous_jet", "Have you been on the JET Programme before?", "", Kind::Radio(YES_NO), true),
            f("jet_years", "How many years were you on JET?", "If you have been on JET.", Kind::Number(0, 10), false),
            f("jet_last_year", "In which year did you last leave JET?", "If you have been on JET.", Kind::Number(1987, 2100), false),
            f("declined_last_year", "Did you decline a JET placement last year?", "", Kind::Radio(YES_NO), true),
            f(
                "months_in_japan",
                "Months lived in Japan in the 10 years before the departure year",
                "In total, in whole months; 0 if none.",
                Kind::Number(0, 120),
                true,
            ),
        ],
    },
    Section {
        id: "interest",
        title: "Interest in Japan and exchange",
        fields: &[
            f("interest_japan", "What draws you to Japan?", "", Kind::Area(2000), true),
            f("exchange", "Your experience of international or intercultural exchange", "", Kind::Area(2000), true),
        ],
    },
    Section {
        id: "statement",
        title: "Statement of purpose",
        fields: &[f(
            "statement",
            "Why do you want to join the JET Programme, and what will you bring to it?",
            "Keep within the word limit.",
            Kind::Words,
            true,
        )],
    },
    Section {
        id: "preferences",
        title: "Placement preferences",
        fields: &[
            f("area1", "First choice of area", "Requests are considered, not guaranteed.", Kind::Select(AREAS), true),
            f("area2", "Second choice of area", "", Kind::Select(AREAS), false),
            f("area3", "Third choice of area", "", Kind::Select(AREAS), false),
            f(
                "setting",
                "Which setting do you prefer?",
                "Most posts are rural or semi-urban.",
                Kind::Radio(&[("urban", "Urban"), ("semi_urban", "Semi-urban"), ("rural", "Rural"), ("any", "No preference")]),
                true,
            ),
            f("circumstances", "Special circumstances", "For example medical needs. Leave blank if none.", Kind::Area(1000), false),
            f("partner", "Is your partner applying to JET this year too?", "", Kind::Radio(YES_NO), true),
            f("partner_reference", "Your partner's reference number", "Like JET27-UK-000123.", Kind::Text(20), false),
        ],
    },
    Section {
        id: "health",
        title: "Health",
        fields: &[
            f("condition", "Do you have a health condition we should know about?", "It will not count against you.", Kind::Radio(YES_NO), true),
            f("condition_details", "Tell us about it", "If you answered yes.", Kind::Area(1000), false),
        ],
    },
    Section {
        id: "declarations",
        title: "Declarations and consent",
        fields: &[
            f("criminal", "Do you have any criminal convictions?", "", Kind::Radio(YES_NO), true),
            f("criminal_details", "Give details", "If you answered yes.", Kind::Area(1000), false),
            f(
                "true-and-complete",
                "The information I have given is true and complete, and I will tell the JET Desk at once of any change.",
                "",
                Kind::Tick,
                true,
            ),
            f(
                "english-and-interest",
                "My English is at native level, and I am interested in Japan and in international exchange.",
                "",
                Kind::Tick,
                true,
            ),
            f(
                "fit-to-work",
                "I am fit to live and work in Japan for a year, and I have declared any medical condition.",
                "",
                Kind::Tick,
                true,
            ),
            f(
                "criminal-record",
                "I have declared any criminal record, and I will provide a criminal records check if I am successful.",
                "",
                Kind::Tick,
                true,
            ),
            f(
                "data-processing",
                "I consent to my personal data being processed to assess my application and to run the JET Programme.",
                "See the privacy notice.",
                Kind::Tick,
                true,
            ),
        ],
    },
];

/// The section with this id.
pub fn section(id: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.id == id)
}

/// Counts words as a reader would: runs of non-whitespace.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Reads a section's answers from a submitted form, trimming, keeping only known fields.
pub fn answers_from_form(section: &Section, form: &[(String, String)]) -> Answers {
    let mut answers = Answers::new();
    for field in section.fields {
        if let Some((_, value)) = form.iter().find(|(k, _)| k == field.id) {
            // Keep at most 20,000 characters of anything: enough for every question, bounded storage.
            let value: String = value.trim().chars().take(20_000).collect();
            answers.insert(field.id.to_string(), value);
        }
    }
    answers
}

/// Checks a section's answers; returns (field id, message) for each problem.
pub fn validate(section: &Section, answers: &Answers, word_limit: usize) -> Vec<(&'static str, String)> {
    let mut errors = Vec::new();
    let get = |id: &str| answers.get(id).map(String::as_str).unwrap_or("");
    for field in section.fields {
        let value = get(field.id);
        if value.is_empty() {
            if field.required {
                errors.push((field.id, required_message(field)));
            }
            continue;
        }
        if let Some(message) = check_value(field, value, word_limit) {
            errors.push((field.id, message));
        }
    }
    // Answers that depend on others.
    let mut need = |cond: bool, id: &'static str, message: &str| {
        if cond && get(id).is_empty() && !errors.iter().any(|(f, _)| *f == id) {
            errors.push((id, message.to_string()));
        }
    };
    match section.id {
        "education" => {
            need(
                get("degree_status") == "awarded",
                "award_date",
                "Enter the date your degree was awarded",
            );
            need(
                get("degree_status") == "expected",
                "expected_date",
                "Enter the date you expect your degree to be awarded",
            );
        }
        "japanese" => need(
            get("jlpt_level") != "none" && !get("jlpt_level").is_empty(),
            "jlpt_date",
            "Enter when you passed the JLPT",
        ),
        "experience" => {
            need(
                get("previous_jet") == "yes",
                "jet_years",
                "Enter how many years you were on JET",
            );
            need(
                get("previous_jet") == "yes",
                "jet_last_year",
                "Enter the year you last left JET",
            );
        }
        "preferences" => {
            need(
                get("partner") == "yes",
                "partner_reference",
                "Enter your partner's reference number",
            );
            let partner = get("partner_reference");
            if !partner.is_empty()
                && !looks_like_reference(partner)
                && !errors.iter().any(|(f, _)| *f == "partner_reference")
            {
                errors.push((
                    "partner_reference",
                    "Enter a reference number like JET27-UK-000123".into(),
                ));
            }
            let chosen: Vec<&str> = ["area1", "area2", "area3"]
                .iter()
                .map(|a| get(a))
                .filter(|a| !a.is_empty())
                .collect();
            let mut unique = chosen.clone();
            unique.sort_unstable();
            unique.dedup();
            if unique.len() != chosen.len() {
                errors.push(("area2", "Choose three different areas".into()));
            }
        }
        "health" => need(
            get("condition") == "yes",
            "condition_details",
            "Tell us about your health condition",
        ),
        "declarations" => need(
            get("criminal") == "yes",
            "criminal_details",
            "Give details of your convictions",
        ),
        _ => {}
    }
    errors
}

fn looks_like_reference(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 15
        && s.starts_with("JET")
        && b.get(3..5).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && b.get(5) == Some(&b'-')
        && b.get(6..8).is_some_and(|c| c.iter().all(u8::is_ascii_uppercase))
        && b.get(8) == Some(&b'-')
        && b.get(9..15).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
}

fn required_message(field: &Field) -> String {
    match field.kind {
        Kind::Radio(_) | Kind::Select(_) => format!("Select an answer for “{}”", field.label),
        Kind::Tick => "Tick the box to confirm".into(),
        Kind::Date => format!("Enter a date for “{}”", field.label),
        _ => format!("Enter an answer for “{}”", field.label),
    }
}

fn check_value(field: &Field, value: &str, word_limit: usize) -> Option<String> {
    let chars = value.chars().count();
    let has_control = |s: &str| {
        s.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    };
    match field.kind {
        Kind::Text(max) => {
            if chars > max {
                Some(format!("Must be {max} characters or fewer (you have {chars})"))
            } else if value.chars().any(char::is_control) {
                Some("Must not contain control characters".into())
            } else {
                None
            }
        }
        Kind::Area(max) => {
            if chars > max {
                Some(format!("Must be {max} characters or fewer (you have {chars})"))
            } else if has_control(value) {
                Some("Must not contain control characters".into())
            } else {
                None
            }
        }
        Kind::Words => {
            let words = word_count(value);
            if words > word_limit {
                Some(format!("Must be {word_limit} words or fewer (you have {words})"))
            } else if has_control(value) {
                Some("Must not contain control characters".into())
            } else {
                None
            }
        }
        Kind::Date => match value.parse::<jiff::civil::Date>() {
            Ok(d) if d.year() >= 1900 && d.year() <= 2100 => None,
            _ => Some("Enter a real date in the form YYYY-MM-DD, for example 1999-03-27".into()),
        },
        Kind::Number(min, max) => match value.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => None,
            _ => Some(format!("Enter a whole number from {min} to {max}")),
        },
        Kind::Select(options) | Kind::Radio(options) => {
            (!options.iter().any(|(v, _)| *v == value)).then(|| "Choose one of the options".to_string())
        }
        Kind::Tick => (value != "yes").then(|| "Tick the box to confirm".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn section_ids_are_unique_and_fields_unique_within() {
        let mut ids: Vec<_> = SECTIONS.iter().map(|s| s.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), SECTIONS.len());
        for s in SECTIONS {
            let mut f: Vec<_> = s.fields.iter().map(|f| f.id).collect();
            f.sort_unstable();
            f.dedup();
            assert_eq!(f.len(), s.fields.len(), "{}", s.id);
        }
    }

    #[test]
    fn the_word_limit_is_enforced() {
        let s = section("statement").unwrap();
        let text = "word ".repeat(501);
        let errors = validate(s, &answers(&[("statement", &text)]), 500);
        assert!(errors[0].1.contains("500 words or fewer (you have 501)"));
        assert!(validate(s, &answers(&[("statement", &"word ".repeat(500))]), 500).is_empty());
    }

    #[test]
    fn an_expected_degree_needs_its_expected_date() {
        let s = section("education").unwrap();
        let a = answers(&[
            ("degree_title", "BA"),
            ("university", "Leeds"),
            ("subject", "History"),
            ("degree_status", "expected"),
            ("teacher_training", "no"),
        ]);
        let errors = validate(s, &a, 500);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, "expected_date");
    }

    #[test]
    fn impossible_dates_and_options_are_refused() {
        let s = section("personal").unwrap();
        let errors = validate(
            s,
            &answers(&[("date_of_birth", "1999-02-30"), ("sex", "<script>")]),
            500,
        );
        assert!(errors
            .iter()
            .any(|(f, m)| *f == "date_of_birth" && m.contains("real date")));
        assert!(errors
            .iter()
            .any(|(f, m)| *f == "sex" && m.contains("Choose one")));
    }

    #[test]
    fn partner_references_must_look_like_references() {
        assert!(looks_like_reference("JET27-UK-000123"));
        assert!(!looks_like_reference("JET27-uk-000123"));
        assert!(!looks_like_reference("JET27-UK-00012"));
    }

    #[test]
    fn only_known_fields_are_kept_and_values_trimmed() {
        let s = section("health").unwrap();
        let form = vec![
            ("condition".to_string(), " no ".to_string()),
            ("evil".to_string(), "x".to_string()),
        ];
        let a = answers_from_form(s, &form);
        assert_eq!(a.len(), 1);
        assert_eq!(a["condition"], "no");
    }
}
