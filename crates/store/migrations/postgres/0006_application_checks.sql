-- Checks on applications beyond their own answers: people who apply twice (identity keys derived
-- from the passport number, and from the name with the date of birth), partners applying together
-- (a link asked for by one and confirmed by the other), Japanese levels assessed by the JET Desk
-- (an evaluation call or the CIR interview), and forms posted after the session had expired (kept
-- for an hour so the applicant gets their typing back after signing in again).
ALTER TABLE applications ADD COLUMN passport_key TEXT;
ALTER TABLE applications ADD COLUMN identity_key TEXT;
CREATE INDEX applications_passport_key ON applications(passport_key);
CREATE INDEX applications_identity_key ON applications(identity_key);

CREATE TABLE partner_links (
    application_id BIGINT PRIMARY KEY REFERENCES applications(id) ON DELETE CASCADE,
    partner_application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    requested_at BIGINT NOT NULL,
    confirmed_at BIGINT
);
CREATE INDEX partner_links_partner ON partner_links(partner_application_id);

CREATE TABLE japanese_assessments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    application_id BIGINT REFERENCES applications(id) ON DELETE SET NULL,
    level TEXT NOT NULL,
    source TEXT NOT NULL,
    note TEXT NOT NULL,
    assessed_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    assessed_at BIGINT NOT NULL
);
CREATE INDEX japanese_assessments_user ON japanese_assessments(user_id, assessed_at);

CREATE TABLE pending_forms (
    token_hash TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    body TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
