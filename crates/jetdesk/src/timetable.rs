//! `jetdesk timetable`: reads a timetable request (JSON), builds the term's ALT school-visit plan
//! with `jetdesk-timetable`, and writes the plan (JSON), calendars (.ics, one per ALT and per
//! school) and a CSV. All the scheduling lives in the engine crate; this file only does the files.
//!
//! Exit codes (documented in docs/timetable.md): 0 plan written, every requirement met; 2 usage
//! (clap); 3 the input could not be read; 4 the input is malformed (where it is, on stderr);
//! 5 an output could not be written; 6 plan written, but some requirements could not be met.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use jetdesk_timetable::{solve, Instance, Options, Plan};

/// Exit code: the input could not be read.
const EXIT_UNREADABLE: u8 = 3;
/// Exit code: the input is malformed.
const EXIT_INVALID: u8 = 4;
/// Exit code: an output could not be written.
const EXIT_WRITE: u8 = 5;
/// Exit code: the plan was written but some requirements could not be met.
const EXIT_UNMET: u8 = 6;

/// Arguments of `jetdesk timetable`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The request: term, closed dates, schools and ALTs (JSON; see docs/timetable.md). `-` reads
    /// standard input.
    #[arg(long)]
    input: PathBuf,
    /// Where to write the plan (JSON). Standard output when left out.
    #[arg(long)]
    output: Option<PathBuf>,
    /// A folder to write one .ics calendar per ALT (alt-ID.ics) and per school (school-ID.ics) into.
    #[arg(long)]
    ics: Option<PathBuf>,
    /// Where to write the visits as CSV.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Seed of the local search: the same request and seed give the same plan.
    #[arg(long, default_value_t = Options::default().seed)]
    seed: u64,
    /// Local-search moves per visit; 0 keeps the first plan that meets the hard constraints.
    #[arg(long, default_value_t = Options::default().effort)]
    effort: u32,
}

pub fn run(args: Args) -> ExitCode {
    let text = if args.input.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map(|_| text)
    } else {
        std::fs::read_to_string(&args.input)
    };
    let text = match text {
        Ok(text) => text,
        Err(err) => {
            eprintln!("error: cannot read {}: {err}", args.input.display());
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let instance = match Instance::from_json(&text) {
        Ok(instance) => instance,
        Err(err) => {
            eprintln!("error: invalid request in {}: {err}", args.input.display());
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let started = Instant::now();
    let plan = solve(
        &instance,
        &Options {
            seed: args.seed,
            effort: args.effort,
        },
    );
    let elapsed = started.elapsed();

    if let Err(err) = write_outputs(&args, &instance, &plan) {
        eprintln!("error: {err}");
        return ExitCode::from(EXIT_WRITE);
    }
    eprintln!(
        "timetable: {} of {} visit days scheduled for {} schools and {} ALTs in {:.2} s; \
         {} periods unmet; objective {:.1} (lower bound {:.1})",
        plan.stats.scheduled_visits,
        plan.stats.required_visits,
        plan.stats.schools,
        plan.stats.alts,
        elapsed.as_secs_f64(),
        plan.unmet.len(),
        plan.stats.soft.objective,
        plan.stats.lower_bound.objective,
    );
    for unmet in plan.unmet.iter().take(10) {
        eprintln!(
            "  unmet: {} {}: {} of {} days: {}",
            unmet.school, unmet.period, unmet.scheduled, unmet.required, unmet.reason
        );
    }
    if plan.unmet.len() > 10 {
        eprintln!(
            "  … and {} more (see \"unmet\" in the plan)",
            plan.unmet.len() - 10
        );
    }
    if plan.unmet.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_UNMET)
    }
}

fn write_outputs(args: &Args, instance: &Instance, plan: &Plan) -> Result<(), String> {
    let json = serde_json::to_string_pretty(plan).map_err(|e| format!("cannot encode the plan: {e}"))?;
    match &args.output {
        Some(path) => write_file(path, &(json + "\n"))?,
        None => println!("{json}"),
    }
    if let Some(dir) = &args.ics {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for (name, body) in calendars(instance, plan) {
            write_file(&dir.join(name), &body)?;
        }
    }
    if let Some(path) = &args.csv {
        write_file(path, &csv_text(instance, plan)?)?;
    }
    Ok(())
}

fn write_file(path: &Path, body: &str) -> Result<(), String> {
    std::fs::write(path, body).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A file name from an id: letters, digits, `-` and `_` kept, anything else as `_`, so an id can
/// never climb out of the calendar folder.
fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn compact(date: &str) -> String {
    date.replace('-', "")
}

fn next_day(date: &str) -> String {
    jetdesk_timetable::Date::parse(date)
        .map(|d| compact(&d.succ().to_string()))
        .unwrap_or_else(|| compact(date))
}

/// One calendar per ALT and per school, as (file name, text). Events are all-day; UIDs are built
/// from date, ALT and school, and DTSTAMP is the term's first day, so the same plan always gives
/// byte-identical files (calendar clients then update rather than duplicate events).
fn calendars(instance: &Instance, plan: &Plan) -> Vec<(String, String)> {
    use icalendar::{Calendar, Component, Event, EventLike, Property};

    let stamp = format!("{}T000000Z", compact(&instance.start().to_string()));
    let school_name = |id: &str| {
        instance
            .schools()
            .iter()
            .find(|s| s.id == id)
            .map(|s| {
                if s.name.is_empty() {
                    s.id.clone()
                } else {
                    s.name.clone()
                }
            })
            .unwrap_or_else(|| id.to_string())
    };
    let alt_name = |id: &str| {
        instance
            .alts()
            .iter()
            .find(|a| a.id == id)
            .map(|a| {
                if a.name.is_empty() {
                    a.id.clone()
                } else {
                    a.name.clone()
                }
            })
            .unwrap_or_else(|| id.to_string())
    };
    let event = |visit: &jetdesk_timetable::Visit, summary: String| {
        let mut event = Event::new();
        event
            .uid(&format!(
                "{}-{}-{}@timetable.jetdesk",
                compact(&visit.date),
                file_safe(&visit.alt),
                file_safe(&visit.school)
            ))
            .summary(&summary)
            .location(&school_name(&visit.school))
            .append_property(
                Property::new("DTSTART", compact(&visit.date))
                    .add_parameter("VALUE", "DATE")
                    .done(),
            )
            .append_property(
                Property::new("DTEND", next_day(&visit.date))
                    .add_parameter("VALUE", "DATE")
                    .done(),
            )
            .add_property("DTSTAMP", &stamp);
        event.done()
    };
    let mut files = Vec::new();
    for alt in instance.alts() {
        let mut calendar = Calendar::new();
        calendar.name(&format!("{} — school visits", alt_name(&alt.id)));
        for visit in plan.visits.iter().filter(|v| v.alt == alt.id) {
            calendar.push(event(visit, format!("Visit: {}", school_name(&visit.school))));
        }
        files.push((
            format!("alt-{}.ics", file_safe(&alt.id)),
            calendar.done().to_string(),
        ));
    }
    for school in instance.schools() {
        let mut calendar = Calendar::new();
        calendar.name(&format!("{} — ALT visits", school_name(&school.id)));
        for visit in plan.visits.iter().filter(|v| v.school == school.id) {
            calendar.push(event(visit, format!("ALT visit: {}", alt_name(&visit.alt))));
        }
        files.push((
            format!("school-{}.ics", file_safe(&school.id)),
            calendar.done().to_string(),
        ));
    }
    files
}

fn csv_text(instance: &Instance, plan: &Plan) -> Result<String, String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| format!("cannot write the CSV: {e}");
    writer
        .write_record([
            "date",
            "weekday",
            "alt",
            "alt_name",
            "school",
            "school_name",
            "level",
            "pinned",
        ])
        .map_err(err)?;
    for visit in &plan.visits {
        let weekday = jetdesk_timetable::Date::parse(&visit.date)
            .map(|d| d.weekday().to_string())
            .unwrap_or_default();
        let alt = instance.alts().iter().find(|a| a.id == visit.alt);
        let school = instance.schools().iter().find(|s| s.id == visit.school);
        let level = school
            .and_then(|s| serde_json::to_value(s.level).ok())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        writer
            .write_record([
                visit.date.as_str(),
                weekday.as_str(),
                visit.alt.as_str(),
                alt.map_or("", |a| a.name.as_str()),
                visit.school.as_str(),
                school.map_or("", |s| s.name.as_str()),
                level.as_str(),
                if visit.pinned { "yes" } else { "no" },
            ])
            .map_err(err)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| format!("cannot write the CSV: {e}"))?;
    String::from_utf8(bytes).map_err(|e| format!("cannot write the CSV: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUEST: &str = r#"{"term": {"start": "2027-04-06", "end": "2027-04-30"},
        "schools": [{"id": "s1", "name": "青葉小学校", "level": "elementary", "visits": {"per": "week", "days": 2}},
                    {"id": "s2", "name": "Midori JHS", "level": "junior_high", "visits": {"per": "month", "days": 3}}],
        "alts": [{"id": "a1", "name": "Emma", "base_school": "s1", "weekdays": ["mon","tue","wed","thu","fri"],
                  "reachable": ["s2"]}]}"#;

    fn plan() -> Option<(Instance, Plan)> {
        let instance = Instance::from_json(REQUEST).ok()?;
        let plan = solve(&instance, &Options::default());
        Some((instance, plan))
    }

    #[test]
    fn calendars_are_all_day_and_byte_identical_across_runs() {
        let (Some((i1, p1)), Some((i2, p2))) = (plan(), plan()) else {
            panic!("the sample request is valid");
        };
        let (first, second) = (calendars(&i1, &p1), calendars(&i2, &p2));
        assert_eq!(first, second);
        let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["alt-a1.ics", "school-s1.ics", "school-s2.ics"]);
        let (_, alt) = &first[0];
        assert!(alt.contains("DTSTART;VALUE=DATE:2027"), "{alt}");
        assert!(alt.contains("UID:2027"), "{alt}");
        assert!(alt.contains("DTSTAMP:20270406T000000Z"), "{alt}");
        assert_eq!(alt.matches("BEGIN:VEVENT").count(), p1.visits.len());
    }

    #[test]
    fn the_csv_has_a_header_and_a_row_per_visit() {
        let Some((instance, plan)) = plan() else {
            panic!("the sample request is valid");
        };
        let text = csv_text(&instance, &plan).unwrap_or_default();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("date,weekday,alt,alt_name,school,school_name,level,pinned")
        );
        assert_eq!(lines.count(), plan.visits.len());
        assert!(text.contains(",a1,Emma,s1,青葉小学校,elementary,no"));
    }

    #[test]
    fn ids_cannot_escape_the_calendar_folder() {
        assert_eq!(file_safe("../../etc/passwd"), "______etc_passwd");
    }
}
