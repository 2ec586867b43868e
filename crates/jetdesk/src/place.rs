//! `jetdesk place`: reads a placement instance (JSON, or CSV files), runs the matching engine and
//! writes the result. All matching logic lives in `jetdesk-placement`; this file only reads files,
//! shows progress and maps failures to exit codes. Formats and exit codes: `docs/placement.md`.

mod csv_input;

use csv_input::read_csv;
use jetdesk_placement::output::{write_csv_of, write_json_head, write_json_tail, Order};
use jetdesk_placement::{
    check, read_json_with_progress, solve, statistics, Instance, InstanceError, Outcome,
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
    /// Add a sentence per applicant explaining their placement (in JSON, an "explanations"
    /// object; in CSV, an explanation column).
    #[arg(long)]
    explain: bool,
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

/// An input file's bytes: mapped into memory when it is a regular file (no copy: a million
/// applicants are 200 MB), read otherwise (a pipe, an empty file).
enum Input {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for Input {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Input::Mapped(m) => m,
            Input::Read(v) => v,
        }
    }
}

fn read(path: &Path) -> Result<Input, Failure> {
    let fail = |e: std::io::Error| (EXIT_UNREADABLE, format!("cannot read {}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(fail)?;
    if file.metadata().is_ok_and(|m| m.is_file() && m.len() > 0) {
        // SAFETY: the map is only read, and lives no longer than this run. If another process
        // truncated the file meanwhile, reading could fault; decision 0101 says why this is
        // accepted for a command-line batch run (the input is not expected to change under it).
        if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
            let _ = map.advise(memmap2::Advice::Sequential);
            return Ok(Input::Mapped(map));
        }
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut &file, &mut bytes).map_err(fail)?;
    Ok(Input::Read(bytes))
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
            couples.as_ref().map(|(p, b)| (*p, &b[..])),
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

    // The checker runs on the other core while the assignments (all of the CSV) are written.
    bar.set_message("writing");
    let t = Instant::now();
    let mut out = Output::open(args)?;
    let matching = &solution.matching;
    let (checked, head) = std::thread::scope(|s| {
        let checker = s.spawn(|| {
            let t = Instant::now();
            let verdict = check(&instance, matching);
            let stats = statistics(&instance, matching);
            (verdict, stats, t.elapsed())
        });
        let head = match args.format {
            Format::Json => write_json_head(&mut out.w, &instance, matching, &order),
            Format::Csv => write_csv_of(&mut out.w, &instance, matching, &order, args.explain),
        };
        (checker.join(), head)
    });
    let (verdict, stats, check_time) =
        checked.map_err(|_| (1, "internal error while checking".to_owned()))?;
    head.map_err(|e| out.failure(e))?;
    let outcome = Outcome {
        matching: solution.matching,
        verdict,
        statistics: stats,
        solve: solution.stats,
    };
    if args.format == Format::Json {
        write_json_tail(&mut out.w, &instance, &outcome, &order, args.explain).map_err(|e| out.failure(e))?;
    }
    out.finish()?;
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

/// Where the result goes: the --output file or standard output, buffered.
struct Output {
    w: std::io::BufWriter<Box<dyn Write>>,
    target: String,
}

impl Output {
    fn open(args: &Args) -> Result<Self, Failure> {
        let target = args
            .output
            .as_ref()
            .map_or_else(|| "standard output".to_owned(), |p| p.display().to_string());
        let sink: Box<dyn Write> = match &args.output {
            Some(path) => Box::new(
                std::fs::File::create(path)
                    .map_err(|e| (EXIT_WRITE, format!("cannot write {target}: {e}")))?,
            ),
            None => Box::new(std::io::stdout().lock()),
        };
        Ok(Output {
            w: std::io::BufWriter::with_capacity(1 << 20, sink),
            target,
        })
    }

    fn failure(&self, e: std::io::Error) -> Failure {
        (EXIT_WRITE, format!("cannot write {}: {e}", self.target))
    }

    fn finish(mut self) -> Result<(), Failure> {
        self.w.flush().map_err(|e| self.failure(e))
    }
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
