//! `jetdesk place`: being written (owned by the place engine work).

/// Arguments of `jetdesk place`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> std::process::ExitCode {
    eprintln!("jetdesk place: not built yet");
    std::process::ExitCode::FAILURE
}
