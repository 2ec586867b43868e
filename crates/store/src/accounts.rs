//! Users, their roles, sessions, single-use e-mailed tokens and sign-in attempts.
//!
//! Session ids and e-mailed tokens are stored only as SHA-256 hashes: a copy of the database does
//! not let anyone sign in or reset a password.

use crate::{affected, on_unique, Result, Store};
use jetdesk_domain::Role;
use std::collections::BTreeSet;

/// A user account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Normalised e-mail address, unique.
    pub email: String,
    /// The name shown on pages.
    pub display_name: String,
    /// An argon2id PHC string.
    pub password_hash: String,
    /// When the address was verified, if it was.
    pub email_verified_at: Option<i64>,
    /// The interface language the user chose (`en` or `ja`), if any.
    pub locale: Option<String>,
    /// When the account was created.
    pub created_at: i64,
}

/// A user with their roles, as the admin list shows them.
#[derive(Debug, Clone)]
pub struct UserListing {
    /// The account.
    pub user: User,
    /// Its roles.
    pub roles: BTreeSet<Role>,
}

/// A session as loaded for a request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// The hash of the cookie's token.
    pub id: String,
    /// The signed-in user, if any.
    pub user_id: Option<i64>,
    /// The CSRF token every form in this session carries.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: i64,
}

/// A session with its signed-in user and their roles, as a request loads them.
#[derive(Debug, Clone)]
pub struct LoadedSession {
    /// The session.
    pub session: SessionRow,
    /// The user signed in to it (none before sign-in, or once the account is gone), with their roles.
    pub user: Option<(User, BTreeSet<Role>)>,
}

/// A row of [`Store::session`]'s join: the session, the user's columns and one role.
#[derive(sqlx::FromRow)]
struct SessionJoin {
    #[sqlx(flatten)]
    session: SessionRow,
    email: Option<String>,
    display_name: Option<String>,
    password_hash: Option<String>,
    email_verified_at: Option<i64>,
    locale: Option<String>,
    created_at: Option<i64>,
    role: Option<String>,
}

/// What an e-mailed token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Confirms the address given at sign-up.
    Verify,
    /// Resets a forgotten password.
    Reset,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Verify => "verify",
            TokenPurpose::Reset => "reset",
        }
    }
}

/// Why an e-mailed token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailTokenError {
    /// No such token (mistyped, altered or for another purpose).
    #[error("unknown")]
    Unknown,
    /// The token was already used once.
    #[error("used")]
    Used,
    /// The token's time ran out.
    #[error("expired")]
    Expired,
}

const USER_COLUMNS: &str = "id, email, display_name, password_hash, email_verified_at, locale, created_at";

impl Store {
    /// Creates a user with `roles`. A duplicate e-mail address is `Conflict("email")`.
    pub async fn create_user(
        &self,
        email: &str,
        display_name: &str,
        password_hash: &str,
        roles: &[Role],
        verified: bool,
    ) -> Result<i64> {
        let now = crate::now();
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, display_name, password_hash, email_verified_at, created_at, password_changed_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(email)
        .bind(display_name)
        .bind(password_hash)
        .bind(verified.then_some(now))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| on_unique(e, "email"))?;
        for role in roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                .bind(id)
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// The user with this (normalised) e-mail address.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        Ok(
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
                .bind(email)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// The user with this id.
    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        Ok(
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// The roles a user holds. Unknown names (from a newer version) are ignored.
    pub async fn roles(&self, user_id: i64) -> Result<BTreeSet<Role>> {
        let names: Vec<String> = sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        Ok(names.iter().filter_map(|n| n.parse().ok()).collect())
    }

    /// Replaces a user's roles and records the change in the audit log.
    pub async fn set_roles(&self, actor: Option<i64>, user_id: i64, roles: &BTreeSet<Role>) -> Result<()> {
        let before = self.roles(user_id).await?;
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for role in roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                .bind(user_id)
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let list = |set: &BTreeSet<Role>| set.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",");
        self.audit(
            actor,
            "user.roles",
            &format!("user:{user_id}"),
            Some(&list(&before)),
            Some(&list(roles)),
        )
        .await
    }

    /// Users whose e-mail or name contains `search` (case-insensitive), newest first, with the total.
    pub async fn list_users(&self, search: &str, limit: i64, offset: i64) -> Result<(Vec<UserListing>, i64)> {
        let pattern = format!(
            "%{}%",
            search
                .trim()
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let filter = "WHERE LOWER(email) LIKE $1 ESCAPE '\\' OR LOWER(display_name) LIKE $1 ESCAPE '\\'";
        let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM users {filter}"))
            .bind(&pattern)
            .fetch_one(self.pool())
            .await?;
        let users: Vec<User> = sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users {filter} ORDER BY id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(&pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let mut listing = Vec::with_capacity(users.len());
        for user in users {
            let roles = self.roles(user.id).await?;
            listing.push(UserListing { user, roles });
        }
        Ok((listing, total))
    }

    /// Marks the user's e-mail address as verified.
    pub async fn mark_verified(&self, user_id: i64) -> Result<()> {
        sqlx::query("UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL")
            .bind(crate::now())
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Sets a new password hash and ends every session of the user except `keep_session`.
    pub async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(crate::now())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.audit(
            Some(user_id),
            "user.password",
            &format!("user:{user_id}"),
            None,
            None,
        )
        .await
    }

    /// Records the interface language a user chose.
    pub async fn set_locale(&self, user_id: i64, locale: &str) -> Result<()> {
        sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    // ----- sessions -----

    /// Stores a new session under the hash of its cookie token.
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: Option<i64>,
        csrf: &str,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id_hash)
            .bind(user_id)
            .bind(csrf)
            .bind(crate::now())
            .bind(expires_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The live session with this hash, with its signed-in user and their roles: one query, since
    /// every page request starts here. An expired session is deleted and not returned.
    pub async fn session(&self, id_hash: &str) -> Result<Option<LoadedSession>> {
        // One row per role (one row with no role for an account without any).
        let rows: Vec<SessionJoin> = sqlx::query_as(
            "SELECT s.id, s.user_id, s.csrf_token, s.expires_at, u.email, u.display_name,
                 u.password_hash, u.email_verified_at, u.locale, u.created_at, r.role
             FROM sessions s LEFT JOIN users u ON u.id = s.user_id
                 LEFT JOIN user_roles r ON r.user_id = u.id
             WHERE s.id = $1",
        )
        .bind(id_hash)
        .fetch_all(self.pool())
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        if first.session.expires_at <= crate::now() {
            self.delete_session(id_hash).await?;
            return Ok(None);
        }
        let user = match (
            first.session.user_id,
            &first.email,
            &first.display_name,
            &first.password_hash,
            first.created_at,
        ) {
            (Some(id), Some(email), Some(display_name), Some(password_hash), Some(created_at)) => Some((
                User {
                    id,
                    email: email.clone(),
                    display_name: display_name.clone(),
                    password_hash: password_hash.clone(),
                    email_verified_at: first.email_verified_at,
                    locale: first.locale.clone(),
                    created_at,
                },
                rows.iter()
                    .filter_map(|r| r.role.as_deref()?.parse().ok())
                    .collect(),
            )),
            _ => None,
        };
        Ok(Some(LoadedSession {
            session: first.session.clone(),
            user,
        }))
    }

    /// Pushes a session's end further out (sliding expiry).
    pub async fn extend_session(&self, id_hash: &str, expires_at: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2")
            .bind(expires_at)
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends a session.
    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes sessions whose time has run out; returns how many.
    pub async fn delete_expired_sessions(&self) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(crate::now())
            .execute(self.pool())
            .await?;
        Ok(affected(done))
    }

    // ----- e-mailed tokens -----

    /// Stores a single-use token (its hash) for `purpose`, valid for `ttl_seconds`.
    pub async fn create_email_token(
        &self,
        token_hash: &str,
        user_id: i64,
        purpose: TokenPurpose,
        ttl_seconds: i64,
    ) -> Result<()> {
        let now = crate::now();
        sqlx::query(
            "INSERT INTO email_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(now)
        .bind(now + ttl_seconds)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Checks a token without using it up (to show the reset form only for a good link).
    pub async fn check_email_token(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
    ) -> Result<Result<i64, EmailTokenError>> {
        let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT user_id, expires_at, used_at FROM email_tokens WHERE token_hash = $1 AND purpose = $2",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            None => Err(EmailTokenError::Unknown),
            Some((_, _, Some(_))) => Err(EmailTokenError::Used),
            Some((_, expires, None)) if expires <= crate::now() => Err(EmailTokenError::Expired),
            Some((user_id, _, None)) => Ok(user_id),
        })
    }

    /// Uses a token up, once: of two concurrent uses exactly one succeeds.
    pub async fn consume_email_token(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
    ) -> Result<Result<i64, EmailTokenError>> {
        let user_id = match self.check_email_token(token_hash, purpose).await? {
            Ok(id) => id,
            Err(e) => return Ok(Err(e)),
        };
        let done =
            sqlx::query("UPDATE email_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
                .bind(crate::now())
                .bind(token_hash)
                .execute(self.pool())
                .await?;
        Ok(if affected(done) == 1 {
            Ok(user_id)
        } else {
            Err(EmailTokenError::Used)
        })
    }

    // ----- sign-in attempts (rate limits) -----

    /// Records a failed attempt in `bucket` (for example `login-email:ann@example.com`).
    pub async fn record_attempt(&self, bucket: &str) -> Result<()> {
        sqlx::query("INSERT INTO auth_attempts (bucket, at) VALUES ($1, $2)")
            .bind(bucket)
            .bind(crate::now())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Attempts in `bucket` within the last `window_seconds`.
    pub async fn count_attempts(&self, bucket: &str, window_seconds: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM auth_attempts WHERE bucket = $1 AND at > $2")
                .bind(bucket)
                .bind(crate::now() - window_seconds)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Forgets the attempts in `bucket` (after a successful sign-in).
    pub async fn clear_attempts(&self, bucket: &str) -> Result<()> {
        sqlx::query("DELETE FROM auth_attempts WHERE bucket = $1")
            .bind(bucket)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
