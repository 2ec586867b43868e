//! Outcomes: the coordinator's decisions per interviewed application (shortlisted, alternate with
//! a rank, unsuccessful with reasons), kept unpublished until the round's results are published,
//! and the interview totals they are proposed from. Publishing is claimed once per round by one
//! conditional UPDATE, so two coordinators pressing "publish" at once publish once.

use crate::{affected, Result, Store};

/// A decided outcome.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Outcome {
    /// The application.
    pub application_id: i64,
    /// "shortlisted", "alternate" or "unsuccessful".
    pub outcome: String,
    /// The alternate's rank (1 = first to be upgraded).
    pub alternate_rank: Option<i64>,
    /// Comma-separated reason ids (unsuccessful only).
    pub reasons: String,
    /// Optional feedback for the applicant.
    pub feedback: String,
    /// Who decided.
    pub decided_by: i64,
    /// When.
    pub decided_at: i64,
    /// When it was published to the applicant, if it was.
    pub published_at: Option<i64>,
}

/// The input of a decision.
#[derive(Debug, Clone)]
pub struct OutcomeInput {
    /// The application.
    pub application_id: i64,
    /// "shortlisted", "alternate" or "unsuccessful".
    pub outcome: String,
    /// The alternate's rank.
    pub alternate_rank: Option<i64>,
    /// Comma-separated reason ids.
    pub reasons: String,
    /// Optional feedback.
    pub feedback: String,
}

/// What [`Store::upgrade_next_alternate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upgrade {
    /// This alternate (with its rank) now holds the place.
    Upgraded {
        /// The upgraded application.
        application_id: i64,
        /// Its alternate rank before the upgrade.
        rank: Option<i64>,
    },
    /// Every place of the position is taken.
    NoFreePlace {
        /// How many places are taken.
        taken: i64,
    },
    /// No alternate remains (or the round's results are not published).
    NoAlternate,
}

const OUTCOME_COLUMNS: &str =
    "o.application_id, o.outcome, o.alternate_rank, o.reasons, o.feedback, o.decided_by, o.decided_at, o.published_at";

impl Store {
    /// The sum and number of submitted interview totals per application of the round.
    pub async fn interview_totals(&self, round_id: i64) -> Result<Vec<(i64, i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT s.application_id, CAST(SUM(s.total) AS BIGINT), COUNT(*) FROM interview_scores s
             JOIN applications a ON a.id = s.application_id WHERE a.round_id = $1 GROUP BY s.application_id",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Every decided outcome in the round.
    pub async fn round_outcomes(&self, round_id: i64) -> Result<Vec<Outcome>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {OUTCOME_COLUMNS} FROM outcomes o JOIN applications a ON a.id = o.application_id
             WHERE a.round_id = $1 ORDER BY o.application_id"
        ))
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The application's outcome, published or not (callers decide what to show).
    pub async fn outcome_of(&self, application_id: i64) -> Result<Option<Outcome>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {OUTCOME_COLUMNS} FROM outcomes o WHERE o.application_id = $1"
        ))
        .bind(application_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Decides (or re-decides) an outcome while it is unpublished. False if it was already published.
    pub async fn decide_outcome(&self, input: &OutcomeInput, by: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO outcomes (application_id, outcome, alternate_rank, reasons, feedback, decided_by, decided_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (application_id) DO UPDATE SET outcome = excluded.outcome,
                 alternate_rank = excluded.alternate_rank, reasons = excluded.reasons, feedback = excluded.feedback,
                 decided_by = excluded.decided_by, decided_at = excluded.decided_at
             WHERE outcomes.published_at IS NULL",
        )
        .bind(input.application_id)
        .bind(&input.outcome)
        .bind(input.alternate_rank)
        .bind(&input.reasons)
        .bind(&input.feedback)
        .bind(by)
        .bind(crate::now())
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }

    /// Claims the round's publication at `now`. False if it was already published.
    pub async fn claim_publication(&self, round_id: i64, now: i64) -> Result<bool> {
        sqlx::query(
            "INSERT INTO selection_settings (round_id, updated_at) VALUES ($1, $2) ON CONFLICT (round_id) DO NOTHING",
        )
        .bind(round_id)
        .bind(now)
        .execute(self.pool())
        .await?;
        let done = sqlx::query(
            "UPDATE selection_settings SET published_at = $1, updated_at = $1
             WHERE round_id = $2 AND published_at IS NULL",
        )
        .bind(now)
        .bind(round_id)
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }

    /// Marks one outcome as published (visible to the applicant).
    pub async fn mark_outcome_published(&self, application_id: i64, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE outcomes SET published_at = $1 WHERE application_id = $2 AND published_at IS NULL",
        )
        .bind(now)
        .bind(application_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Upgrades the best-ranked alternate of `position` into a free place, in one transaction that
    /// upgrades of the same round wait for each other to finish: its first statement writes the
    /// round's `selection_settings` row (a row lock on PostgreSQL, the write lock on SQLite), so
    /// the count of places taken that follows sees every earlier upgrade. Twenty coordinators'
    /// clicks on "upgrade" for one freed place upgrade one alternate.
    pub async fn upgrade_next_alternate(
        &self,
        round_id: i64,
        position: &str,
        places: i64,
        by: i64,
    ) -> Result<Upgrade> {
        let mut tx = self.pool().begin().await?;
        let locked = sqlx::query("UPDATE selection_settings SET updated_at = updated_at WHERE round_id = $1")
            .bind(round_id)
            .execute(&mut *tx)
            .await?;
        if affected(locked) != 1 {
            tx.rollback().await?;
            return Ok(Upgrade::NoAlternate);
        }
        let (taken,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM applications WHERE round_id = $1 AND position = $2
               AND state IN ('shortlisted', 'placed', 'accepted', 'departed')",
        )
        .bind(round_id)
        .bind(position)
        .fetch_one(&mut *tx)
        .await?;
        if taken >= places {
            tx.rollback().await?;
            return Ok(Upgrade::NoFreePlace { taken });
        }
        let next: Option<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT a.id, o.alternate_rank FROM applications a LEFT JOIN outcomes o ON o.application_id = a.id
             WHERE a.round_id = $1 AND a.position = $2 AND a.state = 'alternate'
             ORDER BY CASE WHEN o.alternate_rank IS NULL THEN 1 ELSE 0 END, o.alternate_rank, a.submitted_at, a.id
             LIMIT 1",
        )
        .bind(round_id)
        .bind(position)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((application_id, rank)) = next else {
            tx.rollback().await?;
            return Ok(Upgrade::NoAlternate);
        };
        let now = crate::now();
        sqlx::query("UPDATE applications SET state = 'shortlisted', updated_at = $1 WHERE id = $2 AND state = 'alternate'")
            .bind(now)
            .bind(application_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE outcomes SET outcome = 'shortlisted', alternate_rank = NULL, decided_by = $1, decided_at = $2
             WHERE application_id = $3",
        )
        .bind(by)
        .bind(now)
        .bind(application_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Upgrade::Upgraded { application_id, rank })
    }
}

impl Store {
    /// Writes one interviewer's interview total for the demo (the interview module records real
    /// score sheets; outcomes read only the totals).
    pub async fn demo_interview_total(
        &self,
        application_id: i64,
        interviewer_id: i64,
        total: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO interview_scores (application_id, interviewer_id, scores, total, note, submitted_at)
             VALUES ($1, $2, '{}', $3, '', $4)",
        )
        .bind(application_id)
        .bind(interviewer_id)
        .bind(total)
        .bind(crate::now())
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
