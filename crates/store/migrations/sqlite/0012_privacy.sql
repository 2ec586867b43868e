-- Data protection (UK GDPR): erasure requests from applicants, decided by a coordinator; a
-- retention period per round after which unsuccessful, withdrawn and ineligible applications lose
-- their personal data; and when an application or an account was erased (the rows stay, blanked,
-- so the round's figures still count them).
CREATE TABLE erasure_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    decided_at BIGINT,
    decision_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX erasure_requests_status ON erasure_requests(status, requested_at);
CREATE INDEX erasure_requests_user ON erasure_requests(user_id);

CREATE TABLE round_retention (
    round_id INTEGER PRIMARY KEY REFERENCES rounds(id) ON DELETE CASCADE,
    months BIGINT NOT NULL CHECK (months > 0),
    updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);

ALTER TABLE applications ADD COLUMN erased_at BIGINT;
ALTER TABLE users ADD COLUMN erased_at BIGINT;
