-- Review and outcomes (issue 4). Reviewers are assigned to a round's eligible applications and
-- score them against the position's rubric (crates/domain/src/rubric.rs); where two totals differ
-- by more than the round's margin the coordinator sets an agreed total (moderation). Outcomes are
-- decided ahead of publication and applied (state changes, e-mails) only when published.

-- When results are published (UTC seconds); NULL until the coordinator sets it.
ALTER TABLE rounds ADD COLUMN results_at BIGINT;

-- Per-round selection settings. Booleans are BIGINT 0/1.
CREATE TABLE selection_settings (
    round_id INTEGER PRIMARY KEY REFERENCES rounds(id) ON DELETE CASCADE,
    reviewers_per_application BIGINT NOT NULL DEFAULT 2,
    moderation_margin BIGINT NOT NULL DEFAULT 4,
    name_blind BIGINT NOT NULL DEFAULT 0,
    sift_closed BIGINT NOT NULL DEFAULT 0,
    places_alt BIGINT NOT NULL DEFAULT 0,
    places_cir BIGINT NOT NULL DEFAULT 0,
    places_sea BIGINT NOT NULL DEFAULT 0,
    published_at BIGINT,
    updated_at BIGINT NOT NULL
);

-- A reviewer's declared conflict of interest with an application's applicant.
CREATE TABLE review_conflicts (
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    reviewer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    declared_at BIGINT NOT NULL,
    PRIMARY KEY (application_id, reviewer_id)
);

-- A reviewer assigned to an application, and their score sheet once submitted (scores as JSON
-- {criterion: score}, total their sum).
CREATE TABLE review_assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    reviewer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    assigned_at BIGINT NOT NULL,
    scores TEXT,
    total BIGINT,
    comment TEXT NOT NULL DEFAULT '',
    submitted_at BIGINT,
    UNIQUE (application_id, reviewer_id)
);
CREATE INDEX review_assignments_reviewer ON review_assignments(reviewer_id, submitted_at);

-- The coordinator's agreed total where reviewers disagreed beyond the margin.
CREATE TABLE review_moderations (
    application_id INTEGER PRIMARY KEY REFERENCES applications(id) ON DELETE CASCADE,
    agreed_total BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    moderated_by INTEGER NOT NULL REFERENCES users(id),
    moderated_at BIGINT NOT NULL
);

-- A decided outcome: shortlisted, alternate (with its rank) or unsuccessful (with reasons, a
-- comma-separated list of reason ids, and optional feedback). Not visible to the applicant until
-- published_at is set.
CREATE TABLE outcomes (
    application_id INTEGER PRIMARY KEY REFERENCES applications(id) ON DELETE CASCADE,
    outcome TEXT NOT NULL,
    alternate_rank BIGINT,
    reasons TEXT NOT NULL DEFAULT '',
    feedback TEXT NOT NULL DEFAULT '',
    decided_by INTEGER NOT NULL REFERENCES users(id),
    decided_at BIGINT NOT NULL,
    published_at BIGINT
);
