//! Two-step verification: the TOTP secret of each account, its one-time recovery codes (hashed),
//! and sign-ins waiting for their code. The web layer computes and checks codes; this file only
//! keeps the state, with conditional writes so that of two concurrent uses of one code (or one
//! recovery code) exactly one succeeds.

use crate::{affected, Result, Store};

/// A user's TOTP settings.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MfaSecret {
    /// The authenticator secret as stored: sealed by the web layer's server key (`v1:…`), or
    /// base32 (RFC 4648, no padding) if written before secrets were encrypted. This crate never
    /// sees the key.
    pub secret: String,
    /// When the first code confirmed it; `None` while the enrolment waits for that code.
    pub enabled_at: Option<i64>,
    /// The time step (Unix seconds / 30) of the last code accepted.
    pub last_step: i64,
}

/// A sign-in that passed the password step and waits for its code.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MfaChallenge {
    /// Who is signing in.
    pub user_id: i64,
    /// Where to go once signed in.
    pub next_path: String,
    /// When the challenge lapses.
    pub expires_at: i64,
}

impl Store {
    /// The user's TOTP settings, enabled or pending.
    pub async fn mfa_secret(&self, user_id: i64) -> Result<Option<MfaSecret>> {
        Ok(
            sqlx::query_as("SELECT secret, enabled_at, last_step FROM user_mfa WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Every stored TOTP secret, as `(user_id, secret)`: checked and sealed at start.
    pub async fn all_mfa_secrets(&self) -> Result<Vec<(i64, String)>> {
        Ok(
            sqlx::query_as("SELECT user_id, secret FROM user_mfa ORDER BY user_id")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Replaces the user's stored secret `old` by `new` (the same secret, sealed): false if it
    /// changed meanwhile (re-enrolled or removed), which then stays as it is.
    pub async fn replace_mfa_secret(&self, user_id: i64, old: &str, new: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE user_mfa SET secret = $1 WHERE user_id = $2 AND secret = $3")
            .bind(new)
            .bind(user_id)
            .bind(old)
            .execute(self.pool())
            .await?;
        Ok(affected(done) == 1)
    }

    /// Replaces many stored secrets at once, each `(user_id, old, new)`, in one transaction: all of
    /// them, or none when any changed meanwhile (false then).
    pub async fn replace_mfa_secrets(&self, changes: &[(i64, String, String)]) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        for (user_id, old, new) in changes {
            let done = sqlx::query("UPDATE user_mfa SET secret = $1 WHERE user_id = $2 AND secret = $3")
                .bind(new)
                .bind(user_id)
                .bind(old)
                .execute(&mut *tx)
                .await?;
            if affected(done) != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Whether the user has two-step verification switched on.
    pub async fn mfa_enabled(&self, user_id: i64) -> Result<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM user_mfa WHERE user_id = $1 AND enabled_at IS NOT NULL")
                .bind(user_id)
                .fetch_one(self.pool())
                .await?;
        Ok(n > 0)
    }

    /// Starts (or restarts) an enrolment with a new secret (sealed by the caller), not yet
    /// enabled. Refused (false) when two-step verification is already on: it must be switched off
    /// first.
    pub async fn start_mfa_enrolment(&self, user_id: i64, secret: &str) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM user_mfa WHERE user_id = $1 AND enabled_at IS NULL")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query(
            "INSERT INTO user_mfa (user_id, secret, created_at, enabled_at, last_step)
             SELECT $1, $2, $3, NULL, 0 WHERE NOT EXISTS (SELECT 1 FROM user_mfa WHERE user_id = $1)",
        )
        .bind(user_id)
        .bind(secret)
        .bind(crate::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(affected(done) == 1)
    }

    /// Switches a pending enrolment on, with the step of the code that confirmed it and the
    /// hashes of fresh recovery codes (replacing any old ones). False if there was nothing pending.
    pub async fn enable_mfa(&self, user_id: i64, step: i64, recovery_hashes: &[String]) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE user_mfa SET enabled_at = $1, last_step = $2 WHERE user_id = $3 AND enabled_at IS NULL",
        )
        .bind(crate::now())
        .bind(step)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if affected(done) != 1 {
            return Ok(false);
        }
        put_recovery_codes(&mut tx, user_id, recovery_hashes).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Replaces the user's recovery codes with these hashes, in one transaction, if two-step
    /// verification is on (false otherwise).
    pub async fn replace_recovery_codes(&self, user_id: i64, recovery_hashes: &[String]) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let on: Option<i64> =
            sqlx::query_scalar("SELECT user_id FROM user_mfa WHERE user_id = $1 AND enabled_at IS NOT NULL")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        if on.is_none() {
            return Ok(false);
        }
        put_recovery_codes(&mut tx, user_id, recovery_hashes).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records that a code of time step `step` was accepted, only if it is later than the last
    /// one accepted: false means the code (or an earlier one) was already used.
    pub async fn accept_mfa_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE user_mfa SET last_step = $1
             WHERE user_id = $2 AND enabled_at IS NOT NULL AND last_step < $1",
        )
        .bind(step)
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }

    /// Uses up the recovery code with this hash: true once, false ever after (or if unknown).
    pub async fn use_recovery_code(&self, user_id: i64, code_hash: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE mfa_recovery_codes SET used_at = $1
             WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(crate::now())
        .bind(user_id)
        .bind(code_hash)
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }

    /// How many recovery codes the user has left.
    pub async fn recovery_codes_left(&self, user_id: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(self.pool())
        .await?)
    }

    /// Switches two-step verification off: the secret, recovery codes and waiting sign-ins go.
    /// Returns whether there was anything to remove.
    pub async fn remove_mfa(&self, user_id: i64) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query("DELETE FROM user_mfa WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for sql in [
            "DELETE FROM mfa_recovery_codes WHERE user_id = $1",
            "DELETE FROM mfa_challenges WHERE user_id = $1",
        ] {
            sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(affected(done) > 0)
    }

    /// Remembers that the session `session_id` (a hash) passed the password step for `user_id`.
    pub async fn create_mfa_challenge(
        &self,
        session_id: &str,
        user_id: i64,
        next_path: &str,
        expires_at: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM mfa_challenges WHERE session_id = $1")
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO mfa_challenges (session_id, user_id, next_path, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(session_id)
        .bind(user_id)
        .bind(next_path)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live challenge of this session, if any (an expired one is removed).
    pub async fn mfa_challenge(&self, session_id: &str) -> Result<Option<MfaChallenge>> {
        let row: Option<MfaChallenge> =
            sqlx::query_as("SELECT user_id, next_path, expires_at FROM mfa_challenges WHERE session_id = $1")
                .bind(session_id)
                .fetch_optional(self.pool())
                .await?;
        match row {
            Some(c) if c.expires_at <= crate::now() => {
                self.delete_mfa_challenge(session_id).await?;
                Ok(None)
            }
            other => Ok(other),
        }
    }

    /// Forgets the challenge of this session.
    pub async fn delete_mfa_challenge(&self, session_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM mfa_challenges WHERE session_id = $1")
            .bind(session_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

/// Replaces the user's recovery codes by these hashes, within `tx`.
async fn put_recovery_codes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    recovery_hashes: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    for hash in recovery_hashes {
        sqlx::query("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
