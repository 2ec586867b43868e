//! Referees: named by an applicant per slot, asked by an e-mailed single-use link whose token is
//! stored only as a SHA-256. Replacing a referee retires the row (its link stops working); a
//! reference is accepted once, by one conditional UPDATE, before the link expires.

use crate::{affected, on_unique, Result, Store, StoreError};

/// A referee, active or retired.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Referee {
    /// Row id.
    pub id: i64,
    /// The application.
    pub application_id: i64,
    /// Which of the round's referees this is (1-based).
    pub slot: i64,
    /// The referee's name.
    pub name: String,
    /// The referee's e-mail address.
    pub email: String,
    /// "academic" or "professional".
    pub relationship: String,
    /// When the request was sent (Unix seconds).
    pub requested_at: i64,
    /// When the link stops working.
    pub expires_at: i64,
    /// When the referee first opened the link.
    pub opened_at: Option<i64>,
    /// When the reference arrived.
    pub received_at: Option<i64>,
    /// When a reminder was sent.
    pub reminded_at: Option<i64>,
    /// 0 while active; the row's own id once replaced.
    pub retired: i64,
    /// The reference, if written in the form.
    pub reference_text: Option<String>,
    /// The uploaded reference's content hash, if uploaded.
    pub reference_sha256: Option<String>,
    /// The uploaded reference's sniffed type.
    pub reference_content_type: Option<String>,
    /// The uploaded reference's file name, sanitised.
    pub reference_name: Option<String>,
}

impl Referee {
    /// Whether this referee has been replaced.
    pub fn is_retired(&self) -> bool {
        self.retired != 0
    }
}

/// What naming a referee stores.
#[derive(Debug, Clone)]
pub struct NewReferee<'a> {
    /// See [`Referee`].
    pub slot: i64,
    /// See [`Referee`].
    pub name: &'a str,
    /// See [`Referee`].
    pub email: &'a str,
    /// See [`Referee`].
    pub relationship: &'a str,
    /// SHA-256 of the e-mailed token, hex.
    pub token_hash: &'a str,
    /// See [`Referee`].
    pub expires_at: i64,
}

/// A received reference: text, or an uploaded file.
#[derive(Debug, Clone)]
pub enum ReferenceBody<'a> {
    /// Written in the form.
    Text(&'a str),
    /// Uploaded: (content hash, sniffed type, sanitised file name).
    File(&'a str, &'a str, &'a str),
}

/// The outcome of naming a referee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameOutcome {
    /// Named; the new row's id.
    Named(i64),
    /// The slot's referee has already answered and cannot be replaced.
    Answered,
}

const REFEREE_COLUMNS: &str = "id, application_id, slot, name, email, relationship, requested_at, expires_at, \
     opened_at, received_at, reminded_at, retired, reference_text, reference_sha256, reference_content_type, reference_name";

impl Store {
    /// An application's active referees, by slot.
    pub async fn referees(&self, application_id: i64) -> Result<Vec<Referee>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {REFEREE_COLUMNS} FROM referees WHERE application_id = $1 AND retired = 0 ORDER BY slot"
        ))
        .bind(application_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// A referee by id (active or retired).
    pub async fn referee(&self, id: i64) -> Result<Option<Referee>> {
        Ok(
            sqlx::query_as(&format!("SELECT {REFEREE_COLUMNS} FROM referees WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// The referee whose request or reminder carried the token with this hash.
    pub async fn referee_by_token(&self, token_hash: &str) -> Result<Option<Referee>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {REFEREE_COLUMNS} FROM referees WHERE token_hash = $1 OR reminder_token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Names the referee of `r.slot`, retiring the slot's previous referee if they have not answered.
    pub async fn name_referee(&self, application_id: i64, r: &NewReferee<'_>) -> Result<NameOutcome> {
        let now = crate::now();
        let mut tx = self.pool().begin().await?;
        let answered: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM referees WHERE application_id = $1 AND slot = $2 AND retired = 0
               AND received_at IS NOT NULL",
        )
        .bind(application_id)
        .bind(r.slot)
        .fetch_one(&mut *tx)
        .await?;
        if answered > 0 {
            tx.rollback().await?;
            return Ok(NameOutcome::Answered);
        }
        sqlx::query(
            "UPDATE referees SET retired = id WHERE application_id = $1 AND slot = $2 AND retired = 0",
        )
        .bind(application_id)
        .bind(r.slot)
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO referees (application_id, slot, name, email, relationship, token_hash, requested_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(application_id)
        .bind(r.slot)
        .bind(r.name)
        .bind(r.email)
        .bind(r.relationship)
        .bind(r.token_hash)
        .bind(now)
        .bind(r.expires_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| on_unique(e, "referee"))?;
        tx.commit().await?;
        Ok(NameOutcome::Named(id))
    }

    /// Records the first time the referee opened their link.
    pub async fn mark_referee_opened(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE referees SET opened_at = $1 WHERE id = $2 AND opened_at IS NULL")
            .bind(crate::now())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Accepts the reference of an active, unanswered, unexpired referee at `now`; false if any of
    /// those no longer holds (nothing written).
    pub async fn receive_reference(&self, id: i64, now: i64, body: &ReferenceBody<'_>) -> Result<bool> {
        let (text, sha, ctype, name) = match body {
            ReferenceBody::Text(t) => (Some(*t), None, None, None),
            ReferenceBody::File(s, c, n) => (None, Some(*s), Some(*c), Some(*n)),
        };
        Ok(affected(
            sqlx::query(
                "UPDATE referees SET received_at = $1, reference_text = $2, reference_sha256 = $3,
                     reference_content_type = $4, reference_name = $5
                 WHERE id = $6 AND retired = 0 AND received_at IS NULL AND expires_at > $1",
            )
            .bind(now)
            .bind(text)
            .bind(sha)
            .bind(ctype)
            .bind(name)
            .bind(id)
            .execute(self.pool())
            .await?,
        ) == 1)
    }

    /// Active referees who have not answered, not been reminded, and whose link expires after
    /// `now` but no later than `until`.
    pub async fn referees_due_reminder(&self, now: i64, until: i64) -> Result<Vec<Referee>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {REFEREE_COLUMNS} FROM referees WHERE retired = 0 AND received_at IS NULL
               AND reminded_at IS NULL AND expires_at > $1 AND expires_at <= $2 ORDER BY id"
        ))
        .bind(now)
        .bind(until)
        .fetch_all(self.pool())
        .await?)
    }

    /// Marks a referee reminded with a second token; false if someone else reminded them first.
    pub async fn mark_referee_reminded(&self, id: i64, reminder_token_hash: &str) -> Result<bool> {
        match sqlx::query(
            "UPDATE referees SET reminded_at = $1, reminder_token_hash = $2
             WHERE id = $3 AND reminded_at IS NULL AND retired = 0 AND received_at IS NULL",
        )
        .bind(crate::now())
        .bind(reminder_token_hash)
        .bind(id)
        .execute(self.pool())
        .await
        {
            Ok(done) => Ok(affected(done) == 1),
            Err(e) => match on_unique(e, "reminder token") {
                StoreError::Conflict(_) => Ok(false),
                other => Err(other),
            },
        }
    }
}
