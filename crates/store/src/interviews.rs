//! Interviews: venues, panels, slots and their self-booked seats, interview scores, and Japanese
//! evaluation requests. A seat is won only by a conditional UPDATE of the slot's `booked` counter
//! in the same transaction as the booking row, so the database (never a lock in this process)
//! decides which of many concurrent requests gets the last seat.

use crate::{Result, Store};

/// One interviewer's score of one interview.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InterviewScore {
    /// Row id.
    pub id: i64,
    /// The application interviewed.
    pub application_id: i64,
    /// The interviewer who scored.
    pub interviewer_id: i64,
    /// Criterion id → score, as a JSON object.
    pub scores: String,
    /// Sum of the criterion scores.
    pub total: i64,
    /// CIR only: Japanese speaking score.
    pub japanese_speaking: Option<i64>,
    /// CIR only: Japanese listening score.
    pub japanese_listening: Option<i64>,
    /// CIR only: Japanese reading and writing score.
    pub japanese_reading_writing: Option<i64>,
    /// CIR only: the level estimate ("N1" … "N5").
    pub japanese_level: Option<String>,
    /// The interviewer's note.
    pub note: String,
    /// When submitted (Unix seconds).
    pub submitted_at: i64,
}

const SCORE_COLUMNS: &str = "id, application_id, interviewer_id, scores, total, japanese_speaking, \
     japanese_listening, japanese_reading_writing, japanese_level, note, submitted_at";

impl Store {
    /// Every interviewer's score of an application, oldest first.
    pub async fn interview_scores(&self, application_id: i64) -> Result<Vec<InterviewScore>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {SCORE_COLUMNS} FROM interview_scores WHERE application_id = $1 ORDER BY submitted_at, id"
        ))
        .bind(application_id)
        .fetch_all(self.pool())
        .await?)
    }
}
