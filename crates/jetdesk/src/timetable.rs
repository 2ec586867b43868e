//! `jetdesk timetable`: being written (owned by the timetable engine work).

/// Arguments of `jetdesk timetable`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> std::process::ExitCode {
    eprintln!("jetdesk timetable: not built yet");
    std::process::ExitCode::FAILURE
}
