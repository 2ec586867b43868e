//! Checks on applications beyond their own answers: the same person applying twice, partners
//! applying together, Japanese levels assessed by the JET Desk, the previous round's declines, a
//! fresh eligibility verdict when the rules change, and forms posted after the session expired.

use crate::{affected, Result, Store};

/// Another application that looks like the same person.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DuplicateMatch {
    /// The other application.
    pub application_id: i64,
    /// Its reference number (None for a draft that never got one).
    pub reference: Option<String>,
    /// Its round's name.
    pub round_name: String,
    /// Its state.
    pub state: String,
    /// `passport` (same passport number) or `name_dob` (same name and date of birth).
    pub reason: String,
}

/// One application's partner link, as it asked for it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PartnerLink {
    /// The application that named a partner.
    pub application_id: i64,
    /// The partner's application.
    pub partner_application_id: i64,
    /// When it was asked for (Unix seconds).
    pub requested_at: i64,
    /// When the partner confirmed it, if they have.
    pub confirmed_at: Option<i64>,
}

/// A Japanese level assessed by the JET Desk.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JapaneseAssessment {
    /// Row id.
    pub id: i64,
    /// Whose Japanese.
    pub user_id: i64,
    /// The application it was assessed for, if any (an evaluation may come before applying).
    pub application_id: Option<i64>,
    /// The estimated level, `n1`…`n5` or `none`.
    pub level: String,
    /// `evaluation` (a call before applying) or `interview` (the CIR interview).
    pub source: String,
    /// The assessor's note.
    pub note: String,
    /// Who assessed it.
    pub assessed_by: Option<i64>,
    /// When (Unix seconds).
    pub assessed_at: i64,
}

/// An application due a fresh eligibility check, with what the check needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecheckCandidate {
    /// The application.
    pub id: i64,
    /// Its applicant.
    pub user_id: i64,
    /// `eligible` or `ineligible`.
    pub state: String,
    /// ALT, CIR or SEA.
    pub position: String,
}

impl Store {
    /// Records the application's identity keys (normalised passport number; normalised name with
    /// the date of birth). `None` clears a key.
    pub async fn set_identity_keys(
        &self,
        application_id: i64,
        passport_key: Option<&str>,
        identity_key: Option<&str>,
    ) -> Result<()> {
        sqlx::query("UPDATE applications SET passport_key = $1, identity_key = $2 WHERE id = $3")
            .bind(passport_key)
            .bind(identity_key)
            .bind(application_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Applications of other accounts with the same passport number or the same name and date of
    /// birth, in any round, newest first.
    pub async fn possible_duplicates(&self, application_id: i64) -> Result<Vec<DuplicateMatch>> {
        Ok(sqlx::query_as::<_, DuplicateMatch>(
            "SELECT o.id AS application_id, o.reference, r.name AS round_name, o.state,
                    CASE WHEN o.passport_key = a.passport_key THEN 'passport' ELSE 'name_dob' END AS reason
             FROM applications a
             JOIN applications o ON o.user_id <> a.user_id
                AND ((a.passport_key IS NOT NULL AND o.passport_key = a.passport_key)
                  OR (a.identity_key IS NOT NULL AND o.identity_key = a.identity_key))
             JOIN rounds r ON r.id = o.round_id
             WHERE a.id = $1
             ORDER BY o.id DESC LIMIT 20",
        )
        .bind(application_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The application in `round_id` with this reference number.
    pub async fn application_id_by_reference(&self, round_id: i64, reference: &str) -> Result<Option<i64>> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM applications WHERE round_id = $1 AND reference = $2")
                .bind(round_id)
                .bind(reference)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Asks for a partner link from `application_id` to `partner_application_id`, replacing any
    /// earlier one. If the partner had already asked for the reverse link, both are confirmed now:
    /// two people naming each other is the confirmation.
    pub async fn request_partner_link(&self, application_id: i64, partner_application_id: i64) -> Result<()> {
        let now = crate::now();
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM partner_links WHERE application_id = $1")
            .bind(application_id)
            .execute(&mut *tx)
            .await?;
        // A confirmation given to this application by someone else lapses with the change.
        sqlx::query(
            "UPDATE partner_links SET confirmed_at = NULL
             WHERE partner_application_id = $1 AND application_id <> $2",
        )
        .bind(application_id)
        .bind(partner_application_id)
        .execute(&mut *tx)
        .await?;
        let reverse = sqlx::query(
            "UPDATE partner_links SET confirmed_at = $1
             WHERE application_id = $2 AND partner_application_id = $3",
        )
        .bind(now)
        .bind(partner_application_id)
        .bind(application_id)
        .execute(&mut *tx)
        .await?;
        let confirmed = (affected(reverse) == 1).then_some(now);
        sqlx::query(
            "INSERT INTO partner_links (application_id, partner_application_id, requested_at, confirmed_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(application_id)
        .bind(partner_application_id)
        .bind(now)
        .bind(confirmed)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes the application's own partner link and any confirmation of links to it.
    pub async fn remove_partner_link(&self, application_id: i64) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM partner_links WHERE application_id = $1")
            .bind(application_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE partner_links SET confirmed_at = NULL WHERE partner_application_id = $1")
            .bind(application_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The link the application asked for, if any.
    pub async fn partner_link_of(&self, application_id: i64) -> Result<Option<PartnerLink>> {
        Ok(sqlx::query_as::<_, PartnerLink>(
            "SELECT application_id, partner_application_id, requested_at, confirmed_at
             FROM partner_links WHERE application_id = $1",
        )
        .bind(application_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Links other applications asked for to this one.
    pub async fn partner_links_to(&self, application_id: i64) -> Result<Vec<PartnerLink>> {
        Ok(sqlx::query_as::<_, PartnerLink>(
            "SELECT application_id, partner_application_id, requested_at, confirmed_at
             FROM partner_links WHERE partner_application_id = $1 ORDER BY requested_at",
        )
        .bind(application_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The partner confirms: the requester's link is confirmed and the reverse link made, in one
    /// transaction. False if no such request exists.
    pub async fn confirm_partner_link(&self, requester_id: i64, application_id: i64) -> Result<bool> {
        let now = crate::now();
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE partner_links SET confirmed_at = $1 WHERE application_id = $2 AND partner_application_id = $3",
        )
        .bind(now)
        .bind(requester_id)
        .bind(application_id)
        .execute(&mut *tx)
        .await?;
        if affected(done) != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM partner_links WHERE application_id = $1")
            .bind(application_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO partner_links (application_id, partner_application_id, requested_at, confirmed_at)
             VALUES ($1, $2, $3, $3)",
        )
        .bind(application_id)
        .bind(requester_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Pairs of applications in `round_id` whose partner links are confirmed both ways (each pair
    /// once, lower id first): the couples a placement run treats together.
    pub async fn confirmed_couples(&self, round_id: i64) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT l.application_id, l.partner_application_id
             FROM partner_links l
             JOIN partner_links r ON r.application_id = l.partner_application_id
                AND r.partner_application_id = l.application_id AND r.confirmed_at IS NOT NULL
             JOIN applications a ON a.id = l.application_id
             WHERE a.round_id = $1 AND l.confirmed_at IS NOT NULL AND l.application_id < l.partner_application_id
             ORDER BY l.application_id",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Records a Japanese level assessed by the JET Desk. Returns its id.
    pub async fn record_japanese_assessment(
        &self,
        user_id: i64,
        application_id: Option<i64>,
        level: &str,
        source: &str,
        note: &str,
        assessed_by: Option<i64>,
    ) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO japanese_assessments (user_id, application_id, level, source, note, assessed_by, assessed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(user_id)
        .bind(application_id)
        .bind(level)
        .bind(source)
        .bind(note)
        .bind(assessed_by)
        .bind(crate::now())
        .fetch_one(self.pool())
        .await?;
        Ok(id)
    }

    /// The newest assessment of the user's Japanese.
    pub async fn latest_japanese_assessment(&self, user_id: i64) -> Result<Option<JapaneseAssessment>> {
        Ok(sqlx::query_as::<_, JapaneseAssessment>(
            "SELECT id, user_id, application_id, level, source, note, assessed_by, assessed_at
             FROM japanese_assessments WHERE user_id = $1 ORDER BY assessed_at DESC, id DESC LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Whether the person behind `application_id` (by account, passport number, or name with date of
    /// birth) declined a placement in the round of the same country that came before its round.
    pub async fn declined_previous_round(&self, application_id: i64) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT d.id FROM applications me
             JOIN rounds c ON c.id = me.round_id
             JOIN applications d ON d.state = 'declined'
               AND (d.user_id = me.user_id
                    OR (me.passport_key IS NOT NULL AND d.passport_key = me.passport_key)
                    OR (me.identity_key IS NOT NULL AND d.identity_key = me.identity_key))
             WHERE me.id = $1 AND d.round_id = (
                SELECT p.id FROM rounds p
                WHERE p.country = c.country AND p.opens_at < c.opens_at
                ORDER BY p.opens_at DESC LIMIT 1)
             LIMIT 1",
        )
        .bind(application_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// Whether this account declined a placement in the round of the same country before
    /// `round_id` (what an applicant is told before they start).
    pub async fn user_declined_previous_round(&self, round_id: i64, user_id: i64) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT d.id FROM applications d
             WHERE d.user_id = $2 AND d.state = 'declined' AND d.round_id = (
                SELECT p.id FROM rounds p JOIN rounds c ON c.id = $1
                WHERE p.country = c.country AND p.opens_at < c.opens_at
                ORDER BY p.opens_at DESC LIMIT 1)
             LIMIT 1",
        )
        .bind(round_id)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// The round's applications whose eligibility verdict stands and may be re-checked.
    pub async fn recheck_candidates(&self, round_id: i64) -> Result<Vec<RecheckCandidate>> {
        Ok(sqlx::query_as::<_, RecheckCandidate>(
            "SELECT id, user_id, state, position FROM applications
             WHERE round_id = $1 AND state IN ('eligible', 'ineligible') ORDER BY id",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Stores a fresh eligibility verdict, moving the application from `from` to `to` (the caller
    /// checked the state machine, `from` may equal `to`). False if it was no longer in `from`.
    pub async fn store_verdict(
        &self,
        application_id: i64,
        from: &str,
        to: &str,
        overall: &str,
        json: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE applications SET state = $1, eligibility_overall = $2, eligibility_json = $3, updated_at = $4
             WHERE id = $5 AND state = $6",
        )
        .bind(to)
        .bind(overall)
        .bind(json)
        .bind(crate::now())
        .bind(application_id)
        .bind(from)
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }

    /// Keeps a form body posted after the session expired, under the hash of a token the browser
    /// holds, until `expires_at`.
    pub async fn stash_form(&self, token_hash: &str, path: &str, body: &str, expires_at: i64) -> Result<()> {
        sqlx::query("DELETE FROM pending_forms WHERE expires_at < $1")
            .bind(crate::now())
            .execute(self.pool())
            .await?;
        sqlx::query("INSERT INTO pending_forms (token_hash, path, body, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(path)
            .bind(body)
            .bind(expires_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Takes (reads and deletes) a stashed form for `path`, if it has not expired.
    pub async fn take_form(&self, token_hash: &str, path: &str) -> Result<Option<String>> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT body, expires_at FROM pending_forms WHERE token_hash = $1 AND path = $2")
                .bind(token_hash)
                .bind(path)
                .fetch_optional(self.pool())
                .await?;
        let Some((body, expires_at)) = row else {
            return Ok(None);
        };
        let done = sqlx::query("DELETE FROM pending_forms WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok((affected(done) == 1 && expires_at >= crate::now()).then_some(body))
    }
}
