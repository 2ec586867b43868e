//! The `jetdesk` binary: one clap subcommand per file. `main` only parses the command line, sets up
//! logging and hands over; everything with behaviour lives in the library crates.

mod backup;
mod demo;
mod migrate;
mod place;
mod retention;
mod secret_key;
mod serve;
mod timetable;
mod token;
mod user;

use clap::{Parser, Subcommand};

/// mimalloc instead of glibc's allocator: under load the server's many short-lived allocations
/// (rows, pages, buffers) spent about a tenth of its time in glibc's malloc and its consolidation
/// of freed chunks (docs/decisions/0013-mimalloc.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// jetdesk: recruitment and placement for the JET Programme.
#[derive(Debug, Parser)]
#[command(name = "jetdesk", version, about)]
struct Cli {
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, global = true, env = "JETDESK_LOG_JSON")]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web application.
    Serve(serve::Args),
    /// Apply database migrations and exit.
    Migrate(migrate::Args),
    /// Manage user accounts.
    #[command(subcommand)]
    User(user::Command),
    /// Load demo data into the database.
    Demo(demo::Args),
    /// Place applicants into posts with the matching engine.
    Place(place::Args),
    /// Build ALT school-visit timetables.
    Timetable(timetable::Args),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(token::Command),
    /// Back up the SQLite database and the stored files into one archive, while serving.
    Backup(backup::BackupArgs),
    /// Restore a backup into an empty data dir.
    Restore(backup::RestoreArgs),
    /// Apply the rounds' retention periods now (--dry-run lists what would be erased).
    Retention(retention::Args),
    /// Manage the server key that seals TOTP secrets.
    #[command(subcommand)]
    SecretKey(secret_key::Command),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_json);
    let outcome = match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Migrate(args) => migrate::run(args),
        Command::User(cmd) => user::run(cmd),
        Command::Demo(args) => demo::run(args),
        Command::Backup(args) => backup::run_backup(args),
        Command::Restore(args) => backup::run_restore(args),
        Command::Retention(args) => retention::run(args),
        Command::Place(args) => return place::run(args),
        Command::Timetable(args) => return timetable::run(args),
        Command::Token(cmd) => token::run(cmd),
        Command::SecretKey(cmd) => secret_key::run(cmd),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("JETDESK_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
