//! The server's configuration: one clap struct, every flag also an environment variable
//! `JETDESK_<NAME>`. Paths not given are derived from `--data-dir`.

use std::net::SocketAddr;
use std::path::PathBuf;

/// How `jetdesk serve` is configured.
#[derive(Clone, clap::Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "JETDESK_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Folder for the SQLite file, uploaded files and the development mail outbox.
    #[arg(long, env = "JETDESK_DATA_DIR", default_value = "./jetdesk-data")]
    pub data_dir: PathBuf,

    /// Database URL; defaults to the SQLite file in the data dir. `postgres://…` selects PostgreSQL.
    #[arg(long, env = "JETDESK_DATABASE")]
    pub database: Option<String>,

    /// If the database is empty, load a demo round with an account for every role.
    #[arg(long, env = "JETDESK_DEMO")]
    pub demo: bool,

    /// The password of every demo account.
    #[arg(long, env = "JETDESK_DEMO_PASSWORD", default_value = "jetdesk-demo")]
    pub demo_password: String,

    /// The address people reach jetdesk at, used in e-mailed links; defaults to http://ADDR.
    /// An https:// address also marks cookies Secure.
    #[arg(long, env = "JETDESK_BASE_URL")]
    pub base_url: Option<String>,

    /// SMTP server URL (for example smtps://user:pass@smtp.example.org); without it mail is written
    /// as .eml files to DATA_DIR/outbox.
    #[arg(long, env = "JETDESK_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// The From: address of jetdesk's e-mails.
    #[arg(
        long,
        env = "JETDESK_MAIL_FROM",
        default_value = "JET Desk <jetdesk@localhost>"
    )]
    pub mail_from: String,

    /// Take the client address from X-Forwarded-For (only behind a proxy that sets it).
    #[arg(long, env = "JETDESK_TRUST_PROXY")]
    pub trust_proxy: bool,

    /// The largest document upload accepted, in MiB.
    #[arg(long, env = "JETDESK_MAX_UPLOAD_MIB", default_value_t = 10)]
    pub max_upload_mib: u64,

    /// Staff (every role but applicant) must set up two-step verification before any staff page
    /// works. On unless set to false; `--demo` switches it off.
    #[arg(
        long,
        env = "JETDESK_REQUIRE_STAFF_MFA",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub require_staff_mfa: bool,

    /// The server key that seals TOTP secrets in the database: 32 bytes as 64 hex digits or
    /// base64 (`openssl rand -base64 32`). Without it the key is DATA_DIR/secret.key, created on
    /// first start. Keep it apart from the database's backups; instances sharing one database need
    /// the same key.
    #[arg(long, env = "JETDESK_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
}

impl std::fmt::Debug for Config {
    // The SMTP URL may hold a password, and the demo password and the server key are secrets too:
    // never log them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("database", &self.database.as_deref().map(redact_url))
            .field("demo", &self.demo)
            .field("base_url", &self.base_url)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("trust_proxy", &self.trust_proxy)
            .field("require_staff_mfa", &self.require_staff_mfa)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

/// Hides the password part of a URL (`scheme://user:secret@host` → `scheme://user:***@host`).
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Config {
    /// A configuration for `data_dir` with every other setting at its default.
    pub fn for_data_dir(data_dir: PathBuf) -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir,
            database: None,
            demo: false,
            demo_password: "jetdesk-demo".into(),
            base_url: None,
            smtp_url: None,
            mail_from: "JET Desk <jetdesk@localhost>".into(),
            trust_proxy: false,
            max_upload_mib: 10,
            require_staff_mfa: true,
            secret_key: None,
        }
    }

    /// Whether staff must have two-step verification: the setting, except in a demo (whose
    /// accounts share one published password and have no authenticator).
    pub fn staff_mfa_required(&self) -> bool {
        self.require_staff_mfa && !self.demo
    }

    /// The database URL in use.
    pub fn database_url(&self) -> String {
        match &self.database {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("jetdesk.sqlite3").display()),
        }
    }

    /// Where development mail is written.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redact_url("smtps://ann:s3cret@smtp.example.org:465"),
            "smtps://ann:***@smtp.example.org:465"
        );
        assert_eq!(
            redact_url("postgres://postgres@localhost/test"),
            "postgres://postgres@localhost/test"
        );
    }

    #[test]
    fn staff_mfa_is_required_by_default_but_not_in_a_demo() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            config: Config,
        }
        use clap::Parser;
        let parsed = Cli::try_parse_from(["jetdesk"]).unwrap().config;
        assert!(parsed.require_staff_mfa && parsed.staff_mfa_required());
        let off = Cli::try_parse_from(["jetdesk", "--require-staff-mfa", "false"])
            .unwrap()
            .config;
        assert!(!off.staff_mfa_required());
        let demo = Cli::try_parse_from(["jetdesk", "--demo"]).unwrap().config;
        assert!(demo.require_staff_mfa && !demo.staff_mfa_required());
        assert!(Config::for_data_dir(PathBuf::from("/srv/jet")).staff_mfa_required());
    }

    #[test]
    fn the_database_defaults_to_a_file_in_the_data_dir() {
        let c = Config::for_data_dir(PathBuf::from("/srv/jet"));
        assert_eq!(c.database_url(), "sqlite:///srv/jet/jetdesk.sqlite3");
    }
}
