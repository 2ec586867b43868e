//! `jetdesk user add`: create an account from the command line (the first admin, for example).
//! The password is read from standard input so it never appears in the shell history or `ps`.

use crate::migrate::DatabaseArgs;
use jetdesk_domain::{Email, Role};
use std::io::BufRead;

/// Subcommands of `jetdesk user`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a user whose e-mail address counts as verified; reads the password from stdin.
    Add {
        /// The user's e-mail address.
        #[arg(long)]
        email: String,
        /// A role to give (repeat for several).
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
        /// The name shown on pages (defaults to the part of the address before @).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<()> {
    let Command::Add {
        email,
        roles,
        name,
        db,
    } = cmd;
    let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let name = name.unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("user").to_string());
    let name = jetdesk_domain::clean_line(&name, 100).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    eprintln!("Password for {email} (read from standard input):");
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\n', '\r']);
    let min = jetdesk_web::security::PASSWORD_MIN_CHARS;
    if password.chars().count() < min {
        anyhow::bail!("the password must be at least {min} characters");
    }
    if jetdesk_web::security::password_is_guessable(password, &[email.as_str(), &name]) {
        anyhow::bail!("the password is too easy to guess (a common password, or close to one): use a few unrelated words");
    }
    let phc = jetdesk_web::security::hash_password(password)?;
    tokio::runtime::Runtime::new()?.block_on(async {
        let store = db.open().await?;
        let id = match store.create_user(email.as_str(), &name, &phc, &roles, true).await {
            Ok(id) => id,
            Err(jetdesk_store::StoreError::Conflict(_)) => {
                anyhow::bail!("a user with the e-mail address {email} already exists")
            }
            Err(e) => return Err(e.into()),
        };
        let list: Vec<_> = roles.iter().map(|r| r.as_str()).collect();
        store
            .audit(
                None,
                "user.create",
                &format!("user:{id}"),
                None,
                Some(&list.join(",")),
            )
            .await?;
        store.close().await;
        println!("created user {id}: {email} ({})", list.join(", "));
        Ok(())
    })
}
