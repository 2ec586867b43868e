//! An independent checker of a plan's hard constraints: the oracle of the property tests and the
//! benchmark.
//!
//! It shares nothing with the solver but the validated [`Instance`]'s plain facts (who works when,
//! which school is open when, who reaches what, what each school requires). It works from the
//! plan's names and dates as printed, re-derives every period label from the dates on its own, and
//! checks that the `unmet` list tells the truth: every shortfall is listed with the right numbers,
//! and nothing else is.

use std::collections::{BTreeMap, BTreeSet};

use crate::date::{Date, Weekday};
use crate::input::{Instance, Per};
use crate::plan::Plan;

/// Checks every hard constraint of `plan` against `instance`; returns one line per violation
/// (empty when the plan is sound).
pub fn check(instance: &Instance, plan: &Plan) -> Vec<String> {
    let mut problems = Vec::new();
    let mut alt_days = BTreeSet::new();
    let mut school_days = BTreeSet::new();
    // (school index, period label) → visits.
    let mut counted: BTreeMap<(usize, String), u32> = BTreeMap::new();
    for (i, visit) in plan.visits.iter().enumerate() {
        let here = format!("visits[{i}] ({}, {}, {})", visit.date, visit.alt, visit.school);
        let Some(date) = Date::parse(&visit.date) else {
            problems.push(format!("{here}: not a date"));
            continue;
        };
        let Some(day) = instance.day_index(date) else {
            problems.push(format!("{here}: outside the term"));
            continue;
        };
        let (Some(a), Some(s)) = (
            instance.alt_index(&visit.alt),
            instance.school_index(&visit.school),
        ) else {
            problems.push(format!("{here}: unknown ALT or school"));
            continue;
        };
        let (Some(alt), Some(school)) = (instance.alts().get(a), instance.schools().get(s)) else {
            continue;
        };
        if instance.closed_everywhere(day) {
            problems.push(format!("{here}: closed everywhere that day"));
        }
        if !school.open.get(day).copied().unwrap_or(false) {
            problems.push(format!("{here}: the school is closed"));
        }
        if !alt.works.get(day).copied().unwrap_or(false) {
            problems.push(format!("{here}: the ALT does not work"));
        }
        if !alt.reachable.contains(&s) || !school.reachable_by.contains(&a) {
            problems.push(format!("{here}: the ALT cannot reach the school"));
        }
        if !alt_days.insert((a, day)) {
            problems.push(format!("{here}: the ALT is at two schools that day"));
        }
        if !school_days.insert((s, day)) {
            problems.push(format!("{here}: the school has two ALTs that day"));
        }
        *counted.entry((s, own_label(school.per, date))).or_insert(0) += 1;
    }
    for pin in instance.pins() {
        let found = plan.visits.iter().any(|v| {
            Date::parse(&v.date).and_then(|d| instance.day_index(d)) == Some(pin.day)
                && instance.alt_index(&v.alt) == Some(pin.alt)
                && instance.school_index(&v.school) == Some(pin.school)
        });
        if !found {
            problems.push(format!("pinned visit {pin:?} is missing"));
        }
    }

    let unmet: BTreeMap<(&str, &str), (u32, u32)> = plan
        .unmet
        .iter()
        .map(|u| ((u.school.as_str(), u.period.as_str()), (u.required, u.scheduled)))
        .collect();
    if unmet.len() != plan.unmet.len() {
        problems.push("unmet lists a school and period twice".to_string());
    }
    let mut labels_seen = BTreeSet::new();
    for (s, school) in instance.schools().iter().enumerate() {
        let mut labels: Vec<String> = instance
            .days()
            .iter()
            .map(|&d| own_label(school.per, d))
            .collect();
        labels.dedup();
        for label in labels {
            labels_seen.insert((school.id.clone(), label.clone()));
            let got = counted.get(&(s, label.clone())).copied().unwrap_or(0);
            let listed = unmet.get(&(school.id.as_str(), label.as_str())).copied();
            if got > school.days {
                problems.push(format!(
                    "{} has {got} visits in {label}, more than the {} required",
                    school.id, school.days
                ));
            }
            match listed {
                None if got < school.days => problems.push(format!(
                    "{} has {got} of {} visits in {label} but unmet does not say so",
                    school.id, school.days
                )),
                Some((required, scheduled)) if required != school.days || scheduled != got => {
                    problems.push(format!(
                        "unmet says {}/{scheduled} of {required} in {label}, the plan has {got} of {}",
                        school.id, school.days
                    ))
                }
                Some(_) if got >= school.days => {
                    problems.push(format!("unmet lists {} in {label}, which is met", school.id))
                }
                _ => {}
            }
        }
    }
    for u in &plan.unmet {
        if !labels_seen.contains(&(u.school.clone(), u.period.clone())) {
            problems.push(format!("unmet names an unknown period {} {}", u.school, u.period));
        }
    }
    problems
}

/// Period labels derived here from first principles, not from the instance's tables.
fn own_label(per: Per, date: Date) -> String {
    match per {
        Per::Term => "term".to_string(),
        Per::Month => {
            let (y, m, _) = date.ymd();
            format!("{y:04}-{m:02}")
        }
        Per::Week => {
            // The ISO week holds the year's first Thursday: find the week's Thursday and count
            // weeks from that year's first Thursday.
            let back = match date.weekday() {
                Weekday::Mon => 0,
                Weekday::Tue => 1,
                Weekday::Wed => 2,
                Weekday::Thu => 3,
                Weekday::Fri => 4,
                Weekday::Sat => 5,
                Weekday::Sun => 6,
            };
            let thursday = date.add_days(3 - back);
            let year = thursday.year();
            let mut first = Date::from_ymd(year, 1, 1).unwrap_or(thursday);
            while first.weekday() != Weekday::Thu {
                first = first.succ();
            }
            let week = (thursday.days_since_epoch() - first.days_since_epoch()) / 7 + 1;
            format!("{year:04}-W{week:02}")
        }
    }
}
