//! `jetdesk place`: reads a placement instance (JSON, or CSV files), runs the matching engine and
//! writes the result. All matching logic lives in `jetdesk-placement`; this file only reads files,
//! shows progress and maps failures to exit codes. Formats and exit codes: `docs/placement.md`.

use jetdesk_placement::output::{write_csv, write_json, Order};
use jetdesk_placement::{
    check, read_json_with_progress, solve, statistics, Instance, InstanceBuilder, InstanceError, Outcome,
    Position,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `jetdesk place`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The instance: a JSON file, or with --posts (or a name ending in .csv) the applicants CSV.
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
    /// The posts CSV (post,capacity,priority_1,priority_2,...); implies CSV input.
    #[arg(long, value_name = "FILE")]
    posts: Option<PathBuf>,
    /// The couples CSV (member_1,member_2,pair_1_post_1,pair_1_post_2,...), with CSV input.
    #[arg(long, value_name = "FILE")]
    couples: Option<PathBuf>,
    /// Where to write the result (standard output when absent).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The result's format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Leave out the per-applicant explanations.
    #[arg(long)]
    no_explanations: bool,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Json,
    Csv,
}

/// Exit codes (documented in docs/placement.md); 2 is clap's own for a usage error.
const EXIT_USAGE: u8 = 2;
const EXIT_UNREADABLE: u8 = 3;
const EXIT_INVALID: u8 = 4;
const EXIT_WRITE: u8 = 5;

/// Inputs above this size get a progress bar (smaller ones finish before it would show).
const PROGRESS_FROM_BYTES: u64 = 16 << 20;

pub fn run(args: Args) -> ExitCode {
    match place(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, message)) => {
            eprintln!("jetdesk place: {message}");
            ExitCode::from(code)
        }
    }
}

type Failure = (u8, String);

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| (EXIT_UNREADABLE, format!("cannot read {}: {e}", path.display())))
}

fn invalid(path: &Path, e: &InstanceError) -> Failure {
    (EXIT_INVALID, format!("{}: {e}", path.display()))
}

fn progress_bar(len: u64) -> indicatif::ProgressBar {
    if len < PROGRESS_FROM_BYTES {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg:10} [{bar:40}] {bytes}/{total_bytes} ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn place(args: &Args) -> Result<(), Failure> {
    let csv_input = args.posts.is_some()
        || args
            .input
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if csv_input && args.posts.is_none() {
        return Err((EXIT_USAGE, "CSV input needs --posts FILE as well".to_owned()));
    }
    if !csv_input && args.couples.is_some() {
        return Err((
            EXIT_USAGE,
            "--couples is for CSV input; JSON has a \"couples\" key".to_owned(),
        ));
    }

    let started = Instant::now();
    let bytes = read(&args.input)?;
    let read_time = started.elapsed();
    let bar = progress_bar(bytes.len() as u64);
    bar.set_message("reading");

    let t = Instant::now();
    let instance = if csv_input {
        let posts_path = args.posts.as_deref().unwrap_or(Path::new(""));
        let posts = read(posts_path)?;
        let couples = match &args.couples {
            Some(p) => Some((p.as_path(), read(p)?)),
            None => None,
        };
        read_csv(
            &args.input,
            &bytes,
            posts_path,
            &posts,
            couples.as_ref().map(|(p, b)| (*p, b.as_slice())),
        )?
    } else {
        read_json_with_progress(&bytes, &mut |done| bar.set_position(done as u64))
            .map_err(|e| invalid(&args.input, &e))?
    };
    let parse_time = t.elapsed();
    drop(bytes);

    // Sorting names for the output does not depend on the placement: do it on the other core.
    bar.set_message("placing");
    let t = Instant::now();
    let (solution, order) = std::thread::scope(|s| {
        let order = s.spawn(|| Order::of(&instance));
        let solution = solve(&instance);
        (solution, order.join())
    });
    let order = order.map_err(|_| (1, "internal error while sorting names".to_owned()))?;
    let solve_time = t.elapsed();
    let t = Instant::now();
    let verdict = check(&instance, &solution.matching);
    let stats = statistics(&instance, &solution.matching);
    let check_time = t.elapsed();
    let outcome = Outcome {
        matching: solution.matching,
        verdict,
        statistics: stats,
        solve: solution.stats,
    };

    bar.set_message("writing");
    let t = Instant::now();
    write(args, &instance, &outcome, &order)?;
    let write_time = t.elapsed();
    bar.finish_and_clear();

    summary(
        &instance,
        &outcome,
        [read_time, parse_time, solve_time, check_time, write_time],
        started.elapsed(),
    );
    Ok(())
}

fn write(args: &Args, instance: &Instance, outcome: &Outcome, order: &Order) -> Result<(), Failure> {
    let explain = !args.no_explanations;
    let target = args
        .output
        .as_ref()
        .map_or_else(|| "standard output".to_owned(), |p| p.display().to_string());
    let fail = |e: std::io::Error| (EXIT_WRITE, format!("cannot write {target}: {e}"));
    let sink: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::fs::File::create(path).map_err(fail)?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 20, sink);
    match args.format {
        Format::Json => write_json(&mut w, instance, outcome, order, explain),
        Format::Csv => write_csv(&mut w, instance, outcome, order, explain),
    }
    .and_then(|()| w.flush())
    .map_err(fail)
}

fn summary(
    instance: &Instance,
    o: &Outcome,
    [read, parse, solve, check, write]: [Duration; 5],
    total: Duration,
) {
    let s = &o.statistics;
    let by_choice: Vec<String> = s
        .by_choice
        .iter()
        .enumerate()
        .take(3)
        .map(|(k, n)| format!("{} {n}", jetdesk_placement::ordinal(k + 1)))
        .collect();
    let stability = if o.verdict.is_stable() {
        "stable".to_owned()
    } else {
        format!(
            "NOT stable: {} blocking pairs, {} violations",
            o.verdict.blocking_pairs.len(),
            o.verdict.violations.len()
        )
    };
    eprintln!(
        "placed {} of {} applicants in {} posts ({}), {} unmatched, {stability}; \
         {:.2}s total: read {:.2}s, parse {:.2}s, solve {:.2}s, check {:.2}s, write {:.2}s",
        s.placed,
        s.applicants,
        instance.post_count(),
        by_choice.join(", "),
        s.unplaced,
        total.as_secs_f64(),
        read.as_secs_f64(),
        parse.as_secs_f64(),
        solve.as_secs_f64(),
        check.as_secs_f64(),
        write.as_secs_f64(),
    );
}

/// Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into records of
/// `(field, 1-based field number)`, with the 1-based line each record starts on.
fn csv_records(path: &Path, bytes: &[u8]) -> Result<Vec<(u64, Vec<String>)>, Failure> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes
            .get(..e.valid_up_to())
            .unwrap_or(&[])
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        (
            EXIT_INVALID,
            format!("{}: line {line}: not UTF-8", path.display()),
        )
    })?;
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let (mut line, mut record_line) = (1u64, 1u64);
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                if !(record.len() == 1 && record.first().is_some_and(String::is_empty)) {
                    records.push((record_line, std::mem::take(&mut record)));
                }
                record.clear();
                line += 1;
                record_line = line;
                at_field_start = true;
            }
            '"' => {
                return Err((
                    EXIT_INVALID,
                    format!(
                        "{}: line {line}: a quote inside an unquoted field",
                        path.display()
                    ),
                ))
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err((
            EXIT_INVALID,
            format!(
                "{}: line {record_line}: unterminated quoted field",
                path.display()
            ),
        ));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push((record_line, record));
    }
    Ok(records)
}

/// The non-empty cells after the first `skip`, with their 1-based field numbers; an empty cell
/// followed by a filled one is refused (a gap in a ranked list is almost surely a mistake).
fn cells(path: &Path, line: u64, record: &[String], skip: usize) -> Result<Vec<(String, u64)>, Failure> {
    let rest: Vec<(String, u64)> = record
        .iter()
        .enumerate()
        .skip(skip)
        .map(|(i, f)| (f.trim().to_owned(), i as u64 + 1))
        .collect();
    let last_filled = rest.iter().rposition(|(f, _)| !f.is_empty()).map_or(0, |i| i + 1);
    let kept: Vec<(String, u64)> = rest.into_iter().take(last_filled).collect();
    if let Some((_, col)) = kept.iter().find(|(f, _)| f.is_empty()) {
        return Err((
            EXIT_INVALID,
            format!(
                "{}: line {line}, field {col}: empty cell inside a ranked list",
                path.display()
            ),
        ));
    }
    Ok(kept)
}

fn read_csv(
    applicants_path: &Path,
    applicants: &[u8],
    posts_path: &Path,
    posts: &[u8],
    couples: Option<(&Path, &[u8])>,
) -> Result<Instance, Failure> {
    let mut b = InstanceBuilder::new();
    let at = |line: u64, column: u64| Position { line, column };
    // Errors from the builder are attributed to the file being read when they happen.
    let fail_in = |path: &Path| {
        let path = path.to_owned();
        move |e: InstanceError| invalid(&path, &e)
    };
    for (line, record) in csv_records(applicants_path, applicants)?.into_iter().skip(1) {
        let name = record.first().map(|s| s.trim().to_owned()).unwrap_or_default();
        let choices = cells(applicants_path, line, &record, 1)?;
        no_duplicate_cells(&name, line, &choices).map_err(fail_in(applicants_path))?;
        b.at(at(line, 1));
        b.applicant(name, choices.into_iter().map(|(f, _)| f))
            .map_err(fail_in(applicants_path))?;
    }
    for (line, record) in csv_records(posts_path, posts)?.into_iter().skip(1) {
        let name = record.first().map(|s| s.trim().to_owned()).unwrap_or_default();
        let cap_text = record.get(1).map(|s| s.trim().to_owned()).unwrap_or_default();
        let Some(capacity) = cap_text.parse::<u32>().ok().filter(|&c| c > 0) else {
            return Err((
                EXIT_INVALID,
                format!(
                    "{}: line {line}, field 2: capacity of post {name:?} must be a positive integer, found {cap_text:?}",
                    posts_path.display()
                ),
            ));
        };
        let priority = cells(posts_path, line, &record, 2)?;
        b.at(at(line, 1));
        b.post(name, capacity, priority.into_iter().map(|(f, _)| f))
            .map_err(fail_in(posts_path))?;
    }
    if let Some((path, bytes)) = couples {
        for (line, record) in csv_records(path, bytes)?.into_iter().skip(1) {
            let members = [0, 1].map(|i| record.get(i).map(|s| s.trim().to_owned()).unwrap_or_default());
            let posts = cells(path, line, &record, 2)?;
            if posts.len() % 2 != 0 {
                return Err((
                    EXIT_INVALID,
                    format!(
                        "{}: line {line}: pairs need an even number of posts",
                        path.display()
                    ),
                ));
            }
            let pairs: Vec<[String; 2]> = posts
                .chunks_exact(2)
                .filter_map(|c| match c {
                    [(p, _), (q, _)] => Some([p.clone(), q.clone()]),
                    _ => None,
                })
                .collect();
            b.at(at(line, 1));
            b.couple(members, pairs).map_err(fail_in(path))?;
        }
    }
    b.build().map_err(|e| (EXIT_INVALID, format!("CSV input: {e}")))
}

/// Refuses a post listed twice by one applicant, naming the cell (the builder only knows the line).
fn no_duplicate_cells(applicant: &str, line: u64, choices: &[(String, u64)]) -> Result<(), InstanceError> {
    let mut seen = std::collections::HashSet::new();
    for (post, col) in choices {
        if !seen.insert(post.as_str()) {
            return Err(InstanceError {
                problem: jetdesk_placement::Problem::DuplicateChoice {
                    applicant: applicant.to_owned(),
                    post: post.clone(),
                },
                position: Some(Position { line, column: *col }),
            });
        }
    }
    Ok(())
}
