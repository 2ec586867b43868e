#[derive(Debug, clap::Subcommand)]
pub enum Command { Add }
pub fn run(_cmd: Command) -> anyhow::Result<()> { anyhow::bail!("not yet") }
