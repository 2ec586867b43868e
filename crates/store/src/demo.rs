//! The demo's history: what a round's applications went through before the demo started (state
//! changes in the audit log, reviewers' sheets, interview totals, placement offers), written with
//! the times it happened, in one transaction. Only the demo loader calls this; the application's
//! own paths write the same rows at the moment they happen.

use crate::{Result, Store};

/// One past state change of an application, as the audit log records a real one.
#[derive(Debug, Clone)]
pub struct DemoStateChange {
    /// The application.
    pub application_id: i64,
    /// When (Unix seconds).
    pub at: i64,
    /// Who did it (None for the system).
    pub actor: Option<i64>,
    /// The audit action, such as `application.submit`.
    pub action: String,
    /// The state before.
    pub from: String,
    /// The state after.
    pub to: String,
}

/// One past review assignment, scored or not.
#[derive(Debug, Clone)]
pub struct DemoReview {
    /// The application.
    pub application_id: i64,
    /// The reviewer.
    pub reviewer_id: i64,
    /// When it was assigned.
    pub assigned_at: i64,
    /// When it was scored and its total, if it was.
    pub scored: Option<(i64, i64)>,
}

/// One past interview score sheet (its total only, as outcomes read it).
#[derive(Debug, Clone)]
pub struct DemoInterviewTotal {
    /// The application.
    pub application_id: i64,
    /// The interviewer.
    pub interviewer_id: i64,
    /// The total.
    pub total: i64,
    /// When it was submitted.
    pub at: i64,
}

/// One past placement offer (the application's state says whether it holds its place).
#[derive(Debug, Clone)]
pub struct DemoOffer {
    /// The round.
    pub round_id: i64,
    /// The application.
    pub application_id: i64,
    /// The post offered.
    pub post_id: i64,
    /// When it was offered.
    pub offered_at: i64,
    /// The answer's deadline.
    pub deadline_at: i64,
    /// When it was answered, if it was.
    pub answered_at: Option<i64>,
}

/// Everything [`Store::insert_demo_history`] writes.
#[derive(Debug, Clone, Default)]
pub struct DemoHistory {
    /// State changes, for the audit log.
    pub state_changes: Vec<DemoStateChange>,
    /// Review assignments.
    pub reviews: Vec<DemoReview>,
    /// Interview totals.
    pub interview_totals: Vec<DemoInterviewTotal>,
    /// Placement offers (made outside any stored placement run).
    pub offers: Vec<DemoOffer>,
}

impl Store {
    /// The round's applications as (id, the applicant's e-mail), in id order: how the demo loader
    /// finds the applications it has just written in bulk.
    pub async fn demo_application_ids(&self, round_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT a.id, u.email FROM applications a JOIN users u ON u.id = a.user_id
             WHERE a.round_id = $1 ORDER BY a.id",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Writes a demo round's history with its own times, in one transaction.
    pub async fn insert_demo_history(&self, h: &DemoHistory) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for c in &h.state_changes {
            sqlx::query(
                "INSERT INTO audit_log (at, actor_user_id, action, subject, before_value, after_value)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(c.at)
            .bind(c.actor)
            .bind(&c.action)
            .bind(format!("application:{}", c.application_id))
            .bind(&c.from)
            .bind(&c.to)
            .execute(&mut *tx)
            .await?;
        }
        for r in &h.reviews {
            sqlx::query(
                "INSERT INTO review_assignments (application_id, reviewer_id, assigned_at, scores, total, submitted_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(r.application_id)
            .bind(r.reviewer_id)
            .bind(r.assigned_at)
            .bind(r.scored.map(|_| "{}"))
            .bind(r.scored.map(|(_, total)| total))
            .bind(r.scored.map(|(at, _)| at))
            .execute(&mut *tx)
            .await?;
        }
        for s in &h.interview_totals {
            sqlx::query(
                "INSERT INTO interview_scores (application_id, interviewer_id, scores, total, note, submitted_at)
                 VALUES ($1, $2, '{}', $3, '', $4)",
            )
            .bind(s.application_id)
            .bind(s.interviewer_id)
            .bind(s.total)
            .bind(s.at)
            .execute(&mut *tx)
            .await?;
        }
        for o in &h.offers {
            sqlx::query(
                "INSERT INTO placement_offers (round_id, application_id, post_id, run_id, offered_at, deadline_at,
                     answered_at)
                 VALUES ($1, $2, $3, NULL, $4, $5, $6)",
            )
            .bind(o.round_id)
            .bind(o.application_id)
            .bind(o.post_id)
            .bind(o.offered_at)
            .bind(o.deadline_at)
            .bind(o.answered_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
