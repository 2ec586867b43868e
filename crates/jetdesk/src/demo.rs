//! `jetdesk demo`: load demo data into an empty database, or add N synthetic applications to the
//! current round (for trying the staff pages at scale and for the load benchmarks).

use crate::migrate::DatabaseArgs;

/// Arguments of `jetdesk demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DatabaseArgs,
    /// The password of every demo account.
    #[arg(long, env = "JETDESK_DEMO_PASSWORD", default_value = "jetdesk-demo")]
    demo_password: String,
    /// Also fill the current round with this many synthetic submitted applications.
    #[arg(long, default_value_t = 0)]
    applicants: u64,
    /// Seed of the synthetic applications (the same seed gives the same people).
    #[arg(long, default_value_t = 2027)]
    seed: u64,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    tokio::runtime::Runtime::new()?.block_on(async {
        let store = args.db.open().await?;
        if store.is_empty().await? {
            let accounts = jetdesk_web::demo::load(&store, &args.demo_password).await?;
            println!("Demo accounts (password {:?}):", args.demo_password);
            for a in accounts {
                let roles: Vec<_> = a.roles.iter().map(|r| r.as_str()).collect();
                println!("  {:<32} {}", a.email, roles.join(", "));
            }
        } else if args.applicants == 0 {
            anyhow::bail!(
                "the database already has users: the demo accounts load only into an empty database"
            );
        }
        if args.applicants > 0 {
            let bar = indicatif::ProgressBar::new(args.applicants);
            bar.set_style(indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} applications ({per_sec}, {eta} left)",
            )?);
            jetdesk_web::demo::applications(&store, args.applicants, args.seed, &|n| bar.set_position(n))
                .await?;
            bar.finish();
            println!(
                "{} synthetic applications added (their password is \"jetdesk-demo\")",
                args.applicants
            );
        }
        store.close().await;
        Ok(())
    })
}
