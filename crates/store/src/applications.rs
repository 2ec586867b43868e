//! Recruitment rounds, applications and their sections.
//!
//! A section is saved on its own, with a version number: a save names the version it was edited
//! from, and a save from a stale version is refused (`SaveOutcome::Stale`) instead of silently
//! overwriting what another tab saved. Submission is one conditional UPDATE, so a double click or two
//! tabs submit once.

use crate::{affected, on_unique, Backend, Result, Store, StoreError};

/// A recruitment round.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Round {
    /// Row id.
    pub id: i64,
    /// For example "JET 2027 — United Kingdom".
    pub name: String,
    /// Two-letter country code of the recruiting desk ("UK").
    pub country: String,
    /// The departure year (2027 for the 2027 intake).
    pub programme_year: i64,
    /// Positions offered, comma-separated ("alt,cir").
    pub positions: String,
    /// The code that unlocks SEA applications, if SEA is offered.
    pub sea_invite_code: Option<String>,
    /// Applications open (Unix seconds).
    pub opens_at: i64,
    /// The deadline (Unix seconds): a submission at or after it is refused.
    pub closes_at: i64,
    /// Word limit of the statement of purpose.
    pub word_limit: i64,
    /// How many referees an applicant names.
    pub referees_required: i64,
    /// Documents required, comma-separated.
    pub documents_required: String,
    /// The eligibility rule set, as JSON.
    pub rules_json: String,
}

/// What a coordinator sets on a round.
#[derive(Debug, Clone)]
pub struct RoundInput {
    /// See [`Round`].
    pub name: String,
    /// See [`Round`].
    pub country: String,
    /// See [`Round`].
    pub programme_year: i64,
    /// See [`Round`].
    pub positions: String,
    /// See [`Round`].
    pub sea_invite_code: Option<String>,
    /// See [`Round`].
    pub opens_at: i64,
    /// See [`Round`].
    pub closes_at: i64,
    /// See [`Round`].
    pub word_limit: i64,
    /// See [`Round`].
    pub referees_required: i64,
    /// See [`Round`].
    pub documents_required: String,
    /// See [`Round`].
    pub rules_json: String,
}

/// An application.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Application {
    /// Row id.
    pub id: i64,
    /// Its round.
    pub round_id: i64,
    /// The applicant.
    pub user_id: i64,
    /// "alt", "cir" or "sea".
    pub position: String,
    /// The reference shown everywhere, such as `JET27-UK-000123`.
    pub reference: Option<String>,
    /// The state machine's state, by name.
    pub state: String,
    /// Overall eligibility verdict, once computed.
    pub eligibility_overall: Option<String>,
    /// The eligibility evaluation, as JSON.
    pub eligibility_json: Option<String>,
    /// Why the applicant withdrew, if they said.
    pub withdrawn_reason: Option<String>,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
    /// Submitted, if it was.
    pub submitted_at: Option<i64>,
}

/// A saved section.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SectionRow {
    /// Section id, such as `personal`.
    pub section: String,
    /// The answers, as a JSON object of strings.
    pub data_json: String,
    /// 1 when every answer passed validation, else 0 (an integer: sqlx's `Any` driver cannot
    /// decode SQLite booleans).
    pub completed: i64,
    /// Increases with every save.
    pub version: i64,
    /// Last saved.
    pub updated_at: i64,
}

/// The result of a section save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Saved; the new version.
    Saved(i64),
    /// Someone saved a newer version first; nothing was written.
    Stale,
}

/// A row of the staff list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationListing {
    /// Application id.
    pub id: i64,
    /// Reference number.
    pub reference: Option<String>,
    /// Position.
    pub position: String,
    /// State.
    pub state: String,
    /// Eligibility verdict.
    pub eligibility_overall: Option<String>,
    /// Submitted at.
    pub submitted_at: Option<i64>,
    /// The applicant's account name.
    pub display_name: String,
    /// The applicant's e-mail.
    pub email: String,
    /// Applications (any round) by other accounts with the same passport number, or the same name
    /// and date of birth: more than none flags a possible duplicate person.
    pub duplicates: i64,
}

/// The staff list's columns of a page row `a` joined with its user `u`.
const LISTING_COLUMNS: &str = "a.id, a.reference, a.position, a.state, a.eligibility_overall, \
     a.submitted_at, u.display_name, u.email, \
     (SELECT COUNT(*) FROM applications o WHERE o.user_id <> a.user_id \
        AND ((a.passport_key IS NOT NULL AND o.passport_key = a.passport_key) \
          OR (a.identity_key IS NOT NULL AND o.identity_key = a.identity_key))) AS duplicates";

/// A staff list row with the number of rows the filter matches.
#[derive(sqlx::FromRow)]
struct CountedListing {
    #[sqlx(flatten)]
    listing: ApplicationListing,
    total: i64,
}

/// Filters of the staff list; empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    /// Round id (0 for any).
    pub round_id: i64,
    /// Position.
    pub position: String,
    /// State.
    pub state: String,
    /// Eligibility verdict.
    pub eligibility: String,
    /// "yes", "no" or "".
    pub submitted: String,
    /// Free text: name, e-mail or reference.
    pub q: String,
    /// "submitted", "reference" or "name".
    pub sort: String,
}

/// A value bound into a dynamically built filter.
enum Bind {
    Int(i64),
    Text(String),
}

/// Binds `binds` to `query`, in order.
fn bind_all<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    binds: &[Bind],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    binds.iter().fold(query, |query, b| match b {
        Bind::Int(i) => query.bind(*i),
        Bind::Text(t) => query.bind(t.clone()),
    })
}

/// SQLite's staff-search index keys each application by round: its rowid is
/// `round_id * ROUND_KEY + id` (migration 0015), so that a round's matches are one rowid range.
const ROUND_KEY: &str = "4294967296";

/// Looking up one search match, checking it and sorting it costs about as much as testing this
/// many rows of a walk down a round's (submitted, id) index with `LIKE` (about 1 µs against 0.25 µs
/// on the 50,000-application demo round, measured with the `sqlite3` shell).
const WALK_ROWS_PER_MATCH: i64 = 4;

/// The search text's `LIKE` pattern for a substring: `%`, `_` and the escape character escaped.
fn like_pattern(q: &str) -> String {
    let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// The term as one FTS5 phrase (double quotes doubled): a substring match through the trigrams.
fn fts_phrase(q: &str) -> String {
    format!("\"{}\"", q.replace('"', "\"\""))
}

const ROUND_COLUMNS: &str =
    "id, name, country, programme_year, positions, sea_invite_code, opens_at, closes_at, \
                             word_limit, referees_required, documents_required, rules_json";
const APP_COLUMNS: &str =
    "id, round_id, user_id, position, reference, state, eligibility_overall, eligibility_json, \
                           withdrawn_reason, created_at, updated_at, submitted_at";

impl SectionRow {
    /// Whether every answer passed validation.
    pub fn is_complete(&self) -> bool {
        self.completed != 0
    }
}

impl Store {
    /// Creates a round.
    pub async fn create_round(&self, r: &RoundInput) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO rounds (name, country, programme_year, positions, sea_invite_code, opens_at, closes_at,
                 word_limit, referees_required, documents_required, rules_json, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(&r.name)
        .bind(&r.country)
        .bind(r.programme_year)
        .bind(&r.positions)
        .bind(&r.sea_invite_code)
        .bind(r.opens_at)
        .bind(r.closes_at)
        .bind(r.word_limit)
        .bind(r.referees_required)
        .bind(&r.documents_required)
        .bind(&r.rules_json)
        .bind(crate::now())
        .fetch_one(self.pool())
        .await?)
    }

    /// Updates a round.
    pub async fn update_round(&self, id: i64, r: &RoundInput) -> Result<()> {
        sqlx::query(
            "UPDATE rounds SET name = $1, country = $2, programme_year = $3, positions = $4, sea_invite_code = $5,
                 opens_at = $6, closes_at = $7, word_limit = $8, referees_required = $9, documents_required = $10,
                 rules_json = $11 WHERE id = $12",
        )
        .bind(&r.name)
        .bind(&r.country)
        .bind(r.programme_year)
        .bind(&r.positions)
        .bind(&r.sea_invite_code)
        .bind(r.opens_at)
        .bind(r.closes_at)
        .bind(r.word_limit)
        .bind(r.referees_required)
        .bind(&r.documents_required)
        .bind(&r.rules_json)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every round, newest first.
    pub async fn rounds(&self) -> Result<Vec<Round>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ROUND_COLUMNS} FROM rounds ORDER BY opens_at DESC, id DESC"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    /// One round.
    pub async fn round(&self, id: i64) -> Result<Option<Round>> {
        Ok(
            sqlx::query_as(&format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Rounds of `country` whose window overlaps [opens, closes), other than `except`.
    pub async fn overlapping_rounds(
        &self,
        country: &str,
        opens: i64,
        closes: i64,
        except: i64,
    ) -> Result<Vec<Round>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE country = $1 AND opens_at < $3 AND closes_at > $2 AND id <> $4"
        ))
        .bind(country)
        .bind(opens)
        .bind(closes)
        .bind(except)
        .fetch_all(self.pool())
        .await?)
    }

    /// The round an applicant applies to now: the open one, else the most recent that has opened.
    pub async fn current_round(&self, country: &str) -> Result<Option<Round>> {
        let now = crate::now();
        Ok(sqlx::query_as(&format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE country = $1 AND opens_at <= $2
             ORDER BY (CASE WHEN closes_at > $2 THEN 0 ELSE 1 END), closes_at DESC LIMIT 1"
        ))
        .bind(country)
        .bind(now)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Starts an application. A second one in the same round is `Conflict("one application per round")`.
    /// The reference is `JET<yy>-<country>-<id, 6 digits>`.
    pub async fn create_application(&self, round: &Round, user_id: i64, position: &str) -> Result<i64> {
        let now = crate::now();
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO applications (round_id, user_id, position, state, created_at, updated_at)
             VALUES ($1, $2, $3, 'draft', $4, $4) RETURNING id",
        )
        .bind(round.id)
        .bind(user_id)
        .bind(position)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| on_unique(e, "one application per round"))?;
        let reference = format!("JET{:02}-{}-{:06}", round.programme_year % 100, round.country, id);
        sqlx::query("UPDATE applications SET reference = $1 WHERE id = $2")
            .bind(&reference)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The user's application in a round.
    pub async fn application_of(&self, round_id: i64, user_id: i64) -> Result<Option<Application>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {APP_COLUMNS} FROM applications WHERE round_id = $1 AND user_id = $2"
        ))
        .bind(round_id)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// An application by id.
    pub async fn application(&self, id: i64) -> Result<Option<Application>> {
        Ok(
            sqlx::query_as(&format!("SELECT {APP_COLUMNS} FROM applications WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// An application's saved sections.
    pub async fn sections(&self, application_id: i64) -> Result<Vec<SectionRow>> {
        Ok(sqlx::query_as(
            "SELECT section, data_json, completed, version, updated_at FROM application_sections
             WHERE application_id = $1",
        )
        .bind(application_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Saves a section edited from `expected_version` (0: never saved). Only a draft can change.
    pub async fn save_section(
        &self,
        application_id: i64,
        section: &str,
        data_json: &str,
        completed: bool,
        expected_version: i64,
    ) -> Result<SaveOutcome> {
        let now = crate::now();
        let _turn = self.writer_turn().await;
        let mut tx = self.pool().begin().await?;
        let written = if expected_version == 0 {
            let inserted = sqlx::query(
                "INSERT INTO application_sections (application_id, section, data_json, completed, version, updated_at)
                 SELECT $1, $2, $3, $4, 1, $5 WHERE EXISTS (SELECT 1 FROM applications WHERE id = $1 AND state = 'draft')",
            )
            .bind(application_id)
            .bind(section)
            .bind(data_json)
            .bind(i64::from(completed))
            .bind(now)
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(done) => affected(done),
                Err(e) => match on_unique(e, "section") {
                    StoreError::Conflict(_) => 0,
                    other => return Err(other),
                },
            }
        } else {
            affected(
                sqlx::query(
                    "UPDATE application_sections SET data_json = $1, completed = $2, version = version + 1, updated_at = $3
                     WHERE application_id = $4 AND section = $5 AND version = $6
                       AND EXISTS (SELECT 1 FROM applications WHERE id = $4 AND state = 'draft')",
                )
                .bind(data_json)
                .bind(i64::from(completed))
                .bind(now)
                .bind(application_id)
                .bind(section)
                .bind(expected_version)
                .execute(&mut *tx)
                .await?,
            )
        };
        if written == 0 {
            tx.rollback().await?;
            return Ok(SaveOutcome::Stale);
        }
        sqlx::query("UPDATE applications SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(application_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(SaveOutcome::Saved(expected_version + 1))
    }

    /// Sets the text the staff search looks in (names, e-mail, reference; lower case).
    pub async fn set_search_text(&self, application_id: i64, text: &str) -> Result<()> {
        // Unchanged text is not rewritten: each rewrite replaces the row's entries in the search index.
        sqlx::query("UPDATE applications SET search_text = $1 WHERE id = $2 AND search_text <> $1")
            .bind(text.to_lowercase())
            .bind(application_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Submits a draft before `closes_at`, moving it to `state` with its eligibility verdict.
    /// Returns false if it was not a draft any more or the deadline had passed (nothing changes).
    pub async fn submit_application(
        &self,
        application_id: i64,
        now: i64,
        closes_at: i64,
        state: &str,
        eligibility_overall: &str,
        eligibility_json: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE applications SET state = $1, eligibility_overall = $2, eligibility_json = $3, submitted_at = $4,
                 updated_at = $4
             WHERE id = $5 AND state = 'draft' AND $4 < $6",
        )
        .bind(state)
        .bind(eligibility_overall)
        .bind(eligibility_json)
        .bind(now)
        .bind(application_id)
        .bind(closes_at)
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }

    /// Moves an application from `from` to `to` (the caller checked the state machine). False if it
    /// was no longer in `from`.
    pub async fn set_application_state(
        &self,
        application_id: i64,
        from: &str,
        to: &str,
        reason: Option<&str>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE applications SET state = $1, updated_at = $2, withdrawn_reason = COALESCE($3, withdrawn_reason)
             WHERE id = $4 AND state = $5",
        )
        .bind(to)
        .bind(crate::now())
        .bind(reason)
        .bind(application_id)
        .bind(from)
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }

    /// The staff list: filtered, searched, sorted, one page, with the total.
    ///
    /// A whole reference number is found by its unique index. A term of three or more characters is
    /// a substring match through the trigram index (SQLite: the FTS5 table `applications_search`,
    /// whose matches then drive the query; PostgreSQL: `pg_trgm`'s GIN index under `LIKE`); a
    /// shorter one is `LIKE '%term%'` over the search text. Without a term, the total is the sum of
    /// `application_counts` (kept by triggers on both databases) instead of counting 50,000 index
    /// entries.
    pub async fn list_applications(
        &self,
        f: &ApplicationFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ApplicationListing>, i64)> {
        let mut conditions = vec!["1 = 1".to_string()];
        // The same filters over `application_counts` (None once a filter it cannot answer is set).
        let mut count_conditions = Some(vec!["1 = 1".to_string()]);
        let mut binds: Vec<Bind> = Vec::new();
        let mut bind = |value: Bind, sql: &str, counts: &mut Option<Vec<String>>, counted: Option<&str>| {
            binds.push(value);
            let n = binds.len();
            conditions.push(sql.replace('?', &format!("${n}")));
            match (counts.as_mut(), counted) {
                (Some(c), Some(column)) => c.push(format!("{column} = ${n}")),
                _ => *counts = None,
            }
        };
        if f.round_id > 0 {
            bind(
                Bind::Int(f.round_id),
                "a.round_id = ?",
                &mut count_conditions,
                Some("round_id"),
            );
        }
        if !f.position.is_empty() {
            bind(
                Bind::Text(f.position.clone()),
                "a.position = ?",
                &mut count_conditions,
                Some("position"),
            );
        }
        if !f.state.is_empty() {
            bind(
                Bind::Text(f.state.clone()),
                "a.state = ?",
                &mut count_conditions,
                Some("state"),
            );
        }
        if !f.eligibility.is_empty() {
            bind(
                Bind::Text(f.eligibility.clone()),
                "a.eligibility_overall = ?",
                &mut count_conditions,
                Some("eligibility_overall"),
            );
        }
        let q = f.q.trim().to_lowercase();
        let is_reference = q.len() == 15 && q.starts_with("jet") && q.as_bytes().get(5) == Some(&b'-');
        // SQLite's trigram index answers terms of three characters or more.
        let fts = self.backend == Backend::Sqlite && !is_reference && q.chars().count() >= 3;
        let only_round =
            f.position.is_empty() && f.state.is_empty() && f.eligibility.is_empty() && f.submitted.is_empty();
        if fts && f.round_id > 0 && only_round && f.sort != "name" {
            return self
                .search_round(f.round_id, &q, f.sort == "reference", limit, offset)
                .await;
        }
        if is_reference {
            // A whole reference number: one row by the unique index.
            bind(
                Bind::Text(q.to_uppercase()),
                "a.reference = ?",
                &mut count_conditions,
                None,
            );
        } else if fts {
            bind(
                Bind::Text(fts_phrase(&q)),
                "applications_search MATCH ?",
                &mut count_conditions,
                None,
            );
            if f.round_id > 0 {
                // Only the round's range of the index (the same round as the filter above).
                bind(
                    Bind::Int(f.round_id),
                    &format!(
                        "applications_search.rowid >= ? * {ROUND_KEY} AND applications_search.rowid < (? + 1) * {ROUND_KEY}"
                    ),
                    &mut count_conditions,
                    None,
                );
            }
        } else if !q.is_empty() {
            bind(
                Bind::Text(like_pattern(&q)),
                "a.search_text LIKE ? ESCAPE '\\'",
                &mut count_conditions,
                None,
            );
        }
        match f.submitted.as_str() {
            "yes" => {
                conditions.push("a.submitted_at IS NOT NULL".into());
                if let Some(c) = count_conditions.as_mut() {
                    c.push("submitted = 1".into());
                }
            }
            "no" => {
                conditions.push("a.submitted_at IS NULL".into());
                if let Some(c) = count_conditions.as_mut() {
                    c.push("submitted = 0".into());
                }
            }
            _ => {}
        }
        let order = match f.sort.as_str() {
            "reference" => "a.id ASC",
            "name" => "u.display_name ASC, a.id ASC",
            _ => "a.submitted_at DESC, a.id DESC",
        };
        let filter = conditions.join(" AND ");
        // With a search term on SQLite the index's matches drive the query (CROSS JOIN keeps that
        // order), each checked and sorted through the narrow `applications_list_by_id` index.
        let from = if fts {
            format!(
                "applications_search CROSS JOIN applications a INDEXED BY applications_list_by_id
                 ON a.id = applications_search.rowid % {ROUND_KEY}"
            )
        } else {
            "applications a".to_string()
        };
        let n = binds.len();
        let page_from = if f.sort == "name" {
            format!("{from} JOIN users u ON u.id = a.user_id")
        } else {
            from.to_string()
        };
        // The page's ids are chosen on the narrow index columns; only the page's rows are then
        // read in full and joined with their users (the rows hold wide JSON). The total comes
        // with them (`COUNT(*) OVER ()` over every match, counted in the same pass that sorts
        // them) unless the trigger-kept `application_counts` can answer it without a scan.
        let counted = count_conditions.is_some();
        let total_column = if counted { "0" } else { "COUNT(*) OVER ()" };
        let sql = format!(
            "WITH page AS (SELECT a.id AS page_id, {total_column} AS total FROM {page_from}
                 WHERE {filter} ORDER BY {order} LIMIT ${} OFFSET ${})
             SELECT {LISTING_COLUMNS}, page.total
             FROM page JOIN applications a ON a.id = page.page_id JOIN users u ON u.id = a.user_id
             ORDER BY {order}",
            n + 1,
            n + 2
        );
        let rows = bind_all(sqlx::query_as::<_, CountedListing>(&sql), &binds)
            .bind(limit)
            .bind(offset)
            .fetch_all(self.pool())
            .await?;
        let total = match (counted, rows.first()) {
            (false, Some(first)) => first.total,
            (false, None) if offset == 0 => 0,
            _ => {
                // From the counts table, or past the last page (no row to carry the total).
                let count_sql = match &count_conditions {
                    Some(c) if counted => format!(
                        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM application_counts WHERE {}",
                        c.join(" AND ")
                    ),
                    _ => format!("SELECT COUNT(*) FROM {from} WHERE {filter}"),
                };
                let (count,): (i64,) = bind_all(sqlx::query_as(&count_sql), &binds)
                    .fetch_one(self.pool())
                    .await?;
                count
            }
        };
        Ok((rows.into_iter().map(|r| r.listing).collect(), total))
    }
}

impl Store {
    /// The commonest search on SQLite: a term of three characters or more in one round, with no
    /// other filter, sorted by submission or reference. The round's matches are counted in the
    /// trigram index alone (its rowids carry the round); the page's ids then come
    /// - by reference: from the index itself, in rowid order;
    /// - when the matches are dense enough that the page's rows come soon (a common surname): from a
    ///   walk down the round's (submitted, id) index, testing each row's search text with `LIKE`;
    /// - otherwise: from the matches, each looked up, then sorted.
    async fn search_round(
        &self,
        round_id: i64,
        q: &str,
        by_reference: bool,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ApplicationListing>, i64)> {
        let in_index = format!(
            "applications_search MATCH $1 AND applications_search.rowid >= $2 * {ROUND_KEY}
             AND applications_search.rowid < ($2 + 1) * {ROUND_KEY}"
        );
        let (total, in_round): (i64, i64) = sqlx::query_as(&format!(
            "SELECT (SELECT COUNT(*) FROM applications_search WHERE {in_index}),
                 (SELECT COALESCE(SUM(n), 0) FROM application_counts WHERE round_id = $2)"
        ))
        .bind(fts_phrase(q))
        .bind(round_id)
        .fetch_one(self.pool())
        .await?;
        if total == 0 || offset >= total {
            return Ok((Vec::new(), total));
        }
        // Walking finds the page's last row after about (offset + limit) * in_round / total rows.
        let walk = !by_reference
            && total.saturating_mul(total).saturating_mul(WALK_ROWS_PER_MATCH)
                > (offset + limit).saturating_mul(in_round);
        let (page, order, term) = if by_reference {
            (
                format!(
                    "SELECT applications_search.rowid % {ROUND_KEY} AS page_id FROM applications_search
                     WHERE {in_index} ORDER BY applications_search.rowid"
                ),
                "a.id ASC",
                fts_phrase(q),
            )
        } else if walk {
            (
                "SELECT a.id AS page_id FROM applications a INDEXED BY applications_round_submitted_id
                 WHERE a.search_text LIKE $1 ESCAPE '\\' AND a.round_id = $2
                 ORDER BY a.submitted_at DESC, a.id DESC"
                    .to_string(),
                "a.submitted_at DESC, a.id DESC",
                like_pattern(q),
            )
        } else {
            (
                format!(
                    "SELECT a.id AS page_id FROM applications_search
                     CROSS JOIN applications a INDEXED BY applications_list_by_id
                     ON a.id = applications_search.rowid % {ROUND_KEY}
                     WHERE {in_index} ORDER BY a.submitted_at DESC, a.id DESC"
                ),
                "a.submitted_at DESC, a.id DESC",
                fts_phrase(q),
            )
        };
        let rows: Vec<ApplicationListing> = sqlx::query_as(&format!(
            "WITH page AS ({page} LIMIT $3 OFFSET $4)
             SELECT {LISTING_COLUMNS}
             FROM page JOIN applications a ON a.id = page.page_id JOIN users u ON u.id = a.user_id
             ORDER BY {order}"
        ))
        .bind(term)
        .bind(round_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        Ok((rows, total))
    }
}

/// A synthetic application for the demo and the load benchmarks, written in bulk.
#[derive(Debug, Clone)]
pub struct DemoApplication {
    /// The applicant's e-mail (unique).
    pub email: String,
    /// Their name.
    pub display_name: String,
    /// Position.
    pub position: String,
    /// State.
    pub state: String,
    /// Submitted at, if submitted.
    pub submitted_at: Option<i64>,
    /// Overall verdict.
    pub eligibility_overall: Option<String>,
    /// Evaluation JSON.
    pub eligibility_json: Option<String>,
    /// Search text.
    pub search_text: String,
    /// (section id, answers JSON, complete).
    pub sections: Vec<(String, String, bool)>,
}

impl Store {
    /// Writes a batch of synthetic applicants and applications in one transaction (the demo's
    /// 50,000 applications would take minutes one fsync at a time).
    pub async fn insert_demo_applications(
        &self,
        round: &Round,
        password_hash: &str,
        batch: &[DemoApplication],
    ) -> Result<()> {
        let now = crate::now();
        let mut tx = self.pool().begin().await?;
        for d in batch {
            let user_id: i64 = sqlx::query_scalar(
                "INSERT INTO users (email, display_name, password_hash, email_verified_at, created_at, password_changed_at)
                 VALUES ($1, $2, $3, $4, $4, $4) RETURNING id",
            )
            .bind(&d.email)
            .bind(&d.display_name)
            .bind(password_hash)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| on_unique(e, "email"))?;
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, 'applicant')")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            // The search text is written once the reference is known: an empty one costs the
            // search index nothing to replace (see migration 0014).
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO applications (round_id, user_id, position, state, eligibility_overall,
                     eligibility_json, created_at, updated_at, submitted_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id",
            )
            .bind(round.id)
            .bind(user_id)
            .bind(&d.position)
            .bind(&d.state)
            .bind(&d.eligibility_overall)
            .bind(&d.eligibility_json)
            .bind(d.submitted_at.unwrap_or(now))
            .bind(d.submitted_at)
            .fetch_one(&mut *tx)
            .await?;
            let reference = format!("JET{:02}-{}-{:06}", round.programme_year % 100, round.country, id);
            sqlx::query("UPDATE applications SET reference = $1, search_text = $2 WHERE id = $3")
                .bind(&reference)
                .bind(format!("{} {}", d.search_text, reference.to_lowercase()))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for (section, json, complete) in &d.sections {
                sqlx::query(
                    "INSERT INTO application_sections (application_id, section, data_json, completed, version, updated_at)
                     VALUES ($1, $2, $3, $4, 1, $5)",
                )
                .bind(id)
                .bind(section)
                .bind(json)
                .bind(i64::from(*complete))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
