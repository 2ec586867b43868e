//! `jetdesk token add`: make a personal API token for an existing account from the command line
//! (for scripts and CI) and print it; the database keeps only its SHA-256. The same rules as the
//! account page: known scopes only, 1 to 366 days; the API still limits the token to what its
//! owner's roles may see.

use crate::migrate::DatabaseArgs;
use jetdesk_web::api::{tokens, SCOPES};

/// Subcommands of `jetdesk token`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a token for the account with this e-mail address and print it on standard output.
    Add {
        /// The owner's e-mail address.
        #[arg(long)]
        email: String,
        /// Scopes, comma-separated (applications:read, outcomes:read, placements:read,
        /// organisations:read).
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// Days until it expires (1 to 366).
        #[arg(long, default_value_t = 30)]
        days: i64,
        /// Requests a minute it may make (the default is the account page's, 600).
        #[arg(long)]
        per_minute: Option<i64>,
        /// A label for the token.
        #[arg(long, default_value = "command line")]
        name: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<()> {
    let Command::Add {
        email,
        scopes,
        days,
        per_minute,
        name,
        db,
    } = cmd;
    if let Some(unknown) = scopes.iter().find(|s| !SCOPES.iter().any(|(k, _)| k == s)) {
        anyhow::bail!("--scopes: unknown scope {unknown:?}");
    }
    if !(1..=tokens::MAX_DAYS).contains(&days) {
        anyhow::bail!("--days must be from 1 to {}", tokens::MAX_DAYS);
    }
    tokio::runtime::Runtime::new()?.block_on(async {
        let store = db.open().await?;
        let Some(user) = store.user_by_email(&email.trim().to_lowercase()).await? else {
            anyhow::bail!("no account has the e-mail address {email}");
        };
        let token = tokens::issue(&store, user.id, &name, &scopes, days).await?;
        if let Some(n) = per_minute {
            anyhow::ensure!(n > 0, "--per-minute must be positive");
            store
                .set_api_token_per_minute(&jetdesk_web::security::token_hash(&token), n)
                .await?;
        }
        let roles = store.roles(user.id).await?;
        if roles.iter().any(|r| jetdesk_web::access::MFA_ROLES.contains(r))
            && !store.mfa_enabled(user.id).await?
        {
            eprintln!(
                "note: {email} holds a staff role without two-step verification; while \
                 require_staff_mfa is on (the default) the API refuses this token until they set it up"
            );
        }
        println!("{token}");
        store.close().await;
        Ok(())
    })
}
