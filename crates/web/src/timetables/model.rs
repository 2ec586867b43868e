//! The planner's logic without HTTP: turning the stored schools, ALTs and plan into a
//! `jetdesk-timetable` request, checking a hand-made move with the crate's independent checker,
//! and laying visits out as week grids and calendars.

use jetdesk_store::{TtAlt, TtPlan, TtSchool};
use jetdesk_timetable::input::{AltInput, SchoolInput, TermInput, VisitInput, VisitsInput};
use jetdesk_timetable::{check, Date, Instance, Plan, Request, Unmet, Visit};
use std::collections::{BTreeMap, BTreeSet};

/// The reason recorded for a shortfall a host made by moving a visit by hand.
pub const MOVED_BY_HAND: &str = "moved by hand";

/// Splits a comma- or space-separated list, dropping empty items.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n', '\r', '\t', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The request for the solver: the organisation's schools and ALTs, the plan's term and closed
/// dates, and `pins`.
pub fn request(plan: &TtPlan, schools: &[TtSchool], alts: &[TtAlt], pins: Vec<VisitInput>) -> Request {
    Request {
        term: TermInput {
            start: plan.term_start.clone(),
            end: plan.term_end.clone(),
        },
        closed: split_list(&plan.closed),
        national_holidays: true,
        schools: schools
            .iter()
            .map(|s| SchoolInput {
                id: s.code.clone(),
                name: s.name.clone(),
                level: s.level.clone(),
                visits: VisitsInput {
                    per: s.per.clone(),
                    days: u32::try_from(s.days).unwrap_or(0),
                },
                preferred_weekdays: split_list(&s.preferred_weekdays),
                closed: split_list(&s.closed),
                weekdays: None,
            })
            .collect(),
        alts: alts
            .iter()
            .map(|a| AltInput {
                id: a.code.clone(),
                name: a.name.clone(),
                base_school: a.base_school.clone(),
                weekdays: split_list(&a.weekdays),
                unavailable: split_list(&a.unavailable),
                reachable: split_list(&a.reachable),
                travel_minutes: BTreeMap::new(),
            })
            .collect(),
        pinned: pins,
        weights: None,
        default_travel_minutes: None,
    }
}

/// The pins stored with a plan.
pub fn pins_of(plan: &TtPlan) -> Vec<VisitInput> {
    serde_json::from_str(&plan.pins_json).unwrap_or_default()
}

/// The unmet requirements of `visits`, computed afresh; reasons are kept from `old` where the
/// period was already short, and [`MOVED_BY_HAND`] otherwise.
pub fn recompute_unmet(instance: &Instance, visits: &[Visit], old: &[Unmet]) -> Vec<Unmet> {
    let old_reason: BTreeMap<(&str, &str), &str> = old
        .iter()
        .map(|u| ((u.school.as_str(), u.period.as_str()), u.reason.as_str()))
        .collect();
    let mut unmet = Vec::new();
    for school in instance.schools() {
        let days: Vec<usize> = visits
            .iter()
            .filter(|v| v.school == school.id)
            .filter_map(|v| Date::parse(&v.date).and_then(|d| instance.day_index(d)))
            .collect();
        for period in instance.periods(school.per) {
            let got = days
                .iter()
                .filter(|&&d| d >= period.first && d <= period.last)
                .count() as u32;
            if got < school.days {
                let reason = old_reason
                    .get(&(school.id.as_str(), period.label.as_str()))
                    .copied()
                    .unwrap_or(MOVED_BY_HAND);
                unmet.push(Unmet {
                    school: school.id.clone(),
                    period: period.label.clone(),
                    required: school.days,
                    scheduled: got,
                    reason: reason.to_string(),
                });
            }
        }
    }
    unmet
}

/// What the checker says about a plan with visits as given and an honest unmet list, each
/// problem without its `visits[i]` position (which shifts when a visit moves).
fn problems(instance: &Instance, plan: &Plan) -> BTreeSet<String> {
    check(instance, plan)
        .into_iter()
        .map(|p| match p.find(" (") {
            Some(i) if p.starts_with("visits[") => p[i + 1..].to_string(),
            _ => p,
        })
        .collect()
}

/// A problem a move would cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// A hard constraint the moved visit breaks, as the checker words it (without position).
    Hard(String),
    /// A period now has fewer visits than it needs (school, period, scheduled, required).
    Short(String, String, u32, u32),
}

/// The result of trying a move.
#[derive(Debug, Clone)]
pub struct MoveOutcome {
    /// The plan after the move (with the moved visit pinned and unmet recomputed).
    pub plan: Plan,
    /// The conflicts the move causes that the plan did not already have.
    pub conflicts: Vec<Conflict>,
}

impl MoveOutcome {
    /// Whether a hard constraint would be broken (such a move is never saved).
    pub fn breaks_hard(&self) -> bool {
        self.conflicts.iter().any(|c| matches!(c, Conflict::Hard(_)))
    }
}

/// Moves `from` to `date` with `alt` and checks the result with the crate's independent checker.
/// `instance` must be built without pins (a moved pin would otherwise be "missing").
pub fn try_move(instance: &Instance, plan: &Plan, from: &Visit, date: &str, alt: &str) -> MoveOutcome {
    let before = {
        let mut p = plan.clone();
        p.unmet = recompute_unmet(instance, &p.visits, &plan.unmet);
        p
    };
    let mut after = plan.clone();
    after
        .visits
        .retain(|v| !(v.date == from.date && v.alt == from.alt && v.school == from.school));
    after.visits.push(Visit {
        date: date.to_string(),
        alt: alt.to_string(),
        school: from.school.clone(),
        pinned: true,
    });
    after.visits.sort();
    after.unmet = recompute_unmet(instance, &after.visits, &plan.unmet);
    let old_problems = problems(instance, &before);
    let mut conflicts: Vec<Conflict> = problems(instance, &after)
        .into_iter()
        .filter(|p| !old_problems.contains(p))
        .map(Conflict::Hard)
        .collect();
    let old_short: BTreeMap<(&str, &str), u32> = before
        .unmet
        .iter()
        .map(|u| ((u.school.as_str(), u.period.as_str()), u.scheduled))
        .collect();
    for u in &after.unmet {
        let was = old_short
            .get(&(u.school.as_str(), u.period.as_str()))
            .copied()
            .unwrap_or(u.required);
        if u.scheduled < was {
            conflicts.push(Conflict::Short(
                u.school.clone(),
                u.period.clone(),
                u.scheduled,
                u.required,
            ));
        }
    }
    after.stats.scheduled_visits = after.visits.len() as u32;
    after.stats.unmet_visits = after.unmet.iter().map(|u| u.required - u.scheduled).sum();
    MoveOutcome {
        plan: after,
        conflicts,
    }
}

/// The pins after moving `from` to `to`: `from` is no longer pinned, `to` is.
pub fn pins_after_move(mut pins: Vec<VisitInput>, from: &Visit, to: &Visit) -> Vec<VisitInput> {
    pins.retain(|p| !(p.date == from.date && p.alt == from.alt && p.school == from.school));
    pins.push(VisitInput {
        date: to.date.clone(),
        alt: to.alt.clone(),
        school: to.school.clone(),
    });
    pins.sort();
    pins.dedup();
    pins
}

/// The Monday of every week the term touches, first to last.
pub fn term_mondays(start: &str, end: &str) -> Vec<Date> {
    let (Some(start), Some(end)) = (Date::parse(start), Date::parse(end)) else {
        return Vec::new();
    };
    let mut mondays = Vec::new();
    let mut monday = start.monday();
    while monday <= end && mondays.len() < 60 {
        mondays.push(monday);
        monday = monday.add_days(7);
    }
    mondays
}

/// Monday to Friday of the week starting `monday`.
pub fn school_week(monday: Date) -> Vec<Date> {
    (0..5).map(|i| monday.add_days(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row_plan() -> TtPlan {
        TtPlan {
            id: 1,
            org_id: 1,
            name: "t".into(),
            term_start: "2027-04-12".into(),
            term_end: "2027-04-23".into(),
            closed: String::new(),
            plan_json: None,
            pins_json: "[]".into(),
            published_json: None,
            published_at: None,
        }
    }

    fn school(code: &str, per: &str, days: i64) -> TtSchool {
        TtSchool {
            id: 0,
            org_id: 1,
            code: code.into(),
            name: code.into(),
            level: "elementary".into(),
            per: per.into(),
            days,
            preferred_weekdays: String::new(),
            closed: String::new(),
        }
    }

    fn alt(code: &str, base: &str, weekdays: &str, reachable: &str) -> TtAlt {
        TtAlt {
            id: 0,
            org_id: 1,
            code: code.into(),
            name: code.into(),
            email: String::new(),
            base_school: base.into(),
            weekdays: weekdays.into(),
            unavailable: String::new(),
            reachable: reachable.into(),
            feed_token: "x".into(),
        }
    }

    #[test]
    fn lists_split_on_commas_spaces_and_japanese_commas() {
        assert_eq!(split_list("mon, thu、fri  "), vec!["mon", "thu", "fri"]);
        assert!(split_list(" , ").is_empty());
    }

    #[test]
    fn a_move_onto_a_busy_day_is_a_hard_conflict_and_within_the_week_is_not() {
        let schools = vec![school("s1", "week", 1), school("s2", "week", 1)];
        let alts = vec![alt("a1", "s1", "mon,tue,wed,thu,fri", "s2")];
        let request = request(&row_plan(), &schools, &alts, Vec::new());
        let instance = Instance::new(&request).unwrap();
        let plan = jetdesk_timetable::solve(&instance, &jetdesk_timetable::Options::default());
        assert!(plan.unmet.is_empty());
        let s1 = plan.visits.iter().find(|v| v.school == "s1").unwrap().clone();
        let s2 = plan
            .visits
            .iter()
            .find(|v| {
                v.school == "s2"
                    && Date::parse(&v.date).unwrap().monday() == Date::parse(&s1.date).unwrap().monday()
            })
            .unwrap()
            .clone();
        // Onto the day a1 is already at s2.
        let out = try_move(&instance, &plan, &s1, &s2.date, "a1");
        assert!(out.breaks_hard(), "{:?}", out.conflicts);
        // Onto Saturday: a1 does not work and the school is closed.
        let out = try_move(&instance, &plan, &s1, "2027-04-17", "a1");
        assert!(out.breaks_hard());
        // Onto the next week: that week has two, this week none.
        let next = Date::parse(&s1.date).unwrap().add_days(7).to_string();
        let out = try_move(&instance, &plan, &s1, &next, "a1");
        assert!(out.breaks_hard());
        assert!(out.conflicts.iter().any(|c| matches!(c, Conflict::Short(..))));
        // A free day in the same week: fine, and the visit is pinned.
        let monday = Date::parse(&s1.date).unwrap().monday();
        let free = school_week(monday)
            .into_iter()
            .map(|d| d.to_string())
            .find(|d| !plan.visits.iter().any(|v| &v.date == d))
            .unwrap();
        let out = try_move(&instance, &plan, &s1, &free, "a1");
        assert!(out.conflicts.is_empty(), "{:?}", out.conflicts);
        assert!(out.plan.visits.iter().any(|v| v.date == free && v.pinned));
    }

    #[test]
    fn a_move_that_only_leaves_a_period_short_is_a_soft_conflict() {
        let schools = vec![school("s1", "week", 2)];
        let alts = vec![alt("a1", "s1", "mon,tue,wed,thu,fri", "")];
        let request = request(&row_plan(), &schools, &alts, Vec::new());
        let instance = Instance::new(&request).unwrap();
        let mut plan = jetdesk_timetable::solve(&instance, &jetdesk_timetable::Options::default());
        // Week 2 has lost a visit (say the host moved it away by hand earlier).
        let week2 = Date::parse("2027-04-19").unwrap();
        let dropped = plan
            .visits
            .iter()
            .position(|v| Date::parse(&v.date).unwrap().monday() == week2)
            .unwrap();
        plan.visits.remove(dropped);
        plan.unmet = recompute_unmet(&instance, &plan.visits, &[]);
        assert_eq!(plan.unmet.len(), 1);
        // Moving a week-1 visit into a free day of week 2 fills week 2 and leaves week 1 short.
        let from = plan
            .visits
            .iter()
            .find(|v| Date::parse(&v.date).unwrap().monday() != week2)
            .unwrap()
            .clone();
        let free = school_week(week2)
            .into_iter()
            .map(|d| d.to_string())
            .find(|d| !plan.visits.iter().any(|v| &v.date == d))
            .unwrap();
        let out = try_move(&instance, &plan, &from, &free, "a1");
        assert!(!out.breaks_hard(), "{:?}", out.conflicts);
        assert_eq!(
            out.conflicts,
            vec![Conflict::Short("s1".into(), "2027-W15".into(), 1, 2)]
        );
        assert_eq!(out.plan.unmet.len(), 1);
        assert_eq!(out.plan.unmet[0].period, "2027-W15");
    }
}
