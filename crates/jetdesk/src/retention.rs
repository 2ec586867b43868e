//! `jetdesk retention [--dry-run]`: applies every round's retention period now (the server also
//! does this hourly) and prints each application erased, or with `--dry-run` each one that would be.

use crate::migrate::DatabaseArgs;
use jetdesk_web::privacy::erase;

/// Arguments of `jetdesk retention`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// List what would be erased without erasing anything.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    tokio::runtime::Runtime::new()?.block_on(async {
        let store = args.db.open().await?;
        let result =
            erase::apply_retention(&store, &args.db.data_dir, jetdesk_store::now(), args.dry_run).await;
        store.close().await;
        let done = result?;
        let verb = if args.dry_run { "would erase" } else { "erased" };
        for c in &done {
            println!(
                "{verb} application {} ({}, {}, round {})",
                c.application_id,
                c.reference.as_deref().unwrap_or("no reference"),
                c.state,
                c.round_id
            );
        }
        println!("{verb} {} application(s)", done.len());
        Ok(())
    })
}
