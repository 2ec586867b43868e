//! The audit log: append-only. Nothing in the application updates or deletes its rows.

use crate::{Result, Store};

/// One recorded action: who did what to what, with the value before and after.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEntry {
    /// Row id, increasing.
    pub id: i64,
    /// When, in Unix seconds.
    pub at: i64,
    /// The acting user, if any (None for the system or an anonymous visitor).
    pub actor_user_id: Option<i64>,
    /// A dotted action name, such as `user.roles`.
    pub action: String,
    /// What was acted on, such as `user:12`.
    pub subject: String,
    /// The value before the change.
    pub before_value: Option<String>,
    /// The value after the change.
    pub after_value: Option<String>,
}

impl Store {
    /// Appends an entry to the audit log.
    pub async fn audit(
        &self,
        actor: Option<i64>,
        action: &str,
        subject: &str,
        before: Option<&str>,
        after: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_user_id, action, subject, before_value, after_value)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(crate::now())
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(before)
        .bind(after)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The newest entries about `subject`, newest first.
    pub async fn audit_for(&self, subject: &str, limit: i64) -> Result<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT id, at, actor_user_id, action, subject, before_value, after_value
             FROM audit_log WHERE subject = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(subject)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}
