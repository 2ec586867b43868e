//! The JSON API's storage: personal API tokens (only their SHA-256 is kept), their per-token rate
//! window, the server secret that signs paging cursors, and the API's read queries. Every list is
//! paged by keyset on its row id (`id > after ORDER BY id`), so a page is one index range and a
//! row never appears on two pages.
//!
//! This module decides nothing about who may read what: the web layer passes `member_of` (a host's
//! user id) when the caller may see only their own organisations.

use crate::{affected, Result, Store};

/// A personal API token, without the token itself.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiToken {
    /// Row id.
    pub id: i64,
    /// Its owner.
    pub user_id: i64,
    /// The owner's label for it.
    pub name: String,
    /// Space-separated scopes.
    pub scopes: String,
    /// When it was made (Unix seconds).
    pub created_at: i64,
    /// When it stops working.
    pub expires_at: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
    /// When it was last used.
    pub last_used_at: Option<i64>,
    /// Requests it may make per minute.
    pub per_minute: i64,
}

impl ApiToken {
    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.split_whitespace().any(|s| s == scope)
    }

    /// Whether the token works at `now`: neither revoked nor expired.
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// An application as the API shows it: the staff list's columns, no answers.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiApplication {
    /// Row id.
    pub id: i64,
    /// Its round.
    pub round_id: i64,
    /// Reference number, once given.
    pub reference: Option<String>,
    /// `alt`, `cir` or `sea`.
    pub position: String,
    /// State in the state machine.
    pub state: String,
    /// Eligibility verdict, once checked.
    pub eligibility_overall: Option<String>,
    /// When it was submitted.
    pub submitted_at: Option<i64>,
    /// When it was last changed.
    pub updated_at: i64,
    /// The applicant's account name.
    pub display_name: String,
    /// The applicant's e-mail.
    pub email: String,
}

/// Filters of the API's application list (`None`: any).
#[derive(Debug, Clone, Default)]
pub struct ApiApplicationFilter {
    /// Round id.
    pub round_id: Option<i64>,
    /// Position.
    pub position: Option<String>,
    /// State.
    pub state: Option<String>,
    /// Eligibility verdict.
    pub eligibility: Option<String>,
}

/// A decided outcome.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiOutcome {
    /// The application (also the row's key).
    pub application_id: i64,
    /// Its round.
    pub round_id: i64,
    /// Reference number.
    pub reference: Option<String>,
    /// Position.
    pub position: String,
    /// `shortlisted`, `alternate` or `unsuccessful`.
    pub outcome: String,
    /// An alternate's rank.
    pub alternate_rank: Option<i64>,
    /// Comma-separated reason ids.
    pub reasons: String,
    /// When it was decided.
    pub decided_at: i64,
    /// When it was published to the applicant.
    pub published_at: Option<i64>,
}

/// A placement offer with its post and organisation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiPlacement {
    /// The offer's id.
    pub id: i64,
    /// Its round.
    pub round_id: i64,
    /// The application placed.
    pub application_id: i64,
    /// Reference number.
    pub reference: Option<String>,
    /// The application's state (`placed`, `accepted`, `declined`, …).
    pub state: String,
    /// The post.
    pub post_id: i64,
    /// The post's organisation.
    pub org_id: i64,
    /// The organisation's English name.
    pub org_name_en: String,
    /// Position of the post.
    pub position: String,
    /// When the offer was made.
    pub offered_at: i64,
    /// When the answer is due.
    pub deadline_at: i64,
    /// When it was answered.
    pub answered_at: Option<i64>,
}

/// A contracting organisation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiOrganisation {
    /// Row id.
    pub id: i64,
    /// English name.
    pub name_en: String,
    /// Japanese name.
    pub name_ja: String,
    /// Prefecture.
    pub prefecture: String,
    /// `urban`, `semi_urban` or `rural`.
    pub setting: String,
    /// `prefecture`, `designated_city`, `city`, `town` or `village`.
    pub kind: String,
    /// Region code.
    pub region: String,
    /// Area code.
    pub area: String,
}

/// A post at an organisation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiPost {
    /// Row id.
    pub id: i64,
    /// Its organisation.
    pub org_id: i64,
    /// `alt` or `cir`.
    pub position: String,
    /// Places.
    pub places: i64,
    /// Comma-separated school levels.
    pub school_levels: String,
    /// Minimum JLPT level or empty.
    pub min_jlpt: String,
    /// Whether a driving licence is needed (0/1).
    pub driving_licence: i64,
}

/// A value bound into a dynamically built query.
enum Bind {
    Int(i64),
    Text(String),
}

/// Conditions and their values, numbered `$1…` in order.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    binds: Vec<Bind>,
}

impl Conditions {
    fn add(&mut self, value: Bind, sql: &str) {
        self.binds.push(value);
        self.sql.push(sql.replace('?', &format!("${}", self.binds.len())));
    }

    fn member_of(&mut self, member_of: Option<i64>, column: &str) {
        if let Some(user) = member_of {
            self.add(
                Bind::Int(user),
                &format!("{column} IN (SELECT org_id FROM host_org_members WHERE user_id = ?)"),
            );
        }
    }

    fn page(mut self, after: i64, limit: i64, id_column: &str) -> (String, Vec<Bind>) {
        self.add(Bind::Int(after), &format!("{id_column} > ?"));
        self.binds.push(Bind::Int(limit));
        let tail = format!(
            " WHERE {} ORDER BY {id_column} LIMIT ${}",
            self.sql.join(" AND "),
            self.binds.len()
        );
        (tail, self.binds)
    }
}

const APPLICATION_SQL: &str = "SELECT a.id, a.round_id, a.reference, a.position, a.state, a.eligibility_overall, \
     a.submitted_at, a.updated_at, u.display_name, u.email FROM applications a JOIN users u ON u.id = a.user_id";
const OUTCOME_SQL: &str =
    "SELECT o.application_id, a.round_id, a.reference, a.position, o.outcome, o.alternate_rank, \
     o.reasons, o.decided_at, o.published_at FROM outcomes o JOIN applications a ON a.id = o.application_id";
const PLACEMENT_SQL: &str =
    "SELECT f.id, f.round_id, f.application_id, a.reference, a.state, f.post_id, p.org_id, \
     h.name_en AS org_name_en, p.position, f.offered_at, f.deadline_at, f.answered_at \
     FROM placement_offers f JOIN applications a ON a.id = f.application_id \
     JOIN placement_posts p ON p.id = f.post_id JOIN host_orgs h ON h.id = p.org_id";
const ORGANISATION_SQL: &str =
    "SELECT h.id, h.name_en, h.name_ja, h.prefecture, h.setting, h.kind, h.region, h.area FROM host_orgs h";
const POST_SQL: &str = "SELECT p.id, p.org_id, p.position, p.places, p.school_levels, p.min_jlpt, \
     p.driving_licence FROM placement_posts p";

impl Store {
    /// Stores a new token's hash; returns its id.
    pub async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        scopes: &str,
        expires_at: i64,
    ) -> Result<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(scopes)
        .bind(crate::now())
        .bind(expires_at)
        .fetch_one(self.pool())
        .await?;
        Ok(id)
    }

    /// Sets how many requests a minute the token with this hash may make (for the CLI, where a
    /// trusted operator can raise the default for a bulk import or a fuzzing run).
    pub async fn set_api_token_per_minute(&self, token_hash: &str, per_minute: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE api_tokens SET per_minute = $1 WHERE token_hash = $2")
            .bind(per_minute)
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(affected(done) == 1)
    }

    /// A user's tokens, newest first.
    pub async fn api_tokens_of(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        Ok(sqlx::query_as(
            "SELECT id, user_id, name, scopes, created_at, expires_at, revoked_at, last_used_at, per_minute
             FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The token whose SHA-256 is `token_hash`, live or not.
    pub async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        Ok(sqlx::query_as(
            "SELECT id, user_id, name, scopes, created_at, expires_at, revoked_at, last_used_at, per_minute
             FROM api_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Revokes one of `user_id`'s tokens; false if it is not theirs or already revoked.
    pub async fn revoke_api_token(&self, user_id: i64, id: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(crate::now())
        .bind(id)
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }

    /// Counts one request of token `id` in the fixed window starting at `window_start` (a new
    /// window restarts the count) and records the use; returns the count in this window. One
    /// UPDATE, so concurrent requests on several instances count exactly.
    pub async fn api_token_hit(&self, id: i64, window_start: i64) -> Result<i64> {
        let count: i64 = sqlx::query_scalar(
            "UPDATE api_tokens SET
                 window_count = CASE WHEN window_start = $1 THEN window_count + 1 ELSE 1 END,
                 window_start = $1, last_used_at = $2
             WHERE id = $3 RETURNING window_count",
        )
        .bind(window_start)
        .bind(crate::now())
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        Ok(count)
    }

    /// The server secret called `name`, storing `candidate` if there is none yet (the first
    /// instance to ask wins; every instance then reads the same one).
    pub async fn server_secret(&self, name: &str, candidate: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO server_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(candidate)
        .execute(self.pool())
        .await?;
        Ok(
            sqlx::query_scalar("SELECT secret FROM server_secrets WHERE name = $1")
                .bind(name)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Applications after id `after`, in id order, at most `limit`.
    pub async fn api_applications(
        &self,
        f: &ApiApplicationFilter,
        after: i64,
        limit: i64,
    ) -> Result<Vec<ApiApplication>> {
        let mut c = Conditions::default();
        if let Some(round) = f.round_id {
            c.add(Bind::Int(round), "a.round_id = ?");
        }
        for (value, sql) in [
            (&f.position, "a.position = ?"),
            (&f.state, "a.state = ?"),
            (&f.eligibility, "a.eligibility_overall = ?"),
        ] {
            if let Some(v) = value {
                c.add(Bind::Text(v.clone()), sql);
            }
        }
        let (tail, binds) = c.page(after, limit, "a.id");
        self.fetch_page(&format!("{APPLICATION_SQL}{tail}"), binds).await
    }

    /// One application by id.
    pub async fn api_application(&self, id: i64) -> Result<Option<ApiApplication>> {
        Ok(sqlx::query_as(&format!("{APPLICATION_SQL} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Published outcomes after application id `after`. An outcome decided but not yet published
    /// is not served: results reach no one, not even an integration, before the results instant.
    pub async fn api_outcomes(
        &self,
        round_id: Option<i64>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<ApiOutcome>> {
        let mut c = Conditions::default();
        c.sql.push("o.published_at IS NOT NULL".into());
        if let Some(round) = round_id {
            c.add(Bind::Int(round), "a.round_id = ?");
        }
        let (tail, binds) = c.page(after, limit, "o.application_id");
        self.fetch_page(&format!("{OUTCOME_SQL}{tail}"), binds).await
    }

    /// Placement offers after id `after`; only at `member_of`'s organisations when given.
    pub async fn api_placements(
        &self,
        round_id: Option<i64>,
        member_of: Option<i64>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<ApiPlacement>> {
        let mut c = Conditions::default();
        if let Some(round) = round_id {
            c.add(Bind::Int(round), "f.round_id = ?");
        }
        c.member_of(member_of, "p.org_id");
        let (tail, binds) = c.page(after, limit, "f.id");
        self.fetch_page(&format!("{PLACEMENT_SQL}{tail}"), binds).await
    }

    /// Organisations after id `after`; only `member_of`'s when given.
    pub async fn api_organisations(
        &self,
        member_of: Option<i64>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<ApiOrganisation>> {
        let mut c = Conditions::default();
        c.member_of(member_of, "h.id");
        let (tail, binds) = c.page(after, limit, "h.id");
        self.fetch_page(&format!("{ORGANISATION_SQL}{tail}"), binds).await
    }

    /// One organisation, if it exists and (with `member_of`) the host belongs to it.
    pub async fn api_organisation(&self, id: i64, member_of: Option<i64>) -> Result<Option<ApiOrganisation>> {
        let mut c = Conditions::default();
        c.add(Bind::Int(id), "h.id = ?");
        c.member_of(member_of, "h.id");
        let (tail, binds) = c.page(0, 1, "h.id");
        Ok(self
            .fetch_page(&format!("{ORGANISATION_SQL}{tail}"), binds)
            .await?
            .into_iter()
            .next())
    }

    /// Posts after id `after`, of one organisation if given; only at `member_of`'s organisations
    /// when given.
    pub async fn api_posts(
        &self,
        org_id: Option<i64>,
        member_of: Option<i64>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<ApiPost>> {
        let mut c = Conditions::default();
        if let Some(org) = org_id {
            c.add(Bind::Int(org), "p.org_id = ?");
        }
        c.member_of(member_of, "p.org_id");
        let (tail, binds) = c.page(after, limit, "p.id");
        self.fetch_page(&format!("{POST_SQL}{tail}"), binds).await
    }

    async fn fetch_page<T>(&self, sql: &str, binds: Vec<Bind>) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let mut query = sqlx::query_as::<_, T>(sql);
        for b in binds {
            query = match b {
                Bind::Int(v) => query.bind(v),
                Bind::Text(v) => query.bind(v),
            };
        }
        Ok(query.fetch_all(self.pool()).await?)
    }
}
