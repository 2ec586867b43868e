//! Data protection (UK GDPR): what jetdesk holds about a person (for a subject access request),
//! erasure requests and their decisions, erasing a person or one application while the rows that
//! the round's figures count stay (blanked), per-round retention periods, and the consistent SQLite
//! snapshot the backup command takes.
//!
//! Erasure keeps an application's round, position, state, timestamps and overall eligibility
//! verdict; it blanks the answers, the search text, the identity keys and every free-text note
//! about the person, and deletes documents, referees, partner links and e-mails to them. It returns
//! the content hashes it released so the caller can delete files nothing else uses.

use crate::{affected, Result, Store};
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{Any, Column, Row, Transaction};

/// One table of a person's data, as JSON objects (one per row).
pub type ExportTable = (&'static str, Vec<Map<String, Value>>);

/// An applicant's request to be erased, and its decision.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ErasureRequest {
    /// Row id.
    pub id: i64,
    /// Whose data.
    pub user_id: i64,
    /// Their e-mail address (the placeholder once erased).
    pub email: String,
    /// Their name (the placeholder once erased).
    pub display_name: String,
    /// Why they asked (blanked once approved).
    pub reason: String,
    /// When (Unix seconds).
    pub requested_at: i64,
    /// "pending", "approved" or "refused".
    pub status: String,
    /// The coordinator who decided.
    pub decided_by: Option<i64>,
    /// When it was decided.
    pub decided_at: Option<i64>,
    /// The coordinator's reason.
    pub decision_reason: String,
}

/// A round's retention period.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoundRetention {
    /// The round.
    pub round_id: i64,
    /// The round's name.
    pub round_name: String,
    /// When the round closed (Unix seconds).
    pub closes_at: i64,
    /// Months after closing, if set.
    pub months: Option<i64>,
}

/// An application whose round's retention period has passed and whose state is one retention
/// erases.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RetentionCandidate {
    /// The application.
    pub application_id: i64,
    /// Its applicant.
    pub user_id: i64,
    /// Its round.
    pub round_id: i64,
    /// Its reference, if it got one.
    pub reference: Option<String>,
    /// Its state.
    pub state: String,
}

fn row_to_json(row: &AnyRow) -> Map<String, Value> {
    let mut out = Map::new();
    for (i, col) in row.columns().iter().enumerate() {
        let value = if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
            v.map(Value::from).unwrap_or(Value::Null)
        } else if let Ok(v) = row.try_get::<Option<String>, _>(i) {
            v.map(Value::from).unwrap_or(Value::Null)
        } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
            v.map(Value::from).unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        out.insert(col.name().to_string(), value);
    }
    out
}

/// The subject access queries: file name and SQL over `$1` = user id, `$2` = `user:ID`.
const SUBJECT_QUERIES: &[(&str, &str)] = &[
    (
        "account",
        "SELECT id, email, display_name, email_verified_at, locale, created_at, password_changed_at
         FROM users WHERE id = $1 AND $2 <> ''",
    ),
    (
        "roles",
        "SELECT role FROM user_roles WHERE user_id = $1 AND $2 <> ''",
    ),
    (
        "applications",
        "SELECT a.id, a.round_id, r.name AS round_name, a.position, a.reference, a.state,
                a.eligibility_overall, a.eligibility_json, a.withdrawn_reason, a.created_at,
                a.updated_at, a.submitted_at
         FROM applications a JOIN rounds r ON r.id = a.round_id
         WHERE a.user_id = $1 AND $2 <> '' ORDER BY a.id",
    ),
    (
        "application_sections",
        "SELECT s.application_id, s.section, s.data_json, s.completed, s.version, s.updated_at
         FROM application_sections s JOIN applications a ON a.id = s.application_id
         WHERE a.user_id = $1 AND $2 <> '' ORDER BY s.application_id, s.section",
    ),
    (
        "documents",
        "SELECT d.id, d.application_id, d.kind, d.sha256, d.content_type, d.size_bytes, d.original_name,
                d.uploaded_at
         FROM documents d JOIN applications a ON a.id = d.application_id
         WHERE a.user_id = $1 AND $2 <> '' ORDER BY d.id",
    ),
    (
        "referees",
        "SELECT f.id, f.application_id, f.slot, f.name, f.email, f.relationship, f.requested_at,
                f.expires_at, f.opened_at, f.received_at, f.reminded_at,
                CASE WHEN f.retired <> 0 THEN 'replaced' WHEN f.received_at IS NOT NULL THEN 'received'
                     ELSE 'requested' END AS status
         FROM referees f JOIN applications a ON a.id = f.application_id
         WHERE a.user_id = $1 AND $2 <> '' ORDER BY f.id",
    ),
    (
        "partner_links",
        "SELECT p.application_id, p.partner_application_id, p.requested_at, p.confirmed_at
         FROM partner_links p JOIN applications a ON a.id = p.application_id
         WHERE a.user_id = $1 AND $2 <> ''",
    ),
    (
        "outcomes",
        "SELECT o.application_id, o.outcome, o.alternate_rank, o.reasons, o.feedback, o.published_at
         FROM outcomes o JOIN applications a ON a.id = o.application_id
         WHERE a.user_id = $1 AND $2 <> '' AND o.published_at IS NOT NULL",
    ),
    (
        "interview_bookings",
        "SELECT b.id, b.application_id, s.starts_at, s.length_minutes, v.name AS venue, v.address,
                b.booked_at, b.updated_at
         FROM interview_bookings b JOIN applications a ON a.id = b.application_id
         JOIN interview_slots s ON s.id = b.slot_id JOIN interview_venues v ON v.id = s.venue_id
         WHERE a.user_id = $1 AND $2 <> '' ORDER BY b.id",
    ),
    (
        "placement_offers",
        "SELECT o.id, o.application_id, h.name_en AS host_organisation, h.prefecture, p.position,
                o.offered_at, o.deadline_at, o.answered_at
         FROM placement_offers o JOIN applications a ON a.id = o.application_id
         JOIN placement_posts p ON p.id = o.post_id JOIN host_orgs h ON h.id = p.org_id
         WHERE a.user_id = $1 AND $2 <> '' ORDER BY o.id",
    ),
    (
        "japanese_assessments",
        "SELECT id, application_id, level, source, note, assessed_at
         FROM japanese_assessments WHERE user_id = $1 AND $2 <> '' ORDER BY id",
    ),
    (
        "japanese_evaluations",
        "SELECT id, application_id, proposed_1, proposed_2, proposed_3, applicant_note, status, call_at,
                call_minutes, level, result_note, evaluated_at, created_at
         FROM japanese_evaluations WHERE user_id = $1 AND $2 <> '' ORDER BY id",
    ),
    (
        "erasure_requests",
        "SELECT id, reason, requested_at, status, decided_at, decision_reason
         FROM erasure_requests WHERE user_id = $1 AND $2 <> '' ORDER BY id",
    ),
    (
        "audit_log",
        "SELECT id, at, action, subject, before_value, after_value FROM audit_log
         WHERE subject = $2 OR actor_user_id = $1
            OR subject IN (SELECT 'application:' || CAST(id AS TEXT) FROM applications WHERE user_id = $1)
         ORDER BY id",
    ),
    (
        "emails",
        "SELECT id, to_addr, subject, body_text, created_at, sent_at FROM outbox
         WHERE LOWER(to_addr) = (SELECT LOWER(email) FROM users WHERE id = $1) AND $2 <> '' ORDER BY id",
    ),
];

impl Store {
    /// Everything jetdesk holds about `user_id`, table by table, for a subject access request. The
    /// password hash, reference texts (the referee's data, given in confidence), unpublished outcomes
    /// and staff's scoring notes are left out.
    pub async fn subject_access(&self, user_id: i64) -> Result<Vec<ExportTable>> {
        let subject = format!("user:{user_id}");
        let mut out = Vec::with_capacity(SUBJECT_QUERIES.len());
        for (name, sql) in SUBJECT_QUERIES {
            let rows = sqlx::query(sql)
                .bind(user_id)
                .bind(&subject)
                .fetch_all(self.pool())
                .await?;
            out.push((*name, rows.iter().map(row_to_json).collect()));
        }
        Ok(out)
    }

    /// Records an applicant's erasure request; None when one is already pending.
    pub async fn request_erasure(&self, user_id: i64, reason: &str) -> Result<Option<i64>> {
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM erasure_requests WHERE user_id = $1 AND status = 'pending'",
        )
        .bind(user_id)
        .fetch_one(self.pool())
        .await?;
        if pending > 0 {
            return Ok(None);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO erasure_requests (user_id, reason, requested_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(user_id)
        .bind(reason)
        .bind(crate::now())
        .fetch_one(self.pool())
        .await?;
        Ok(Some(id))
    }

    /// The erasure requests: pending first (oldest first), then the latest decided ones.
    pub async fn erasure_requests(&self, limit: i64) -> Result<Vec<ErasureRequest>> {
        Ok(sqlx::query_as(
            "SELECT e.id, e.user_id, u.email, u.display_name, e.reason, e.requested_at, e.status,
                    e.decided_by, e.decided_at, e.decision_reason
             FROM erasure_requests e JOIN users u ON u.id = e.user_id
             ORDER BY CASE WHEN e.status = 'pending' THEN 0 ELSE 1 END,
                      CASE WHEN e.status = 'pending' THEN e.requested_at ELSE -e.id END
             LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// One erasure request.
    pub async fn erasure_request(&self, id: i64) -> Result<Option<ErasureRequest>> {
        Ok(sqlx::query_as(
            "SELECT e.id, e.user_id, u.email, u.display_name, e.reason, e.requested_at, e.status,
                    e.decided_by, e.decided_at, e.decision_reason
             FROM erasure_requests e JOIN users u ON u.id = e.user_id WHERE e.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The latest erasure request of `user_id`.
    pub async fn latest_erasure_request(&self, user_id: i64) -> Result<Option<ErasureRequest>> {
        Ok(sqlx::query_as(
            "SELECT e.id, e.user_id, u.email, u.display_name, e.reason, e.requested_at, e.status,
                    e.decided_by, e.decided_at, e.decision_reason
             FROM erasure_requests e JOIN users u ON u.id = e.user_id WHERE e.user_id = $1
             ORDER BY e.id DESC LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Marks a pending request decided; false when it was no longer pending (decided by someone
    /// else meanwhile). An approved request's reason is blanked: it is the person's data.
    pub async fn decide_erasure(&self, id: i64, actor: i64, approve: bool, reason: &str) -> Result<bool> {
        let status = if approve { "approved" } else { "refused" };
        let n = affected(
            sqlx::query(
                "UPDATE erasure_requests SET status = $1, decided_by = $2, decided_at = $3,
                        decision_reason = $4,
                        reason = CASE WHEN $1 = 'approved' THEN '' ELSE reason END
                 WHERE id = $5 AND status = 'pending'",
            )
            .bind(status)
            .bind(actor)
            .bind(crate::now())
            .bind(reason)
            .bind(id)
            .execute(self.pool())
            .await?,
        );
        Ok(n == 1)
    }

    /// The states of `user_id`'s applications that are still active, and whether an offer of theirs
    /// was accepted (for the coordinator's warning).
    pub async fn active_stages(&self, user_id: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT state FROM applications WHERE user_id = $1 AND erased_at IS NULL
               AND state IN ('submitted', 'eligible', 'in_review', 'invited', 'interviewed', 'shortlisted',
                             'alternate', 'placed', 'accepted', 'departed')
             ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Erases one application's personal data (see the module's notes); returns the content hashes
    /// of the documents and uploaded references it deleted.
    pub async fn erase_application(&self, application_id: i64) -> Result<Vec<String>> {
        let mut tx = self.pool().begin().await?;
        let hashes = erase_application_in(&mut tx, application_id).await?;
        tx.commit().await?;
        Ok(hashes)
    }

    /// Erases a person: each of their applications, their notes and e-mails, and the account, which
    /// keeps its id but gets a placeholder address, no name, no password, no roles and no sessions.
    /// Returns the content hashes released.
    pub async fn erase_person(&self, user_id: i64) -> Result<Vec<String>> {
        let mut tx = self.pool().begin().await?;
        let apps: Vec<i64> = sqlx::query_scalar("SELECT id FROM applications WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?;
        let mut hashes = Vec::new();
        for app in apps {
            hashes.extend(erase_application_in(&mut tx, app).await?);
        }
        for sql in [
            "DELETE FROM outbox WHERE LOWER(to_addr) = (SELECT LOWER(email) FROM users WHERE id = $1)",
            "UPDATE japanese_assessments SET note = '' WHERE user_id = $1",
            "UPDATE japanese_evaluations SET applicant_note = '', result_note = NULL, meeting_link = ''
             WHERE user_id = $1",
            "UPDATE erasure_requests SET reason = '' WHERE user_id = $1 AND status <> 'refused'",
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM email_tokens WHERE user_id = $1",
            "DELETE FROM user_roles WHERE user_id = $1",
        ] {
            sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
        }
        sqlx::query(
            "UPDATE users SET email = $1, display_name = '', password_hash = '!', locale = NULL,
                    erased_at = $2 WHERE id = $3",
        )
        .bind(format!("erased-{user_id}@erased.invalid"))
        .bind(crate::now())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(hashes)
    }

    /// Whether `user_id` has an application that is not erased.
    pub async fn has_unerased_application(&self, user_id: i64) -> Result<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM applications WHERE user_id = $1 AND erased_at IS NULL")
                .bind(user_id)
                .fetch_one(self.pool())
                .await?;
        Ok(n > 0)
    }

    /// Every round with its retention period (if set), newest first.
    pub async fn round_retentions(&self) -> Result<Vec<RoundRetention>> {
        Ok(sqlx::query_as(
            "SELECT r.id AS round_id, r.name AS round_name, r.closes_at, t.months
             FROM rounds r LEFT JOIN round_retention t ON t.round_id = r.id ORDER BY r.opens_at DESC",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Sets (Some) or clears (None) a round's retention period.
    pub async fn set_round_retention(&self, round_id: i64, months: Option<i64>, actor: i64) -> Result<()> {
        sqlx::query("DELETE FROM round_retention WHERE round_id = $1")
            .bind(round_id)
            .execute(self.pool())
            .await?;
        if let Some(months) = months {
            sqlx::query(
                "INSERT INTO round_retention (round_id, months, updated_by, updated_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(round_id)
            .bind(months)
            .bind(actor)
            .bind(crate::now())
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }

    /// The not yet erased applications of `round_id` in a state retention erases.
    pub async fn retention_candidates(&self, round_id: i64) -> Result<Vec<RetentionCandidate>> {
        Ok(sqlx::query_as(
            "SELECT id AS application_id, user_id, round_id, reference, state FROM applications
             WHERE round_id = $1 AND erased_at IS NULL
               AND state IN ('unsuccessful', 'withdrawn', 'ineligible')
             ORDER BY id",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Writes a consistent copy of the SQLite database to `path` (`VACUUM INTO`), safe while others
    /// write. Only for SQLite.
    pub async fn snapshot_into(&self, path: &str) -> Result<()> {
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Every table's row count (SQLite), by name; migrations' bookkeeping included.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let quoted = format!("\"{}\"", name.replace('"', "\"\""));
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {quoted}"))
                .fetch_one(self.pool())
                .await?;
            out.push((name, n));
        }
        Ok(out)
    }
}

async fn erase_application_in(tx: &mut Transaction<'_, Any>, application_id: i64) -> Result<Vec<String>> {
    let mut hashes: Vec<String> =
        sqlx::query_scalar("SELECT sha256 FROM documents WHERE application_id = $1")
            .bind(application_id)
            .fetch_all(&mut **tx)
            .await?;
    let refs: Vec<Option<String>> =
        sqlx::query_scalar("SELECT reference_sha256 FROM referees WHERE application_id = $1")
            .bind(application_id)
            .fetch_all(&mut **tx)
            .await?;
    hashes.extend(refs.into_iter().flatten());
    for sql in [
        "DELETE FROM documents WHERE application_id = $1",
        "DELETE FROM referees WHERE application_id = $1",
        "DELETE FROM partner_links WHERE application_id = $1 OR partner_application_id = $1",
        "UPDATE application_sections SET data_json = '{}' WHERE application_id = $1",
        "UPDATE japanese_assessments SET note = '' WHERE application_id = $1",
        "UPDATE japanese_evaluations SET applicant_note = '', result_note = NULL, meeting_link = ''
         WHERE application_id = $1",
        "UPDATE review_assignments SET comment = '' WHERE application_id = $1",
        "UPDATE review_moderations SET note = '' WHERE application_id = $1",
        "UPDATE outcomes SET reasons = '', feedback = '' WHERE application_id = $1",
        "UPDATE interview_scores SET note = '' WHERE application_id = $1",
    ] {
        sqlx::query(sql).bind(application_id).execute(&mut **tx).await?;
    }
    sqlx::query(
        "UPDATE applications SET search_text = '', passport_key = NULL, identity_key = NULL,
                eligibility_json = NULL, withdrawn_reason = NULL, erased_at = $1
         WHERE id = $2",
    )
    .bind(crate::now())
    .bind(application_id)
    .execute(&mut **tx)
    .await?;
    Ok(hashes)
}
