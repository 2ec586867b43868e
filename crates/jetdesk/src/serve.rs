//! `jetdesk serve`: run the web application until Ctrl-C or SIGTERM.

use jetdesk_web::{Application, Config};

/// Arguments of `jetdesk serve`: the server's whole configuration.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    config: Config,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let password = args.config.demo_password.clone();
        if args.config.demo {
            println!("Demo: staff two-step verification is off (JETDESK_REQUIRE_STAFF_MFA does not apply to a demo).");
        }
        let app = Application::build(args.config).await?;
        if !app.demo_accounts.is_empty() {
            println!("Demo data loaded. Sign in with any of these accounts, password {password:?}:");
            for account in &app.demo_accounts {
                let roles: Vec<_> = account.roles.iter().map(|r| r.as_str()).collect();
                println!("  {:<32} {}", account.email, roles.join(", "));
            }
        }
        println!("{}", app.state().mailer.describe());
        println!("jetdesk is running: open {}", app.url());
        app.run_until(shutdown_signal()).await
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
