-- Applicants' documents and their referees. A document's bytes live in the object store under the
-- SHA-256 of the content; the row keeps that hash, the type sniffed from the content and the
-- applicant's file name (sanitised, for display only). One document per kind per application.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    original_name TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    UNIQUE (application_id, kind)
);
CREATE INDEX documents_sha256 ON documents(sha256);

-- A referee named for a slot (1..the round's number). Replacing a referee retires the row
-- (retired = its own id; 0 while active), so its link stops working and at most one active row
-- exists per slot. Only SHA-256 hashes of the e-mailed tokens are stored; a reminder carries a
-- second token so the first link need not be kept anywhere.
CREATE TABLE referees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    slot BIGINT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    relationship TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    reminder_token_hash TEXT UNIQUE,
    requested_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    opened_at BIGINT,
    received_at BIGINT,
    reminded_at BIGINT,
    retired BIGINT NOT NULL DEFAULT 0,
    reference_text TEXT,
    reference_sha256 TEXT,
    reference_content_type TEXT,
    reference_name TEXT,
    UNIQUE (application_id, slot, retired)
);
CREATE INDEX referees_due ON referees(retired, received_at, expires_at);
