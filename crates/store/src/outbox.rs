//! The mail outbox: every e-mail is first a row here, written in the same request that caused it,
//! and a worker delivers it with retries. Claiming a message moves its next attempt forward, so
//! several app instances can share one outbox without sending a message twice at the same time.

use crate::{affected, Result, Store};

/// A message waiting to be sent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxMessage {
    /// Row id.
    pub id: i64,
    /// Recipient address.
    pub to_addr: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// Attempts made so far.
    pub attempts: i64,
}

/// A file attached to an outbox message (a text body, such as an .ics invitation).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailAttachment {
    /// The file name the recipient sees, such as `interview.ics`.
    pub filename: String,
    /// The MIME type, parameters included (`text/calendar; method=REQUEST; charset=utf-8`).
    pub content_type: String,
    /// The file's text.
    pub body: String,
}

/// How long a claimed message is hidden from other workers while one sends it.
const LEASE_SECONDS: i64 = 120;

impl Store {
    /// Queues an e-mail for delivery.
    pub async fn enqueue_mail(&self, to: &str, subject: &str, body: &str) -> Result<i64> {
        self.enqueue_mail_with_attachments(to, subject, body, &[]).await
    }

    /// Queues an e-mail with attachments; the message and its files are written together.
    pub async fn enqueue_mail_with_attachments(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        attachments: &[MailAttachment],
    ) -> Result<i64> {
        let now = crate::now();
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO outbox (to_addr, subject, body_text, created_at, attempts, next_attempt_at)
             VALUES ($1, $2, $3, $4, 0, $4) RETURNING id",
        )
        .bind(to)
        .bind(subject)
        .bind(body)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for a in attachments {
            sqlx::query(
                "INSERT INTO outbox_attachments (outbox_id, filename, content_type, body) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(&a.filename)
            .bind(&a.content_type)
            .bind(&a.body)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// The attachments of an outbox message, in the order they were added.
    pub async fn mail_attachments(&self, outbox_id: i64) -> Result<Vec<MailAttachment>> {
        Ok(sqlx::query_as(
            "SELECT filename, content_type, body FROM outbox_attachments WHERE outbox_id = $1 ORDER BY id",
        )
        .bind(outbox_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Claims up to `limit` messages that are due, for this worker alone.
    pub async fn claim_due_mail(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        let now = crate::now();
        let due: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, next_attempt_at FROM outbox
             WHERE sent_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut claimed = Vec::new();
        for (id, seen_next) in due {
            let won = sqlx::query(
                "UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3 AND sent_at IS NULL",
            )
            .bind(now + LEASE_SECONDS)
            .bind(id)
            .bind(seen_next)
            .execute(self.pool())
            .await?;
            if affected(won) == 1 {
                let msg = sqlx::query_as(
                    "SELECT id, to_addr, subject, body_text, attempts FROM outbox WHERE id = $1",
                )
                .bind(id)
                .fetch_one(self.pool())
                .await?;
                claimed.push(msg);
            }
        }
        Ok(claimed)
    }

    /// Records a delivered message.
    pub async fn mark_mail_sent(&self, id: i64) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2",
        )
        .bind(crate::now())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records a failed attempt; the next one waits `retry_in` seconds.
    pub async fn mark_mail_failed(&self, id: i64, error: &str, retry_in: i64) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3",
        )
        .bind(error)
        .bind(crate::now() + retry_in)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Messages not yet delivered (for the admin page and tests).
    pub async fn pending_mail_count(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
                .fetch_one(self.pool())
                .await?,
        )
    }
}
