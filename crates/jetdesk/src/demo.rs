//! `jetdesk demo`: load the demo accounts into an empty database.

use crate::migrate::DatabaseArgs;

/// Arguments of `jetdesk demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DatabaseArgs,
    /// The password of every demo account.
    #[arg(long, env = "JETDESK_DEMO_PASSWORD", default_value = "jetdesk-demo")]
    demo_password: String,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    tokio::runtime::Runtime::new()?.block_on(async {
        let store = args.db.open().await?;
        if !store.is_empty().await? {
            anyhow::bail!("the database already has users: the demo loads only into an empty database");
        }
        let accounts = jetdesk_web::demo::load(&store, &args.demo_password).await?;
        store.close().await;
        println!("Demo accounts (password {:?}):", args.demo_password);
        for a in accounts {
            let roles: Vec<_> = a.roles.iter().map(|r| r.as_str()).collect();
            println!("  {:<32} {}", a.email, roles.join(", "));
        }
        Ok(())
    })
}
