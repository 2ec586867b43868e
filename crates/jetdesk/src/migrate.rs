//! `jetdesk migrate`: apply database migrations and exit (serve also does this at start).

use std::path::PathBuf;

/// Arguments of `jetdesk migrate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub db: DatabaseArgs,
}

/// Where the database is, for commands that only need the database.
#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// Folder holding the SQLite file (when --database is not given).
    #[arg(long, env = "JETDESK_DATA_DIR", default_value = "./jetdesk-data")]
    pub data_dir: PathBuf,
    /// Database URL; defaults to the SQLite file in the data dir.
    #[arg(long, env = "JETDESK_DATABASE")]
    pub database: Option<String>,
}

impl DatabaseArgs {
    /// Connects and migrates.
    pub async fn open(&self) -> anyhow::Result<jetdesk_store::Store> {
        std::fs::create_dir_all(&self.data_dir)?;
        let mut config = jetdesk_web::Config::for_data_dir(self.data_dir.clone());
        config.database = self.database.clone();
        let store = jetdesk_store::Store::connect(&config.database_url()).await?;
        store.migrate().await?;
        Ok(store)
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    tokio::runtime::Runtime::new()?.block_on(async {
        let store = args.db.open().await?;
        store.close().await;
        println!("migrations applied");
        Ok(())
    })
}
