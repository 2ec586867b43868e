//! The scheduler's input: the [`Request`] as written (JSON or Rust values, every name a string), and
//! the validated, indexed [`Instance`] the solver works on.
//!
//! Validation is the only way into an [`Instance`], so the solver never meets an unknown school, a
//! date outside the term or an impossible weekday: each is refused here with an [`InputError`] that
//! names where it is (`schools[3].preferred_weekdays[1]`, or a line and column for broken JSON).
//! National holidays for the term's years are added to the dates closed everywhere.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::date::{Date, Weekday};
use crate::holidays::{self, Holiday};

/// The longest term accepted, in days: a school year, with room to spare.
pub const MAX_TERM_DAYS: i32 = 400;

/// A request for a term's timetable, exactly as a host writes it (see `docs/timetable.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The term's first and last day.
    pub term: TermInput,
    /// Dates closed at every school (national holidays are added automatically).
    #[serde(default)]
    pub closed: Vec<String>,
    /// Whether to close Japan's national holidays automatically (default: yes).
    #[serde(default = "yes")]
    pub national_holidays: bool,
    /// The schools to visit.
    pub schools: Vec<SchoolInput>,
    /// The ALTs who visit them.
    pub alts: Vec<AltInput>,
    /// Visits fixed by hand, kept as they are when the plan is generated again.
    #[serde(default)]
    pub pinned: Vec<VisitInput>,
    /// Weights of the soft goals; any left out keep their default.
    #[serde(default)]
    pub weights: Option<Weights>,
    /// Travel minutes assumed for a visit away from the ALT's base school when the ALT's
    /// `travel_minutes` does not give them (default 30).
    #[serde(default)]
    pub default_travel_minutes: Option<u32>,
}

fn yes() -> bool {
    true
}

/// A term: first and last day, `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermInput {
    /// The first day of the term.
    pub start: String,
    /// The last day of the term.
    pub end: String,
}

/// A school as written in the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchoolInput {
    /// A unique id, e.g. `"s1"`.
    pub id: String,
    /// The school's name, e.g. 「青葉小学校」.
    #[serde(default)]
    pub name: String,
    /// `elementary`, `junior_high`, `senior_high` or `special_needs`.
    pub level: String,
    /// How many visit days the school needs, and per what.
    pub visits: VisitsInput,
    /// Weekdays the school would rather be visited on (`"mon"` … `"sun"`).
    #[serde(default)]
    pub preferred_weekdays: Vec<String>,
    /// Dates the school is closed (exams, sports day, events).
    #[serde(default)]
    pub closed: Vec<String>,
    /// Weekdays the school teaches; Monday to Friday when left out.
    #[serde(default)]
    pub weekdays: Option<Vec<String>>,
}

/// A visit requirement: `days` visit days in every `per` (`week`, `month` or `term`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitsInput {
    /// `week` (ISO weeks), `month` (calendar months) or `term`.
    pub per: String,
    /// Visit days needed in each such period.
    pub days: u32,
}

/// An ALT as written in the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AltInput {
    /// A unique id, e.g. `"a1"`.
    pub id: String,
    /// The ALT's name, for calendars.
    #[serde(default)]
    pub name: String,
    /// The school the ALT is based at (always reachable).
    pub base_school: String,
    /// The weekdays the ALT works.
    pub weekdays: Vec<String>,
    /// Dates the ALT does not work (leave, training).
    #[serde(default)]
    pub unavailable: Vec<String>,
    /// Schools the ALT can reach (the base school is added if missing).
    #[serde(default)]
    pub reachable: Vec<String>,
    /// Minutes from the base school to other schools, by school id.
    #[serde(default)]
    pub travel_minutes: BTreeMap<String, u32>,
}

/// One visit as written: a date, an ALT and a school (used for pinned visits and plans).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// The ALT's id.
    pub alt: String,
    /// The school's id.
    pub school: String,
}

/// Weights of the soft goals; the objective is the weighted sum of the penalties (lower is better).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    /// Per visit made by someone other than the school's main ALT of the term.
    pub continuity: f64,
    /// Per lost fraction of the ideal gap between a school's consecutive visits (bunching).
    pub spread: f64,
    /// Per visit on a weekday the school did not prefer (only for schools that state preferences).
    pub weekday: f64,
    /// Per squared day of an ALT's load away from a fair share of the visits.
    pub fairness: f64,
    /// Per minute of travel from the ALT's base school.
    pub travel: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            continuity: 3.0,
            spread: 2.0,
            weekday: 1.0,
            fairness: 0.5,
            travel: 0.02,
        }
    }
}

/// A school level in the 6-3-3 system, plus special-needs schools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 小学校, six years from age 6.
    Elementary,
    /// 中学校, three years.
    JuniorHigh,
    /// 高等学校, three years.
    SeniorHigh,
    /// 特別支援学校.
    SpecialNeeds,
}

impl Level {
    fn parse(text: &str) -> Option<Level> {
        match text {
            "elementary" => Some(Level::Elementary),
            "junior_high" => Some(Level::JuniorHigh),
            "senior_high" => Some(Level::SeniorHigh),
            "special_needs" => Some(Level::SpecialNeeds),
            _ => None,
        }
    }
}

/// The length of a requirement's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    /// An ISO week, Monday to Sunday, labelled like `2027-W18`.
    Week,
    /// A calendar month, labelled like `2027-05`.
    Month,
    /// The whole term, labelled `term`.
    Term,
}

/// Why a request was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// The text is not JSON of the right shape (a missing field, a number where a list belongs…).
    Syntax {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The JSON is well formed but a value is not acceptable.
    Invalid {
        /// Where, e.g. `schools[3].preferred_weekdays[1]`.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

impl InputError {
    fn invalid(path: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Syntax {
                line,
                column,
                message,
            } => write!(f, "line {line}, column {column}: {message}"),
            InputError::Invalid { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for InputError {}

/// A period of a requirement: a contiguous run of term days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// `2027-W18`, `2027-05` or `term`.
    pub label: String,
    /// Index of its first day in the term.
    pub first: usize,
    /// Index of its last day in the term (inclusive).
    pub last: usize,
}

/// A validated school.
#[derive(Debug, Clone)]
pub struct School {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its level.
    pub level: Level,
    /// Per what the requirement counts.
    pub per: Per,
    /// Visit days needed in each period.
    pub days: u32,
    /// Preferred weekdays (by [`Weekday::index`]); all false means no preference.
    pub preferred: [bool; 7],
    /// Whether the school is open on each term day (teaching weekday, not closed, not a holiday).
    pub open: Vec<bool>,
    /// The ALTs who can reach it, in ALT order.
    pub reachable_by: Vec<usize>,
}

impl School {
    /// Whether the school states preferred weekdays at all.
    pub fn has_preferences(&self) -> bool {
        self.preferred.iter().any(|&p| p)
    }
}

/// A validated ALT.
#[derive(Debug, Clone)]
pub struct Alt {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Index of the base school.
    pub base_school: usize,
    /// Whether the ALT works on each term day (working weekday, available, not closed everywhere).
    pub works: Vec<bool>,
    /// The schools the ALT can reach, ascending, base school included.
    pub reachable: Vec<usize>,
    /// Whether the ALT can reach each school.
    pub can_reach: Vec<bool>,
    /// Travel minutes from the base school to each school.
    pub travel: Vec<u32>,
}

/// A pinned visit, by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pin {
    /// Term day index.
    pub day: usize,
    /// ALT index.
    pub alt: usize,
    /// School index.
    pub school: usize,
}

/// A validated request: every name resolved to an index, every date to a term day.
#[derive(Debug, Clone)]
pub struct Instance {
    pub(crate) days: Vec<Date>,
    pub(crate) closed_everywhere: Vec<bool>,
    pub(crate) holidays: Vec<Holiday>,
    pub(crate) schools: Vec<School>,
    pub(crate) alts: Vec<Alt>,
    pub(crate) pins: Vec<Pin>,
    pub(crate) weights: Weights,
    pub(crate) periods: BTreeMap<Per, Vec<Period>>,
    pub(crate) period_of_day: BTreeMap<Per, Vec<usize>>,
}

impl Instance {
    /// Parses and validates a JSON request.
    ///
    /// # Errors
    /// [`InputError::Syntax`] with line and column when the JSON is broken or misshapen;
    /// [`InputError::Invalid`] with a path when a value is not acceptable.
    pub fn from_json(text: &str) -> Result<Instance, InputError> {
        let request: Request = serde_json::from_str(text).map_err(|e| InputError::Syntax {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?;
        Instance::new(&request)
    }

    /// Validates a request.
    ///
    /// # Errors
    /// [`InputError::Invalid`] naming the first value that is not acceptable.
    pub fn new(request: &Request) -> Result<Instance, InputError> {
        validate(request)
    }

    /// Every day of the term, first to last.
    pub fn days(&self) -> &[Date] {
        &self.days
    }

    /// The term's first day.
    pub fn start(&self) -> Date {
        self.days.first().copied().unwrap_or(Date::from_days(0))
    }

    /// The term's last day.
    pub fn end(&self) -> Date {
        self.days.last().copied().unwrap_or(Date::from_days(0))
    }

    /// Whether a term day is closed everywhere (a national holiday or a listed closed date).
    pub fn closed_everywhere(&self, day: usize) -> bool {
        self.closed_everywhere.get(day).copied().unwrap_or(true)
    }

    /// The national holidays that fall in the term (empty if `national_holidays` was false).
    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    /// The schools, in input order.
    pub fn schools(&self) -> &[School] {
        &self.schools
    }

    /// The ALTs, in input order.
    pub fn alts(&self) -> &[Alt] {
        &self.alts
    }

    /// The pinned visits.
    pub fn pins(&self) -> &[Pin] {
        &self.pins
    }

    /// The soft goals' weights.
    pub fn weights(&self) -> Weights {
        self.weights
    }

    /// The periods of one kind covering the term, in order.
    pub fn periods(&self, per: Per) -> &[Period] {
        self.periods.get(&per).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The period (of the school's kind) a term day belongs to, as an index into
    /// [`Instance::periods`].
    pub fn period_index(&self, per: Per, day: usize) -> usize {
        self.period_of_day
            .get(&per)
            .and_then(|v| v.get(day))
            .copied()
            .unwrap_or(0)
    }

    /// The index of a term date, if the date is in the term.
    pub fn day_index(&self, date: Date) -> Option<usize> {
        let offset = date.days_since_epoch() - self.start().days_since_epoch();
        usize::try_from(offset).ok().filter(|&i| i < self.days.len())
    }

    /// A school's index by id.
    pub fn school_index(&self, id: &str) -> Option<usize> {
        self.schools.iter().position(|s| s.id == id)
    }

    /// An ALT's index by id.
    pub fn alt_index(&self, id: &str) -> Option<usize> {
        self.alts.iter().position(|a| a.id == id)
    }
}

fn strip_position(message: &str) -> String {
    // serde_json appends " at line L column C"; the error carries them separately.
    match message.rfind(" at line ") {
        Some(cut) => message.get(..cut).unwrap_or(message).to_string(),
        None => message.to_string(),
    }
}

fn parse_date(text: &str, path: &str) -> Result<Date, InputError> {
    Date::parse(text)
        .ok_or_else(|| InputError::invalid(path, format!("\"{text}\" is not a date of the form YYYY-MM-DD")))
}

fn parse_weekday(text: &str, path: &str) -> Result<Weekday, InputError> {
    Weekday::parse(text).ok_or_else(|| {
        InputError::invalid(
            path,
            format!("\"{text}\" is not a weekday (expected mon, tue, wed, thu, fri, sat or sun)"),
        )
    })
}

fn validate(request: &Request) -> Result<Instance, InputError> {
    let start = parse_date(&request.term.start, "term.start")?;
    let end = parse_date(&request.term.end, "term.end")?;
    if end < start {
        return Err(InputError::invalid(
            "term.end",
            format!("the term ends ({end}) before it starts ({start})"),
        ));
    }
    let length = end.days_since_epoch() - start.days_since_epoch() + 1;
    if length > MAX_TERM_DAYS {
        return Err(InputError::invalid(
            "term.end",
            format!("a term of {length} days is longer than the {MAX_TERM_DAYS} days accepted"),
        ));
    }
    let days: Vec<Date> = (0..length).map(|i| start.add_days(i)).collect();
    let day_of = |date: Date| -> Option<usize> {
        usize::try_from(date.days_since_epoch() - start.days_since_epoch())
            .ok()
            .filter(|&i| i < days.len())
    };
    let term_day = |text: &str, path: &str| -> Result<usize, InputError> {
        let date = parse_date(text, path)?;
        day_of(date).ok_or_else(|| {
            InputError::invalid(path, format!("{date} is outside the term ({start} to {end})"))
        })
    };

    let holidays = if request.national_holidays {
        holidays::holidays_between(start, end).map_err(|year| {
            InputError::invalid(
                "term",
                format!(
                    "national holidays are known for {} to {} only, not {year} \
                     (set \"national_holidays\": false and list them in \"closed\")",
                    holidays::FIRST_YEAR,
                    holidays::LAST_YEAR
                ),
            )
        })?
    } else {
        Vec::new()
    };
    let mut closed_everywhere = vec![false; days.len()];
    for holiday in &holidays {
        if let Some(slot) = day_of(holiday.date).and_then(|i| closed_everywhere.get_mut(i)) {
            *slot = true;
        }
    }
    for (i, text) in request.closed.iter().enumerate() {
        let day = term_day(text, &format!("closed[{i}]"))?;
        if let Some(slot) = closed_everywhere.get_mut(day) {
            *slot = true;
        }
    }

    // Ids first, so that references in any order resolve.
    let mut school_ids: HashMap<&str, usize> = HashMap::new();
    for (i, school) in request.schools.iter().enumerate() {
        if school.id.trim().is_empty() {
            return Err(InputError::invalid(
                format!("schools[{i}].id"),
                "a school id must not be empty",
            ));
        }
        if let Some(first) = school_ids.insert(school.id.as_str(), i) {
            return Err(InputError::invalid(
                format!("schools[{i}].id"),
                format!("\"{}\" is already the id of schools[{first}]", school.id),
            ));
        }
    }
    let mut alt_ids: HashMap<&str, usize> = HashMap::new();
    for (i, alt) in request.alts.iter().enumerate() {
        if alt.id.trim().is_empty() {
            return Err(InputError::invalid(
                format!("alts[{i}].id"),
                "an ALT id must not be empty",
            ));
        }
        if let Some(first) = alt_ids.insert(alt.id.as_str(), i) {
            return Err(InputError::invalid(
                format!("alts[{i}].id"),
                format!("\"{}\" is already the id of alts[{first}]", alt.id),
            ));
        }
    }
    let school_ref = |id: &str, path: &str| -> Result<usize, InputError> {
        school_ids
            .get(id)
            .copied()
            .ok_or_else(|| InputError::invalid(path, format!("unknown school \"{id}\"")))
    };

    let mut schools = Vec::with_capacity(request.schools.len());
    for (i, input) in request.schools.iter().enumerate() {
        let at = |field: &str| format!("schools[{i}].{field}");
        let level = Level::parse(&input.level).ok_or_else(|| {
            InputError::invalid(
                at("level"),
                format!(
                    "\"{}\" is not a school level (expected elementary, junior_high, \
                     senior_high or special_needs)",
                    input.level
                ),
            )
        })?;
        let per = match input.visits.per.as_str() {
            "week" => Per::Week,
            "month" => Per::Month,
            "term" => Per::Term,
            other => {
                return Err(InputError::invalid(
                    at("visits.per"),
                    format!("\"{other}\" is not a period (expected week, month or term)"),
                ))
            }
        };
        let mut preferred = [false; 7];
        for (j, text) in input.preferred_weekdays.iter().enumerate() {
            let day = parse_weekday(text, &at(&format!("preferred_weekdays[{j}]")))?;
            if let Some(slot) = preferred.get_mut(day.index()) {
                *slot = true;
            }
        }
        let mut teaches = [false; 7];
        match &input.weekdays {
            Some(list) => {
                for (j, text) in list.iter().enumerate() {
                    let day = parse_weekday(text, &at(&format!("weekdays[{j}]")))?;
                    if let Some(slot) = teaches.get_mut(day.index()) {
                        *slot = true;
                    }
                }
            }
            None => {
                for day in Weekday::SCHOOL_DAYS {
                    if let Some(slot) = teaches.get_mut(day.index()) {
                        *slot = true;
                    }
                }
            }
        }
        let mut open: Vec<bool> = days
            .iter()
            .zip(&closed_everywhere)
            .map(|(date, &closed)| !closed && teaches.get(date.weekday().index()).copied().unwrap_or(false))
            .collect();
        for (j, text) in input.closed.iter().enumerate() {
            let day = term_day(text, &at(&format!("closed[{j}]")))?;
            if let Some(slot) = open.get_mut(day) {
                *slot = false;
            }
        }
        schools.push(School {
            id: input.id.clone(),
            name: input.name.clone(),
            level,
            per,
            days: input.visits.days,
            preferred,
            open,
            reachable_by: Vec::new(),
        });
    }

    let default_travel = request.default_travel_minutes.unwrap_or(30);
    let mut alts = Vec::with_capacity(request.alts.len());
    for (i, input) in request.alts.iter().enumerate() {
        let at = |field: &str| format!("alts[{i}].{field}");
        let base_school = school_ref(&input.base_school, &at("base_school"))?;
        let mut works_on = [false; 7];
        for (j, text) in input.weekdays.iter().enumerate() {
            let day = parse_weekday(text, &at(&format!("weekdays[{j}]")))?;
            if let Some(slot) = works_on.get_mut(day.index()) {
                *slot = true;
            }
        }
        let mut works: Vec<bool> = days
            .iter()
            .zip(&closed_everywhere)
            .map(|(date, &closed)| !closed && works_on.get(date.weekday().index()).copied().unwrap_or(false))
            .collect();
        for (j, text) in input.unavailable.iter().enumerate() {
            let day = term_day(text, &at(&format!("unavailable[{j}]")))?;
            if let Some(slot) = works.get_mut(day) {
                *slot = false;
            }
        }
        let mut reachable = BTreeSet::new();
        reachable.insert(base_school);
        for (j, id) in input.reachable.iter().enumerate() {
            reachable.insert(school_ref(id, &at(&format!("reachable[{j}]")))?);
        }
        let mut travel: Vec<u32> = (0..schools.len())
            .map(|s| if s == base_school { 0 } else { default_travel })
            .collect();
        for (id, &minutes) in &input.travel_minutes {
            let s = school_ref(id, &at(&format!("travel_minutes.{id}")))?;
            if let Some(slot) = travel.get_mut(s) {
                *slot = minutes;
            }
        }
        let mut can_reach = vec![false; schools.len()];
        for &s in &reachable {
            if let Some(slot) = can_reach.get_mut(s) {
                *slot = true;
            }
            if let Some(school) = schools.get_mut(s) {
                school.reachable_by.push(i);
            }
        }
        alts.push(Alt {
            id: input.id.clone(),
            name: input.name.clone(),
            base_school,
            works,
            reachable: reachable.into_iter().collect(),
            can_reach,
            travel,
        });
    }

    let mut pins = Vec::with_capacity(request.pinned.len());
    for (i, visit) in request.pinned.iter().enumerate() {
        let at = |field: &str| format!("pinned[{i}].{field}");
        let day = term_day(&visit.date, &at("date"))?;
        let school = school_ref(&visit.school, &at("school"))?;
        let alt = alt_ids
            .get(visit.alt.as_str())
            .copied()
            .ok_or_else(|| InputError::invalid(at("alt"), format!("unknown ALT \"{}\"", visit.alt)))?;
        pins.push(Pin { day, alt, school });
    }
    pins.sort();
    pins.dedup();
    check_pins(&pins, &schools, &alts, &days)?;

    let weights = request.weights.unwrap_or_default();
    for (name, value) in [
        ("continuity", weights.continuity),
        ("spread", weights.spread),
        ("weekday", weights.weekday),
        ("fairness", weights.fairness),
        ("travel", weights.travel),
    ] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(InputError::invalid(
                format!("weights.{name}"),
                format!("{value} is not a weight (expected a number of 0 or more)"),
            ));
        }
    }

    let (periods, period_of_day) = build_periods(&days);
    // Pins count towards their period's requirement; more pins than required is refused rather
    // than silently breaking "never more visits than a period requires".
    let mut pinned_in: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    for pin in &pins {
        let Some(school) = schools.get(pin.school) else {
            continue;
        };
        let p = period_of_day
            .get(&school.per)
            .and_then(|v| v.get(pin.day))
            .copied()
            .unwrap_or(0);
        let n = pinned_in.entry((pin.school, p)).or_insert(0);
        *n += 1;
        if *n > school.days {
            let label = periods
                .get(&school.per)
                .and_then(|v| v.get(p))
                .map(|x| x.label.clone())
                .unwrap_or_default();
            return Err(InputError::invalid(
                "pinned",
                format!(
                    "{} pinned visits to {} in {label}, which requires only {}",
                    n, school.id, school.days
                ),
            ));
        }
    }
    Ok(Instance {
        days,
        closed_everywhere,
        holidays,
        schools,
        alts,
        pins,
        weights,
        periods,
        period_of_day,
    })
}

/// Pinned visits must themselves respect the hard constraints: a pin the host cannot keep is an
/// input error, not something for the solver to quietly drop.
fn check_pins(pins: &[Pin], schools: &[School], alts: &[Alt], days: &[Date]) -> Result<(), InputError> {
    let mut alt_days = BTreeSet::new();
    let mut school_days = BTreeSet::new();
    for pin in pins {
        let date = days.get(pin.day).map(ToString::to_string).unwrap_or_default();
        let (Some(alt), Some(school)) = (alts.get(pin.alt), schools.get(pin.school)) else {
            continue;
        };
        let problem = if !alt.works.get(pin.day).copied().unwrap_or(false) {
            Some(format!("{} does not work on {date}", alt.id))
        } else if !school.open.get(pin.day).copied().unwrap_or(false) {
            Some(format!("{} is closed on {date}", school.id))
        } else if !alt.can_reach.get(pin.school).copied().unwrap_or(false) {
            Some(format!("{} cannot reach {}", alt.id, school.id))
        } else if !alt_days.insert((pin.alt, pin.day)) {
            Some(format!("{} is pinned to two schools on {date}", alt.id))
        } else if !school_days.insert((pin.school, pin.day)) {
            Some(format!("{} has two pinned ALTs on {date}", school.id))
        } else {
            None
        };
        if let Some(message) = problem {
            return Err(InputError::invalid(
                format!("pinned ({date}, {}, {})", alt.id, school.id),
                message,
            ));
        }
    }
    Ok(())
}

type PeriodTables = (BTreeMap<Per, Vec<Period>>, BTreeMap<Per, Vec<usize>>);

fn build_periods(days: &[Date]) -> PeriodTables {
    let mut periods = BTreeMap::new();
    let mut period_of_day = BTreeMap::new();
    for per in [Per::Week, Per::Month, Per::Term] {
        let mut list: Vec<Period> = Vec::new();
        let mut of_day = Vec::with_capacity(days.len());
        for (i, date) in days.iter().enumerate() {
            let label = period_label(per, *date);
            match list.last_mut() {
                Some(last) if last.label == label => last.last = i,
                _ => list.push(Period {
                    label,
                    first: i,
                    last: i,
                }),
            }
            of_day.push(list.len().saturating_sub(1));
        }
        periods.insert(per, list);
        period_of_day.insert(per, of_day);
    }
    (periods, period_of_day)
}

/// The label of the period of a kind that holds a date: `2027-W18`, `2027-05` or `term`.
pub fn period_label(per: Per, date: Date) -> String {
    match per {
        Per::Week => {
            let (year, week) = date.iso_week();
            format!("{year}-W{week:02}")
        }
        Per::Month => {
            let (year, month, _) = date.ymd();
            format!("{year}-{month:02}")
        }
        Per::Term => "term".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> String {
        r#"{"term": {"start": "2027-04-06", "end": "2027-07-20"}, "closed": ["2027-05-06"],
            "schools": [
              {"id": "s1", "name": "Aoba ES", "level": "elementary", "visits": {"per": "week", "days": 2},
               "preferred_weekdays": ["mon", "thu"], "closed": []},
              {"id": "s2", "name": "Midori JHS", "level": "junior_high", "visits": {"per": "month", "days": 3}}
            ],
            "alts": [{"id": "a1", "base_school": "s1", "weekdays": ["mon","tue","wed","thu","fri"],
                      "unavailable": [], "reachable": ["s1", "s2"]}]}"#
            .to_string()
    }

    fn error_of(text: &str) -> String {
        match Instance::from_json(text) {
            Ok(_) => "accepted".to_string(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_issue_example_is_accepted_with_holidays_closed() {
        let instance = Instance::from_json(&sample());
        assert!(instance.is_ok(), "{instance:?}");
        if let Ok(instance) = instance {
            assert_eq!(instance.days().len(), 106);
            // 29 April (Showa Day) and 3-5 May are closed everywhere, 6 May by the request.
            for date in [
                "2027-04-29",
                "2027-05-03",
                "2027-05-04",
                "2027-05-05",
                "2027-05-06",
            ] {
                let day = Date::parse(date).and_then(|d| instance.day_index(d));
                assert!(day.is_some_and(|d| instance.closed_everywhere(d)), "{date}");
            }
            assert_eq!(
                instance.periods(Per::Week).first().map(|p| p.label.as_str()),
                Some("2027-W14")
            );
        }
    }

    #[test]
    fn an_impossible_weekday_name_is_refused_where_it_is() {
        let text = sample().replace(r#"["mon", "thu"]"#, r#"["mon", "funday"]"#);
        assert_eq!(
            error_of(&text),
            "schools[0].preferred_weekdays[1]: \"funday\" is not a weekday (expected mon, tue, wed, thu, fri, sat or sun)"
        );
    }

    #[test]
    fn an_unknown_school_is_refused_where_it_is() {
        let text = sample().replace(r#""reachable": ["s1", "s2"]"#, r#""reachable": ["s1", "s9"]"#);
        assert_eq!(error_of(&text), "alts[0].reachable[1]: unknown school \"s9\"");
    }

    #[test]
    fn a_date_outside_the_term_is_refused_where_it_is() {
        let text = sample().replace(r#""closed": []"#, r#""closed": ["2027-08-01"]"#);
        assert_eq!(
            error_of(&text),
            "schools[0].closed[0]: 2027-08-01 is outside the term (2027-04-06 to 2027-07-20)"
        );
    }

    #[test]
    fn broken_json_is_refused_with_line_and_column() {
        let text = sample().replace(r#""level": "elementary","#, r#""level": "elementary""#);
        let message = error_of(&text);
        assert_eq!(message, "line 3, column 69: expected `,` or `}`");
    }

    #[test]
    fn a_missing_field_is_refused_with_line_and_column() {
        let text = sample().replace(r#""base_school": "s1","#, "");
        let message = error_of(&text);
        assert!(message.contains("missing field `base_school`"), "{message}");
        assert!(message.starts_with("line "), "{message}");
    }

    #[test]
    fn duplicate_ids_and_bad_levels_and_periods_are_refused() {
        let text = sample().replace(r#""id": "s2""#, r#""id": "s1""#);
        assert_eq!(
            error_of(&text),
            "schools[1].id: \"s1\" is already the id of schools[0]"
        );
        let text = sample().replace("junior_high", "high");
        assert!(error_of(&text).starts_with("schools[1].level: \"high\" is not a school level"));
        let text = sample().replace(r#""per": "month""#, r#""per": "fortnight""#);
        assert!(error_of(&text).starts_with("schools[1].visits.per: \"fortnight\""));
    }

    #[test]
    fn a_term_ending_before_it_starts_is_refused() {
        let text = sample().replace("2027-07-20", "2027-04-01");
        assert!(error_of(&text).starts_with("term.end: the term ends (2027-04-01) before"));
    }

    #[test]
    fn a_pin_that_breaks_a_hard_constraint_is_refused() {
        let text = sample().replace(
            r#""closed": ["2027-05-06"],"#,
            r#""closed": ["2027-05-06"], "pinned": [{"date": "2027-04-10", "alt": "a1", "school": "s1"}],"#,
        );
        assert_eq!(
            error_of(&text),
            "pinned (2027-04-10, a1, s1): a1 does not work on 2027-04-10"
        );
    }
}
