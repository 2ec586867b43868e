//! `jetdesk backup --to FILE` and `jetdesk restore --from FILE --data-dir DIR`: a consistent SQLite
//! snapshot with the stored files and a checksummed manifest, restored only into an empty data dir.
//! The work is in `jetdesk_web::privacy::backup`, which the tests call too.

use crate::migrate::DatabaseArgs;
use jetdesk_web::privacy::backup;
use std::path::PathBuf;

/// Arguments of `jetdesk backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// The archive to write (a ZIP; it must not exist yet).
    #[arg(long)]
    pub to: PathBuf,
}

/// Arguments of `jetdesk restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The archive `jetdesk backup` wrote.
    #[arg(long)]
    pub from: PathBuf,
    /// The data dir to restore into; it must be empty or not exist.
    #[arg(long)]
    pub data_dir: PathBuf,
}

pub fn run_backup(args: BackupArgs) -> anyhow::Result<()> {
    tokio::runtime::Runtime::new()?.block_on(async {
        let store = args.db.open().await?;
        let result = backup::backup(&store, &args.db.data_dir, &args.to).await;
        store.close().await;
        let manifest = result?;
        let rows: i64 = manifest.tables.values().sum();
        let bytes: u64 = manifest.files.iter().map(|f| f.bytes).sum();
        println!(
            "backup written to {}: {} tables, {rows} rows, {} files ({bytes} bytes)",
            args.to.display(),
            manifest.tables.len(),
            manifest.files.len()
        );
        Ok(())
    })
}

pub fn run_restore(args: RestoreArgs) -> anyhow::Result<()> {
    tokio::runtime::Runtime::new()?.block_on(async {
        let manifest = backup::restore(&args.from, &args.data_dir).await?;
        println!(
            "restored {} files into {}; every checksum and table count matches the manifest",
            manifest.files.len(),
            args.data_dir.display()
        );
        Ok(())
    })
}
