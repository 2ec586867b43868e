-- Interviews (issue 4): venues, panels of interviewers with daily caps, slots created in bulk and
-- published, self-booked seats, interview scores (with the CIR Japanese assessment), Japanese
-- evaluation requests, and attachments for the mail outbox (the .ics invitations).
-- A slot's seats are counted in `booked`; a booking wins a seat only by the conditional
-- `UPDATE interview_slots SET booked = booked + 1 WHERE id = $1 AND booked < capacity`, in the same
-- transaction as its row, so the database arbitrates concurrent requests.

-- Per-round interview settings: the minimum notice for moves and cancellations, and the lock.
CREATE TABLE interview_settings (
    round_id BIGINT PRIMARY KEY REFERENCES rounds(id) ON DELETE CASCADE,
    notice_hours BIGINT NOT NULL DEFAULT 48,
    locked BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

-- Where interviews happen: an address, or a meeting link for online interviews.
CREATE TABLE interview_venues (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    online BIGINT NOT NULL DEFAULT 0,
    address TEXT NOT NULL,
    meeting_link TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

-- A panel of interviewers (users holding the interviewer role) for a round.
CREATE TABLE interview_panels (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (round_id, name)
);

CREATE TABLE interview_panel_members (
    panel_id BIGINT NOT NULL REFERENCES interview_panels(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (panel_id, user_id)
);
CREATE INDEX interview_panel_members_user ON interview_panel_members(user_id);

-- How many interviews an interviewer sits in one (Europe/London) day.
CREATE TABLE interviewer_caps (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    daily_cap BIGINT NOT NULL
);

-- A slot: start (UTC seconds), length, venue, the positions it serves (comma-separated, e.g. "ALT,CIR"),
-- the London calendar date it falls on (YYYY-MM-DD, for daily caps and the interviewer's day).
-- capacity = the number of panels sitting in parallel (rows in interview_slot_panels).
CREATE TABLE interview_slots (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    venue_id BIGINT NOT NULL REFERENCES interview_venues(id),
    starts_at BIGINT NOT NULL,
    length_minutes BIGINT NOT NULL,
    local_date TEXT NOT NULL,
    positions TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    booked BIGINT NOT NULL DEFAULT 0,
    published BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    CHECK (booked >= 0 AND booked <= capacity)
);
CREATE INDEX interview_slots_round ON interview_slots(round_id, published, starts_at);

CREATE TABLE interview_slot_panels (
    slot_id BIGINT NOT NULL REFERENCES interview_slots(id) ON DELETE CASCADE,
    panel_id BIGINT NOT NULL REFERENCES interview_panels(id) ON DELETE CASCADE,
    PRIMARY KEY (slot_id, panel_id)
);
CREATE INDEX interview_slot_panels_panel ON interview_slot_panels(panel_id);

-- A booked seat. One per application; `uid` is the calendar UID (stable for the booking) and
-- `sequence` its iCalendar SEQUENCE (incremented on each move).
CREATE TABLE interview_bookings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slot_id BIGINT NOT NULL REFERENCES interview_slots(id),
    application_id BIGINT NOT NULL UNIQUE REFERENCES applications(id) ON DELETE CASCADE,
    panel_id BIGINT REFERENCES interview_panels(id),
    uid TEXT NOT NULL UNIQUE,
    sequence BIGINT NOT NULL DEFAULT 0,
    booked_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    reminded_at BIGINT,
    UNIQUE (slot_id, panel_id)
);
CREATE INDEX interview_bookings_slot ON interview_bookings(slot_id);

-- Interview scores, one row per interviewer per application (read by outcomes and placement).
CREATE TABLE interview_scores (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    interviewer_id BIGINT NOT NULL REFERENCES users(id),
    scores TEXT NOT NULL,
    total BIGINT NOT NULL,
    japanese_speaking BIGINT NULL,
    japanese_listening BIGINT NULL,
    japanese_reading_writing BIGINT NULL,
    japanese_level TEXT NULL,
    note TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    UNIQUE (application_id, interviewer_id)
);

-- Japanese evaluation requests: an applicant proposes up to three times; staff confirm one as a
-- call, then record the estimated level and a note.
-- status: requested | confirmed | done | cancelled.
CREATE TABLE japanese_evaluations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    application_id BIGINT REFERENCES applications(id) ON DELETE SET NULL,
    proposed_1 BIGINT NOT NULL,
    proposed_2 BIGINT,
    proposed_3 BIGINT,
    applicant_note TEXT NOT NULL,
    status TEXT NOT NULL,
    assigned_to BIGINT REFERENCES users(id),
    call_at BIGINT,
    call_minutes BIGINT,
    meeting_link TEXT NOT NULL DEFAULT '',
    uid TEXT NOT NULL UNIQUE,
    sequence BIGINT NOT NULL DEFAULT 0,
    level TEXT,
    result_note TEXT,
    evaluated_by BIGINT REFERENCES users(id),
    evaluated_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX japanese_evaluations_user ON japanese_evaluations(user_id);
CREATE INDEX japanese_evaluations_status ON japanese_evaluations(status, call_at);

-- Attachments to outbox messages (text bodies such as .ics invitations).
CREATE TABLE outbox_attachments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id BIGINT NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX outbox_attachments_outbox ON outbox_attachments(outbox_id);
