//! jetdesk-store: the database. Both backends are compiled in and chosen by the URL's scheme at run
//! time (`sqlite:` or `postgres:`); each has its own migrations under `migrations/{sqlite,postgres}`
//! with the same names, and one set of queries (written with `$1` placeholders) serves both through
//! sqlx's `Any` driver. Times are stored as UTC Unix seconds.
//!
//! This crate knows nothing of HTTP: it returns plain rows and `StoreError`, and the web layer decides
//! what a conflict means to a user.

mod accounts;
mod api;
mod applications;
mod audit;
mod checks;
mod dashboard;
mod demo;
mod documents;
mod interviews;
mod mfa;
mod outbox;
mod outcomes;
mod placement;
mod privacy;
mod referees;
mod review;
mod timetables;

pub use accounts::{EmailTokenError, LoadedSession, SessionRow, TokenPurpose, User, UserListing};
pub use api::{
    ApiApplication, ApiApplicationFilter, ApiOrganisation, ApiOutcome, ApiPlacement, ApiPost, ApiToken,
};
pub use applications::{
    Application, ApplicationFilter, ApplicationListing, DemoApplication, Round, RoundInput, SaveOutcome,
    SectionRow,
};
pub use audit::AuditEntry;
pub use checks::{DuplicateMatch, JapaneseAssessment, PartnerLink, RecheckCandidate};
pub use dashboard::{AuditFilter, AuditRow, StageTime};
pub use demo::{DemoHistory, DemoInterviewTotal, DemoOffer, DemoReview, DemoStateChange};
pub use documents::{Document, NewDocument};
pub use interviews::{
    BookOutcome, DayInterview, InterviewBooking, InterviewPanel, InterviewScore, InterviewSettings,
    InterviewSlot, InterviewVenue, Interviewer, JapaneseEvaluation, NewInterviewScore, PanelMember,
};
pub use mfa::{MfaChallenge, MfaSecret};
pub use outbox::{MailAttachment, OutboxMessage};
pub use outcomes::{Outcome, OutcomeInput, Upgrade};
pub use placement::{
    HeldAt, PlacementAdjustment, PlacementCandidate, PlacementOffer, PlacementOrg, PlacementOrgInput,
    PlacementPost, PlacementPostInput, PlacementRun, SisterCity,
};
pub use privacy::{ErasureRequest, ExportTable, RetentionCandidate, RoundRetention};
pub use referees::{NameOutcome, NewReferee, Referee, ReferenceBody};
pub use review::{Assignment, Moderation, Reviewer, SelectionApplication, SelectionSettings};
pub use timetables::{HostOrg, TtAlt, TtAltInput, TtPlan, TtSchool, TtSchoolInput};

use sqlx::any::{AnyPoolOptions, AnyQueryResult};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

/// Which database engine a `Store` talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: one file in the data directory.
    Sqlite,
    /// For several app instances behind a load balancer.
    Postgres,
}

/// Errors from the store. `Conflict` names the unique constraint that refused a write.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write (for example a duplicate e-mail address).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The database URL is not one jetdesk can use.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    /// Anything else the database said.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Result alias for store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A connection pool to jetdesk's database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time. Hot write transactions (section saves) queue here, in
    /// order, instead of meeting SQLITE_BUSY and sleeping in SQLite's busy handler, whose back-off
    /// (1, 2, 5, 10 … 100 ms between tries) left the lock idle and made the saves' long tail.
    write_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// The current time as Unix seconds; the one clock every store write uses unless given another.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

impl Store {
    /// Connects to `url`, creating the SQLite file if needed, and sets SQLite's durability options
    /// (WAL, foreign keys, a busy timeout) on every connection.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let pool = match backend {
            Backend::Sqlite => {
                let url = if url.contains('?') {
                    url.to_string()
                } else {
                    format!("{url}?mode=rwc")
                };
                options
                    .max_connections(8)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => options.max_connections(16).connect(url).await?,
        };
        if backend == Backend::Sqlite {
            // WAL is a property of the file: set once, it stays.
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
        }
        Ok(Store {
            pool,
            backend,
            write_lock: Default::default(),
        })
    }

    /// Applies every migration the database has not seen yet.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    /// Answers whether the database responds, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// After a bulk load (the demo's synthetic applications): on PostgreSQL, `VACUUM ANALYZE`, so
    /// that the planner knows the new rows (without it, it estimated a 50,000-row round at 1,767 and
    /// compiled the staff list with JIT, 16 ms a page) and index-only scans need not visit the
    /// table. Nothing on SQLite, whose plans here do not depend on statistics.
    pub async fn after_bulk_load(&self) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("VACUUM ANALYZE").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The underlying pool, for capability modules in this crate.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Waits for SQLite's in-process writer turn (see `write_lock`); nothing to wait for on
    /// PostgreSQL, whose row locks let writers of different rows run together.
    pub(crate) async fn writer_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().await),
            Backend::Postgres => None,
        }
    }

    /// Closes every connection (used at shutdown and by tests before dropping a database).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether the database holds no users yet (the demo loads only into an empty database).
    pub async fn is_empty(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }
}

/// Turns a unique-constraint violation into `Conflict(what)`, leaving other errors as they are.
pub(crate) fn on_unique(err: sqlx::Error, what: &'static str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(err),
    }
}

pub(crate) fn affected(result: AnyQueryResult) -> u64 {
    result.rows_affected()
}
