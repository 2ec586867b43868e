//! `jetdesk secret-key rotate`: replaces the server key that seals the stored TOTP secrets
//! (docs/operations.md, "The server key"). Run with jetdesk stopped.
//!
//! Order of work, so that a stop at any point leaves a key that opens the database's secrets or an
//! error at start that says what to do: the new key is written to `secret.key.new` first; the
//! secrets are re-sealed in one transaction; the old file is copied aside; then `secret.key.new`
//! is renamed over `secret.key` (one atomic rename).

use crate::migrate::DatabaseArgs;
use anyhow::{bail, Context};
use jetdesk_web::server_key::{self, ServerKey, KEY_ENV, KEY_FILE};

/// Subcommands of `jetdesk secret-key`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Re-seal every stored TOTP secret under a new server key, in one transaction, with jetdesk
    /// stopped. A key kept in DATA_DIR/secret.key is replaced there (the old file is kept beside
    /// it, for the backups made before); with JETDESK_SECRET_KEY, the new key is printed (unless
    /// given with --new-key) for you to set in its place.
    Rotate {
        /// The current key, when it is not DATA_DIR/secret.key.
        #[arg(long, env = "JETDESK_SECRET_KEY", hide_env_values = true)]
        secret_key: Option<String>,
        /// The new key (64 hex digits or base64 of 32 bytes); a random one when not given.
        #[arg(long, env = "JETDESK_NEW_SECRET_KEY", hide_env_values = true)]
        new_key: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<()> {
    let Command::Rotate {
        secret_key,
        new_key,
        db,
    } = cmd;
    let in_file = secret_key.is_none();
    let key_path = db.data_dir.join(KEY_FILE);
    let staged = db.data_dir.join(format!("{KEY_FILE}.new"));
    if in_file && !key_path.exists() {
        bail!(
            "there is no server key to rotate: {KEY_ENV} is not set and {} does not exist",
            key_path.display()
        );
    }
    if in_file && staged.exists() {
        bail!(
            "{} exists: an earlier rotation stopped part-way. If jetdesk does not start with {}, \
             the secrets were re-sealed: move {} over it. Otherwise delete {}. Then rotate again",
            staged.display(),
            key_path.display(),
            staged.display(),
            staged.display()
        );
    }
    tokio::runtime::Runtime::new()?.block_on(async {
        let store = db.open().await?;
        let old = ServerKey::load(secret_key.as_deref(), &db.data_dir, true)?;
        let (new, text) = match &new_key {
            Some(text) => (ServerKey::from_text(text, "--new-key")?, text.trim().to_string()),
            None => server_key::generate("the new key")?,
        };
        if in_file {
            server_key::write_key_file(&staged, &text)?;
        }
        let resealed = server_key::reseal_stored_secrets(&store, &old, &new).await;
        store.close().await;
        let resealed = match resealed {
            Ok(n) => n,
            Err(e) => {
                if in_file {
                    std::fs::remove_file(&staged).ok();
                }
                return Err(e);
            }
        };
        if in_file {
            let kept = db
                .data_dir
                .join(format!("{KEY_FILE}.replaced-{}", jetdesk_store::now()));
            std::fs::copy(&key_path, &kept)
                .with_context(|| format!("keeping the old key as {}", kept.display()))?;
            std::fs::rename(&staged, &key_path)
                .with_context(|| format!("moving {} to {}", staged.display(), key_path.display()))?;
            eprintln!(
                "re-sealed {resealed} TOTP secret(s) under the new key, now in {}. The old key is \
                 in {}: keep it with the backups made before now (they need it), then delete it",
                key_path.display(),
                kept.display()
            );
        } else {
            eprintln!(
                "re-sealed {resealed} TOTP secret(s) under the new key: set {KEY_ENV} to it before \
                 starting jetdesk, and keep the old one with the backups made before now"
            );
            if new_key.is_none() {
                println!("{text}");
            }
        }
        Ok(())
    })
}
