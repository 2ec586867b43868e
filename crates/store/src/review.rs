//! Review: per-round selection settings, reviewers' conflicts of interest, assignments with their
//! score sheets, and the coordinator's moderated totals. What a score means and who may see it is
//! decided above this layer; here a sheet is submitted once, by one conditional UPDATE.

use crate::{affected, on_unique, Result, Store};

/// A round's selection settings (defaults until the coordinator saves them).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SelectionSettings {
    /// The round.
    pub round_id: i64,
    /// Independent reviewers per application (2 by default).
    pub reviewers_per_application: i64,
    /// Totals differing by more than this go to moderation.
    pub moderation_margin: i64,
    /// 1: reviewers do not see the applicant's name, sex, date of birth or university during the sift.
    pub name_blind: i64,
    /// 1 once the sift is closed (invitations confirmed): identities reappear.
    pub sift_closed: i64,
    /// Places (shortlist target) for ALT.
    pub places_alt: i64,
    /// Places for CIR.
    pub places_cir: i64,
    /// Places for SEA.
    pub places_sea: i64,
    /// When the results were published, if they were.
    pub published_at: Option<i64>,
}

impl SelectionSettings {
    /// The defaults for a round without saved settings.
    pub fn defaults(round_id: i64) -> SelectionSettings {
        SelectionSettings {
            round_id,
            reviewers_per_application: 2,
            moderation_margin: 4,
            name_blind: 0,
            sift_closed: 0,
            places_alt: 0,
            places_cir: 0,
            places_sea: 0,
            published_at: None,
        }
    }

    /// Whether reviewers must not see identities now (name-blind and the sift still open).
    pub fn hides_identity(&self) -> bool {
        self.name_blind != 0 && self.sift_closed == 0
    }

    /// The shortlist target for a position ("alt", "cir", "sea").
    pub fn places(&self, position: &str) -> i64 {
        match position {
            "alt" => self.places_alt,
            "cir" => self.places_cir,
            "sea" => self.places_sea,
            _ => 0,
        }
    }
}

/// An application of a round as selection sees it: no sections, just who and where.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SelectionApplication {
    /// Application id.
    pub id: i64,
    /// The applicant's user id.
    pub user_id: i64,
    /// Reference number.
    pub reference: Option<String>,
    /// Position ("alt", "cir", "sea").
    pub position: String,
    /// State name.
    pub state: String,
    /// The applicant's name.
    pub display_name: String,
    /// The applicant's e-mail address.
    pub email: String,
    /// When it was submitted.
    pub submitted_at: Option<i64>,
}

/// A reviewer assigned to an application, with their sheet once submitted.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Assignment {
    /// Row id.
    pub id: i64,
    /// The application.
    pub application_id: i64,
    /// The reviewer's user id.
    pub reviewer_id: i64,
    /// The reviewer's name.
    pub reviewer_name: String,
    /// When assigned.
    pub assigned_at: i64,
    /// The scores as JSON `{criterion: score}`, once submitted.
    pub scores: Option<String>,
    /// The sum of the scores, once submitted.
    pub total: Option<i64>,
    /// The reviewer's comment.
    pub comment: String,
    /// When the sheet was submitted.
    pub submitted_at: Option<i64>,
}

/// The coordinator's agreed total for an application whose reviewers disagreed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Moderation {
    /// The application.
    pub application_id: i64,
    /// The agreed total.
    pub agreed_total: i64,
    /// Why.
    pub note: String,
    /// Who moderated.
    pub moderated_by: i64,
    /// When.
    pub moderated_at: i64,
}

/// A user who can review (holds the reviewer role).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reviewer {
    /// User id.
    pub id: i64,
    /// Name.
    pub display_name: String,
    /// E-mail address.
    pub email: String,
}

const SETTINGS_COLUMNS: &str =
    "round_id, reviewers_per_application, moderation_margin, name_blind, sift_closed, \
     places_alt, places_cir, places_sea, published_at";
const ASSIGNMENT_SELECT: &str =
    "SELECT r.id, r.application_id, r.reviewer_id, u.display_name AS reviewer_name, \
     r.assigned_at, r.scores, r.total, r.comment, r.submitted_at \
     FROM review_assignments r JOIN users u ON u.id = r.reviewer_id";
const APPLICATION_SELECT: &str =
    "SELECT a.id, a.user_id, a.reference, a.position, a.state, u.display_name, u.email, \
     a.submitted_at FROM applications a JOIN users u ON u.id = a.user_id";

impl Store {
    /// The round's selection settings, or the defaults.
    pub async fn selection_settings(&self, round_id: i64) -> Result<SelectionSettings> {
        let row: Option<SelectionSettings> = sqlx::query_as(&format!(
            "SELECT {SETTINGS_COLUMNS} FROM selection_settings WHERE round_id = $1"
        ))
        .bind(round_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.unwrap_or_else(|| SelectionSettings::defaults(round_id)))
    }

    /// Makes sure the round has a settings row (so conditional updates have one to change).
    async fn ensure_settings(&self, round_id: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO selection_settings (round_id, updated_at) VALUES ($1, $2) ON CONFLICT (round_id) DO NOTHING",
        )
        .bind(round_id)
        .bind(crate::now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Saves the settings the coordinator edits (not `sift_closed` nor `published_at`).
    pub async fn save_selection_settings(&self, s: &SelectionSettings) -> Result<()> {
        self.ensure_settings(s.round_id).await?;
        sqlx::query(
            "UPDATE selection_settings SET reviewers_per_application = $1, moderation_margin = $2, name_blind = $3,
                 places_alt = $4, places_cir = $5, places_sea = $6, updated_at = $7 WHERE round_id = $8",
        )
        .bind(s.reviewers_per_application)
        .bind(s.moderation_margin)
        .bind(s.name_blind)
        .bind(s.places_alt)
        .bind(s.places_cir)
        .bind(s.places_sea)
        .bind(crate::now())
        .bind(s.round_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Opens (false) or closes (true) the round's sift.
    pub async fn set_sift_closed(&self, round_id: i64, closed: bool) -> Result<()> {
        self.ensure_settings(round_id).await?;
        sqlx::query("UPDATE selection_settings SET sift_closed = $1, updated_at = $2 WHERE round_id = $3")
            .bind(i64::from(closed))
            .bind(crate::now())
            .bind(round_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The round's results instant, if set.
    pub async fn results_at(&self, round_id: i64) -> Result<Option<i64>> {
        let at: Option<Option<i64>> = sqlx::query_scalar("SELECT results_at FROM rounds WHERE id = $1")
            .bind(round_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(at.flatten())
    }

    /// Sets (or clears) the round's results instant.
    pub async fn set_results_at(&self, round_id: i64, at: Option<i64>) -> Result<()> {
        sqlx::query("UPDATE rounds SET results_at = $1 WHERE id = $2")
            .bind(at)
            .bind(round_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Every user holding the reviewer role, by name.
    pub async fn reviewers(&self) -> Result<Vec<Reviewer>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.display_name, u.email FROM users u JOIN user_roles r ON r.user_id = u.id
             WHERE r.role = 'reviewer' ORDER BY u.display_name, u.id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The round's applications in any of `states`, oldest submission first.
    pub async fn selection_applications(
        &self,
        round_id: i64,
        states: &[&str],
    ) -> Result<Vec<SelectionApplication>> {
        let placeholders: Vec<String> = (0..states.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "{APPLICATION_SELECT} WHERE a.round_id = $1 AND a.state IN ({}) ORDER BY a.submitted_at, a.id",
            if placeholders.is_empty() {
                "NULL".to_string()
            } else {
                placeholders.join(", ")
            }
        );
        let mut q = sqlx::query_as::<_, SelectionApplication>(&sql).bind(round_id);
        for s in states {
            q = q.bind(*s);
        }
        Ok(q.fetch_all(self.pool()).await?)
    }

    /// One application as selection sees it.
    pub async fn selection_application(&self, id: i64) -> Result<Option<SelectionApplication>> {
        Ok(sqlx::query_as(&format!("{APPLICATION_SELECT} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Records a reviewer's conflict of interest with an application (again: the reason is updated).
    pub async fn declare_conflict(&self, application_id: i64, reviewer_id: i64, reason: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO review_conflicts (application_id, reviewer_id, reason, declared_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (application_id, reviewer_id) DO UPDATE SET reason = excluded.reason",
        )
        .bind(application_id)
        .bind(reviewer_id)
        .bind(reason)
        .bind(crate::now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every (application, reviewer) conflict in the round.
    pub async fn round_conflicts(&self, round_id: i64) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT c.application_id, c.reviewer_id FROM review_conflicts c
             JOIN applications a ON a.id = c.application_id WHERE a.round_id = $1",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Whether the reviewer declared a conflict with the application.
    pub async fn has_conflict(&self, application_id: i64, reviewer_id: i64) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM review_conflicts WHERE application_id = $1 AND reviewer_id = $2",
        )
        .bind(application_id)
        .bind(reviewer_id)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// Every assignment in the round.
    pub async fn round_assignments(&self, round_id: i64) -> Result<Vec<Assignment>> {
        Ok(sqlx::query_as(&format!(
            "{ASSIGNMENT_SELECT} JOIN applications a ON a.id = r.application_id WHERE a.round_id = $1
             ORDER BY r.application_id, r.id"
        ))
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The application's assignments.
    pub async fn assignments_of(&self, application_id: i64) -> Result<Vec<Assignment>> {
        Ok(sqlx::query_as(&format!(
            "{ASSIGNMENT_SELECT} WHERE r.application_id = $1 ORDER BY r.id"
        ))
        .bind(application_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// A reviewer's assignments, unscored first, then newest.
    pub async fn reviewer_assignments(&self, reviewer_id: i64) -> Result<Vec<Assignment>> {
        Ok(sqlx::query_as(&format!(
            "{ASSIGNMENT_SELECT} WHERE r.reviewer_id = $1
             ORDER BY (CASE WHEN r.submitted_at IS NULL THEN 0 ELSE 1 END), r.application_id"
        ))
        .bind(reviewer_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Assigns a reviewer. `Conflict("already assigned")` if they already are.
    pub async fn assign_reviewer(&self, application_id: i64, reviewer_id: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO review_assignments (application_id, reviewer_id, assigned_at) VALUES ($1, $2, $3)",
        )
        .bind(application_id)
        .bind(reviewer_id)
        .bind(crate::now())
        .execute(self.pool())
        .await
        .map_err(|e| on_unique(e, "already assigned"))?;
        Ok(())
    }

    /// Removes an assignment that has not been scored. False if there was none or it was scored.
    pub async fn unassign_reviewer(&self, application_id: i64, reviewer_id: i64) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM review_assignments WHERE application_id = $1 AND reviewer_id = $2 AND submitted_at IS NULL",
        )
        .bind(application_id)
        .bind(reviewer_id)
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }

    /// Submits a reviewer's sheet, once. False if they are not assigned or already submitted.
    pub async fn submit_review(
        &self,
        application_id: i64,
        reviewer_id: i64,
        scores_json: &str,
        total: i64,
        comment: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE review_assignments SET scores = $1, total = $2, comment = $3, submitted_at = $4
             WHERE application_id = $5 AND reviewer_id = $6 AND submitted_at IS NULL",
        )
        .bind(scores_json)
        .bind(total)
        .bind(comment)
        .bind(crate::now())
        .bind(application_id)
        .bind(reviewer_id)
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }

    /// Every moderation in the round.
    pub async fn round_moderations(&self, round_id: i64) -> Result<Vec<Moderation>> {
        Ok(sqlx::query_as(
            "SELECT m.application_id, m.agreed_total, m.note, m.moderated_by, m.moderated_at
             FROM review_moderations m JOIN applications a ON a.id = m.application_id WHERE a.round_id = $1",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Sets (or replaces) the agreed total of an application.
    pub async fn moderate(&self, application_id: i64, agreed_total: i64, note: &str, by: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO review_moderations (application_id, agreed_total, note, moderated_by, moderated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (application_id) DO UPDATE SET agreed_total = excluded.agreed_total, note = excluded.note,
                 moderated_by = excluded.moderated_by, moderated_at = excluded.moderated_at",
        )
        .bind(application_id)
        .bind(agreed_total)
        .bind(note)
        .bind(by)
        .bind(crate::now())
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
