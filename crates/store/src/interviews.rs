//! Interviews: venues, panels, slots and their self-booked seats, interview scores, and Japanese
//! evaluation requests. A seat is won only by a conditional UPDATE of the slot's `booked` counter
//! in the same transaction as the booking row, so the database (never a lock in this process)
//! decides which of many concurrent requests gets the last seat.

use crate::{affected, on_unique, Result, Store, StoreError};

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

/// A round's interview settings.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InterviewSettings {
    /// Moves and cancellations close this many hours before the interview.
    pub notice_hours: i64,
    /// 1 when the coordinator has locked rescheduling.
    pub locked: i64,
}

/// Where interviews happen.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InterviewVenue {
    /// Row id.
    pub id: i64,
    /// For example "London".
    pub name: String,
    /// 1 for an online venue (a meeting link), else 0.
    pub online: i64,
    /// The street address (or a note for online venues).
    pub address: String,
    /// The meeting link of an online venue.
    pub meeting_link: String,
}

/// A panel of interviewers.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InterviewPanel {
    /// Row id.
    pub id: i64,
    /// Its name, for example "Panel A".
    pub name: String,
}

/// A member of a panel.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PanelMember {
    /// The panel.
    pub panel_id: i64,
    /// The interviewer.
    pub user_id: i64,
    /// Their name.
    pub display_name: String,
    /// Their e-mail address.
    pub email: String,
}

/// A user holding the interviewer role, with their daily cap if set.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Interviewer {
    /// User id.
    pub id: i64,
    /// Name.
    pub display_name: String,
    /// E-mail.
    pub email: String,
    /// Interviews per day at most, if a cap is set.
    pub daily_cap: Option<i64>,
}

/// An interview slot with its venue.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InterviewSlot {
    /// Row id.
    pub id: i64,
    /// The round.
    pub round_id: i64,
    /// The venue.
    pub venue_id: i64,
    /// The venue's name.
    pub venue_name: String,
    /// Start (Unix seconds, UTC).
    pub starts_at: i64,
    /// Length in minutes.
    pub length_minutes: i64,
    /// The Europe/London date it starts on (YYYY-MM-DD).
    pub local_date: String,
    /// Positions served, comma-separated ("alt,cir").
    pub positions: String,
    /// Seats: the panels sitting in parallel.
    pub capacity: i64,
    /// Seats booked.
    pub booked: i64,
    /// 1 once published to applicants.
    pub published: i64,
}

impl InterviewSlot {
    /// Whether the slot serves `position` ("alt", "cir", "sea").
    pub fn serves(&self, position: &str) -> bool {
        self.positions
            .split(',')
            .any(|p| p.trim().eq_ignore_ascii_case(position))
    }
}

/// A booked seat with what an invitation needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InterviewBooking {
    /// Row id.
    pub id: i64,
    /// The slot.
    pub slot_id: i64,
    /// The application.
    pub application_id: i64,
    /// The panel assigned, if any panel was free.
    pub panel_id: Option<i64>,
    /// The calendar UID (stable for the booking).
    pub uid: String,
    /// The calendar SEQUENCE (moves so far).
    pub sequence: i64,
    /// When a reminder was sent.
    pub reminded_at: Option<i64>,
    /// The slot's start.
    pub starts_at: i64,
    /// The slot's length in minutes.
    pub length_minutes: i64,
    /// The slot's round.
    pub round_id: i64,
    /// The venue's name.
    pub venue_name: String,
    /// 1 for an online venue.
    pub online: i64,
    /// The venue's address.
    pub address: String,
    /// The venue's meeting link.
    pub meeting_link: String,
}

/// The result of a booking or a move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookOutcome {
    /// Booked or moved; the booking's id.
    Booked(i64),
    /// The slot has no free seat (or is not published).
    Full,
    /// The application already has a booking (or, for a move, the booking changed meanwhile).
    AlreadyBooked,
}

/// One interview on an interviewer's day.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DayInterview {
    /// The booking.
    pub booking_id: i64,
    /// The application.
    pub application_id: i64,
    /// Its reference.
    pub reference: Option<String>,
    /// Its position.
    pub position: String,
    /// Its state.
    pub state: String,
    /// The applicant's name.
    pub display_name: String,
    /// Start.
    pub starts_at: i64,
    /// Length in minutes.
    pub length_minutes: i64,
    /// The venue.
    pub venue_name: String,
    /// The panel.
    pub panel_name: String,
    /// 1 when this interviewer has submitted a score.
    pub scored: i64,
}

/// What an interviewer submits.
#[derive(Debug, Clone)]
pub struct NewInterviewScore<'a> {
    /// See [`InterviewScore`].
    pub application_id: i64,
    /// See [`InterviewScore`].
    pub interviewer_id: i64,
    /// See [`InterviewScore`].
    pub scores: &'a str,
    /// See [`InterviewScore`].
    pub total: i64,
    /// See [`InterviewScore`].
    pub japanese: Option<(i64, i64, i64, &'a str)>,
    /// See [`InterviewScore`].
    pub note: &'a str,
}

/// A Japanese evaluation request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JapaneseEvaluation {
    /// Row id.
    pub id: i64,
    /// The applicant.
    pub user_id: i64,
    /// Their application, if they have one.
    pub application_id: Option<i64>,
    /// Proposed times (Unix seconds).
    pub proposed_1: i64,
    /// See `proposed_1`.
    pub proposed_2: Option<i64>,
    /// See `proposed_1`.
    pub proposed_3: Option<i64>,
    /// What the applicant wrote.
    pub applicant_note: String,
    /// requested | confirmed | done | cancelled.
    pub status: String,
    /// The interviewer the coordinator delegated it to.
    pub assigned_to: Option<i64>,
    /// The confirmed call.
    pub call_at: Option<i64>,
    /// The call's length.
    pub call_minutes: Option<i64>,
    /// Where the call happens.
    pub meeting_link: String,
    /// Calendar UID.
    pub uid: String,
    /// Calendar SEQUENCE.
    pub sequence: i64,
    /// The estimated level ("n1" … "n5" or "none").
    pub level: Option<String>,
    /// The evaluator's note and advice.
    pub result_note: Option<String>,
    /// When evaluated.
    pub evaluated_at: Option<i64>,
    /// The applicant's name.
    pub display_name: String,
    /// The applicant's e-mail.
    pub email: String,
}

const BOOKING_SELECT: &str =
    "SELECT b.id, b.slot_id, b.application_id, b.panel_id, b.uid, b.sequence, b.reminded_at, \
     s.starts_at, s.length_minutes, s.round_id, v.name AS venue_name, v.online, v.address, v.meeting_link \
     FROM interview_bookings b JOIN interview_slots s ON s.id = b.slot_id \
     JOIN interview_venues v ON v.id = s.venue_id";

const SLOT_SELECT: &str =
    "SELECT s.id, s.round_id, s.venue_id, v.name AS venue_name, s.starts_at, s.length_minutes, \
     s.local_date, s.positions, s.capacity, s.booked, s.published \
     FROM interview_slots s JOIN interview_venues v ON v.id = s.venue_id";

const EVAL_SELECT: &str = "SELECT e.id, e.user_id, e.application_id, e.proposed_1, e.proposed_2, e.proposed_3, \
     e.applicant_note, e.status, e.assigned_to, e.call_at, e.call_minutes, e.meeting_link, e.uid, e.sequence, \
     e.level, e.result_note, e.evaluated_at, u.display_name, u.email \
     FROM japanese_evaluations e JOIN users u ON u.id = e.user_id";

impl Store {
    // ----- settings -----

    /// The round's interview settings (48 hours' notice, unlocked, until the coordinator changes them).
    pub async fn interview_settings(&self, round_id: i64) -> Result<InterviewSettings> {
        let row: Option<InterviewSettings> =
            sqlx::query_as("SELECT notice_hours, locked FROM interview_settings WHERE round_id = $1")
                .bind(round_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.unwrap_or(InterviewSettings {
            notice_hours: 48,
            locked: 0,
        }))
    }

    /// Sets the round's minimum notice and rescheduling lock.
    pub async fn set_interview_settings(&self, round_id: i64, notice_hours: i64, locked: bool) -> Result<()> {
        sqlx::query(
            "INSERT INTO interview_settings (round_id, notice_hours, locked, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (round_id) DO UPDATE SET notice_hours = excluded.notice_hours,
               locked = excluded.locked, updated_at = excluded.updated_at",
        )
        .bind(round_id)
        .bind(notice_hours)
        .bind(i64::from(locked))
        .bind(crate::now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    // ----- venues, panels, caps -----

    /// Every venue, by name.
    pub async fn interview_venues(&self) -> Result<Vec<InterviewVenue>> {
        Ok(sqlx::query_as(
            "SELECT id, name, online, address, meeting_link FROM interview_venues ORDER BY name",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Adds a venue; `Conflict("venue")` if the name is taken.
    pub async fn create_interview_venue(
        &self,
        name: &str,
        online: bool,
        address: &str,
        meeting_link: &str,
    ) -> Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO interview_venues (name, online, address, meeting_link, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(i64::from(online))
        .bind(address)
        .bind(meeting_link)
        .bind(crate::now())
        .fetch_one(self.pool())
        .await
        .map_err(|e| on_unique(e, "venue"))
    }

    /// The round's panels, by name.
    pub async fn interview_panels(&self, round_id: i64) -> Result<Vec<InterviewPanel>> {
        Ok(
            sqlx::query_as("SELECT id, name FROM interview_panels WHERE round_id = $1 ORDER BY name, id")
                .bind(round_id)
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// The members of the round's panels.
    pub async fn interview_panel_members(&self, round_id: i64) -> Result<Vec<PanelMember>> {
        Ok(sqlx::query_as(
            "SELECT m.panel_id, m.user_id, u.display_name, u.email FROM interview_panel_members m
             JOIN interview_panels p ON p.id = m.panel_id JOIN users u ON u.id = m.user_id
             WHERE p.round_id = $1 ORDER BY m.panel_id, u.display_name",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Creates a panel with its members; `Conflict("panel")` if the round has a panel of that name.
    pub async fn create_interview_panel(&self, round_id: i64, name: &str, members: &[i64]) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO interview_panels (round_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(round_id)
        .bind(name)
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| on_unique(e, "panel"))?;
        for user_id in members {
            sqlx::query("INSERT INTO interview_panel_members (panel_id, user_id) VALUES ($1, $2)")
                .bind(id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Users holding the interviewer role, with their daily caps.
    pub async fn interviewers(&self) -> Result<Vec<Interviewer>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.display_name, u.email, c.daily_cap FROM users u
             JOIN user_roles r ON r.user_id = u.id AND r.role = 'interviewer'
             LEFT JOIN interviewer_caps c ON c.user_id = u.id ORDER BY u.display_name, u.id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Sets an interviewer's daily cap.
    pub async fn set_interviewer_cap(&self, user_id: i64, daily_cap: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO interviewer_caps (user_id, daily_cap) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE SET daily_cap = excluded.daily_cap",
        )
        .bind(user_id)
        .bind(daily_cap)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// For each interviewer, how many slots their panels sit in on the London date `local_date`.
    pub async fn interviewer_day_loads(&self, local_date: &str) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT m.user_id, COUNT(*) FROM interview_slot_panels sp
             JOIN interview_slots s ON s.id = sp.slot_id
             JOIN interview_panel_members m ON m.panel_id = sp.panel_id
             WHERE s.local_date = $1 GROUP BY m.user_id",
        )
        .bind(local_date)
        .fetch_all(self.pool())
        .await?)
    }

    // ----- slots -----

    /// Creates an unpublished slot sat by `panel_ids` in parallel (its capacity is their number).
    #[allow(clippy::too_many_arguments)]
    pub async fn create_interview_slot(
        &self,
        round_id: i64,
        venue_id: i64,
        starts_at: i64,
        length_minutes: i64,
        local_date: &str,
        positions: &str,
        panel_ids: &[i64],
    ) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let capacity = i64::try_from(panel_ids.len()).unwrap_or(0);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO interview_slots (round_id, venue_id, starts_at, length_minutes, local_date, positions,
               capacity, booked, published, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, $8) RETURNING id",
        )
        .bind(round_id)
        .bind(venue_id)
        .bind(starts_at)
        .bind(length_minutes)
        .bind(local_date)
        .bind(positions)
        .bind(capacity)
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await?;
        for panel_id in panel_ids {
            sqlx::query("INSERT INTO interview_slot_panels (slot_id, panel_id) VALUES ($1, $2)")
                .bind(id)
                .bind(panel_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Publishes every unpublished slot of the round; returns how many.
    pub async fn publish_interview_slots(&self, round_id: i64) -> Result<u64> {
        let done =
            sqlx::query("UPDATE interview_slots SET published = 1 WHERE round_id = $1 AND published = 0")
                .bind(round_id)
                .execute(self.pool())
                .await?;
        Ok(affected(done))
    }

    /// Every slot of the round, by start.
    pub async fn interview_slots(&self, round_id: i64) -> Result<Vec<InterviewSlot>> {
        Ok(sqlx::query_as(&format!(
            "{SLOT_SELECT} WHERE s.round_id = $1 ORDER BY s.starts_at, v.name, s.id"
        ))
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// A slot by id.
    pub async fn interview_slot(&self, id: i64) -> Result<Option<InterviewSlot>> {
        Ok(sqlx::query_as(&format!("{SLOT_SELECT} WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Published slots of the round with a free seat, starting after `after`, by start.
    pub async fn open_interview_slots(&self, round_id: i64, after: i64) -> Result<Vec<InterviewSlot>> {
        Ok(sqlx::query_as(&format!(
            "{SLOT_SELECT} WHERE s.round_id = $1 AND s.published = 1 AND s.booked < s.capacity
               AND s.starts_at > $2 ORDER BY s.starts_at, v.name, s.id"
        ))
        .bind(round_id)
        .bind(after)
        .fetch_all(self.pool())
        .await?)
    }

    // ----- bookings -----

    /// Books a seat of `slot_id` for the application. The seat counter's conditional UPDATE and the
    /// booking row (unique per application) commit together, so concurrent requests for the last
    /// seat give exactly one booking. The first free panel of the slot is assigned.
    pub async fn book_interview(&self, application_id: i64, slot_id: i64, uid: &str) -> Result<BookOutcome> {
        let now = crate::now();
        let mut tx = self.pool().begin().await?;
        // The write comes first: on SQLite it takes the write lock before anything is read.
        if !take_seat(&mut tx, slot_id).await? {
            tx.rollback().await?;
            return Ok(BookOutcome::Full);
        }
        let panel_id = free_panel(&mut tx, slot_id).await?;
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO interview_bookings (slot_id, application_id, panel_id, uid, sequence, booked_at, updated_at)
             VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id",
        )
        .bind(slot_id)
        .bind(application_id)
        .bind(panel_id)
        .bind(uid)
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
        match inserted {
            Ok(id) => {
                tx.commit().await?;
                Ok(BookOutcome::Booked(id))
            }
            Err(e) => {
                tx.rollback().await?;
                match on_unique(e, "booking") {
                    StoreError::Conflict(_) => Ok(BookOutcome::AlreadyBooked),
                    other => Err(other),
                }
            }
        }
    }

    /// Moves a booking from `from_slot` to `to_slot`, incrementing its SEQUENCE and clearing its
    /// reminder. The two seat counters are updated in slot-id order so two opposite moves cannot
    /// deadlock.
    pub async fn move_interview(&self, booking_id: i64, from_slot: i64, to_slot: i64) -> Result<BookOutcome> {
        let now = crate::now();
        let mut tx = self.pool().begin().await?;
        let took = if to_slot < from_slot {
            let took = take_seat(&mut tx, to_slot).await?;
            release_seat(&mut tx, from_slot).await?;
            took
        } else {
            release_seat(&mut tx, from_slot).await?;
            take_seat(&mut tx, to_slot).await?
        };
        if !took {
            tx.rollback().await?;
            return Ok(BookOutcome::Full);
        }
        let panel_id = free_panel(&mut tx, to_slot).await?;
        let moved = sqlx::query(
            "UPDATE interview_bookings SET slot_id = $1, panel_id = $2, sequence = sequence + 1, updated_at = $3,
               reminded_at = NULL WHERE id = $4 AND slot_id = $5",
        )
        .bind(to_slot)
        .bind(panel_id)
        .bind(now)
        .bind(booking_id)
        .bind(from_slot)
        .execute(&mut *tx)
        .await?;
        if affected(moved) != 1 {
            tx.rollback().await?;
            return Ok(BookOutcome::AlreadyBooked);
        }
        tx.commit().await?;
        Ok(BookOutcome::Booked(booking_id))
    }

    /// Cancels a booking that is still in `slot_id`, freeing its seat. False if it was not.
    pub async fn cancel_interview(&self, booking_id: i64, slot_id: i64) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let gone = sqlx::query("DELETE FROM interview_bookings WHERE id = $1 AND slot_id = $2")
            .bind(booking_id)
            .bind(slot_id)
            .execute(&mut *tx)
            .await?;
        if affected(gone) != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        release_seat(&mut tx, slot_id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The application's booking, if it has one.
    pub async fn interview_booking_of(&self, application_id: i64) -> Result<Option<InterviewBooking>> {
        Ok(
            sqlx::query_as(&format!("{BOOKING_SELECT} WHERE b.application_id = $1"))
                .bind(application_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// The bookings of a round, by start.
    pub async fn interview_bookings(&self, round_id: i64) -> Result<Vec<InterviewBooking>> {
        Ok(sqlx::query_as(&format!(
            "{BOOKING_SELECT} WHERE s.round_id = $1 ORDER BY s.starts_at, b.id"
        ))
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The members of a panel (the recipients of its invitations).
    pub async fn panel_members(&self, panel_id: i64) -> Result<Vec<PanelMember>> {
        Ok(sqlx::query_as(
            "SELECT m.panel_id, m.user_id, u.display_name, u.email FROM interview_panel_members m
             JOIN users u ON u.id = m.user_id WHERE m.panel_id = $1 ORDER BY u.display_name",
        )
        .bind(panel_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Bookings whose interview starts within a day after `now` and have had no reminder.
    pub async fn due_interview_reminders(&self, now: i64) -> Result<Vec<InterviewBooking>> {
        Ok(sqlx::query_as(&format!(
            "{BOOKING_SELECT} WHERE b.reminded_at IS NULL AND s.starts_at > $1 AND s.starts_at <= $2 ORDER BY b.id"
        ))
        .bind(now)
        .bind(now + 24 * 3600)
        .fetch_all(self.pool())
        .await?)
    }

    /// Marks a booking reminded, once: false if another run (or worker) already did.
    pub async fn claim_interview_reminder(&self, booking_id: i64, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE interview_bookings SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
        )
        .bind(now)
        .bind(booking_id)
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }

    // ----- the interviewer's day and scores -----

    /// The interviews of the panels `user_id` sits on, on the London date `local_date`.
    pub async fn interviewer_day(&self, user_id: i64, local_date: &str) -> Result<Vec<DayInterview>> {
        Ok(sqlx::query_as(
            "SELECT b.id AS booking_id, a.id AS application_id, a.reference, a.position, a.state, u.display_name,
               s.starts_at, s.length_minutes, v.name AS venue_name, p.name AS panel_name,
               CASE WHEN sc.id IS NULL THEN 0 ELSE 1 END AS scored
             FROM interview_bookings b
             JOIN interview_slots s ON s.id = b.slot_id
             JOIN interview_venues v ON v.id = s.venue_id
             JOIN interview_panels p ON p.id = b.panel_id
             JOIN interview_panel_members m ON m.panel_id = b.panel_id AND m.user_id = $1
             JOIN applications a ON a.id = b.application_id
             JOIN users u ON u.id = a.user_id
             LEFT JOIN interview_scores sc ON sc.application_id = a.id AND sc.interviewer_id = $1
             WHERE s.local_date = $2 ORDER BY s.starts_at, b.id",
        )
        .bind(user_id)
        .bind(local_date)
        .fetch_all(self.pool())
        .await?)
    }

    /// The London dates from `from` (YYYY-MM-DD) on which `user_id`'s panels have interviews, soonest
    /// first (at most ten).
    pub async fn interviewer_dates(&self, user_id: i64, from: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT s.local_date FROM interview_bookings b
             JOIN interview_slots s ON s.id = b.slot_id
             JOIN interview_panel_members m ON m.panel_id = b.panel_id AND m.user_id = $1
             WHERE s.local_date >= $2 ORDER BY s.local_date LIMIT 10",
        )
        .bind(user_id)
        .bind(from)
        .fetch_all(self.pool())
        .await?)
    }

    /// Whether `user_id` sits on the panel assigned to the application's booking.
    pub async fn interviewer_may_score(&self, user_id: i64, application_id: i64) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM interview_bookings b
             JOIN interview_panel_members m ON m.panel_id = b.panel_id
             WHERE b.application_id = $1 AND m.user_id = $2",
        )
        .bind(application_id)
        .bind(user_id)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// Saves (or replaces) an interviewer's score of an application.
    pub async fn save_interview_score(&self, s: &NewInterviewScore<'_>) -> Result<()> {
        let (speaking, listening, rw, level) = match s.japanese {
            Some((a, b, c, l)) => (Some(a), Some(b), Some(c), Some(l)),
            None => (None, None, None, None),
        };
        sqlx::query(
            "INSERT INTO interview_scores (application_id, interviewer_id, scores, total, japanese_speaking,
               japanese_listening, japanese_reading_writing, japanese_level, note, submitted_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (application_id, interviewer_id) DO UPDATE SET scores = excluded.scores,
               total = excluded.total, japanese_speaking = excluded.japanese_speaking,
               japanese_listening = excluded.japanese_listening,
               japanese_reading_writing = excluded.japanese_reading_writing,
               japanese_level = excluded.japanese_level, note = excluded.note, submitted_at = excluded.submitted_at",
        )
        .bind(s.application_id)
        .bind(s.interviewer_id)
        .bind(s.scores)
        .bind(s.total)
        .bind(speaking)
        .bind(listening)
        .bind(rw)
        .bind(level)
        .bind(s.note)
        .bind(crate::now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    // ----- Japanese evaluation requests -----

    /// Records an applicant's request with up to three proposed times. Returns its id.
    pub async fn create_japanese_evaluation(
        &self,
        user_id: i64,
        application_id: Option<i64>,
        proposed: &[i64],
        note: &str,
        uid: &str,
    ) -> Result<i64> {
        let now = crate::now();
        Ok(sqlx::query_scalar(
            "INSERT INTO japanese_evaluations (user_id, application_id, proposed_1, proposed_2, proposed_3,
               applicant_note, status, uid, sequence, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, 0, $8, $8) RETURNING id",
        )
        .bind(user_id)
        .bind(application_id)
        .bind(proposed.first().copied().unwrap_or(now))
        .bind(proposed.get(1).copied())
        .bind(proposed.get(2).copied())
        .bind(note)
        .bind(uid)
        .bind(now)
        .fetch_one(self.pool())
        .await?)
    }

    /// The user's requests, newest first.
    pub async fn japanese_evaluations_of(&self, user_id: i64) -> Result<Vec<JapaneseEvaluation>> {
        Ok(sqlx::query_as(&format!(
            "{EVAL_SELECT} WHERE e.user_id = $1 ORDER BY e.created_at DESC, e.id DESC"
        ))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// A request by id.
    pub async fn japanese_evaluation(&self, id: i64) -> Result<Option<JapaneseEvaluation>> {
        Ok(sqlx::query_as(&format!("{EVAL_SELECT} WHERE e.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Requests for staff: every one (`assigned_to` 0) or those delegated to one interviewer.
    pub async fn japanese_evaluations(&self, assigned_to: i64) -> Result<Vec<JapaneseEvaluation>> {
        Ok(sqlx::query_as(&format!(
            "{EVAL_SELECT} WHERE ($1 = 0 OR e.assigned_to = $1)
             ORDER BY CASE e.status WHEN 'requested' THEN 0 WHEN 'confirmed' THEN 1 ELSE 2 END, e.created_at, e.id"
        ))
        .bind(assigned_to)
        .fetch_all(self.pool())
        .await?)
    }

    /// Delegates a request to an interviewer (or back to the coordinators with `None`).
    pub async fn delegate_japanese_evaluation(&self, id: i64, interviewer: Option<i64>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE japanese_evaluations SET assigned_to = $1, updated_at = $2
             WHERE id = $3 AND status IN ('requested', 'confirmed')",
        )
        .bind(interviewer)
        .bind(crate::now())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }

    /// Confirms (or re-confirms, incrementing SEQUENCE) the call. False once the request is done.
    pub async fn confirm_japanese_evaluation(
        &self,
        id: i64,
        call_at: i64,
        call_minutes: i64,
        meeting_link: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE japanese_evaluations SET status = 'confirmed', call_at = $1, call_minutes = $2,
               meeting_link = $3, sequence = sequence + CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END,
               updated_at = $4
             WHERE id = $5 AND status IN ('requested', 'confirmed')",
        )
        .bind(call_at)
        .bind(call_minutes)
        .bind(meeting_link)
        .bind(crate::now())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }

    /// Records the evaluation's result after the call, once. False if it was not confirmed.
    pub async fn finish_japanese_evaluation(
        &self,
        id: i64,
        level: &str,
        note: &str,
        by: i64,
    ) -> Result<bool> {
        let now = crate::now();
        let done = sqlx::query(
            "UPDATE japanese_evaluations SET status = 'done', level = $1, result_note = $2, evaluated_by = $3,
               evaluated_at = $4, updated_at = $4 WHERE id = $5 AND status = 'confirmed'",
        )
        .bind(level)
        .bind(note)
        .bind(by)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(affected(done) == 1)
    }
}

/// The first panel of the slot without a booking in it (inside the booking's transaction, after the
/// seat counter's UPDATE has locked the slot row).
async fn free_panel(tx: &mut Tx, slot_id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT sp.panel_id FROM interview_slot_panels sp WHERE sp.slot_id = $1
           AND NOT EXISTS (SELECT 1 FROM interview_bookings b WHERE b.slot_id = $1 AND b.panel_id = sp.panel_id)
         ORDER BY sp.panel_id LIMIT 1",
    )
    .bind(slot_id)
    .fetch_optional(&mut **tx)
    .await?)
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Takes a seat of a published slot if one is free: the conditional UPDATE the database arbitrates.
async fn take_seat(tx: &mut Tx, slot_id: i64) -> Result<bool> {
    let won = sqlx::query(
        "UPDATE interview_slots SET booked = booked + 1 WHERE id = $1 AND booked < capacity AND published = 1",
    )
    .bind(slot_id)
    .execute(&mut **tx)
    .await?;
    Ok(affected(won) == 1)
}

/// Gives a seat back.
async fn release_seat(tx: &mut Tx, slot_id: i64) -> Result<()> {
    sqlx::query("UPDATE interview_slots SET booked = booked - 1 WHERE id = $1 AND booked > 0")
        .bind(slot_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// The id of the user's newest application (in any round), for their interview page.
    pub async fn newest_application_id_of(&self, user_id: i64) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM applications WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?)
    }
}
